"""Benchmark: the benefit roll-up over 2 million usage rows against a hand-written single GROUP BY
on the same data (the floor), with peak memory at two sizes; and the device register page at 300
and at 30,000 devices. PostgreSQL: `DATABASE_URL=postgres://... make bench-mobile`."""

import io
import sys
import time
import tracemalloc
from datetime import date

import common
from django.db import connection

from mobile_assets.services import benefit_rollup
from mps_ict.figures_cache import figures_changed
from mps_ict.financial_years import FinancialYear

TARGET_ROWS = 2_000_000
TYPES = 5


def months(first: date, count: int) -> list[date]:
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(count)]


def grow_devices(total: int) -> list[int]:
    """Illustrative devices up to `total` in the register; returns their ids."""
    from mobile_assets.models import Device, DeviceModel

    model = DeviceModel.objects.order_by("pk").first()
    missing = total - Device.objects.count()
    if missing > 0:
        Device.objects.bulk_create(
            (
                Device(
                    asset_tag=f"BENCH-{i:06d}",
                    serial_number=f"SN-BENCH-{i:08d}",
                    model=model,
                    status="issued",
                    is_illustrative=True,
                )
                for i in range(missing)
            ),
            batch_size=5000,
        )
    common.analyze()
    figures_changed(Device._meta.app_label)  # bulk inserts keep no history, so the load says so itself
    return list(Device.objects.order_by("pk").values_list("pk", flat=True)[:total])


def load_usage(device_ids: list[int], rows_wanted: int) -> tuple[date, date]:
    """Per-device monthly usage, written with COPY (PostgreSQL) or bulk inserts (SQLite)."""
    from mobile_assets.models import OrganisationalUnit, TransactionType, UsageStatistic

    unit_ids = list(OrganisationalUnit.objects.values_list("pk", flat=True))
    type_ids = list(TransactionType.objects.order_by("pk").values_list("pk", flat=True))[:TYPES]
    month_count = -(-rows_wanted // (len(device_ids) * len(type_ids)))
    span = months(date(2013, 4, 1), month_count)
    UsageStatistic.objects.filter(device__isnull=False).delete()
    written = 0
    for month in span:
        fy = FinancialYear.from_date(month).start_year
        buffer = io.StringIO()
        for index, device_id in enumerate(device_ids):
            for type_index, type_id in enumerate(type_ids):
                if written >= rows_wanted:
                    break
                buffer.write(
                    f"{month}\t{fy}\t{unit_ids[index % len(unit_ids)]}\t{type_id}\t{device_id}\t"
                    f"{(index * 7 + type_index * 13 + month.month) % 40}\tt\n"
                )
                written += 1
        buffer.seek(0)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.copy_expert(
                    "COPY mobile_assets_usagestatistic (month, financial_year, unit_id, transaction_type_id, device_id,"
                    " count, is_illustrative) FROM STDIN",
                    buffer,
                )
        else:
            UsageStatistic.objects.bulk_create(
                [
                    UsageStatistic(
                        month=date.fromisoformat(m),
                        financial_year=int(f),
                        unit_id=int(u),
                        transaction_type_id=int(t),
                        device_id=int(d),
                        count=int(c),
                        is_illustrative=True,
                    )
                    for m, f, u, t, d, c, _ in (line.split("\t") for line in buffer.read().splitlines())
                ],
                batch_size=5000,
            )
    common.analyze()
    figures_changed(UsageStatistic._meta.app_label)  # usage statistics keep no history
    return span[0], span[-1]


def time_it(function):
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


FLOOR_SQL = """
    SELECT u.month, r.role, SUM(u.count * r.minutes_saved)
    FROM mobile_assets_usagestatistic u
    JOIN mobile_assets_benefitrule r ON r.transaction_type_id = u.transaction_type_id
    WHERE u.month BETWEEN %s AND %s
    GROUP BY u.month, r.role
"""


def floor(start, end):
    """The least the database must do: one bare GROUP BY of usage × minutes (no dates, no rates)."""
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [start, end])
        cursor.fetchall()


def rollup_measurements(rows: int, device_ids: list[int]):
    start, end = load_usage(device_ids, rows)
    floor(start, end)  # warm the cache of pages
    floor_ms = min(time_it(lambda: floor(start, end)) for _ in range(3))
    tracemalloc.start()
    ours_ms = min(time_it(lambda: benefit_rollup(start=start, end=end)) for _ in range(3))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return floor_ms, ours_ms, peak


def main():
    common.prepare_database("create_demo_users", "load_mobile_estate")
    client = common.signed_in_client("assets")  # the register is personal data: the mobile team reads it
    results = []
    # Device register page: 300 devices, then 30,000
    from mobile_assets.models import Device

    keep = list(Device.objects.order_by("pk").values_list("pk", flat=True)[:300])
    Device.objects.exclude(pk__in=keep).delete()  # audited deletes: the audit trail marks the figures stale
    common.analyze()
    small_register = common.measure(client, "/mobile/devices/")
    device_ids = grow_devices(30_000)
    large_register = common.measure(client, "/mobile/devices/")
    # Roll-up at half and at full size, against the floor
    half = rollup_measurements(TARGET_ROWS // 2, device_ids)
    full = rollup_measurements(TARGET_ROWS, device_ids)

    print(f"\nMobile estate benchmark on {connection.vendor}")
    print("| metric | this project | reference | ratio | target |")
    print("|---|---|---|---|---|")
    for label, (floor_ms, ours_ms, _) in (
        (f"roll-up, {TARGET_ROWS // 2:,} usage rows", half),
        (f"roll-up, {TARGET_ROWS:,} usage rows", full),
    ):
        ratio = ours_ms / floor_ms
        results.append(ratio <= 1.5)
        print(
            f"| {label} | {ours_ms:.0f} ms | {floor_ms:.0f} ms (hand-written GROUP BY) | {ratio:.2f} | "
            f"≤ 1.5: {'met' if ratio <= 1.5 else 'MISSED'} |"
        )
    growth = full[2] / max(half[2], 1)
    results.append(growth <= 1.5)
    print(
        f"| roll-up peak Python memory | {full[2] / 1e6:.1f} MB at 2M rows | {half[2] / 1e6:.1f} MB at 1M rows | "
        f"{growth:.2f} | flat (≤ 1.5): {'met' if growth <= 1.5 else 'MISSED'} |"
    )
    ratio = large_register[0] / small_register[0]
    same_queries = large_register[1] == small_register[1]
    results.append(ratio <= 1.5 and same_queries)
    print(
        f"| device register page | {large_register[0]:.1f} ms at 30,000 devices | {small_register[0]:.1f} ms at 300 "
        f"devices | {ratio:.2f} | ≤ 1.5 and same queries ({small_register[1]}/{large_register[1]}): "
        f"{'met' if ratio <= 1.5 and same_queries else 'MISSED'} |"
    )
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
