"""A checker approves and returns many submitted figures of a quarter at once, after seeing them."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from mps_ict.conflicts import StaleVersion
from mps_ict.financial_years import FinancialYear, Quarter
from savings import services
from savings.choices import ActualStatus
from savings.models import Initiative, QuarterlyActual

Q1_2014 = Quarter(FinancialYear(2014), 1)
Q1_URL = "/savings/actuals/2014/q1/"
DECIDE_URL = Q1_URL + "decide/"
DECIDE_API = "/api/v1/savings/quarters/decide/"
REFERENCES = ("SAV-DC", "SAV-NET", "SAV-SM")


def _submitted(maker, references=REFERENCES, quarter=Q1_2014) -> dict[str, QuarterlyActual]:
    actuals = {}
    for reference in references:
        actual = services.actual_save(
            row=services.ActualInput(
                Initiative.objects.get(reference=reference), Decimal("1000.00"), Decimal("4000000.00"), "Test figures"
            ),
            quarter=quarter,
            user=maker,
        )
        actuals[reference] = actual
    services.actuals_submit(actuals=list(actuals.values()), user=maker)
    return {reference: QuarterlyActual.objects.get(pk=actual.pk) for reference, actual in actuals.items()}


def _statuses() -> dict[str, str]:
    return dict(QuarterlyActual.objects.values_list("initiative__reference", "status"))


@pytest.fixture
def people(role_user):
    return {"maker": role_user("finance", username="maker"), "checker": role_user("finance", username="checker")}


# --- the service ---------------------------------------------------------------------------------


def test_approve_several_and_return_one_with_its_reason_in_one_go(mps_plan, people):
    # Given three submitted figures
    actuals = _submitted(people["maker"])
    # When the checker approves two and returns one
    decided = services.actuals_decide(
        plan=mps_plan,
        quarter=Q1_2014,
        user=people["checker"],
        approve={"SAV-DC": actuals["SAV-DC"].version, "SAV-NET": actuals["SAV-NET"].version},
        returns={"SAV-SM": (actuals["SAV-SM"].version, "  Contract credit missing  ")},
    )
    # Then each is decided, by the checker, the return with its reason in the row and its history
    assert (decided.approved, decided.returned) == (2, 1)
    assert _statuses() == {"SAV-DC": "approved", "SAV-NET": "approved", "SAV-SM": "returned"}
    returned = QuarterlyActual.objects.get(initiative__reference="SAV-SM")
    assert returned.return_reason == "Contract credit missing" and returned.decided_by == people["checker"]
    assert returned.history.first().history_change_reason == "Contract credit missing"
    assert QuarterlyActual.objects.get(initiative__reference="SAV-DC").version == actuals["SAV-DC"].version + 1


def test_the_maker_of_a_row_cannot_decide_it_and_nothing_is_written(mps_plan, people, role_user):
    # Given one figure entered by the checker's colleague and one by the checker
    actuals = _submitted(people["maker"], references=("SAV-DC",))
    actuals |= _submitted(people["checker"], references=("SAV-NET",))
    # When the checker approves both
    with pytest.raises(ValidationError) as refused:
        services.actuals_decide(
            plan=mps_plan,
            quarter=Q1_2014,
            user=people["checker"],
            approve={reference: actual.version for reference, actual in actuals.items()},
            returns={},
        )
    # Then their own row is refused, named, and the other is not approved either
    assert list(refused.value.message_dict) == ["SAV-NET.decided_by"]
    assert "SAV-NET" in refused.value.message_dict["SAV-NET.decided_by"][0]
    assert set(_statuses().values()) == {ActualStatus.SUBMITTED}


def test_a_stale_version_is_a_conflict_and_writes_nothing(mps_plan, people):
    actuals = _submitted(people["maker"], references=("SAV-DC", "SAV-NET"))
    with pytest.raises(StaleVersion) as refused:
        services.actuals_decide(
            plan=mps_plan,
            quarter=Q1_2014,
            user=people["checker"],
            approve={"SAV-DC": actuals["SAV-DC"].version, "SAV-NET": actuals["SAV-NET"].version - 1},
            returns={},
        )
    assert list(refused.value.message_dict) == ["SAV-NET.version"]
    assert set(_statuses().values()) == {ActualStatus.SUBMITTED}


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_return_needs_a_reason_named_by_row(mps_plan, people, reason):
    actuals = _submitted(people["maker"], references=("SAV-DC", "SAV-NET"))
    with pytest.raises(ValidationError) as refused:
        services.actuals_decide(
            plan=mps_plan,
            quarter=Q1_2014,
            user=people["checker"],
            approve={"SAV-DC": actuals["SAV-DC"].version},
            returns={"SAV-NET": (actuals["SAV-NET"].version, reason)},
        )
    assert refused.value.message_dict == {"SAV-NET.reason": ["SAV-NET: Say why the figures are being returned."]}
    assert set(_statuses().values()) == {ActualStatus.SUBMITTED}


def test_only_submitted_rows_of_that_quarter(mps_plan, people):
    actuals = _submitted(people["maker"], references=("SAV-DC",))
    other = _submitted(people["maker"], references=("SAV-NET",), quarter=Quarter(FinancialYear(2014), 2))
    services.actual_approve(actual=actuals["SAV-DC"], user=people["checker"])
    with pytest.raises(ValidationError) as refused:
        services.actuals_decide(
            plan=mps_plan,
            quarter=Q1_2014,
            user=people["checker"],
            approve={"SAV-DC": actuals["SAV-DC"].version + 1, "SAV-NET": other["SAV-NET"].version},
            returns={},
        )
    assert set(refused.value.message_dict) == {"SAV-DC.status", "SAV-NET.initiative"}


def test_a_closed_quarter_is_refused(mps_plan, people, role_user):
    actuals = _submitted(people["maker"], references=("SAV-DC",))
    services.actual_approve(actual=actuals["SAV-DC"], user=people["checker"])
    services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=people["checker"])
    with pytest.raises(ValidationError) as refused:
        services.actuals_decide(
            plan=mps_plan, quarter=Q1_2014, user=role_user("finance"), approve={"SAV-DC": 1}, returns={}
        )
    assert list(refused.value.message_dict) == ["quarter"]


def test_only_finance_decides(mps_plan, people, role_user):
    actuals = _submitted(people["maker"], references=("SAV-DC",))
    with pytest.raises(PermissionDenied):
        services.actuals_decide(
            plan=mps_plan,
            quarter=Q1_2014,
            user=role_user("board"),
            approve={"SAV-DC": actuals["SAV-DC"].version},
            returns={},
        )


# --- the quarter page ----------------------------------------------------------------------------


def _choices(actuals, **decisions) -> dict[str, str]:
    """The form as the page posts it: every row's version, and the choices given."""
    data = {f"{reference}-version": str(actual.version) for reference, actual in actuals.items()}
    for reference, (decision, reason) in decisions.items():
        data[f"{reference.replace('_', '-')}-decision"] = decision
        data[f"{reference.replace('_', '-')}-reason"] = reason
    return data


