"""Benchmark: the savings overview page and summary and breakdown endpoints, at the seed's size
and at 1,000 initiatives × 12 quarters of approved actuals. `make bench-savings`."""

import sys
from decimal import Decimal

import common

from mps_ict.figures_cache import figures_changed
from mps_ict.financial_years import FinancialYear

LARGE_INITIATIVES = 1000
QUARTERS = [(year, quarter) for year in (2013, 2014, 2015) for quarter in (1, 2, 3, 4)]  # 12 quarters
SAVINGS_TYPES = [
    "reduced_contract_costs",
    "staff_cost_savings",
    "demand_and_volume_reduction",
    "mobile_and_other_efficiencies",
]


def grow_to_large():
    """Illustrative bench data: 989 more initiatives (1,000 in all), each with a 3-year profile and
    12 quarters of approved actuals."""
    from django.contrib.auth.models import User

    from savings.models import Category, Initiative, QuarterlyActual, SavingsProfile

    user = User.objects.get(username="finance")
    categories = list(Category.objects.all())
    Initiative.objects.bulk_create(
        Initiative(
            category=categories[index % len(categories)],
            reference=f"BENCH-{index:04d}",
            description="Illustrative benchmark initiative",
            cost_now=Decimal("1000000.00"),
            future_cost=Decimal("700000.00"),
            savings_type=SAVINGS_TYPES[index % 4],
        )
        for index in range(LARGE_INITIATIVES - Initiative.objects.count())
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
    common.analyze()
    figures_changed(Initiative._meta.app_label)  # bulk inserts keep no history, so the load says so itself
    return Initiative.objects.count(), QuarterlyActual.objects.count()


def main():
    common.prepare_database("load_mps_baseline", "create_demo_users")
    client = common.signed_in_client("board")
    urls = {
        "overview page": ("/savings/", False),
        "summary endpoint": ("/api/v1/savings/summary/", False),
        "breakdown endpoint": ("/api/v1/savings/breakdown/?by=category", False),
        "overview page, recomputed": ("/savings/", True),
        "summary endpoint, recomputed": ("/api/v1/savings/summary/", True),
        "breakdown endpoint, recomputed": ("/api/v1/savings/breakdown/?by=category", True),
    }
    small = {name: common.measure(client, url, recompute=fresh) for name, (url, fresh) in urls.items()}
    initiatives, actuals = grow_to_large()
    large = {name: common.measure(client, url, recompute=fresh) for name, (url, fresh) in urls.items()}
    return common.report(
        "Savings benchmark",
        f"small: the seed (11 initiatives, no actuals); large: {initiatives} initiatives, {actuals} quarterly actuals",
        urls,
        small,
        large,
        target=2,
    )


if __name__ == "__main__":
    sys.exit(main())
