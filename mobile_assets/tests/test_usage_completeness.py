"""Usage completeness (issue 14 part 5): a month's upload that lacks a unit or a transaction type
the last complete month had is shown as INCOMPLETE and needs explicit confirmation; the benefits
page and the board overview say when a month is incomplete; the reported figures stay on the board
whatever usage is uploaded after their period; a template lists the accepted names."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from mobile_assets import selectors, services
from mobile_assets.choices import BenefitRole, BenefitSource
from mobile_assets.models import (
    BenefitRollup,
    BenefitRule,
    DeviceType,
    HourlyCost,
    OrganisationalUnit,
    TransactionType,
    UsageStatistic,
)
from mps_ict.financial_years import FinancialYear
from mps_ict.testing import assert_access_by_role

UNITS = ("Barnet", "Camden", "Lambeth")
TYPES = ("PNC check", "Stop recorded")


@pytest.fixture
def estate(db):
    units = {name: OrganisationalUnit.objects.create(code=name.lower(), name=name) for name in UNITS}
    types = {name: TransactionType.objects.create(code=name.lower().replace(" ", "-"), name=name) for name in TYPES}
    return {"units": units, "types": types}


@pytest.fixture
def asset_manager(role_user):
    return role_user("asset_manager")


def rows(estate, units=UNITS, types=TYPES, count=10):
    return [
        services.UsageRow(number, estate["units"][unit], estate["types"][kind], count)
        for number, (unit, kind) in enumerate(((u, t) for u in units for t in types), start=2)
    ]


def save(estate, user, month, units=UNITS, types=TYPES, *, confirm=False):
    return services.usage_replace_month(
        month=month, rows=rows(estate, units, types), user=user, confirm_incomplete=confirm
    )


def workbook(lines, header=("Unit", "Transaction type", "Count")) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for line in lines:
        sheet.append(list(line))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("usage.xlsx", buffer.getvalue())


# --- services and selectors ------------------------------------------------------------------------


def test_a_month_lacking_a_unit_or_type_of_the_last_complete_month_is_incomplete(estate, asset_manager):
    # Given a complete January
    save(estate, asset_manager, date(2013, 1, 1))
    # When February has one borough, and March one borough and one transaction type (confirmed)
    save(estate, asset_manager, date(2013, 2, 1), units=("Lambeth",), confirm=True)
    save(estate, asset_manager, date(2013, 3, 1), units=("Lambeth",), types=("PNC check",), confirm=True)
    # and April is whole again
    save(estate, asset_manager, date(2013, 4, 1))
    # Then February and March are incomplete, March compared with January (not the short February)
    by_month = {coverage.month: coverage for coverage in selectors.usage_completeness()}
    assert [m for m, c in by_month.items() if c.incomplete] == [date(2013, 2, 1), date(2013, 3, 1)]
    march = by_month[date(2013, 3, 1)]
    assert march.compared_with == date(2013, 1, 1)
    assert (march.missing_units, march.missing_types) == (("Barnet", "Camden"), ("Stop recorded",))
    assert march.summary == "March 2013 covers 1 of the 3 units and 1 of the 2 transaction types of January 2013"
    assert march.missing == "missing units: Barnet, Camden; missing transaction type: Stop recorded"
    assert by_month[date(2013, 1, 1)].compared_with is None and not by_month[date(2013, 1, 1)].incomplete
    assert [c.month for c in selectors.incomplete_usage_months(until=date(2013, 2, 1))] == [date(2013, 2, 1)]


def test_a_unit_retired_is_not_expected_from_the_month_it_was_retired_in(estate, asset_manager):
    from datetime import UTC, datetime

    # Given a complete January, and Camden retired on 20 February
    save(estate, asset_manager, date(2013, 1, 1))
    camden = estate["units"]["Camden"]
    camden.retired_at = datetime(2013, 2, 20, 12, tzinfo=UTC)
    camden.save()
    # Then an upload for February or March without Camden is complete
    without_camden = {"Barnet", "Lambeth"}
    for month in (date(2013, 2, 1), date(2013, 3, 1)):
        coverage = selectors.usage_upload_coverage(month=month, units=without_camden, transaction_types=set(TYPES))
        assert not coverage.incomplete and coverage.expected_units == 2
    # while January's own figures (before it was retired) still expected it
    january = selectors.usage_upload_coverage(
        month=date(2013, 1, 1), units=without_camden, transaction_types=set(TYPES)
    )
    assert january.compared_with is None  # nothing before January to compare with
    save(estate, asset_manager, date(2013, 2, 1), units=("Barnet", "Lambeth"))  # saved without confirmation
    assert not selectors.incomplete_usage_months()


def test_an_incomplete_upload_is_refused_unless_confirmed_and_nothing_is_written(estate, asset_manager):
    save(estate, asset_manager, date(2013, 1, 1))
    save(estate, asset_manager, date(2013, 2, 1))
    # Re-uploading February with 1 of 3 boroughs, unconfirmed: refused, February left whole
    with pytest.raises(ValidationError) as refused:
        save(estate, asset_manager, date(2013, 2, 1), units=("Lambeth",))
    message = refused.value.message_dict["confirm_incomplete"][0]
    assert "February 2013 covers 1 of the 3 units and 2 of the 2 transaction types of January 2013" in message
    assert "missing units: Barnet, Camden" in message
    assert UsageStatistic.objects.filter(month=date(2013, 2, 1)).count() == 6
    # Confirmed: taken as the month's figures
    assert save(estate, asset_manager, date(2013, 2, 1), units=("Lambeth",), confirm=True) == 2
    assert UsageStatistic.objects.filter(month=date(2013, 2, 1)).count() == 2
    # A first month, and a complete one, need no confirmation
    assert save(estate, asset_manager, date(2013, 3, 1)) == 6


# --- the board: reported figures stay, incomplete months are said -----------------------------------


def reported_period_with_rules(estate):
    """The published roll-up of September 2012 to February 2013 and a rule and rate to compute with."""
    DeviceType.objects.create(code="pda", name="PDA")
    for role, amount in ((BenefitRole.CALL_HANDLER, "1623856.00"), (BenefitRole.OFFICER, "2354306.00")):
        BenefitRollup.objects.create(
            period_start=date(2012, 9, 1),
            period_end=date(2013, 2, 1),
            role=role,
            source=BenefitSource.REPORTED,
            hours=Decimal("1000.00"),
            amount=Decimal(amount),
        )
    BenefitRule.objects.create(
        transaction_type=estate["types"]["PNC check"],
        role=BenefitRole.OFFICER,
        minutes_saved=Decimal("6"),
        effective_from=date(2012, 4, 1),
    )
    for year in (FinancialYear(2012), FinancialYear(2013)):
        HourlyCost.objects.create(role=BenefitRole.OFFICER, financial_year=year, cost=Decimal("30.00"))


def test_a_later_partial_month_no_longer_hides_the_reported_benefits(estate, asset_manager):
    # Given the reported period and complete usage for its months, computed
    reported_period_with_rules(estate)
    for month in (date(2012, 9, 1), date(2013, 2, 1)):
        save(estate, asset_manager, month)
    services.benefit_rollup(start=date(2012, 9, 1), end=date(2013, 2, 1))
    before = selectors.mobile_headline()
    assert before.benefits_reported == Decimal("3978162.00")
    # When March comes in with 1 of 3 boroughs (confirmed) and is computed
    save(estate, asset_manager, date(2013, 3, 1), units=("Lambeth",), confirm=True)
    services.benefit_rollup(start=date(2013, 3, 1), end=date(2013, 3, 1))
    # Then the board still shows the reported figures beside the computed ones for their period
    # (the window used to end at March, sliding past the reported period)
    after = selectors.mobile_headline()
    assert (after.benefits_start, after.benefits_end) == (date(2012, 9, 1), date(2013, 2, 1))
    assert after.benefits_reported == Decimal("3978162.00")
    # two months of 3 boroughs × 10 PNC checks × 6 minutes = 3 hours a month, at £30
    assert after.benefits_computed == before.benefits_computed == Decimal("180.00")
    # and says March is the latest month, incomplete
    assert (after.latest_month, after.latest_month_amount) == (date(2013, 3, 1), Decimal("30.00"))
    assert after.latest_month_incomplete.missing_units == ("Barnet", "Camden")
    assert after.incomplete_in_window == []


def test_without_a_reported_period_the_board_shows_the_last_six_months_computed(estate, asset_manager):
    DeviceType.objects.create(code="pda", name="PDA")
    BenefitRollup.objects.create(
        period_start=date(2013, 3, 1),
        period_end=date(2013, 3, 1),
        role=BenefitRole.OFFICER,
        source=BenefitSource.COMPUTED,
        hours=Decimal("1.00"),
        amount=Decimal("30.00"),
    )
    headline = selectors.mobile_headline()
    assert (headline.benefits_start, headline.benefits_end) == (date(2012, 10, 1), date(2013, 3, 1))
    assert headline.benefits_computed == Decimal("30.00") and headline.benefits_reported is None


def test_the_board_overview_and_the_benefits_page_say_a_month_is_incomplete(estate, asset_manager, client, role_user):
    reported_period_with_rules(estate)
    save(estate, asset_manager, date(2013, 1, 1))
    save(estate, asset_manager, date(2013, 2, 1), units=("Lambeth",), confirm=True)
    services.benefit_rollup(start=date(2013, 1, 1), end=date(2013, 2, 1))
    client.force_login(role_user("board"))
    board = client.get("/").content.decode()
    assert 'data-testid="mobile-usage-incomplete"' in board
    assert "Feb 2013 (1 of 3 units, 2 of 2 transaction types)" in board
    page = client.get("/mobile/benefits/").content.decode()
    assert 'data-testid="period-incomplete"' in page  # February lies in the reported period
    assert (
        "February 2013: incomplete.</strong> February 2013 covers 1 of the 3 units and 2 of the 2 transaction "
        "types of January 2013 (missing units: Barnet, Camden)." in page
    )
    # the reported figures stay beside the computed ones
    assert "£1,623,856" in page and "£2,354,306" in page


def test_the_overview_api_names_the_incomplete_months(estate, asset_manager, role_user):
    from rest_framework.test import APIClient

    reported_period_with_rules(estate)
    save(estate, asset_manager, date(2013, 1, 1))
    save(estate, asset_manager, date(2013, 2, 1), types=("PNC check",), confirm=True)
    api = APIClient()
    api.force_authenticate(role_user("api_consumer"))
    mobile = api.get("/api/v1/overview/").json()["mobile"]
    assert mobile["benefits_reported"] == "3978162.00"
    [february] = mobile["incomplete_months"]
    assert february == {
        "month": "2013-02-01",
        "compared_with": "2013-01-01",
        "units": 3,
        "transaction_types": 1,
        "expected_units": 3,
        "expected_types": 2,
        "missing_units": [],
        "missing_types": ["Stop recorded"],
        "incomplete": True,
    }


# --- the pages: preview, confirm, template -----------------------------------------------------------


def upload(client, month, lines):
    return client.post("/mobile/usage/upload/", {"month": month, "spreadsheet": workbook(lines)})


def confirm(client, preview, **fields):
    """Confirm the preview a page showed (its id is the confirm form's hidden field)."""
    return client.post("/mobile/usage/upload/confirm/", {"preview_id": preview.context["preview"].id, **fields})


def test_a_half_month_file_is_flagged_in_the_preview_and_needs_the_box_ticked(estate, asset_manager, client):
    save(estate, asset_manager, date(2013, 1, 1))
    client.force_login(asset_manager)
    # When a file with one borough of three is checked
    preview = upload(client, "2013-02", [("Lambeth", "PNC check", 5), ("lambeth", "stop-recorded", "1,200")])
    page = preview.content.decode()
    # Then the preview says INCOMPLETE and what is missing, and nothing is saved yet
    assert preview.status_code == 200
    assert "INCOMPLETE: February 2013 covers 1 of the 3 units and 2 of the 2 transaction types of January 2013" in page
    assert "Units missing (2)" in page and "Barnet, Camden" in page
    assert 'name="confirm_incomplete"' in page
    assert not UsageStatistic.objects.filter(month=date(2013, 2, 1)).exists()
    # Confirming without the box ticked is refused, naming the box; nothing saved
    assert f'name="preview_id" value="{preview.context["preview"].id}"' in page
    refused = confirm(client, preview)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "There is a problem" in text and 'href="#id_confirm_incomplete"' in text
    assert "Confirm that these are the month&#x27;s figures, incomplete, to save them." in text
    assert not UsageStatistic.objects.filter(month=date(2013, 2, 1)).exists()
    # With the box ticked it is saved
    saved = confirm(client, preview, confirm_incomplete="on")
    assert saved.status_code == 302 and saved["Location"] == "/mobile/benefits/"
    assert sorted(UsageStatistic.objects.filter(month=date(2013, 2, 1)).values_list("count", flat=True)) == [5, 1200]
    # and the checked upload is used once only
    again = confirm(client, preview, confirm_incomplete="on")
    assert again.status_code == 302 and again["Location"] == "/mobile/usage/upload/"


def test_a_complete_file_is_said_complete_and_saved_on_confirm(estate, asset_manager, client):
    save(estate, asset_manager, date(2013, 1, 1))
    client.force_login(asset_manager)
    preview = upload(client, "2013-02", [(u, t, 3) for u in UNITS for t in TYPES])
    page = preview.content.decode()
    assert "Complete: February 2013 covers 3 of the 3 units and 2 of the 2 transaction types of January 2013" in page
    assert 'name="confirm_incomplete"' not in page
    assert confirm(client, preview).status_code == 302
    assert UsageStatistic.objects.filter(month=date(2013, 2, 1)).count() == 6


def test_a_bad_file_lists_its_errors_and_offers_no_confirmation(estate, asset_manager, client):
    client.force_login(asset_manager)
    page = upload(client, "2013-02", [("Atlantis", "PNC check", 5), ("Lambeth", "PNC check", -1)]).content.decode()
    assert "The upload has 2 problems. Nothing was saved." in page
    assert "Row 2, Unit" in page and "Row 3, Count" in page
    assert "usage-upload-confirm" not in page and "/mobile/usage/upload/confirm/" not in page


def test_the_template_lists_the_accepted_units_and_transaction_types(estate, asset_manager, client):
    client.force_login(asset_manager)
    response = client.get("/mobile/usage/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="usage-template.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    usage, names = book["Usage"], book["Accepted names"]
    assert [cell.value for cell in usage[1]] == ["Unit", "Transaction type", "Count"]
    listed = list(names.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in listed if row[0]] == list(UNITS)
    assert [row[2] for row in listed if row[2]] == list(TYPES)
    validations = {str(v.sqref): v for v in usage.data_validations.dataValidation}
    assert validations["A2:A2001"].formula1 == "'Accepted names'!$A$2:$A$4"
    assert validations["B2:B2001"].formula1 == "'Accepted names'!$C$2:$C$3"
    assert validations["C2:C2001"].type == "whole"
    # the template, filled in, uploads as it is
    usage.append(["Lambeth", "PNC check", 4])
    buffer = io.BytesIO()
    book.save(buffer)
    page = client.post(
        "/mobile/usage/upload/",
        {"month": "2013-01", "spreadsheet": SimpleUploadedFile("usage.xlsx", buffer.getvalue())},
    ).content.decode()
    assert "is the first month with usage" in page


def test_the_template_neutralises_a_name_a_spreadsheet_would_run(estate, asset_manager, client):
    OrganisationalUnit.objects.create(code="evil", name="=HYPERLINK(1)")
    client.force_login(asset_manager)
    book = load_workbook(io.BytesIO(client.get("/mobile/usage/template.xlsx").content))
    assert "'=HYPERLINK(1)" in [row[0] for row in book["Accepted names"].iter_rows(values_only=True)]


def test_only_the_mobile_team_uploads_confirms_or_takes_the_template(estate, client, role_user):
    assert_access_by_role(client, role_user, "/mobile/usage/upload/")
    assert_access_by_role(client, role_user, "/mobile/usage/template.xlsx")
    # nothing checked in the session: the mobile team are sent back to upload
    assert_access_by_role(client, role_user, "/mobile/usage/upload/confirm/", {}, method="post", data={}, default=302)


# --- query counts -------------------------------------------------------------------------------------


def _more_reference_data(count):
    for index in range(count):
        OrganisationalUnit.objects.create(code=f"unit-{index}", name=f"Unit {index}")
        TransactionType.objects.create(code=f"type-{index}", name=f"Type {index}")


@pytest.mark.parametrize("extra", [0, 20])
def test_the_preview_and_template_take_a_fixed_number_of_queries(
    estate, asset_manager, client, django_assert_num_queries, extra
):
    # Given two sizes of reference data, usage history and file
    _more_reference_data(extra)
    save(estate, asset_manager, date(2013, 1, 1))
    save(estate, asset_manager, date(2012, 12, 1))
    client.force_login(asset_manager)
    client.get("/mobile/usage/upload/")  # the session and user are read as on every page
    lines = [(u, t, 1) for u in UNITS for t in TYPES] + [(f"Unit {i}", "PNC check", 1) for i in range(extra)]
    # the session, the user, their groups (the policy, then the page); the units and the transaction
    # types (parse); the month's figures held (what each row replaces); the coverage (2); the preview
    # kept for its confirm (previews a day old dropped, the preview inserted with its id)
    with django_assert_num_queries(11):
        assert upload(client, "2013-02", lines).status_code == 200
    # the session, the user, their groups (the policy, then the page); the units and the transaction types
    with django_assert_num_queries(5):
        assert client.get("/mobile/usage/template.xlsx").status_code == 200


# --- the API: the same service, an explicit flag -------------------------------------------------------


def api_as(user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_refuses_an_incomplete_month_without_the_flag_and_saves_it_with(estate, asset_manager):
    save(estate, asset_manager, date(2013, 1, 1))
    api = api_as(asset_manager)
    body = {"month": "2013-02", "rows": [{"unit": "lambeth", "transaction_type": "PNC check", "count": 7}]}
    # Without the flag: a 400 on confirm_incomplete naming what is missing; nothing written
    refused = api.post("/api/v1/mobile/usage/upload/", body, format="json")
    assert refused.status_code == 400
    [error] = refused.json()["errors"]
    assert error["field"] == "confirm_incomplete"
    assert "missing units: Barnet, Camden; missing transaction type: Stop recorded" in error["message"]
    assert not UsageStatistic.objects.filter(month=date(2013, 2, 1)).exists()
    # With it: saved, and the answer says what the month lacks
    saved = api.post("/api/v1/mobile/usage/upload/", body | {"confirm_incomplete": True}, format="json")
    assert saved.status_code == 201
    answer = saved.json()
    assert (answer["month"], answer["saved"]) == ("2013-02", 1)
    assert answer["coverage"]["incomplete"] is True and answer["coverage"]["missing_units"] == ["Barnet", "Camden"]
    assert UsageStatistic.objects.get(month=date(2013, 2, 1)).count == 7


def test_the_api_names_each_bad_row_and_writes_nothing(estate, asset_manager):
    api = api_as(asset_manager)
    body = {
        "month": "2013-02",
        "rows": [
            {"unit": "Atlantis", "transaction_type": "PNC check", "count": 1},
            {"unit": "Lambeth", "transaction_type": "pnc-check", "count": 1},
            {"unit": "lambeth", "transaction_type": "PNC check", "count": 2},
            {"unit": "Lambeth", "transaction_type": "Teleport", "count": -1},
        ],
    }
    response = api.post("/api/v1/mobile/usage/upload/", body, format="json")
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"rows[3].count"}  # the serializer's own checks first, the row named as the API names rows
    body["rows"][3]["count"] = 1
    response = api.post("/api/v1/mobile/usage/upload/", body, format="json")
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert errors == {
        "rows[0].unit": '"Atlantis" is not a borough or OCU.',
        "rows[2].unit": "Lambeth / PNC check appears again (first in rows[1]).",
        "rows[3].transaction_type": '"Teleport" is not a transaction type.',
    }
    assert not UsageStatistic.objects.exists()


def test_only_the_mobile_team_uploads_usage_through_the_api(estate, role_user):
    from mps_ict import access

    for role in access.ALL_ROLES:
        if role == access.ANONYMOUS:
            continue
        user = role_user(None if role == access.NO_ROLE else role)
        response = api_as(user).post("/api/v1/mobile/usage/upload/", {"month": "x"}, format="json")
        want = 400 if access.allowed(user, "api:mobile-usage-upload", "POST") else 403
        assert response.status_code == want, role
    assert access.POLICY["api:mobile-usage-upload"].write == access.MOBILE_TEAM


@pytest.mark.parametrize("extra", [0, 20])
def test_the_api_upload_takes_a_fixed_number_of_queries(estate, asset_manager, django_assert_num_queries, extra):
    _more_reference_data(extra)
    save(estate, asset_manager, date(2013, 1, 1))
    api = api_as(asset_manager)
    rows = [{"unit": u, "transaction_type": t, "count": 1} for u in UNITS for t in TYPES]
    rows += [{"unit": f"Unit {i}", "transaction_type": "PNC check", "count": 1} for i in range(extra)]
    # a fixed number, whatever the rows and the reference data (names looked up once, coverage in SQL);
    # on PostgreSQL one more: the month held against a concurrent upload or confirm (mps_ict.imports.hold)
    from django.db import connection

    with django_assert_num_queries(11 + (connection.vendor == "postgresql")):
        assert (
            api.post("/api/v1/mobile/usage/upload/", {"month": "2013-02", "rows": rows}, format="json").status_code
            == 201
        )
