"""Approved actuals are corrected, never edited in place: a correction is a new revision with a
reason that a colleague approves; the superseded figures are kept, and each figure's page and
the API tell its trail in words (who by name, when, before and after in pounds)."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from mps_ict.conflicts import Conflict, StaleVersion
from mps_ict.financial_years import FinancialYear, Quarter
from mps_ict.imports import preview_keep
from mps_ict.marking import ProtectiveMarking
from mps_ict.testing import assert_access_by_role
from savings import io as savings_io
from savings import selectors, services
from savings.choices import ActualStatus
from savings.models import Initiative, QuarterlyActual

Q1_2014 = Quarter(FinancialYear(2014), 1)
FIGURE_URL = "/savings/actuals/2014/q1/SAV-DC/"
FINANCE_ONLY = {role: 403 for role in ("board", "programme_manager", "asset_manager", "api_consumer", "none")}


@pytest.fixture
def people(role_user):
    return {
        "maker": role_user("finance", username="maker", first_name="Priya", last_name="Shah"),
        "checker": role_user("finance", username="checker", first_name="Tom", last_name="Okafor"),
        "corrector": role_user("finance", username="corrector", first_name="Ann", last_name="Lee"),
        "nameless": role_user("finance", username="nameless", first_name="", last_name=""),
    }


def _approved(maker, checker, reference="SAV-DC", quarter=Q1_2014, saving="1000000.00") -> QuarterlyActual:
    actual = services.actual_save(
        row=services.ActualInput(
            Initiative.objects.get(reference=reference), Decimal(saving), Decimal("4000000.00"), "First figures"
        ),
        quarter=quarter,
        user=maker,
    )
    services.actuals_submit(actuals=[actual], user=maker)
    return services.actual_approve(actual=actual, user=checker)


def _correct(actual, user, saving="1250000.00", reason="Capgemini credit note arrived late") -> QuarterlyActual:
    return services.actual_correct(
        actual=actual,
        user=user,
        reason=reason,
        actual_saving=Decimal(saving),
        forecast_full_year=Decimal("4000000.00"),
        commentary="Credit note included",
        expected_version=actual.version,
    )


def _realised_2014(plan) -> Decimal:
    return next(year.realised for year in selectors.plan_years(plan=plan) if year.financial_year.start_year == 2014)


# --- the services --------------------------------------------------------------------------------


def test_a_correction_goes_through_a_colleague_and_then_supersedes_the_approved_figures(mps_plan, people):
    # Given approved figures of £1,000,000
    approved = _approved(people["maker"], people["checker"])
    assert _realised_2014(mps_plan) == Decimal("1000000.00")

    # When a finance user proposes a correction and submits it
    correction = _correct(approved, people["corrector"])
    assert (correction.revision, correction.status, correction.corrects_id) == (2, ActualStatus.DRAFT, approved.pk)
    assert correction.entered_by == people["corrector"]
    assert correction.correction_reason == "Capgemini credit note arrived late"
    services.actuals_submit(actuals=[correction], user=people["corrector"])

    # Then the totals still use the approved figures, and nothing is superseded yet
    assert _realised_2014(mps_plan) == Decimal("1000000.00")
    assert selectors.plan_summary_compute(plan=mps_plan).realised_to_date == Decimal("1000000.00")
    assert QuarterlyActual.objects.get(pk=approved.pk).status == ActualStatus.APPROVED

    # When a colleague approves it
    correction.refresh_from_db()
    services.actual_approve(actual=correction, user=people["checker"], expected_version=correction.version)

    # Then the old figures are superseded and kept, the correction is the one approved figure,
    # and the totals (realised and forecast) count it once
    old = QuarterlyActual.objects.get(pk=approved.pk)
    assert (old.status, old.actual_saving) == (ActualStatus.SUPERSEDED, Decimal("1000000.00"))
    assert QuarterlyActual.objects.get(pk=correction.pk).status == ActualStatus.APPROVED
    assert _realised_2014(mps_plan) == Decimal("1250000.00")
    summary = selectors.plan_summary_compute(plan=mps_plan)
    assert summary.realised_to_date == Decimal("1250000.00")
    assert summary.reporting_year.quarters_reported == 1
    year = summary.reporting_year
    profile = Initiative.objects.get(reference="SAV-DC").profile.get(financial_year=FinancialYear(2014))
    assert year.forecast == year.planned - profile.planned_saving + Decimal("4000000.00")
    by_type = selectors.plan_breakdown_compute(plan=mps_plan, by="savings_type")
    assert sum(row.realised for row in by_type) == Decimal("1250000.00")


def test_the_next_quarters_forecast_is_compared_with_the_corrected_forecast(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    correction = services.actual_correct(
        actual=approved,
        user=people["corrector"],
        reason="Forecast raised",
        actual_saving=approved.actual_saving,
        forecast_full_year=Decimal("4100000.00"),
        commentary="",
        expected_version=approved.version,
    )
    q2 = Quarter(FinancialYear(2014), 2)
    initiative = approved.initiative
    assert services.forecast_reference(initiative=initiative, quarter=q2) == Decimal("4000000.00")
    services.actuals_submit(actuals=[correction], user=people["corrector"])
    services.actual_approve(actual=correction, user=people["checker"])
    assert services.forecast_reference(initiative=initiative, quarter=q2) == Decimal("4100000.00")


def test_as_at_a_day_before_the_correction_the_figures_stood_as_first_approved(mps_plan, people):
    from datetime import timedelta

    from django.utils import timezone

    from conftest import backdate_history

    approved = _approved(people["maker"], people["checker"])
    backdate_history(10)
    correction = _correct(approved, people["corrector"])
    services.actuals_submit(actuals=[correction], user=people["corrector"])
    services.actual_approve(actual=correction, user=people["checker"])
    before = selectors.records_at(timezone.now() - timedelta(days=5))
    year = next(y for y in selectors.plan_years(plan=mps_plan, records=before) if y.financial_year.start_year == 2014)
    assert (year.realised, year.quarters_reported) == (Decimal("1000000.00"), 1)
    assert _realised_2014(mps_plan) == Decimal("1250000.00")


def test_a_correction_can_be_corrected_again(mps_plan, people):
    first = _approved(people["maker"], people["checker"])
    second = _correct(first, people["corrector"])
    services.actuals_submit(actuals=[second], user=people["corrector"])
    second = services.actual_approve(actual=second, user=people["checker"])
    third = _correct(second, people["maker"], saving="1300000.00", reason="Second credit note")
    assert (third.revision, third.corrects_id) == (3, second.pk)
    services.actuals_submit(actuals=[third], user=people["maker"])
    services.actual_approve(actual=third, user=people["corrector"])
    statuses = list(QuarterlyActual.objects.order_by("revision").values_list("revision", "status"))
    assert statuses == [(1, "superseded"), (2, "superseded"), (3, "approved")]
    assert _realised_2014(mps_plan) == Decimal("1300000.00")


def test_the_maker_of_a_correction_cannot_approve_it(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    correction = _correct(approved, people["checker"])  # the one who approved the first figures
    services.actuals_submit(actuals=[correction], user=people["checker"])
    with pytest.raises(ValidationError, match="A colleague must approve this"):
        services.actual_approve(actual=correction, user=people["checker"])
    # nor in the bulk decision
    correction.refresh_from_db()
    with pytest.raises(ValidationError, match="A colleague must approve this"):
        services.actuals_decide(
            plan=mps_plan,
            quarter=Q1_2014,
            user=people["checker"],
            approve={"SAV-DC": correction.version},
            returns={},
        )
    # the one who edited it in its round cannot either
    services.actual_return(actual=correction, user=people["maker"], reason="Check the credit note")
    correction.refresh_from_db()
    correction = services.actual_update(
        actual=correction, user=people["maker"], version=correction.version, actual_saving=Decimal("1200000.00")
    )
    services.actuals_submit(actuals=[correction], user=people["maker"])
    with pytest.raises(ValidationError, match="A colleague must approve this"):
        services.actual_approve(actual=correction, user=people["maker"])
    assert QuarterlyActual.objects.get(pk=approved.pk).status == ActualStatus.APPROVED
    # a colleague who did neither approves it, through the bulk decision
    correction.refresh_from_db()
    services.actuals_decide(
        plan=mps_plan, quarter=Q1_2014, user=people["corrector"], approve={"SAV-DC": correction.version}, returns={}
    )
    assert QuarterlyActual.objects.get(pk=approved.pk).status == ActualStatus.SUPERSEDED
    assert QuarterlyActual.objects.get(pk=correction.pk).actual_saving == Decimal("1200000.00")


def test_a_returned_correction_is_changed_and_resubmitted(mps_plan, people, client):
    approved = _approved(people["maker"], people["checker"])
    correction = _correct(approved, people["corrector"])
    services.actuals_submit(actuals=[correction], user=people["corrector"])
    correction = services.actual_return(actual=correction, user=people["checker"], reason="Wrong credit note")
    # the figure's edit form changes the correction, and goes back to the figure's page
    client.force_login(people["corrector"])
    response = client.post(
        FIGURE_URL + "edit/",
        {"actual_saving": "1,150,000", "forecast_full_year": "4000000", "version": correction.version},
    )
    assert response.status_code == 302 and response["Location"] == FIGURE_URL
    correction.refresh_from_db()
    assert (correction.actual_saving, correction.status) == (Decimal("1150000.00"), ActualStatus.DRAFT)
    # the quarter's form saves into the correction, not the approved figures
    saved = services.actual_save(
        row=services.ActualInput(approved.initiative, Decimal("1100000.00"), Decimal("4000000.00"), "Right one"),
        quarter=Q1_2014,
        user=people["corrector"],
        expected_version=correction.version,
    )
    assert (saved.pk, saved.status, saved.correction_reason) == (
        correction.pk,
        ActualStatus.DRAFT,
        "Capgemini credit note arrived late",
    )
    services.actuals_submit(actuals=[saved], user=people["corrector"])
    services.actual_approve(actual=saved, user=people["checker"])
    assert _realised_2014(mps_plan) == Decimal("1100000.00")


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_needed_and_nothing_is_written(mps_plan, people, reason):
    approved = _approved(people["maker"], people["checker"])
    with pytest.raises(ValidationError) as refused:
        _correct(approved, people["corrector"], reason=reason)
    assert "reason" in refused.value.message_dict
    assert QuarterlyActual.objects.count() == 1


def test_the_figures_of_a_correction_are_checked_like_any_actual(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    with pytest.raises(ValidationError) as refused:
        services.actual_correct(
            actual=approved,
            user=people["corrector"],
            reason="Typo",
            actual_saving=Decimal("-1.00"),
            forecast_full_year=Decimal("9000000.00"),
            commentary="",
            expected_version=approved.version,
        )
    assert set(refused.value.message_dict) == {"actual_saving", "commentary"}
    assert QuarterlyActual.objects.count() == 1


def test_only_approved_figures_are_corrected(mps_plan, people):
    draft = services.actual_save(
        row=services.ActualInput(Initiative.objects.get(reference="SAV-DC"), Decimal("1.00"), Decimal("4000000.00")),
        quarter=Q1_2014,
        user=people["maker"],
    )
    with pytest.raises(ValidationError, match="only the approved figures are corrected") as refused:
        _correct(draft, people["corrector"])
    assert "status" in refused.value.message_dict


def test_a_closed_quarter_is_reopened_before_a_correction(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=people["checker"])
    with pytest.raises(ValidationError, match="reopen it first") as refused:
        _correct(approved, people["corrector"])
    assert "quarter" in refused.value.message_dict and QuarterlyActual.objects.count() == 1
    services.quarter_reopen(plan=mps_plan, quarter=Q1_2014, user=people["corrector"], reason="Credit note")
    assert _correct(approved, people["corrector"]).revision == 2


def test_a_stale_version_is_a_conflict(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    with pytest.raises(StaleVersion):
        services.actual_correct(
            actual=approved,
            user=people["corrector"],
            reason="Typo",
            actual_saving=Decimal("1.00"),
            forecast_full_year=Decimal("4000000.00"),
            commentary="",
            expected_version=approved.version - 1,
        )
    assert QuarterlyActual.objects.count() == 1


def test_only_one_correction_is_open_at_a_time(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    _correct(approved, people["corrector"])
    with pytest.raises(Conflict, match="already open"):
        _correct(approved, people["maker"])
    assert QuarterlyActual.objects.count() == 2


def test_a_correction_is_discarded_with_a_reason_and_the_approved_figures_stay(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    correction = _correct(approved, people["corrector"])
    with pytest.raises(ValidationError) as refused:
        services.actual_correction_discard(actual=correction, user=people["corrector"], reason=" ")
    assert "reason" in refused.value.message_dict
    services.actual_correction_discard(
        actual=correction, user=people["corrector"], reason="Raised twice", expected_version=correction.version
    )
    assert list(QuarterlyActual.objects.values_list("pk", "status")) == [(approved.pk, "approved")]
    # its history keeps it, with why; the next correction takes the next number
    gone = QuarterlyActual.history.filter(id=correction.pk).first()
    assert (gone.history_type, gone.history_change_reason) == ("-", "Raised twice")
    assert _correct(approved, people["corrector"]).revision == 3


def test_a_submitted_correction_or_approved_figures_cannot_be_discarded(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    with pytest.raises(ValidationError, match="not a correction"):
        services.actual_correction_discard(actual=approved, user=people["corrector"], reason="No")
    correction = _correct(approved, people["corrector"])
    services.actuals_submit(actuals=[correction], user=people["corrector"])
    with pytest.raises(ValidationError, match="only a draft or returned correction"):
        services.actual_correction_discard(actual=correction, user=people["corrector"], reason="No")


def test_an_open_correction_blocks_closing_the_quarter(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    correction = _correct(approved, people["corrector"])
    with pytest.raises(ValidationError, match="not yet approved: SAV-DC"):
        services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=people["checker"])
    services.actuals_submit(actuals=[correction], user=people["corrector"])
    services.actual_approve(actual=correction, user=people["checker"])
    # superseded figures do not block it
    assert services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=people["checker"]).closed


def test_a_new_actual_beside_approved_or_superseded_revisions_is_a_conflict(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    row = services.ActualInput(approved.initiative, Decimal("5.00"), Decimal("4000000.00"))
    with pytest.raises(services.ActualExists):
        services.actual_create(row=row, quarter=Q1_2014, user=people["corrector"])
    correction = _correct(approved, people["corrector"])
    services.actuals_submit(actuals=[correction], user=people["corrector"])
    services.actual_approve(actual=correction, user=people["checker"])
    with pytest.raises(services.ActualExists) as exists:
        services.actual_create(row=row, quarter=Q1_2014, user=people["corrector"])
    assert exists.value.actual.pk == correction.pk


def _upload_preview(plan, user, *lines):
    upload = io.BytesIO("\n".join(["Reference,Actual,Forecast", *lines]).encode())
    upload.name = "actuals.csv"
    return savings_io.actuals_preview(upload=upload, plan=plan, quarter=Q1_2014, user=user)


def test_approved_figures_are_not_changed_by_the_form_or_an_upload(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    row = services.ActualInput(approved.initiative, Decimal("5.00"), Decimal("4000000.00"))
    with pytest.raises(ValidationError, match="Propose a correction"):
        services.actual_save(row=row, quarter=Q1_2014, user=people["corrector"], expected_version=approved.version)
    refused = _upload_preview(mps_plan, people["corrector"], "SAV-DC,5.00,4000000.00")
    assert [(e.row, e.column) for e in refused.errors] == [(2, "Reference")]
    assert "Propose a correction" in refused.errors[0].message
    # with a correction open, an upload changes the correction
    correction = _correct(approved, people["corrector"])
    preview = _upload_preview(mps_plan, people["maker"], "SAV-DC,5.00,4000000.00")
    assert preview.errors == []
    services.actuals_confirm(
        preview_id=preview_keep(preview, user=people["maker"]).id, plan=mps_plan, quarter=Q1_2014, user=people["maker"]
    )
    assert QuarterlyActual.objects.get(pk=correction.pk).actual_saving == Decimal("5.00")
    assert QuarterlyActual.objects.get(pk=approved.pk).actual_saving == Decimal("1000000.00")


# --- the selectors: the quarter's rows and the trail ---------------------------------------------


def test_the_quarter_rows_show_the_open_correction_beside_the_figures_in_force(mps_plan, people, role_user):
    approved = _approved(people["maker"], people["checker"])
    correction = _correct(approved, people["corrector"])
    row = next(r for r in selectors.quarter_rows(plan=mps_plan, quarter=Q1_2014, user=people["maker"]) if r.actual)
    assert (row.actual.pk, row.in_force.pk) == (correction.pk, approved.pk)
    states = {state.quarter: state for state in selectors.plan_quarters(plan=mps_plan)}
    assert (states[Q1_2014].approved, states[Q1_2014].open) == (1, 1)


def test_the_trail_says_every_step_in_words_with_names_and_pounds(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=people["checker"])
    services.quarter_reopen(plan=mps_plan, quarter=Q1_2014, user=people["nameless"], reason="Late credit note")
    correction = _correct(approved, people["corrector"])
    services.actuals_submit(actuals=[correction], user=people["corrector"])
    services.actual_return(actual=correction, user=people["maker"], reason="Attach the note")
    correction.refresh_from_db()
    correction = services.actual_update(
        actual=correction, user=people["corrector"], version=correction.version, actual_saving=Decimal("1200000.00")
    )
    services.actuals_submit(actuals=[correction], user=people["corrector"])
    services.actual_approve(actual=correction, user=people["checker"])

    trail = selectors.actual_trail(plan=mps_plan, initiative=approved.initiative, quarter=Q1_2014)
    said = [(entry.what, entry.who, entry.reason) for entry in trail]
    assert said == [
        ("Correction approved (revision 2): it replaces revision 1, now superseded", "Tom Okafor", ""),
        ("Correction (revision 2) submitted for approval", "Ann Lee", ""),
        ("Correction (revision 2) changed", "Ann Lee", ""),
        ("Correction (revision 2) returned for changes", "Priya Shah", "Attach the note"),
        ("Correction (revision 2) submitted for approval", "Ann Lee", ""),
        ("Correction proposed (revision 2)", "Ann Lee", "Capgemini credit note arrived late"),
        ("Quarter reopened", "nameless", "Late credit note"),
        ("Quarter closed", "Tom Okafor", ""),
        ("Approved", "Tom Okafor", ""),
        ("Submitted for approval", "Priya Shah", ""),
        ("Entered", "Priya Shah", ""),
    ]
    changes = {entry.what: [(c.label, c.before, c.after) for c in entry.changes] for entry in trail}
    assert changes["Correction approved (revision 2): it replaces revision 1, now superseded"] == [
        ("Actual saving in the quarter", "£1,000,000.00", "£1,200,000.00"),
        ("Commentary", "First figures", "Credit note included"),
    ]
    assert changes["Correction proposed (revision 2)"][0] == (
        "Actual saving in the quarter",
        "£1,000,000.00",
        "£1,250,000.00",
    )
    assert changes["Correction (revision 2) changed"] == [
        ("Actual saving in the quarter", "£1,250,000.00", "£1,200,000.00")
    ]
    assert changes["Entered"][:2] == [
        ("Actual saving in the quarter", "", "£1,000,000.00"),
        ("Full-year forecast", "", "£4,000,000.00"),
    ]


# --- the figure's page ---------------------------------------------------------------------------


def test_every_role_reads_the_figures_page_and_only_finance_corrects(mps_plan, people, client, role_user):
    _approved(people["maker"], people["checker"])
    assert_access_by_role(client, role_user, FIGURE_URL, {})
    assert_access_by_role(client, role_user, FIGURE_URL + "edit/", {**FINANCE_ONLY, "finance": 302, "admin": 302})
    # an empty correction is shown again with its errors; a discard with nothing to discard goes back
    for action, answer in (("correct/", 200), ("discard/", 302)):
        assert_access_by_role(
            client,
            role_user,
            FIGURE_URL + action,
            {**FINANCE_ONLY, "finance": answer, "admin": answer},
            method="post",
            data={},
        )
    # a reader sees the figures, and no form
    client.force_login(role_user("board"))
    page = client.get(FIGURE_URL).content.decode()
    assert "£1,000,000.00" in page and 'data-testid="correct-form"' not in page
    assert QuarterlyActual.objects.count() == 1


def test_finance_corrects_on_the_page_with_errors_by_field_then_a_colleague_approves(mps_plan, people, client):
    approved = _approved(people["maker"], people["checker"])
    client.force_login(people["corrector"])
    page = client.get(FIGURE_URL).content.decode()
    assert 'data-testid="correct-form"' in page and f'name="version" value="{approved.version}"' in page
    # errors by field, nothing written
    response = client.post(
        FIGURE_URL + "correct/",
        {"reason": "", "actual_saving": "lots", "forecast_full_year": "4000000", "version": approved.version},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "is not an amount of money" in page and 'href="#id_reason"' in page
    assert QuarterlyActual.objects.count() == 1
    # a correction proposed
    response = client.post(
        FIGURE_URL + "correct/",
        {
            "reason": "Credit note",
            "actual_saving": "£1,250,000",
            "forecast_full_year": "4,000,000",
            "commentary": "",
            "version": approved.version,
        },
    )
    assert response.status_code == 302 and response["Location"] == FIGURE_URL
    page = client.get(FIGURE_URL).content.decode()
    assert 'data-testid="open-revision"' in page and "Correction in draft" in page
    assert 'data-testid="correct-form"' not in page and 'data-testid="discard-form"' in page
    # the quarter page offers it for submission, and a colleague sees both values when deciding
    client.post("/savings/actuals/2014/q1/submit/")
    quarter_page = client.get("/savings/actuals/2014/q1/").content.decode()
    assert "correction awaiting approval" in quarter_page and f'href="{FIGURE_URL}"' in quarter_page
    client.force_login(people["checker"])
    quarter_page = client.get("/savings/actuals/2014/q1/").content.decode()
    assert "<del>£1,000,000</del> → £1,250,000" in quarter_page
    correction = QuarterlyActual.objects.get(revision=2)
    client.post(
        "/savings/actuals/2014/q1/decide/",
        {"SAV-DC-decision": "approve", "SAV-DC-reason": "", "SAV-DC-version": correction.version},
    )
    page = client.get(FIGURE_URL).content.decode()
    assert "Superseded on" in page and "by the correction approved by Tom Okafor" in page
    assert "<del>£1,000,000.00</del>" in page
    assert "Correction proposed (revision 2)" in page and "Ann Lee" in page and "£1,250,000.00" in page


def test_a_closed_quarter_says_reopen_first_and_offers_no_form(mps_plan, people, client):
    _approved(people["maker"], people["checker"])
    services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=people["checker"])
    client.force_login(people["corrector"])
    page = client.get(FIGURE_URL).content.decode()
    assert 'data-testid="figure-closed"' in page and "reopen the quarter" in page
    assert 'data-testid="correct-form"' not in page
    # posting anyway is refused, saying why
    response = client.post(
        FIGURE_URL + "correct/",
        {"reason": "x", "actual_saving": "1", "forecast_full_year": "4000000", "version": "3"},
        follow=True,
    )
    assert "reopen it first" in response.content.decode() and QuarterlyActual.objects.count() == 1


def test_the_edit_page_sends_approved_figures_to_be_corrected(mps_plan, people, client):
    _approved(people["maker"], people["checker"])
    client.force_login(people["corrector"])
    response = client.get(FIGURE_URL + "edit/")
    assert response.status_code == 302 and response["Location"] == FIGURE_URL


def test_a_correction_is_discarded_on_the_page(mps_plan, people, client):
    approved = _approved(people["maker"], people["checker"])
    correction = _correct(approved, people["corrector"])
    client.force_login(people["maker"])
    response = client.post(FIGURE_URL + "discard/", {"discard-reason": "", "discard-version": correction.version})
    assert response.status_code == 200 and "Say why the correction is being discarded" in response.content.decode()
    response = client.post(
        FIGURE_URL + "discard/", {"discard-reason": "Raised twice", "discard-version": correction.version}
    )
    assert response.status_code == 302 and QuarterlyActual.objects.count() == 1
    page = client.get(FIGURE_URL).content.decode()
    assert "Correction discarded (revision 2)" in page and "Raised twice" in page and "Priya Shah" in page


def test_a_sensitive_initiatives_figures_are_a_404_for_those_without_view_restricted(
    mps_plan, people, client, role_user
):
    approved = _approved(people["maker"], people["checker"])
    services.initiative_update(
        initiative=approved.initiative,
        user=people["maker"],
        protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
        reason="Commercially sensitive",
    )
    consumer = role_user("api_consumer")
    client.force_login(consumer)
    assert client.get(FIGURE_URL).status_code == 404
    api = APIClient()
    api.force_authenticate(consumer)
    assert api.get(f"/api/v1/savings/actuals/{approved.pk}/trail/").status_code == 404


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _corrections(people, count: int) -> None:
    """The figures of SAV-DC corrected `count` times, each through a colleague; then one open."""
    actual = QuarterlyActual.objects.exclude(status=ActualStatus.SUPERSEDED).get(initiative__reference="SAV-DC")
    for _ in range(count):
        correction = _correct(actual, people["corrector"], saving=str(actual.actual_saving + 1))
        services.actuals_submit(actuals=[correction], user=people["corrector"])
        actual = services.actual_approve(actual=correction, user=people["checker"])


def test_the_figures_page_and_trail_cost_the_same_queries_at_two_sizes(mps_plan, people, client):
    _approved(people["maker"], people["checker"])
    client.force_login(people["maker"])
    api = APIClient()
    api.force_login(people["maker"])
    actual_id = QuarterlyActual.objects.get().pk
    trail_url = f"/api/v1/savings/actuals/{actual_id}/trail/"
    client.get(FIGURE_URL)  # warm: session and permissions
    api.get(trail_url)
    small = (_page_queries(client, FIGURE_URL), _page_queries(api, trail_url))
    _corrections(people, 6)
    services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=people["checker"])
    services.quarter_reopen(plan=mps_plan, quarter=Q1_2014, user=people["corrector"], reason="Again")
    large = (_page_queries(client, FIGURE_URL), _page_queries(api, trail_url))
    assert QuarterlyActual.objects.count() == 7
    assert small == large


def test_the_quarter_page_costs_the_same_queries_with_corrections(mps_plan, people, client):
    _approved(people["maker"], people["checker"])
    client.force_login(people["maker"])
    client.get("/savings/actuals/2014/q1/")
    before = _page_queries(client, "/savings/actuals/2014/q1/")
    _corrections(people, 3)
    for reference in ("SAV-NET", "SAV-SM"):
        approved = _approved(people["maker"], people["checker"], reference=reference)
        correction = _correct(approved, people["corrector"])
        services.actuals_submit(actuals=[correction], user=people["corrector"])
    assert _page_queries(client, "/savings/actuals/2014/q1/") == before


# --- the API -------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_corrects_and_a_colleague_approves_then_the_trail_says_so(mps_plan, people):
    approved = _approved(people["maker"], people["checker"])
    corrector = _api(people["corrector"])
    body = {
        "reason": "Credit note",
        "actual_saving": "1250000.00",
        "forecast_full_year": "4000000.00",
        "version": approved.version,
    }
    response = corrector.post(f"/api/v1/savings/actuals/{approved.pk}/correct/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["revision"], created["corrects"], created["status"]) == (2, approved.pk, "draft")
    assert created["correction_reason"] == "Credit note"
    # a second one while it is open: 409; a stale version: 409; no reason: 400
    assert corrector.post(f"/api/v1/savings/actuals/{approved.pk}/correct/", body, format="json").status_code == 409
    corrector.post(f"/api/v1/savings/actuals/{created['id']}/discard/", {"reason": "Again"}, format="json")
    stale = {**body, "version": approved.version - 1}
    assert corrector.post(f"/api/v1/savings/actuals/{approved.pk}/correct/", stale, format="json").status_code == 409
    refused = corrector.post(f"/api/v1/savings/actuals/{approved.pk}/correct/", {**body, "reason": " "}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "reason"
    created = corrector.post(f"/api/v1/savings/actuals/{approved.pk}/correct/", body, format="json").json()
    assert created["revision"] == 3
    corrector.post(f"/api/v1/savings/actuals/{created['id']}/submit/", {}, format="json")
    checker = _api(people["checker"])
    response = checker.post(f"/api/v1/savings/actuals/{created['id']}/approve/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    # the superseded revision says so; current=true leaves it out
    old = checker.get(f"/api/v1/savings/actuals/{approved.pk}/").json()
    assert old["status"] == "superseded"
    listed = checker.get("/api/v1/savings/actuals/", {"current": "true"}).json()["results"]
    assert [(a["revision"], a["status"]) for a in listed] == [(3, "approved")]
    superseded = checker.get("/api/v1/savings/actuals/", {"current": "false"}).json()["results"]
    assert [a["revision"] for a in superseded] == [1]
    # a new actual beside them stays a 409
    new = {
        "initiative": "SAV-DC",
        "financial_year": "2014/15",
        "quarter": 1,
        "actual_saving": "1.00",
        "forecast_full_year": "4000000.00",
    }
    assert checker.post("/api/v1/savings/actuals/", new, format="json").status_code == 409
    # the trail, from any revision's id, in words
    trail = _api(people["maker"]).get(f"/api/v1/savings/actuals/{approved.pk}/trail/").json()
    assert trail[0]["what"] == "Correction approved (revision 3): it replaces revision 1, now superseded"
    assert trail[0]["who"] == "Tom Okafor"
    assert trail[0]["changes"][0] == {
        "label": "Actual saving in the quarter",
        "before": "£1,000,000.00",
        "after": "£1,250,000.00",
    }
    discarded = next(entry for entry in trail if entry["what"].startswith("Correction discarded"))
    assert (discarded["who"], discarded["reason"]) == ("Ann Lee", "Again")


def test_only_finance_corrects_through_the_api(mps_plan, people, role_user):
    approved = _approved(people["maker"], people["checker"])
    for role in ("board", "programme_manager", "asset_manager", "api_consumer"):
        response = _api(role_user(role)).post(
            f"/api/v1/savings/actuals/{approved.pk}/correct/", {"reason": "x"}, format="json"
        )
        assert response.status_code == 403, role
        assert _api(role_user(role)).get(f"/api/v1/savings/actuals/{approved.pk}/trail/").status_code == 200
    assert QuarterlyActual.objects.count() == 1