def test_the_page_shows_every_submitted_row_and_records_the_decisions(mps_plan, people, client):
    actuals = _submitted(people["maker"])
    client.force_login(people["checker"])
    page = client.get(Q1_URL).content.decode()
    assert "Review and decide the submitted figures" in page and "Record these decisions" in page
    for reference, actual in actuals.items():
        assert f'name="{reference}-version" value="{actual.version}"' in page
        assert f'name="{reference}-decision"' in page
    assert "checked>" not in page  # the checker must choose
    # One left undecided stays submitted
    response = client.post(
        DECIDE_URL, _choices(actuals, SAV_DC=("approve", ""), SAV_SM=("return", "Credit note missing"))
    )
    assert response.status_code == 302 and response.url == Q1_URL
    assert _statuses() == {"SAV-DC": "approved", "SAV-NET": "submitted", "SAV-SM": "returned"}
    page = client.get(Q1_URL).content.decode()
    assert "Approved 1 and returned 1 figure(s) for 2014/15 Q1." in page


def test_the_page_names_the_row_and_field_of_each_refusal(mps_plan, people, client):
    actuals = _submitted(people["maker"], references=("SAV-DC",))
    actuals |= _submitted(people["checker"], references=("SAV-NET",))
    client.force_login(people["checker"])
    response = client.post(DECIDE_URL, _choices(actuals, SAV_DC=("return", " "), SAV_NET=("approve", "")))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="decisions-errors"' in page
    assert 'href="#id_SAV-DC-reason"' in page and "SAV-DC: Say why the figures are being returned." in page
    assert 'href="#id_SAV-NET-decision_0"' in page and "SAV-NET: A colleague must approve this" in page
    assert set(_statuses().values()) == {ActualStatus.SUBMITTED}


