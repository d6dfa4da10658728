"""Benchmark: the uploads at the estate's size (issue 15, part 6). A 30,000-row device register and
a 1,000-initiative quarter of savings actuals, each as its sender writes it (title rows, their own
column names and order, amounts typed as text, a Total row, merged cells), are previewed and
committed through the pages' own functions, and each step is set against the floor measured in
the same run: pandas reading the same file plus one bulk insert of the same rows (an upsert, since
most rows are already held). Target: preview and commit each ≤ 3 × the floor; peak Python memory
modest (≤ 500 MB) at 30,000 rows.

Interleaved and repeated (floor, preview, commit in turn; the best of BENCH_IMPORT_REPEATS, 3, for
the register and of three times as many for the quarter, which takes under a second), each commit
inside a transaction rolled back afterwards, so every repetition writes the same rows. DEBUG is off
while timing (a query log would tax the many-query side only). Memory is measured in a pass of its
own (tracemalloc slows what it watches), queries counted in a first, untimed pass that also checks
each preview has no errors and each commit writes every row it should.

`make bench-imports`: against DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
mps_ict_bench_imports, dropped and recreated), the seed and the estate loaded and the scale's
devices and initiatives generated (demo_data). `make bench` measures the same on its large scale.
"""

import gc
import io
import os
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mps_ict_bench_imports")

import common  # configures Django
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

REGISTER_ROWS = int(os.environ.get("BENCH_REGISTER_ROWS", "30000"))
NEW_SHARE = 10  # one register row in 10 is a new device (in stock); the rest are held already
CHANGED_SHARE = 10  # one held device in 10 comes back with changed details
INITIATIVES = int(os.environ.get("BENCH_INITIATIVES", "1000"))
REPEATS = int(os.environ.get("BENCH_IMPORT_REPEATS", "3"))
TARGET = 3.0
MEMORY_LIMIT_MB = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ----------------------------------------------------------------------------- the estate's data


def prepare() -> None:
    """A database of its own: the seed plan, the mobile estate, the demo users, and the register's
    devices (with a month of usage) and the plan's initiatives generated as `generate_demo_data`
    does (without its projects, which these uploads do not touch)."""
    from demo_data.generate import USAGE_TYPES, Scale, demo_data_generate

    common.prepare_database("load_mps_baseline", "create_demo_users", "load_mobile_estate")
    held = REGISTER_ROWS - REGISTER_ROWS // NEW_SHARE
    demo_data_generate(
        Scale("imports", devices=held, usage_rows=held * USAGE_TYPES, projects=0, initiatives=INITIATIVES),
        log=lambda *_: None,
    )
    common.analyze()


def _user(username: str):
    return get_user_model().objects.get(username=username)


# ----------------------------------------------------------------------------- the device register

REGISTER_SHEET = "Register"
REGISTER_TITLE_ROWS = 3  # two title lines and a blank row above the header
# the asset manager's own names, in the asset system's order (not the template's)
REGISTER_HEADERS = {
    "unit": "Borough/OCU",
    "asset_tag": "Asset no",
    "model": "Make and model",
    "serial_number": "Serial/IMEI",
    "status": "Status",
    "purchase_date": "Date purchased",
    "purchase_cost": "Cost (£)",
    "warranty_end": "Warranty expiry",
    "notes": "Notes",  # not read: listed as ignored
    "last_synced": "Last synced",  # not read
}
MODEL_PRICES = (Decimal("429.00"), Decimal("649.99"), Decimal("1299.00"), Decimal("189.50"), Decimal("2150.00"))


@dataclass
class Register:
    data: bytes
    rows: int
    new: int
    changed: int
    unchanged: int


def _device_details(index: int, model_index: int) -> tuple[date, Decimal, date]:
    """A held device's purchase date, cost and warranty end, as the register holds them."""
    bought = date(2012, 4, 2) + timedelta(days=(index * 37) % 700)
    return bought, MODEL_PRICES[model_index % len(MODEL_PRICES)], bought + timedelta(days=3 * 365)


