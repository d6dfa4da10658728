import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from mps_ict.testing import assert_access_by_role
from savings import services
from savings.choices import ActualStatus
from savings.models import QuarterlyActual
from savings.tests.factories import InitiativeFactory, SavingsProfileFactory

READ_PAGES = [
    "/savings/",
    "/savings/breakdown/",
    "/savings/breakdown/?by=category",
    "/savings/categories/service-management/",
    "/savings/initiatives/SAV-SM/",
    "/savings/spend-baseline/",
    "/savings/actuals/",
    "/savings/actuals/2014/q1/",
]
FINANCE_ONLY = {role: 403 for role in ("board", "programme_manager", "asset_manager", "api_consumer", "none")}


@pytest.mark.parametrize("url", READ_PAGES)
def test_every_role_reads_the_savings_pages(mps_plan, client, role_user, url):
    assert_access_by_role(client, role_user, url, {})


@pytest.mark.parametrize(
    "url",
    [
        "/savings/actuals/2014/q1/SAV-DC/edit/",
        "/savings/actuals/2014/q1/template.xlsx",
        "/savings/actuals/2014/q1/upload/",
    ],
)
def test_only_finance_opens_the_data_entry_pages(mps_plan, client, role_user, url):
    assert_access_by_role(client, role_user, url, FINANCE_ONLY)


def test_only_finance_posts(mps_plan, client, role_user):
    for url in ("/savings/actuals/2014/q1/submit/", "/savings/actuals/2014/q1/close/"):
        assert_access_by_role(
            client, role_user, url, {**FINANCE_ONLY, "finance": 302, "admin": 302}, method="post", data={}
        )


def test_overview_shows_the_seed_table_and_explains_service_management(mps_plan, client, role_user):
    client.force_login(role_user("board"))
    page = client.get("/savings/").content.decode()
    assert "£200m" in page and "£140m" in page and "£60m" in page
    assert "The source table prints “φ” as the reduction for Service Management" in page
    assert "Cost now (£24m) less future cost (£16m) is £8m" in page
    assert 'data-chart="chart-waterfall"' in page and 'id="chart-waterfall"' in page


def test_breakdown_page_totals_reach_the_targets(mps_plan, client, role_user):
    client.force_login(role_user("board"))
    page = client.get("/savings/breakdown/").content.decode()
    assert "£42,000,000" in page and "£60,000,000" in page
    assert "Reduced contract costs" in page and "Staff cost savings" in page


def test_a_missing_quarter_or_initiative_is_a_404(mps_plan, client, role_user):
    client.force_login(role_user("finance"))
    assert client.get("/savings/actuals/2014/q5/").status_code == 404
    assert client.get("/savings/actuals/1800/q1/").status_code == 404
    assert client.get("/savings/initiatives/NOPE/").status_code == 404
    assert client.get("/savings/actuals/2014/q1/NOPE/edit/").status_code == 404