def test_the_page_refuses_a_stale_version(mps_plan, people, role_user, client):
    actuals = _submitted(people["maker"], references=("SAV-DC", "SAV-NET"))
    # Given the checker's page, then a colleague returns one and the maker resubmits it changed
    client.force_login(people["checker"])
    seen = _choices(actuals, SAV_DC=("approve", ""), SAV_NET=("approve", ""))
    returned = services.actual_return(actual=actuals["SAV-NET"], user=role_user("finance"), reason="Check it")
    changed = services.actual_update(actual=returned, user=people["maker"], version=returned.version, actual_saving=9)
    services.actuals_submit(actuals=[changed], user=people["maker"])
    # When the checker records what they saw, nothing is recorded and the page says which row moved
    response = client.post(DECIDE_URL, seen)
    page = response.content.decode()
    assert response.status_code == 200 and "SAV-NET: Somebody else changed these figures" in page
    assert set(_statuses().values()) == {ActualStatus.SUBMITTED}


def test_a_row_decided_by_a_colleague_since_is_refused_not_dropped(mps_plan, people, role_user, client):
    actuals = _submitted(people["maker"], references=("SAV-DC", "SAV-NET"))
    client.force_login(people["checker"])
    seen = _choices(actuals, SAV_DC=("approve", ""), SAV_NET=("approve", ""))
    # Meanwhile a colleague returns SAV-NET: it is no longer in the table of submitted figures
    services.actual_return(actual=actuals["SAV-NET"], user=role_user("finance"), reason="Check it")
    response = client.post(DECIDE_URL, seen)
    page = response.content.decode()
    assert response.status_code == 200 and "SAV-NET: Somebody else changed these figures" in page
    assert _statuses() == {"SAV-DC": "submitted", "SAV-NET": "returned"}


def test_the_section_is_offered_only_to_finance_on_an_open_quarter(mps_plan, people, role_user, client):
    _submitted(people["maker"], references=("SAV-DC",))
    for role in ("board", "programme_manager", "api_consumer"):
        client.force_login(role_user(role))
        assert "Record these decisions" not in client.get(Q1_URL).content.decode()
        assert client.post(DECIDE_URL, {}).status_code == 403
    client.force_login(role_user("admin"))
    assert "Record these decisions" in client.get(Q1_URL).content.decode()


def test_a_closed_quarter_offers_no_decisions_and_refuses_them(mps_plan, people, role_user, client):
    actuals = _submitted(people["maker"], references=("SAV-DC",))
    services.actual_approve(actual=actuals["SAV-DC"], user=people["checker"])
    services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=people["checker"])
    client.force_login(role_user("finance"))
    assert "Record these decisions" not in client.get(Q1_URL).content.decode()
    response = client.post(DECIDE_URL, {"SAV-DC-decision": "approve", "SAV-DC-version": "3"}, follow=True)
    assert "is closed; its figures are locked" in response.content.decode()