def register_state(limit: int) -> list:
    """The held devices the register lists (GEN- ones, by tag), given realistic purchase details
    (the generator leaves cost and warranty empty), so an unchanged row in the file is unchanged."""
    from demo_data.generate import PREFIX
    from mobile_assets.models import Device

    devices = list(
        Device.objects.filter(asset_tag__startswith=PREFIX)
        .select_related("model", "unit")
        .order_by("asset_tag")[:limit]
    )
    model_index = {pk: i for i, pk in enumerate(sorted({d.model_id for d in devices}))}
    stale = []
    for index, device in enumerate(devices):
        details = _device_details(index, model_index[device.model_id])
        if (device.purchase_date, device.purchase_cost, device.warranty_end) != details:
            device.purchase_date, device.purchase_cost, device.warranty_end = details
            stale.append(device)
    if stale:
        Device.objects.bulk_create(
            stale,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["asset_tag"],
            update_fields=["purchase_date", "purchase_cost", "warranty_end"],
        )
        common.analyze()
    return devices


def register_workbook(rows: int) -> Register:
    """The asset manager's register as exported from the asset system: title rows, its own column
    order, dates and costs as Excel numbers (a few costs typed as text), a notes column the upload
    does not read; the held devices (one in ten with a changed unit, warranty or cost) and then
    the new ones, in stock."""
    from openpyxl import Workbook

    from mobile_assets.choices import DeviceStatus
    from mobile_assets.models import DeviceModel, OrganisationalUnit

    new = rows // NEW_SHARE
    held = register_state(rows - new)
    units = list(OrganisationalUnit.objects.filter(retired_at__isnull=True).order_by("pk"))
    models = list(DeviceModel.objects.filter(retired_at__isnull=True).order_by("pk"))
    labels = dict(DeviceStatus.choices)
    workbook = Workbook()  # not write-only: the sheet states its size, as Excel writes it
    sheet = workbook.active
    sheet.title = REGISTER_SHEET
    sheet.append(["Metropolitan Police Service: mobile device register"])
    sheet.append(["Exported from the asset system on 31/03/2016 at 09:14 (all devices, all units)"])
    sheet.append([])
    sheet.append(list(REGISTER_HEADERS.values()))
    synced = datetime(2016, 3, 30, 22, 5)  # noqa: DTZ001 - a spreadsheet's time has no zone
    changed = 0
    for index, device in enumerate(held):
        unit, cost, warranty = device.unit, device.purchase_cost, device.warranty_end
        notes = None
        if index % CHANGED_SHARE == 3:
            changed += 1
            kind = (index // CHANGED_SHARE) % 3
            if kind == 0:  # moved to another unit
                unit = units[(units.index(unit) + 1) % len(units)] if unit in units else units[0]
                notes = "Moved to new unit"
            elif kind == 1:  # warranty extended
                warranty = warranty + timedelta(days=365)
                notes = "Extended warranty purchased"
            else:  # cost corrected from the invoice
                cost = cost + Decimal("12.50")
        # a few costs typed as text, as people do
        cost_cell = f"£{cost:,.2f}" if index % 97 == 5 else float(cost)
        sheet.append(
            [
                unit.name if unit else None,
                device.asset_tag,
                str(device.model),
                device.serial_number,
                labels[device.status],
                datetime.combine(device.purchase_date, datetime.min.time()),
                cost_cell,
                datetime.combine(warranty, datetime.min.time()),
                notes,
                synced,
            ]
        )
    for index in range(new):
        model = models[index % len(models)]
        bought = date(2016, 1, 4) + timedelta(days=index % 80)
        sheet.append(
            [
                units[index % len(units)].name,
                f"GEN-N{index:05d}",
                str(model),
                f"35{index * 7919 % 10**13:013d}",  # IMEI-like
                labels[DeviceStatus.IN_STOCK],
                datetime.combine(bought, datetime.min.time()),
                float(MODEL_PRICES[index % len(MODEL_PRICES)]),
                datetime.combine(bought + timedelta(days=3 * 365), datetime.min.time()),
                "Delivered, awaiting build" if index % 5 == 0 else None,
                None,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Register(buffer.getvalue(), len(held) + new, new, changed, len(held) - changed)


def register_floor(data: bytes) -> int:
    """The floor: pandas reads the same file, and one bulk upsert writes its rows (rolled back)."""
    import pandas as pd

    from mobile_assets.choices import DeviceStatus
    from mobile_assets.models import Device, DeviceModel, OrganisationalUnit
    from mps_ict.money import parse_money

    frame = pd.read_excel(io.BytesIO(data), sheet_name=REGISTER_SHEET, header=REGISTER_TITLE_ROWS, engine="openpyxl")
    columns = {title: key for key, title in REGISTER_HEADERS.items()}
    frame = frame.rename(columns=columns).dropna(subset=["asset_tag"])
    models = {str(model): model.pk for model in DeviceModel.objects.all()}
    units = dict(OrganisationalUnit.objects.values_list("name", "pk"))
    statuses = {label: value for value, label in DeviceStatus.choices}

    def day(value):
        return None if pd.isna(value) else value.date()

    devices = [
        Device(
            asset_tag=row.asset_tag,
            serial_number=str(row.serial_number),
            model_id=models[row.model],
            unit_id=units.get(row.unit),
            status=statuses[row.status],
            purchase_date=day(row.purchase_date),
            purchase_cost=parse_money(row.purchase_cost),
            warranty_end=day(row.warranty_end),
        )
        for row in frame.itertuples(index=False)
    ]
    with transaction.atomic():
        Device.objects.bulk_create(
            devices,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["asset_tag"],
            update_fields=[
                "serial_number",
                "model",
                "unit",
                "status",
                "purchase_date",
                "purchase_cost",
                "warranty_end",
            ],
        )
        transaction.set_rollback(True)
    return len(devices)


def register_preview(data: bytes):
    from mobile_assets.io import devices_preview

    upload = SimpleUploadedFile("Device register March 2016.xlsx", data, content_type=XLSX)
    return devices_preview(upload=upload, user=_user("assets"))


def register_commit(preview) -> int:
    """Keep the preview and confirm it, as the page does; rolled back afterwards."""
    from mobile_assets.services import devices_confirm
    from mps_ict.imports import preview_keep

    user = _user("assets")
    with transaction.atomic():
        preview_keep(preview, user=user)
        written = devices_confirm(preview_id=preview.id, user=user)
        transaction.set_rollback(True)
    return written


# ----------------------------------------------------------------------------- the quarter's actuals

QUARTER_SHEET = "Q4 return"
QUARTER_TITLE_ROWS = 4
QUARTER_HEADERS = {
    "reference": "Ref",
    "category": "Savings category",
    "initiative": "Initiative name",
    "planned": "Planned (£)",
    "actual_saving": "Actual (£)",
    "forecast_full_year": "FY forecast (£)",
    "commentary": "Comments",
    "rag": "RAG",  # not read
}
COMMENTS = (
    "On track.",
    "Contract renegotiated; saving from January.",
    "Delayed by procurement; forecast held.",
    "Staff savings as planned after restructure.",
    "Licences cut at renewal.",
)


def quarter_of_bench():
    from mps_ict.financial_years import FinancialYear, Quarter

    return Quarter(FinancialYear(2015), 4)


@dataclass
class QuarterFile:
    data: bytes
    rows: int
    new: int
    changed: int
    unchanged: int


def quarter_state(limit: int) -> list:
    """The quarter being reported (2015/16 Q4) as it is when the return comes back: the generated
    initiatives' approved figures for it removed (it is not reported yet), and drafts entered by
    form for some of them, one in ten to be changed by the file and one in twenty it repeats."""
    from demo_data.generate import PREFIX
    from savings.choices import ActualStatus
    from savings.models import Initiative, QuarterlyActual
    from savings.selectors import plan_current

    quarter = quarter_of_bench()
    plan = plan_current()
    initiatives = list(
        Initiative.objects.filter(category__plan=plan, reference__startswith=PREFIX.lower())
        .select_related("category")
        .order_by("category__position", "reference")[:limit]
    )
    QuarterlyActual.objects.filter(
        initiative__in=initiatives, financial_year=quarter.financial_year, quarter=quarter.number
    ).delete()
    figures = quarter_figures(initiatives)
    user = _user("finance2")
    drafts = []
    for index, initiative in enumerate(initiatives):
        actual, forecast, commentary = figures[initiative.pk]
        if index % 10 == 4:  # a draft the file changes
            actual, forecast = actual - Decimal("1000.00"), forecast - Decimal("1000.00")
        elif index % 20 != 7:  # a draft the file repeats
            continue
        drafts.append(
            QuarterlyActual(
                initiative=initiative,
                financial_year=quarter.financial_year,
                quarter=quarter.number,
                actual_saving=actual,
                forecast_full_year=forecast,
                commentary=commentary,
                status=ActualStatus.DRAFT,
                entered_by=user,
            )
        )
    QuarterlyActual.objects.bulk_create(drafts)
    common.analyze()
    return initiatives


def quarter_figures(initiatives) -> dict[int, tuple[Decimal, Decimal, str]]:
    """What the return says for each initiative: the quarter's actual near a quarter of the year's
    plan, the forecast mostly held at the last approved one (the generator's 95% of the plan),
    moved within 5% for some and beyond it, explained, for a few."""
    from savings.models import SavingsProfile

    planned = dict(
        SavingsProfile.objects.filter(
            initiative__in=initiatives, financial_year=quarter_of_bench().financial_year
        ).values_list("initiative_id", "planned_saving")
    )
    figures = {}
    for index, initiative in enumerate(initiatives):
        plan = planned.get(initiative.pk) or Decimal("100000.00")
        actual = (plan / 4 * Decimal(90 + index % 17) / 100).quantize(Decimal("0.01"))
        if index % 23 == 2:
            actual = Decimal(round(actual, -3))  # typed as "£25k" below
        forecast = (plan * Decimal("0.95")).quantize(Decimal("0.01"))
        commentary = COMMENTS[index % len(COMMENTS)]
        if index % 7 == 1:
            forecast = (forecast * Decimal("1.02")).quantize(Decimal("0.01"))
        elif index % 31 == 0:
            forecast = (forecast * Decimal("0.80")).quantize(Decimal("0.01"))
            commentary = "Forecast reduced: the supplier's new contract starts in May, not January."
        figures[initiative.pk] = (actual, forecast, commentary)
    return figures


def _as_typed(amount: Decimal, index: int):
    """An amount as the finance officer left it: mostly a number, some as text."""
    if amount == amount.to_integral_value() and amount % 1000 == 0 and index % 23 == 2:
        return f"£{int(amount) // 1000}k"
    if index % 41 == 9:
        return f"{amount:,.2f}"
    return float(amount)


def quarter_workbook(limit: int) -> QuarterFile:
    """The quarter's return as a finance officer sends it back: title rows naming the quarter, their
    own column names, each category's name merged down its block of rows, amounts as numbers and
    some as text ("£25k", "12,345.67"), commentary, a RAG column not read, and a Total row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from savings.models import QuarterlyActual, SavingsProfile

    quarter = quarter_of_bench()
    initiatives = quarter_state(limit)
    figures = quarter_figures(initiatives)
    planned = dict(
        SavingsProfile.objects.filter(initiative__in=initiatives, financial_year=quarter.financial_year).values_list(
            "initiative_id", "planned_saving"
        )
    )
    drafts = dict(
        QuarterlyActual.objects.filter(
            initiative__in=initiatives, financial_year=quarter.financial_year, quarter=quarter.number
        ).values_list("initiative_id", "actual_saving")
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = QUARTER_SHEET
    sheet["A1"] = "ICT savings plan: quarterly actuals return"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"Quarter: {quarter.label}"
    sheet["A3"] = "Returned by Finance Business Partnering on 12/04/2016"
    header_row = QUARTER_TITLE_ROWS + 1
    for column, title in enumerate(QUARTER_HEADERS.values(), start=1):
        sheet.cell(row=header_row, column=column, value=title).font = Font(bold=True)
    totals = [Decimal("0.00")] * 3
    row_number = header_row
    block_start, block_category = None, None
    new = changed = unchanged = 0
    for index, initiative in enumerate(initiatives):
        row_number += 1
        actual, forecast, commentary = figures[initiative.pk]
        plan = planned.get(initiative.pk) or Decimal("0.00")
        held = drafts.get(initiative.pk)
        if held is None:
            new += 1
        elif held == actual:
            unchanged += 1
        else:
            changed += 1
        category = initiative.category.name
        if category != block_category:
            if block_start is not None and row_number - 1 > block_start:
                sheet.merge_cells(start_row=block_start, end_row=row_number - 1, start_column=2, end_column=2)
            block_start, block_category = row_number, category
            sheet.cell(row=row_number, column=2, value=category)
        values = {
            1: initiative.reference.upper() if index % 9 == 0 else initiative.reference,  # case does not count
            3: initiative.description,
            4: float(plan),
            5: _as_typed(actual, index),
            6: _as_typed(forecast, index + 1),
            7: commentary,
            8: ("Green", "Amber", "Red")[index % 3],
        }
        for column, value in values.items():
            cell = sheet.cell(row=row_number, column=column, value=value)
            if column in (4, 5, 6) and isinstance(value, float):
                cell.number_format = "£#,##0.00"
        totals = [totals[0] + plan, totals[1] + actual, totals[2] + forecast]
    if block_start is not None and row_number > block_start:
        sheet.merge_cells(start_row=block_start, end_row=row_number, start_column=2, end_column=2)
    row_number += 1
    sheet.cell(row=row_number, column=1, value="Total").font = Font(bold=True)
    for column, total in zip((4, 5, 6), totals, strict=True):
        sheet.cell(row=row_number, column=column, value=float(total)).number_format = "£#,##0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return QuarterFile(buffer.getvalue(), len(initiatives), new, changed, unchanged)


def quarter_floor(data: bytes) -> int:
    """The floor: pandas reads the same file, and one bulk upsert writes its rows as drafts (rolled back)."""
    import pandas as pd

    from mps_ict.money import parse_money
    from savings.choices import ActualStatus
    from savings.models import Initiative, QuarterlyActual

    quarter = quarter_of_bench()
    user = _user("finance")
    frame = pd.read_excel(io.BytesIO(data), sheet_name=QUARTER_SHEET, header=QUARTER_TITLE_ROWS, engine="openpyxl")
    frame = frame.rename(columns={title: key for key, title in QUARTER_HEADERS.items()})
    frame = frame[frame["reference"].notna() & (frame["reference"] != "Total")]
    ids = {reference.casefold(): pk for reference, pk in Initiative.objects.values_list("reference", "pk")}
    actuals = [
        QuarterlyActual(
            initiative_id=ids[row.reference.casefold()],
            financial_year=quarter.financial_year,
            quarter=quarter.number,
            actual_saving=parse_money(row.actual_saving),
            forecast_full_year=parse_money(row.forecast_full_year),
            commentary=row.commentary,
            status=ActualStatus.DRAFT,
            entered_by=user,
        )
        for row in frame.itertuples(index=False)
    ]
    with transaction.atomic():
        QuarterlyActual.objects.bulk_create(
            actuals,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["initiative", "financial_year", "quarter", "revision"],
            update_fields=["actual_saving", "forecast_full_year", "commentary", "status", "entered_by"],
        )
        transaction.set_rollback(True)
    return len(actuals)


def quarter_preview(data: bytes):
    from savings.io import actuals_preview
    from savings.selectors import plan_current

    upload = SimpleUploadedFile("ICT savings Q4 2015-16 return.xlsx", data, content_type=XLSX)
    return actuals_preview(upload=upload, plan=plan_current(), quarter=quarter_of_bench(), user=_user("finance"))


def quarter_commit(preview) -> int:
    from mps_ict.imports import preview_keep
    from savings.selectors import plan_current
    from savings.services import actuals_confirm

    user = _user("finance")
    with transaction.atomic():
        preview_keep(preview, user=user)
        written = actuals_confirm(preview_id=preview.id, plan=plan_current(), quarter=quarter_of_bench(), user=user)
        transaction.set_rollback(True)
    return written


# ----------------------------------------------------------------------------- measuring


@dataclass
class Upload:
    name: str  # "device register", "quarter's actuals"
    size: str  # "30,000 rows"
    data: bytes
    expected_writes: int  # new and changed rows
    floor: object
    preview: object
    commit: object
    repeats: int
    timings: dict = field(default_factory=lambda: {"floor": [], "preview": [], "commit": []})
    queries: dict = field(default_factory=dict)
    peak_mb: dict = field(default_factory=dict)


def _timed(function, *args):
    gc.collect()
    started = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - started) * 1000, result


def _check(upload: Upload, preview) -> None:
    if preview.errors:
        shown = "; ".join(f"row {e.row} {e.column}: {e.message}" for e in preview.errors[:5])
        raise RuntimeError(f"The {upload.name} preview found {len(preview.errors)} error(s): {shown}")
    to_write = len(preview.to_write)
    if to_write != upload.expected_writes:
        raise RuntimeError(f"The {upload.name} preview would write {to_write} rows, not {upload.expected_writes}")


def check_and_count(upload: Upload):
    """The untimed first pass: the preview is right, the commit writes it all; queries counted."""
    with CaptureQueriesContext(connection) as context:
        preview = upload.preview(upload.data)
    upload.queries["preview"] = len(context.captured_queries)
    _check(upload, preview)
    with CaptureQueriesContext(connection) as context:
        written = upload.commit(preview)
    upload.queries["commit"] = len(context.captured_queries)
    if isinstance(written, tuple):  # (created, updated)
        written = sum(written)
    if written != upload.expected_writes:
        raise RuntimeError(f"The {upload.name} commit wrote {written} rows, not {upload.expected_writes}")
    with CaptureQueriesContext(connection) as context:
        upload.floor(upload.data)
    upload.queries["floor"] = len(context.captured_queries)
    return preview


def measure_memory(upload: Upload, preview) -> None:
    for step, run in (
        ("floor", lambda: upload.floor(upload.data)),
        ("preview", lambda: upload.preview(upload.data)),
        ("commit", lambda: upload.commit(preview)),
    ):
        gc.collect()
        tracemalloc.start()
        run()
        upload.peak_mb[step] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()


def measure_times(upload: Upload, preview) -> None:
    """Floor, preview and commit in turn, again and again, so drift on the machine hits all three."""
    for _ in range(upload.repeats):
        upload.timings["floor"].append(_timed(upload.floor, upload.data)[0])
        upload.timings["preview"].append(_timed(upload.preview, upload.data)[0])
        upload.timings["commit"].append(_timed(upload.commit, preview)[0])


def uploads() -> list[Upload]:
    register = register_workbook(REGISTER_ROWS)
    actuals = quarter_workbook(INITIATIVES)
    return [
        Upload(
            "device register",
            f"{register.rows:,} rows",
            register.data,
            register.new + register.changed,
            register_floor,
            register_preview,
            register_commit,
            REPEATS,
        ),
        Upload(
            "quarter's actuals",
            f"{actuals.rows:,} initiatives",
            actuals.data,
            actuals.new + actuals.changed,
            quarter_floor,
            quarter_preview,
            quarter_commit,
            REPEATS * 3,  # each under a second: more tries for the same confidence
        ),
    ]


def measure_imports() -> list[tuple]:
    """Every upload measured; the rows of the results table (metric, this project, reference,
    ratio, target, met)."""
    measured = uploads()
    with override_settings(DEBUG=False):
        for upload in measured:
            preview = check_and_count(upload)
            measure_memory(upload, preview)
            measure_times(upload, preview)
    rows = []
    for upload in measured:
        floor = min(upload.timings["floor"])
        for step in ("preview", "commit"):
            ours = min(upload.timings[step])
            ratio = ours / floor
            rows.append(
                (
                    f"{upload.name} {step}, {upload.size}",
                    f"{ours:,.0f} ms (worst {max(upload.timings[step]):,.0f}; {upload.queries[step]:,} queries)",
                    f"{floor:,.0f} ms (worst {max(upload.timings['floor']):,.0f}) pandas + bulk upsert, "
                    f"best of {upload.repeats}",
                    f"{ratio:.2f}",
                    f"≤ {TARGET:g}",
                    "met" if ratio <= TARGET else "MISSED",
                )
            )
        for step in ("preview", "commit"):
            peak = upload.peak_mb[step]
            rows.append(
                (
                    f"{upload.name} {step} peak Python memory",
                    f"{peak:,.0f} MB",
                    f"{upload.peak_mb['floor']:,.0f} MB pandas + bulk upsert",
                    f"{peak / upload.peak_mb['floor']:.2f}",
                    f"≤ {MEMORY_LIMIT_MB} MB",
                    "met" if peak <= MEMORY_LIMIT_MB else "MISSED",
                )
            )
    return rows


def table(rows: list[tuple]) -> str:
    header = ("metric", "this project", "reference", "ratio", "target", "")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


NOTES = """- **uploads** (`bench/bench_imports.py`): a 30,000-row device register (27,000 devices already
  held, one in ten of them with a changed unit, warranty or cost, and 3,000 new ones in stock) and a
  1,000-initiative quarter's actuals (new figures, drafts changed and drafts repeated; £ amounts as
  numbers and some as text like "£25k"; category merged down its rows; a Total row), each as its
  sender writes it (title rows, their own column names and order, columns not read). **Preview**
  is the upload's preview function on the file's bytes; **commit** keeps the preview and confirms
  it, as the page does (each commit in a transaction rolled back, so every repetition writes the
  same rows). The **floor** is `pandas.read_excel` of the same file plus one bulk upsert of the same
  rows (`bulk_create(update_conflicts=True)`, no audit trail); the best of several, interleaved. Peak
  memory: tracemalloc's peak in a pass of its own (Python objects, numpy included; not the C
  parsers' buffers)."""

SECTION = "## Uploads at the estate's size (`make bench-imports`)"


def write_results(rows: list[tuple], seconds: float) -> None:
    """Put this run's table in bench/RESULTS.md as a section of its own (replacing an earlier one);
    `make bench` writes the whole file, these rows in its table."""
    from django.utils import timezone

    path = common.ROOT / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if SECTION in text:
        start = text.index(SECTION)
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start].rstrip("\n") + ("\n\n" + text[end + 1 :] if end != -1 else "")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    section = (
        f"{SECTION}\n\n{timezone.localdate():%d %B %Y}; {os.cpu_count()} cores, PostgreSQL {postgres}; "
        f"{seconds / 60:.0f} minutes in all. One run; ratios, not absolute times, carry from machine to machine.\n\n"
        f"{table(rows)}\n\n{NOTES}\n"
    )
    path.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")


def main() -> int:
    if connection.vendor != "postgresql":
        print("The import benchmark measures against PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    started = time.perf_counter()
    prepare()
    rows = measure_imports()
    seconds = time.perf_counter() - started
    print(
        f"\nUploads at the estate's size on {connection.vendor}: floor, preview and commit interleaved; each commit "
        f"rolled back ({seconds:.0f} s in all)\n"
    )
    print(table(rows))
    missed = [row[0] for row in rows if row[-1] == "MISSED"]
    print("\n" + (f"Missed: {', '.join(missed)}." if missed else "Every target met."))
    write_results(rows, seconds)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