def test_finance_enters_figures_as_typed_and_sees_errors_by_field(mps_plan, client, role_user):
    client.force_login(role_user("finance"))
    url = "/savings/actuals/2014/q1/SAV-DC/edit/"
    response = client.post(url, {"actual_saving": "lots", "forecast_full_year": "£9,000,000", "commentary": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "is not an amount of money" in page and "Explain the forecast" not in page
    response = client.post(url, {"actual_saving": "£1,234.50", "forecast_full_year": "£9,000,000", "commentary": ""})
    assert "Explain the forecast" in response.content.decode()
    assert not QuarterlyActual.objects.exists()
    response = client.post(url, {"actual_saving": "£1,234.50", "forecast_full_year": "4,100,000", "commentary": ""})
    assert response.status_code == 302
    actual = QuarterlyActual.objects.get()
    assert (actual.actual_saving, actual.forecast_full_year, actual.status) == (
        Decimal("1234.50"),
        Decimal("4100000.00"),
        ActualStatus.DRAFT,
    )


def test_a_stale_form_cannot_overwrite_a_colleagues_save(mps_plan, client, role_user):
    first, second = role_user("finance"), role_user("finance")
    url = "/savings/actuals/2014/q1/SAV-DC/edit/"
    client.force_login(first)
    client.post(url, {"actual_saving": "100", "forecast_full_year": "4000000"})
    # Both open the form at version 1; the first saves again
    client.post(url, {"actual_saving": "200", "forecast_full_year": "4000000", "version": "1"})
    client.force_login(second)
    response = client.post(url, {"actual_saving": "300", "forecast_full_year": "4000000", "version": "1"})
    assert response.status_code == 200
    assert "Somebody else changed these figures" in response.content.decode()
    assert QuarterlyActual.objects.get().actual_saving == Decimal("200.00")


def test_an_approval_applies_to_the_figures_the_approver_saw(mps_plan, client, role_user):
    maker, colleague, approver = role_user("finance"), role_user("finance"), role_user("finance")
    client.force_login(maker)
    client.post("/savings/actuals/2014/q1/SAV-DC/edit/", {"actual_saving": "100", "forecast_full_year": "4000000"})
    actual = QuarterlyActual.objects.get()
    services.actuals_submit(actuals=[actual], user=maker)
    # The approver opens the quarter and sees the decision table for the version on the page
    client.force_login(approver)
    page = client.get("/savings/actuals/2014/q1/").content.decode()
    seen = QuarterlyActual.objects.get().version
    assert f'name="SAV-DC-version" value="{seen}"' in page
    # Meanwhile a colleague returns and the maker resubmits changed figures
    actual = services.actual_return(actual=QuarterlyActual.objects.get(), user=colleague, reason="Check the DC figure")
    actual = services.actual_update(actual=actual, user=maker, version=actual.version, actual_saving=Decimal("999"))
    services.actuals_submit(actuals=[actual], user=maker)
    # The approval of what the approver saw is refused, saying why, and approves nothing
    decide = "/savings/actuals/2014/q1/decide/"
    response = client.post(decide, {"SAV-DC-decision": "approve", "SAV-DC-version": str(seen)})
    assert "Somebody else changed" in response.content.decode()
    assert QuarterlyActual.objects.get().status == ActualStatus.SUBMITTED
    # Approving the figures as they now stand works
    current = QuarterlyActual.objects.get().version
    client.post(decide, {"SAV-DC-decision": "approve", "SAV-DC-version": str(current)})
    assert QuarterlyActual.objects.get().status == ActualStatus.APPROVED


def test_upload_preview_then_confirm_writes_in_one_go(mps_plan, client, role_user):
    client.force_login(role_user("finance"))
    template = client.get("/savings/actuals/2014/q1/template.xlsx")
    assert template["Content-Disposition"] == 'attachment; filename="savings-actuals-2014-15-Q1.xlsx"'
    workbook = load_workbook(io.BytesIO(template.content))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=6):
        if row[0].value in ("SAV-DC", "SAV-NET"):
            row[4].value, row[5].value = "£500,000", row[3].value
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "filled.xlsx"
    preview = client.post("/savings/actuals/2014/q1/upload/", {"spreadsheet": buffer})
    assert 'data-testid="upload-preview"' in preview.content.decode()
    assert not QuarterlyActual.objects.exists()  # nothing until confirmed
    preview_id = re.search(r'name="preview_id" value="([0-9a-f-]+)"', preview.content.decode()).group(1)
    confirmed = client.post("/savings/actuals/2014/q1/upload/confirm/", {"preview_id": preview_id})
    assert confirmed.status_code == 302
    assert QuarterlyActual.objects.filter(status=ActualStatus.DRAFT).count() == 2
    # The upload's changes share one request id in the audit trail
    request_ids = {actual.history.first().request_id for actual in QuarterlyActual.objects.all()}
    assert len(request_ids) == 1 and request_ids != {""}
    # Confirming twice does nothing more: the preview is gone, and the page says so
    again = client.post("/savings/actuals/2014/q1/upload/confirm/", {"preview_id": preview_id})
    assert "There is no checked upload to confirm" in again.content.decode()
    assert QuarterlyActual.objects.count() == 2


def test_a_bad_upload_lists_errors_and_changes_nothing(mps_plan, client, role_user):
    client.force_login(role_user("finance"))
    not_xlsx = io.BytesIO(b"hello")
    not_xlsx.name = "actuals.xlsx"
    page = client.post("/savings/actuals/2014/q1/upload/", {"spreadsheet": not_xlsx}).content.decode()
    assert "Nothing was saved" in page
    assert "No header row with the columns Reference, Actual saving in the quarter (£), Full-year forecast (£)" in page
    picture = io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    picture.name = "actuals.xlsx"
    page = client.post("/savings/actuals/2014/q1/upload/", {"spreadsheet": picture}).content.decode()
    assert "This file is not a spreadsheet we can read" in page
    assert not QuarterlyActual.objects.exists()


# The session, user, groups, plan, version and permissions (7), the summary (6), and the four that read
# the targets' probabilities (issue 16: targets, profiles, approved actuals, initiatives), the groups
# again and the initiatives at risk: 19, however many initiatives
OVERVIEW_QUERIES = 19


def test_overview_query_count_does_not_grow_with_initiatives(mps_plan, client, role_user):
    client.force_login(role_user("board"))
    client.get("/savings/")  # warm: session and permissions

    def count():
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()  # measure the figures computed, not served from the cache
        with CaptureQueriesContext(connection) as context:
            assert client.get("/savings/").status_code == 200
        return len(context.captured_queries)

    before = count()
    category = mps_plan.categories.first()
    for _ in range(30):
        SavingsProfileFactory(initiative=InitiativeFactory(category=category), financial_year="2014/15")
    assert (before, count()) == (OVERVIEW_QUERIES, OVERVIEW_QUERIES)
