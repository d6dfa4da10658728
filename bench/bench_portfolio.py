"""Benchmark: the portfolio dashboard and the capital-programme endpoint, at the seed's size
(11 illustrative projects) and at 2,000 projects × 5 financial years × 12 months of spend.
`make bench-portfolio`."""

import sys
from datetime import date
from decimal import Decimal

import common

from mps_ict.figures_cache import figures_changed
from mps_ict.financial_years import FinancialYear

PROJECTS = 2000
YEARS = [FinancialYear(start) for start in range(2008, 2013)]  # 2008/09 .. 2012/13: 4 past years and 2012/13
CATEGORIES = ["Infrastructure", "Applications", "Mobile", "Business change"]


def grow_to_large():
    """Illustrative bench data: 2,000 projects, each with monthly planned spend in 5 years and
    actuals in the 4 past years, and a Delivery Confidence Assessment."""
    from portfolio.models import DeliveryConfidenceAssessment, Programme, Project, SpendProfileLine

    programme = Programme.objects.create(name="Benchmark programme (illustrative)", is_illustrative=True)
    Project.objects.bulk_create(
        Project(
            programme=programme,
            code=f"BENCH-{index:05d}",
            name=f"Benchmark project {index}",
            category=CATEGORIES[index % 4],
            stage="in_delivery",
            budget_baseline=Decimal("5000000.00"),
            budget_forecast=Decimal("5000000.00"),
            is_illustrative=True,
        )
        for index in range(PROJECTS)
    )
    projects = list(Project.objects.filter(code__startswith="BENCH-").only("pk"))
    batch = []
    for project in projects:
        for year in YEARS:
            is_past = year < YEARS[-1]
            for month in year.months():
                batch.append(
                    SpendProfileLine(
                        project=project,
                        financial_year=year,
                        month=month,
                        planned=Decimal("10000.00"),
                        actual=Decimal("9500.00") if is_past else None,
                    )
                )
        if len(batch) >= 20000:
            SpendProfileLine.objects.bulk_create(batch, batch_size=5000)
            batch = []
    SpendProfileLine.objects.bulk_create(batch, batch_size=5000)
    DeliveryConfidenceAssessment.objects.bulk_create(
        [
            DeliveryConfidenceAssessment(project=project, assessed_on=date(2013, 1, 31), rating="amber")
            for project in projects
        ],
        batch_size=5000,
    )
    common.analyze()
    figures_changed(Project._meta.app_label)  # bulk inserts keep no history, so the load says so itself
    return Project.objects.count(), SpendProfileLine.objects.count()


def main():
    common.prepare_database("load_mps_baseline", "create_demo_users", "load_portfolio")
    client = common.signed_in_client("board")
    urls = {
        "dashboard page": ("/portfolio/", False),
        "capital-programme endpoint": ("/api/v1/portfolio/capital-programmes/", False),
        "dashboard page, recomputed": ("/portfolio/", True),
        "capital-programme, recomputed": ("/api/v1/portfolio/capital-programmes/", True),
    }
    small = {name: common.measure(client, url, recompute=fresh) for name, (url, fresh) in urls.items()}
    projects, lines = grow_to_large()
    large = {name: common.measure(client, url, recompute=fresh) for name, (url, fresh) in urls.items()}
    return common.report(
        "Portfolio benchmark",
        f"small: the seed (11 projects); large: {projects} projects, {lines} spend lines (5 years × 12 months)",
        urls,
        small,
        large,
        target=2,
    )


if __name__ == "__main__":
    sys.exit(main())
