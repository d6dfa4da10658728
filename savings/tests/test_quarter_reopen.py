"""Reopening a closed quarter: a different finance user, with a reason, audited; closed again."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from mps_ict.financial_years import FinancialYear, Quarter
from savings import selectors, services
from savings.models import Initiative, QuarterClosure, QuarterlyActual

Q1_2014 = Quarter(FinancialYear(2014), 1)
Q1_URL = "/savings/actuals/2014/q1/"
REOPEN_API = "/api/v1/savings/quarters/reopen/"


def _approved(initiative, maker, checker, quarter=Q1_2014) -> QuarterlyActual:
    actual = services.actual_save(
        row=services.ActualInput(initiative, Decimal("1000000.00"), Decimal("4000000.00")), quarter=quarter, user=maker
    )
    services.actuals_submit(actuals=[actual], user=maker)
    return services.actual_approve(actual=actual, user=checker)


@pytest.fixture
def closed_q1(mps_plan, role_user):
    """Q1 2014/15 with one approved figure, closed by `closer`."""
    maker, closer = role_user("finance", username="maker"), role_user("finance", username="closer")
    actual = _approved(Initiative.objects.get(reference="SAV-DC"), maker, closer)
    services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=closer)
    return {"maker": maker, "closer": closer, "actual": actual}


# --- the service ---------------------------------------------------------------------------------


def test_the_user_who_closed_it_cannot_reopen_it(mps_plan, closed_q1):
    with pytest.raises(ValidationError, match="different finance user") as error:
        services.quarter_reopen(plan=mps_plan, quarter=Q1_2014, user=closed_q1["closer"], reason="Late credit note")
    assert "quarter" in error.value.message_dict
    assert services.quarter_is_closed(plan=mps_plan, quarter=Q1_2014)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_needed(mps_plan, closed_q1, role_user, reason):
    with pytest.raises(ValidationError) as error:
        services.quarter_reopen(plan=mps_plan, quarter=Q1_2014, user=role_user("finance"), reason=reason)
    assert "reason" in error.value.message_dict
    assert services.quarter_is_closed(plan=mps_plan, quarter=Q1_2014)


def test_a_quarter_that_is_not_closed_cannot_be_reopened(mps_plan, role_user):
    with pytest.raises(ValidationError, match="not closed") as error:
        services.quarter_reopen(plan=mps_plan, quarter=Q1_2014, user=role_user("finance"), reason="Why not")
    assert "quarter" in error.value.message_dict


def test_only_finance_reopens(mps_plan, closed_q1, role_user):
    with pytest.raises(PermissionDenied):
        services.quarter_reopen(plan=mps_plan, quarter=Q1_2014, user=role_user("board"), reason="Board asked")


def test_a_colleague_reopens_then_it_is_closed_again_and_the_history_shows_both(mps_plan, closed_q1, role_user):
    # Given a quarter closed by one finance user
    colleague = role_user("finance", username="colleague")
    actual = closed_q1["actual"]
    # When a colleague reopens it with a reason
    closure = services.quarter_reopen(
        plan=mps_plan, quarter=Q1_2014, user=colleague, reason="  Capgemini credit note arrived late  "
    )
    # Then it is open: figures can be entered again
    assert not services.quarter_is_closed(plan=mps_plan, quarter=Q1_2014)
    assert (closure.reopened_by, closure.reopen_reason) == (colleague, "Capgemini credit note arrived late")
    other = Initiative.objects.get(reference="SAV-NET")
    services.actual_save(
        row=services.ActualInput(other, Decimal("1.00"), Decimal("5000000.00")), quarter=Q1_2014, user=colleague
    )
    QuarterlyActual.objects.filter(initiative=other).delete()
    # And when it is closed again (even by the user who closed it first)
    services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=closed_q1["closer"])
    assert services.quarter_is_closed(plan=mps_plan, quarter=Q1_2014)
    with pytest.raises(ValidationError, match="closed"):
        services.actual_update(actual=actual, user=closed_q1["maker"], version=actual.version, actual_saving=1)
    # Then the history keeps every step: who, what, why
    steps = [
        (h.closed, h.history_user.username, h.history_change_reason or "")
        for h in QuarterClosure.objects.get().history.order_by("history_date", "history_id")
    ]
    assert steps == [
        (True, "closer", ""),
        (False, "colleague", "Capgemini credit note arrived late"),
        (True, "closer", ""),
    ]


# --- the quarter index ---------------------------------------------------------------------------


def _states(plan):
    return {row.quarter.label: row for row in selectors.plan_quarters(plan=plan)}


def test_the_index_says_each_quarters_state(mps_plan, closed_q1, role_user, client):
    maker, checker = closed_q1["maker"], closed_q1["closer"]
    q2 = Quarter(FinancialYear(2014), 2)
    actual = services.actual_save(
        row=services.ActualInput(Initiative.objects.get(reference="SAV-DC"), Decimal("1.00"), Decimal("4000000.00")),
        quarter=q2,
        user=maker,
    )
    services.actuals_submit(actuals=[actual], user=maker)
    states = _states(mps_plan)
    assert states["2014/15 Q1"].state.startswith("Closed by closer, ")
    assert states["2014/15 Q2"].state == "1 awaiting approval"
    assert states["2014/15 Q3"].state == "Open"
    colleague = role_user("finance", username="colleague")
    services.quarter_reopen(plan=mps_plan, quarter=Q1_2014, user=colleague, reason="Late credit note")
    reopened = _states(mps_plan)["2014/15 Q1"]
    assert reopened.state == "Open" and reopened.reopened.startswith("Reopened by colleague, ")
    assert reopened.reopened.endswith(": Late credit note")
    # The page shows the same words
    client.force_login(checker)
    page = client.get("/savings/actuals/").content.decode()
    assert "Reopened by colleague" in page and "1 awaiting approval" in page


def test_the_index_costs_the_same_queries_whatever_the_number_of_quarters_closed(
    mps_plan, role_user, django_assert_num_queries
):
    maker, checker = role_user("finance"), role_user("finance")
    dc, net = Initiative.objects.get(reference="SAV-DC"), Initiative.objects.get(reference="SAV-NET")

    def close(quarter, initiative):
        actual = services.actual_save(
            row=services.ActualInput(initiative, Decimal("1.00"), Decimal("100.00"), "Test figures"),
            quarter=quarter,
            user=maker,
        )
        services.actuals_submit(actuals=[actual], user=maker)
        services.actual_approve(actual=actual, user=checker)
        services.quarter_close(plan=mps_plan, quarter=quarter, user=checker)

    close(Q1_2014, dc)
    with django_assert_num_queries(2):
        small = selectors.plan_quarters(plan=mps_plan)
        [(row.state, row.reopened) for row in small]
    for number in (2, 3, 4):
        close(Quarter(FinancialYear(2014), number), net if number % 2 else dc)
    services.quarter_reopen(plan=mps_plan, quarter=Q1_2014, user=role_user("finance"), reason="Late invoice")
    with django_assert_num_queries(2):
        large = selectors.plan_quarters(plan=mps_plan)
        [(row.state, row.reopened) for row in large]
    assert sum(row.closed for row in large) == 3


# --- the quarter page ----------------------------------------------------------------------------


def test_a_closed_quarter_offers_no_forms_but_a_colleague_may_reopen_it(mps_plan, closed_q1, role_user, client):
    # The user who closed it sees who closed it, no entry or approval forms, and no reopen form
    client.force_login(closed_q1["closer"])
    page = client.get(Q1_URL).content.decode()
    assert "Closed by closer on" in page
    for offered in (
        "/submit/",
        "/close/",
        "/upload/",
        "template.xlsx",
        "/approve/",
        "/return/",
        "/edit/",  # an initiative's entry form (each figure's page, q1/SAV-…/, is read by everyone)
        "/reopen/",
    ):
        assert offered not in page, offered
    assert "a different finance user must reopen it" in page
    # The entry form itself is not offered either: back to the quarter, which says it is locked
    response = client.get(Q1_URL + "SAV-NET/edit/")
    assert response.status_code == 302 and response.url == Q1_URL
    assert client.get(Q1_URL + "upload/").status_code == 302
    # A colleague in finance is offered the reopen form (and still no entry forms)
    client.force_login(role_user("finance", username="colleague"))
    page = client.get(Q1_URL).content.decode()
    assert 'data-testid="reopen-form"' in page and "/reopen/" in page and "/submit/" not in page
    # A board member reads the page with no forms at all
    client.force_login(role_user("board"))
    page = client.get(Q1_URL).content.decode()
    assert "Closed by closer on" in page and "<form" not in page.split("<main", 1)[-1]


def test_reopening_from_the_page_needs_a_reason_then_unlocks(mps_plan, closed_q1, role_user, client):
    client.force_login(role_user("finance", username="colleague"))
    blank = client.post(Q1_URL + "reopen/", {"reason": " "})
    assert blank.status_code == 200
    page = blank.content.decode()
    assert "govuk-error-summary" in page and 'href="#id_reason"' in page
    assert services.quarter_is_closed(plan=mps_plan, quarter=Q1_2014)
    done = client.post(Q1_URL + "reopen/", {"reason": "Late credit note"})
    assert done.status_code == 302 and done.url == Q1_URL
    assert not services.quarter_is_closed(plan=mps_plan, quarter=Q1_2014)
    page = client.get(Q1_URL).content.decode()
    assert "Reopened by colleague" in page and "Late credit note" in page
    assert "q1/SAV-NET/edit/" in page  # entry is offered again


def test_the_closer_is_refused_on_the_page_too(mps_plan, closed_q1, client):
    client.force_login(closed_q1["closer"])
    response = client.post(Q1_URL + "reopen/", {"reason": "Mine to undo"})
    assert "a different finance user must reopen it" in response.content.decode()
    assert services.quarter_is_closed(plan=mps_plan, quarter=Q1_2014)


# --- the API -------------------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


BODY = {"financial_year": "2014/15", "quarter": 1, "reason": "Late credit note"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("finance", 200), ("admin", 200), ("board", 403), ("programme_manager", 403), ("api_consumer", 403)],
)
def test_reopen_through_the_api_by_role(mps_plan, closed_q1, role_user, role, expected):
    response = _api(role_user(role)).post(REOPEN_API, BODY, format="json")
    assert response.status_code == expected, response.content
    if expected == 200:
        body = response.json()
        assert body["closed"] is False and body["closed_by"] == "closer" and body["reopen_reason"] == BODY["reason"]
    assert services.quarter_is_closed(plan=mps_plan, quarter=Q1_2014) is (expected != 200)


def test_the_api_refuses_naming_the_field(mps_plan, closed_q1, role_user):
    def fields(response):
        assert response.status_code == 400, response.content
        return {error["field"] for error in response.json()["errors"]}

    assert fields(_api(closed_q1["closer"]).post(REOPEN_API, BODY, format="json")) == {"quarter"}
    colleague = _api(role_user("finance"))
    assert fields(colleague.post(REOPEN_API, {**BODY, "reason": "  "}, format="json")) == {"reason"}
    assert fields(colleague.post(REOPEN_API, {**BODY, "quarter": 2}, format="json")) == {"quarter"}
    assert colleague.post(REOPEN_API, BODY, format="json").status_code == 200
    assert fields(colleague.post(REOPEN_API, BODY, format="json")) == {"quarter"}  # no longer closed