def test_the_quarter_page_costs_the_same_queries_at_two_sizes(mps_plan, people, client, django_assert_num_queries):
    client.force_login(people["checker"])
    _submitted(people["maker"], references=("SAV-DC",))
    client.get(Q1_URL)  # the session and the user's groups are warm for both counts
    with django_assert_num_queries(10) as small:
        assert client.get(Q1_URL).status_code == 200
    _submitted(people["maker"], references=("SAV-NET", "SAV-SM", "SAV-APPS", "SAV-ERP"))
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(Q1_URL).content.decode()
    assert page.count('type="radio" value="return"') == 5


# --- the API -------------------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _body(actuals, **decisions):
    return {
        "financial_year": "2014/15",
        "quarter": 1,
        "decisions": [
            {"initiative": reference, "version": actuals[reference].version, "decision": decision, "reason": reason}
            for reference, (decision, reason) in decisions.items()
        ],
    }


def test_the_api_approves_and_returns_in_one_go(mps_plan, people):
    actuals = _submitted(people["maker"])
    body = _body(
        actuals, **{"SAV-DC": ("approve", ""), "SAV-NET": ("approve", ""), "SAV-SM": ("return", "Credit missing")}
    )
    response = _api(people["checker"]).post(DECIDE_API, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"financial_year": "2014/15", "quarter": 1, "approved": 2, "returned": 1}
    assert _statuses() == {"SAV-DC": "approved", "SAV-NET": "approved", "SAV-SM": "returned"}


def test_the_api_names_the_row_and_field(mps_plan, people):
    actuals = _submitted(people["maker"], references=("SAV-DC",))
    actuals |= _submitted(people["checker"], references=("SAV-NET",))
    checker = _api(people["checker"])

    def fields(response, status=400):
        assert response.status_code == status, response.content
        return {error["field"] for error in response.json()["errors"]}

    body = _body(actuals, **{"SAV-DC": ("return", " "), "SAV-NET": ("approve", "")})
    assert fields(checker.post(DECIDE_API, body, format="json")) == {"decisions[0].reason", "decisions[1].decided_by"}
    twice = {**body, "decisions": [body["decisions"][1], body["decisions"][1]]}
    assert fields(checker.post(DECIDE_API, twice, format="json")) == {"decisions"}
    assert fields(checker.post(DECIDE_API, {**body, "decisions": []}, format="json")) == {"decisions"}
    stale = _body(actuals, **{"SAV-DC": ("approve", "")})
    stale["decisions"][0]["version"] -= 1
    assert fields(checker.post(DECIDE_API, stale, format="json"), status=409) == {"decisions[0].version"}
    assert set(_statuses().values()) == {ActualStatus.SUBMITTED}


def test_the_api_refuses_a_closed_quarter(mps_plan, people, role_user):
    actuals = _submitted(people["maker"], references=("SAV-DC",))
    body = _body(actuals, **{"SAV-DC": ("approve", "")})
    services.actual_approve(actual=actuals["SAV-DC"], user=people["checker"])
    services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=people["checker"])
    response = _api(role_user("finance")).post(DECIDE_API, body, format="json")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["quarter"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("finance", 200), ("admin", 200), ("board", 403), ("programme_manager", 403), ("api_consumer", 403)],
)
def test_deciding_through_the_api_by_role(mps_plan, people, role_user, role, expected):
    actuals = _submitted(people["maker"], references=("SAV-DC",))
    response = _api(role_user(role)).post(DECIDE_API, _body(actuals, **{"SAV-DC": ("approve", "")}), format="json")
    assert response.status_code == expected, response.content
    assert _statuses()["SAV-DC"] == (ActualStatus.APPROVED if expected == 200 else ActualStatus.SUBMITTED)
