import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from mps_ict.marking import ProtectiveMarking
from mps_ict.testing import assert_access_by_role
from savings import services
from savings.choices import ActualStatus
from savings.models import Initiative, QuarterlyActual


@pytest.fixture
def api(role_user):
    def client_for(role):
        client = APIClient()
        client.force_authenticate(role_user(role))
        return client

    return client_for


def test_summary_gives_the_seed_figures(mps_plan, api):
    body = api("api_consumer").get("/api/v1/savings/summary/").json()
    assert (body["cost_now"], body["future_cost"], body["baseline_reduction"]) == (
        "200000000.00",
        "140000000.00",
        "60000000.00",
    )
    assert [(t["financial_year"], t["cumulative_target"]) for t in body["targets"]] == [
        ("2014/15", "42000000.00"),
        ("2015/16", "60000000.00"),
    ]
    service_management = next(c for c in body["categories"] if c["name"] == "Service Management")
    assert service_management == {
        "name": "Service Management",
        "slug": "service-management",
        "cost_now": "24000000.00",
        "future_cost": "16000000.00",
        "baseline_reduction": "8000000.00",
        "stated_reduction": None,
        "stated_reduction_printed": "φ",
        "discrepancy": True,
    }
    assert sum(not c["discrepancy"] for c in body["categories"]) == 10


def test_summary_gives_each_target_its_probability_and_savings_at_risk_the_same_twice(mps_plan, api):
    # issue 16: the seed's initiatives are not yet assessed (70% of plan expected), so neither target is likely
    body = api("api_consumer").get("/api/v1/savings/summary/").json()
    for target in body["targets"]:
        assert set(target) == {
            "financial_year",
            "cumulative_target",
            "probability_met",
            "at_risk_p80",
            "realised_range",
            "top_risks",
        }
        assert Decimal("0") <= Decimal(target["probability_met"]) < Decimal("0.05")
        assert len(target["probability_met"].split(".")[1]) == 4  # a fraction as a decimal string
        band = {level: Decimal(amount) for level, amount in target["realised_range"].items()}
        assert band["p90"] < band["p80"] < band["p50"] < band["p10"]
        assert Decimal(target["at_risk_p80"]) == Decimal(target["cumulative_target"]) - band["p80"]
    assert api("board").get("/api/v1/savings/summary/").json()["targets"] == body["targets"]


