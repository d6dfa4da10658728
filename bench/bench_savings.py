"""Benchmark: the savings overview page and summary endpoint, at the seed's size and at
1,000 initiatives × 12 quarters of approved actuals. Reports time per request and the ratio.

    make bench-savings            # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mps_ict_bench make bench-savings

Runs in one process, on its own database (created and migrated here), with Django's test client,
so the timings are the view, the ORM and the database, without network noise.
"""

import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps_ict.settings")
os.environ.setdefault("DEBUG", "1")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from mps_ict.figures_cache import figures_changed  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
LARGE_INITIATIVES = 1000
QUARTERS = [(year, quarter) for year in (2013, 2014, 2015) for quarter in (1, 2, 3, 4)]  # 12 quarters


def prepare_database():
    if connection.vendor == "postgresql":
        from django.db import connections

        name = connection.settings_dict["NAME"]
        with connections["default"]._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
    call_command("migrate", verbosity=0)
    call_command("load_mps_baseline", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("create_demo_users", stdout=open(os.devnull, "w"))  # noqa: SIM115


def grow_to_large():
    """Illustrative bench data: 989 more initiatives (1,000 in all), each with a 3-year profile and
    12 quarters of approved actuals."""
    from django.contrib.auth.models import User

    from mps_ict.financial_years import FinancialYear
    from savings.models import Category, Initiative, QuarterlyActual, SavingsProfile

    user = User.objects.get(username="finance")
    categories = list(Category.objects.all())
    existing = Initiative.objects.count()
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            category=categories[index % len(categories)],
            reference=f"BENCH-{index:04d}",
            description="Illustrative benchmark initiative",
            cost_now=Decimal("1000000.00"),
            future_cost=Decimal("700000.00"),
            savings_type=[
                "reduced_contract_costs",
                "staff_cost_savings",
                "demand_and_volume_reduction",
                "mobile_and_other_efficiencies",
            ][index % 4],
        )
        for index in range(LARGE_INITIATIVES - existing)
    )
    initiatives = list(Initiative.objects.all())
    SavingsProfile.objects.bulk_create(
        [
            SavingsProfile(initiative=i, financial_year=FinancialYear(year), planned_saving=Decimal(amount))
            for i in initiatives
            if i.reference.startswith("BENCH-")
            for year, amount in ((2013, "100000.00"), (2014, "200000.00"), (2015, "300000.00"))
        ],
        batch_size=2000,
    )
    QuarterlyActual.objects.bulk_create(
        [
            QuarterlyActual(
                initiative=i,
                financial_year=FinancialYear(year),
                quarter=quarter,
                actual_saving=Decimal("50000.00"),
                forecast_full_year=Decimal("200000.00"),
                status="approved",
                entered_by=user,
                submitted_by=user,
            )
            for i in initiatives
            for year, quarter in QUARTERS
        ],
        batch_size=2000,
    )
    analyze()
    figures_changed("savings")  # a bulk load bypasses the services, so it says so itself
    return Initiative.objects.count(), QuarterlyActual.objects.count()


def analyze():
    """Fresh planner statistics on PostgreSQL, as autovacuum gives after a load. (SQLite's ANALYZE
    leads its planner astray on these queries, and nothing runs it in development.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(client, url, *, recompute=False):
    """Median ms per request. With recompute, the figure cache is emptied before each request, so
    every figure is aggregated afresh in the database (the path after any write)."""
    cache.clear()
    client.get(url)  # warm
    if recompute:
        cache.clear()
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    queries = len(context.captured_queries)
    timings = []
    for _ in range(REQUESTS):
        if recompute:
            cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), queries


def main():
    prepare_database()
    analyze()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(__import__("django.contrib.auth.models", fromlist=["User"]).User.objects.get(username="board"))
    urls = {
        "overview page": ("/savings/", False),
        "summary endpoint": ("/api/v1/savings/summary/", False),
        "breakdown endpoint": ("/api/v1/savings/breakdown/?by=category", False),
        "overview page, recomputed": ("/savings/", True),
        "summary endpoint, recomputed": ("/api/v1/savings/summary/", True),
        "breakdown endpoint, recomputed": ("/api/v1/savings/breakdown/?by=category", True),
    }
    small = {name: measure(client, url, recompute=fresh) for name, (url, fresh) in urls.items()}
    initiatives, actuals = grow_to_large()
    large = {name: measure(client, url, recompute=fresh) for name, (url, fresh) in urls.items()}

    print(f"\nSavings benchmark on {connection.vendor}, median of {REQUESTS} requests each")
    print(
        f"small: the seed (11 initiatives, no actuals); large: {initiatives} initiatives, {actuals} quarterly actuals\n"
    )
    print(
        f"| {'metric':<30} | {'small ms':>9} | {'large ms':>9} | {'ratio':>6} | {'queries small/large':>19} | target |"
    )
    print(f"|{'-' * 32}|{'-' * 11}|{'-' * 11}|{'-' * 8}|{'-' * 21}|--------|")
    failed = False
    for name in urls:
        (small_ms, small_q), (large_ms, large_q) = small[name], large[name]
        ratio = large_ms / small_ms
        ok = ratio <= 2 and small_q == large_q
        informative = urls[name][1]
        failed |= not ok and not informative
        verdict = "info" if informative else ("met" if ok else "MISSED")
        print(
            f"| {name:<30} | {small_ms:>9.1f} | {large_ms:>9.1f} | {ratio:>6.2f} | {small_q:>9} / {large_q:<7} | {verdict} |"
        )
    print("\nTarget: large ≤ 2 × small, and the same number of queries at both sizes.")
    print("'recomputed' (information): the figure cache emptied before every request, so every figure is")
    print("aggregated in the database, as on the first request after a write.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