@pytest.mark.parametrize("by", ["savings_type", "category"])
def test_breakdown_rows_reach_42m_and_60m(mps_plan, api, by):
    rows = api("board").get(f"/api/v1/savings/breakdown/?by={by}").json()
    totals = {}
    for row in rows:
        assert set(row) == {"financial_year", "group", "group_key", "planned", "realised", "plan_version"}
        totals[row["financial_year"]] = totals.get(row["financial_year"], Decimal(0)) + Decimal(row["planned"])
    assert totals["2014/15"] == Decimal("42000000") and totals["2015/16"] == Decimal("60000000")


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/savings/breakdown/?by=colour", "by"),
        ("/api/v1/savings/breakdown/?financial_year=2014", "financial_year"),
        ("/api/v1/savings/actuals/?financial_year=2014/16", "financial_year"),
        ("/api/v1/savings/actuals/?status=lost", "status"),
    ],
)
def test_bad_query_parameters_name_the_parameter(mps_plan, api, url, field):
    response = api("board").get(url)
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_summary_exports_as_csv_and_xlsx(mps_plan, api):
    client = api("board")
    rows = list(csv.reader(io.StringIO(client.get("/api/v1/savings/summary/?format=csv").content.decode())))
    assert rows[0][:6] == ["row", "name", "financial_year", "cost_now", "future_cost", "baseline_reduction"]
    total = next(row for row in rows if row[0] == "total")
    assert total[3:6] == ["200000000.00", "140000000.00", "60000000.00"]
    sheet = load_workbook(io.BytesIO(client.get("/api/v1/savings/initiatives/?format=xlsx").content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 12 and values[0][0] == "reference"


def test_finance_creates_submits_and_a_colleague_approves_through_the_api(mps_plan, role_user):
    maker, checker = APIClient(), APIClient()
    maker.force_authenticate(role_user("finance"))
    checker.force_authenticate(role_user("finance"))
    payload = {
        "initiative": "SAV-DC",
        "financial_year": "2014/15",
        "quarter": 1,
        "actual_saving": "1000000.00",
        "forecast_full_year": "4000000.00",
    }
    created = maker.post("/api/v1/savings/actuals/", payload, format="json")
    assert created.status_code == 201, created.json()
    actual_id = created.json()["id"]
    # An edit must say which version it started from; a stale one is refused
    stale = maker.patch(f"/api/v1/savings/actuals/{actual_id}/", {"actual_saving": "2.00", "version": 0}, format="json")
    assert stale.status_code == 400 and stale.json()["errors"][0]["field"] == "version"
    assert maker.post(f"/api/v1/savings/actuals/{actual_id}/submit/").json()["status"] == "submitted"
    own = maker.post(f"/api/v1/savings/actuals/{actual_id}/approve/")
    assert own.status_code == 400 and own.json()["errors"][0]["field"] == "decided_by"
    approved = checker.post(f"/api/v1/savings/actuals/{actual_id}/approve/")
    assert approved.json()["status"] == "approved"
    summary = checker.get("/api/v1/savings/summary/").json()
    assert summary["financial_year"] == "2014/15" and summary["realised_to_date"] == "1000000.00"
    closed = checker.post("/api/v1/savings/quarters/close/", {"financial_year": "2014/15", "quarter": 1}, format="json")
    assert closed.status_code == 201
    again = checker.post("/api/v1/savings/quarters/close/", {"financial_year": "2014/15", "quarter": 1}, format="json")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "quarter"


def test_api_validation_matches_the_upload_rules(mps_plan, api):
    response = api("finance").post(
        "/api/v1/savings/actuals/",
        {
            "initiative": "SAV-DC",
            "financial_year": "2014/15",
            "quarter": 1,
            "actual_saving": "abc",
            "forecast_full_year": "9000000.00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"actual_saving"}
    response = api("finance").post(
        "/api/v1/savings/actuals/",
        {
            "initiative": "SAV-DC",
            "financial_year": "2014/15",
            "quarter": 1,
            "actual_saving": "1.00",
            "forecast_full_year": "9000000.00",
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "commentary"
    assert not QuarterlyActual.objects.exists()


def test_only_finance_writes_actuals(mps_plan, client, role_user):
    payload = {
        "initiative": "SAV-NET",
        "financial_year": "2013/14",
        "quarter": 2,
        "actual_saving": "100.00",
        "forecast_full_year": "1000000.00",
    }
    expected = {role: 403 for role in ("board", "programme_manager", "asset_manager", "api_consumer", "none")}
    expected.update({"finance": 201, "admin": 201})
    for role, status in expected.items():
        QuarterlyActual.objects.all().delete()
        api_client = APIClient()
        api_client.force_authenticate(role_user(None if role == "none" else role))
        assert api_client.post("/api/v1/savings/actuals/", payload, format="json").status_code == status, role


def test_every_role_reads_the_savings_api(mps_plan, client, role_user):
    for url in (
        "/api/v1/savings/summary/",
        "/api/v1/savings/breakdown/",
        "/api/v1/savings/initiatives/",
        "/api/v1/savings/actuals/",
        "/api/v1/savings/plans/",
        "/api/v1/savings/categories/",
    ):
        assert_access_by_role(client, role_user, url, {})


def test_sensitive_initiatives_are_hidden_from_api_consumers_without_view_restricted(mps_plan, api, role_user):
    services.initiative_update(
        initiative=Initiative.objects.get(reference="SAV-SM"),
        user=role_user("finance"),
        protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
        reason="Commercially sensitive while the Capgemini exit is negotiated",
    )
    public = api("api_consumer")
    assert public.get("/api/v1/savings/initiatives/SAV-SM/").status_code == 404
    body = public.get("/api/v1/savings/summary/").json()
    assert body["withheld"] == 1 and body["cost_now"] == "176000000.00"
    assert api("board").get("/api/v1/savings/summary/").json()["cost_now"] == "200000000.00"


def test_actual_list_costs_the_same_queries_at_two_sizes(mps_plan, api, role_user, django_assert_num_queries):
    user = role_user("finance")
    for size in (2, 11):
        client = api("board")  # a fresh user each time: their permissions load once per request
        QuarterlyActual.objects.all().delete()
        for initiative in Initiative.objects.all()[:size]:
            QuarterlyActual.objects.create(
                initiative=initiative,
                financial_year="2013/14",
                quarter=1,
                actual_saving=1,
                forecast_full_year=initiative.baseline_reduction,
                status=ActualStatus.APPROVED,
                entered_by=user,
                submitted_by=user,
            )
        with django_assert_num_queries(5):  # roles (1), permissions (2), the count, one joined select
            assert client.get("/api/v1/savings/actuals/").json()["count"] == size


def _submitted_actual(role_user):
    from mps_ict.financial_years import FinancialYear, Quarter

    maker = role_user("finance")
    actual = services.actual_save(
        row=services.ActualInput(Initiative.objects.get(reference="SAV-DC"), Decimal(1), Decimal(4000000)),
        quarter=Quarter(FinancialYear(2014), 1),
        user=maker,
    )
    services.actuals_submit(actuals=[actual], user=maker)
    return actual


@pytest.mark.parametrize("role", ["board", "programme_manager", "asset_manager", "api_consumer", None])
def test_only_finance_approves_returns_or_closes_through_the_api(mps_plan, role_user, role):
    actual = _submitted_actual(role_user)
    client = APIClient()
    client.force_authenticate(role_user(role))
    assert client.post(f"/api/v1/savings/actuals/{actual.pk}/approve/").status_code == 403
    assert client.post(f"/api/v1/savings/actuals/{actual.pk}/return/", {"reason": "x"}).status_code == 403
    assert client.post(f"/api/v1/savings/actuals/{actual.pk}/submit/").status_code == 403
    closing = client.post("/api/v1/savings/quarters/close/", {"financial_year": "2014/15", "quarter": 1})
    assert closing.status_code == 403
    actual.refresh_from_db()
    assert actual.status == ActualStatus.SUBMITTED


def test_a_colleague_returns_with_a_reason_through_the_api(mps_plan, role_user):
    actual = _submitted_actual(role_user)
    checker = APIClient()
    checker.force_authenticate(role_user("finance"))
    missing = checker.post(f"/api/v1/savings/actuals/{actual.pk}/return/", {}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "reason"
    returned = checker.post(f"/api/v1/savings/actuals/{actual.pk}/return/", {"reason": "Wrong quarter"}, format="json")
    assert returned.json()["status"] == "returned" and returned.json()["return_reason"] == "Wrong quarter"


def _finance_client(role_user):
    user = role_user("finance")
    client = APIClient()
    client.force_authenticate(user)
    return user, client


def _draft(user, reference="SAV-DC", saving="1000000.00", forecast="4000000.00"):
    from mps_ict.financial_years import FinancialYear, Quarter

    return services.actual_save(
        row=services.ActualInput(Initiative.objects.get(reference=reference), Decimal(saving), Decimal(forecast)),
        quarter=Quarter(FinancialYear(2014), 1),
        user=user,
    )


def _figures(actual):
    actual.refresh_from_db()
    return actual.actual_saving, actual.version


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [("initiative", "SAV-NET", "SAV-NET"), ("financial_year", "2015/16", "2015/16"), ("quarter", 2, "Q2")],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_update_writes_only_the_record_its_url_names(mps_plan, role_user, field, value, named, method):
    user, client = _finance_client(role_user)
    ours, theirs = _draft(user), _draft(user, reference="SAV-NET", saving="5.00", forecast="5000000.00")
    body = {"actual_saving": "2.00", "forecast_full_year": "4000000.00", "version": 1, field: value}
    response = getattr(client, method)(f"/api/v1/savings/actuals/{ours.pk}/", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["errors"] == [
        {
            "field": field,
            "message": f"The URL names SAV-DC 2014/15 Q1; this body names {named}. "
            "An update changes only the record its URL names.",
        }
    ]
    assert _figures(ours) == (Decimal("1000000.00"), 1)
    assert _figures(theirs) == (Decimal("5.00"), 1)
    assert QuarterlyActual.objects.count() == 2


def test_an_update_may_repeat_the_record_it_names(mps_plan, role_user):
    user, client = _finance_client(role_user)
    actual = _draft(user)
    body = {"initiative": "SAV-DC", "financial_year": "2014/15", "quarter": 1, "actual_saving": "2.00", "version": 1}
    response = client.patch(f"/api/v1/savings/actuals/{actual.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["actual_saving"], response.json()["version"]) == ("2.00", 2)


def test_patch_keeps_what_it_is_not_given_and_sets_nothing_else(mps_plan, role_user):
    user, client = _finance_client(role_user)
    actual = _draft(user)
    body = {"commentary": "DC2 exit", "version": 1, "status": "approved", "decided_by": "someone", "id": 999}
    response = client.patch(f"/api/v1/savings/actuals/{actual.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["actual_saving"], body["forecast_full_year"], body["commentary"]) == (
        actual.pk,
        "1000000.00",
        "4000000.00",
        "DC2 exit",
    )
    assert (body["status"], body["decided_by"]) == ("draft", None)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_update_without_a_version_is_refused_naming_it(mps_plan, role_user, method):
    user, client = _finance_client(role_user)
    actual = _draft(user)
    body = {"actual_saving": "2.00", "forecast_full_year": "4000000.00"}
    response = getattr(client, method)(f"/api/v1/savings/actuals/{actual.pk}/", body, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["version"]
    assert _figures(actual) == (Decimal("1000000.00"), 1)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_stale_version_is_a_conflict_and_writes_nothing(mps_plan, role_user, method):
    user, client = _finance_client(role_user)
    actual = _draft(user)
    # Given a colleague saved version 2 after we read version 1
    services.actual_update(actual=actual, user=role_user("finance"), version=1, actual_saving=Decimal(3))
    body = {"actual_saving": "2.00", "forecast_full_year": "4000000.00", "version": 1}
    response = getattr(client, method)(f"/api/v1/savings/actuals/{actual.pk}/", body, format="json")
    assert response.status_code == 409
    [error] = response.json()["errors"]
    assert error["field"] == "version" and "Somebody else changed these figures" in error["message"]
    assert _figures(actual) == (Decimal("3.00"), 2)


def test_creating_figures_that_exist_is_a_conflict_pointing_at_them(mps_plan, role_user):
    user, client = _finance_client(role_user)
    actual = _draft(user)
    payload = {
        "initiative": "SAV-DC",
        "financial_year": "2014/15",
        "quarter": 1,
        "actual_saving": "9.00",
        "forecast_full_year": "4000000.00",
    }
    response = client.post("/api/v1/savings/actuals/", payload, format="json")
    assert response.status_code == 409
    assert response.json()["errors"] == [
        {
            "field": None,
            "message": f"SAV-DC 2014/15 Q1 already exists; update it at /api/v1/savings/actuals/{actual.pk}/ "
            "with its version.",
        }
    ]
    assert _figures(actual) == (Decimal("1000000.00"), 1)


def test_nobody_who_edited_in_the_round_approves_it_through_the_api(mps_plan, role_user):
    (a, client_a), (_, client_b), (_, client_c) = (_finance_client(role_user) for _ in range(3))
    # Given A enters the figures, and B edits and submits them
    actual = _draft(a)
    edited = client_b.patch(f"/api/v1/savings/actuals/{actual.pk}/", {"actual_saving": "2.00", "version": 1})
    assert edited.status_code == 200, edited.json()
    assert client_b.post(f"/api/v1/savings/actuals/{actual.pk}/submit/").json()["status"] == "submitted"
    # Then A may neither approve nor return it; C may approve it
    for url, body in (("approve/", {}), ("return/", {"reason": "Looks wrong"})):
        refused = client_a.post(f"/api/v1/savings/actuals/{actual.pk}/{url}", body, format="json")
        assert refused.status_code == 400
        assert refused.json()["errors"] == [
            {"field": "decided_by", "message": "A colleague must approve this: you entered or edited it in this round."}
        ]
    approved = client_c.post(f"/api/v1/savings/actuals/{actual.pk}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_the_schema_documents_the_actual_write_bodies_and_their_errors(client, role_user):
    client.force_login(role_user("admin"))
    schema = client.get("/api/schema/?format=json").json()
    actuals, actual = schema["paths"]["/api/v1/savings/actuals/"], schema["paths"]["/api/v1/savings/actuals/{id}/"]
    bodies = schema["components"]["schemas"]

    def body(operation):
        return bodies[operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]

    error = {"$ref": "#/components/schemas/ErrorOutput"}
    for operation, ok in ((actuals["post"], "201"), (actual["put"], "200"), (actual["patch"], "200")):
        assert {ok, "400", "409"} <= set(operation["responses"])
        for status in ("400", "409"):
            assert operation["responses"][status]["content"]["application/json"]["schema"] == error
    assert set(body(actuals["post"])["properties"]) == {
        "initiative",
        "financial_year",
        "quarter",
        "actual_saving",
        "forecast_full_year",
        "commentary",
    }
    for method, required in (("put", {"actual_saving", "forecast_full_year", "version"}), ("patch", {"version"})):
        assert set(body(actual[method])["properties"]) == {
            "initiative",
            "financial_year",
            "quarter",
            "actual_saving",
            "forecast_full_year",
            "commentary",
            "version",
        }
        assert set(body(actual[method])["required"]) == required


def test_a_step_on_figures_that_changed_since_they_were_reviewed_is_a_conflict(mps_plan, role_user):
    (maker, client_maker), (_, client_checker) = (_finance_client(role_user) for _ in range(2))
    actual = _draft(maker)
    # Submitting version 1 binds to it; once submitted (version 2), a checker who reviewed 1 is refused
    assert client_maker.post(f"/api/v1/savings/actuals/{actual.pk}/submit/", {"version": 1}).status_code == 200
    for url, body in (("approve/", {"version": 1}), ("return/", {"version": 1, "reason": "No"})):
        stale = client_checker.post(f"/api/v1/savings/actuals/{actual.pk}/{url}", body, format="json")
        assert stale.status_code == 409 and stale.json()["errors"][0]["field"] == "version"
    actual.refresh_from_db()
    assert (actual.status, actual.version) == (ActualStatus.SUBMITTED, 2)
    approved = client_checker.post(f"/api/v1/savings/actuals/{actual.pk}/approve/", {"version": 2})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    resubmitted = client_maker.post(f"/api/v1/savings/actuals/{actual.pk}/submit/", {"version": 2})
    assert resubmitted.status_code == 409
