"""Programme managers keep their own projects' records (issue 14, part 1): the benefits register
(Green Book fields; retired, never deleted), milestones (baseline, forecast, achieved, slippage),
and an amendment of the current month's status update (audited, the first version kept). Through
the services, the pages and the API; another programme manager is refused by the services
themselves, not only by the pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from mps_ict.conflicts import Conflict, StaleVersion
from mps_ict.marking import ProtectiveMarking
from portfolio import selectors, services
from portfolio.models import Benefit, DeliveryConfidenceAssessment, Milestone, StatusUpdate
from portfolio.tests.factories import ProjectFactory

BENEFIT = {
    "category": "cash_releasing",
    "description": "Fewer trips back to the station to file reports",
    "beneficiary": "Response officers",
    "responsible_officer": "Ch Supt Operations",
    "measure": "Hours a shift spent in the station",
    "baseline": "2.5 hours a shift",
    "target": "1 hour a shift",
    "full_year_value": Decimal("1200000.00"),
    "timescale": "From 2014/15",
    "realisation_start": date(2014, 4, 1),
    "realisation_end": date(2017, 3, 31),
}


@pytest.fixture
def pm(role_user):
    return role_user("programme_manager", username="pm1", first_name="Priya", last_name="Manning")


@pytest.fixture
def other_pm(role_user):
    return role_user("programme_manager", username="pm2")


@pytest.fixture
def project(pm):
    return ProjectFactory(code="MOB-1", programme_manager=pm)


def _month():
    return selectors.reporting_month(timezone.localdate())


def _file(project, pm, **fields):
    values = {"project": project, "user": pm, "month": _month(), "dca": "amber", "narrative": "On plan"}
    return services.status_update_submit(**(values | fields))


def _benefit(project, user, **fields):
    return services.benefit_create(project=project, user=user, **(BENEFIT | fields))


# --- benefits ----------------------------------------------------------------------------------------


def test_the_programme_manager_adds_a_benefit_with_every_green_book_field(project, pm):
    benefit = _benefit(project, pm, is_disbenefit=False, reason="From the business case")
    benefit.refresh_from_db()
    for name, value in BENEFIT.items():
        assert getattr(benefit, name) == value
    assert benefit.version == 1
    created = benefit.history.get()
    assert created.history_user == pm and created.history_change_reason == "From the business case"


def test_a_benefit_change_takes_the_version_read_and_is_audited(project, pm):
    benefit = _benefit(project, pm)
    services.benefit_update(benefit=benefit, user=pm, version=1, target="45 minutes a shift", reason="Pilot results")
    benefit.refresh_from_db()
    assert (benefit.target, benefit.version) == ("45 minutes a shift", 2)
    latest = benefit.history.first()
    assert latest.history_change_reason == "Pilot results" and latest.prev_record.target == "1 hour a shift"
    with pytest.raises(StaleVersion):
        services.benefit_update(benefit=benefit, user=pm, version=1, target="Other")
    with pytest.raises(ValidationError) as missing:
        services.benefit_update(benefit=benefit, user=pm, version=None, target="Other")
    assert "version" in missing.value.message_dict


def test_bad_benefit_input_names_the_field_and_writes_nothing(project, pm):
    with pytest.raises(ValidationError) as refused:
        _benefit(project, pm, realisation_start=date(2016, 4, 1), realisation_end=date(2015, 3, 31))
    assert "realisation_end" in refused.value.message_dict
    with pytest.raises(ValidationError) as negative:
        _benefit(project, pm, full_year_value=Decimal("-1.00"))
    assert "full_year_value" in negative.value.message_dict
    with pytest.raises(ValidationError) as blank:
        _benefit(project, pm, measure="")
    assert "measure" in blank.value.message_dict
    assert not Benefit.objects.exists()


def test_a_benefit_is_retired_with_a_reason_never_deleted(project, pm):
    benefit = _benefit(project, pm)
    with pytest.raises(ValidationError) as no_reason:
        services.benefit_retire(benefit=benefit, user=pm, version=1, reason=" ")
    assert "reason" in no_reason.value.message_dict
    services.benefit_retire(benefit=benefit, user=pm, version=1, reason="Superseded by the PDA rollout")
    benefit.refresh_from_db()
    assert benefit.retired_at is not None and benefit.retired_by == pm
    assert benefit.retired_reason == "Superseded by the PDA rollout"
    with pytest.raises(Conflict):
        services.benefit_update(benefit=benefit, user=pm, version=2, target="Other")
    with pytest.raises(Conflict):
        services.benefit_retire(benefit=benefit, user=pm, version=2, reason="Again")
    assert Benefit.objects.filter(pk=benefit.pk).exists()


def test_another_programme_manager_may_not_touch_the_records(project, pm, other_pm, role_user):
    benefit = _benefit(project, pm)
    milestone = services.milestone_create(project=project, user=pm, name="Pilot", baseline_date=date(2014, 6, 30))
    update = _file(project, pm)
    with pytest.raises(PermissionDenied):
        _benefit(project, other_pm)
    with pytest.raises(PermissionDenied):
        services.benefit_update(benefit=benefit, user=other_pm, version=1, target="x")
    with pytest.raises(PermissionDenied):
        services.benefit_retire(benefit=benefit, user=other_pm, version=1, reason="x")
    with pytest.raises(PermissionDenied):
        services.milestone_create(project=project, user=other_pm, name="x", baseline_date=date(2014, 1, 1))
    with pytest.raises(PermissionDenied):
        services.milestone_update(milestone=milestone, user=other_pm, version=1, name="x")
    with pytest.raises(PermissionDenied):
        services.status_update_amend(update=update, user=other_pm, version=1, reason="x", dca="red")
    # an administrator may
    admin = role_user("admin")
    services.benefit_update(benefit=benefit, user=admin, version=1, target="Admin's target")
    assert Benefit.objects.get(pk=benefit.pk).target == "Admin's target"


# --- milestones --------------------------------------------------------------------------------------


def test_milestones_keep_baseline_forecast_and_achieved_with_slippage(project, pm):
    first = services.milestone_create(project=project, user=pm, name="Pilot", baseline_date=date(2014, 6, 30))
    second = services.milestone_create(
        project=project, user=pm, name="Rollout", baseline_date=date(2014, 9, 30), forecast_date=date(2014, 11, 14)
    )
    assert (first.forecast_date, first.position, second.position) == (date(2014, 6, 30), 1, 2)
    assert (second.slippage_days, second.state) == (45, "Late")
    services.milestone_update(
        milestone=first, user=pm, version=1, achieved_date=date(2014, 7, 4), reason="Pilot signed off"
    )
    first.refresh_from_db()
    assert (first.slippage_days, first.state, first.version) == (4, "Achieved", 2)
    assert first.history.first().history_change_reason == "Pilot signed off"
    assert list(selectors.project_milestones(project=project)) == [first, second]


def test_bad_milestone_input_names_the_field(project, pm):
    services.milestone_create(project=project, user=pm, name="Pilot", baseline_date=date(2014, 6, 30))
    with pytest.raises(ValidationError) as twice:
        services.milestone_create(project=project, user=pm, name="pilot", baseline_date=date(2014, 6, 30))
    assert "already has a milestone called pilot" in twice.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as future:
        services.milestone_create(
            project=project,
            user=pm,
            name="Go-live",
            baseline_date=date(2014, 6, 30),
            achieved_date=timezone.localdate() + timedelta(days=3),
        )
    assert "achieved_date" in future.value.message_dict
    milestone = Milestone.objects.get()
    with pytest.raises(ValidationError) as no_forecast:
        services.milestone_update(milestone=milestone, user=pm, version=1, forecast_date=None)
    assert "forecast_date" in no_forecast.value.message_dict
    with pytest.raises(StaleVersion):
        services.milestone_update(milestone=milestone, user=pm, version=7, name="Other")
    assert Milestone.objects.count() == 1


# --- amending this month's status update --------------------------------------------------------------


def test_amending_this_months_update_keeps_the_first_version(project, pm):
    update = _file(project, pm, forecast_change=Decimal("10000.00"))
    assert project.__class__.objects.get(pk=project.pk).budget_forecast == Decimal("1010000.00")
    amended = services.status_update_amend(
        update=update,
        user=pm,
        version=1,
        reason="Rating corrected after the SRO review",
        dca="amber_red",
        risks="Supplier late",
        forecast_change=Decimal("30000.00"),
    )
    assert (amended.dca, amended.version, amended.amended_by, amended.amendment_reason) == (
        "amber_red",
        2,
        pm,
        "Rating corrected after the SRO review",
    )
    # the forecast moves by the difference, the month's SRO assessment follows the new rating
    assert project.__class__.objects.get(pk=project.pk).budget_forecast == Decimal("1030000.00")
    assert DeliveryConfidenceAssessment.objects.get(project=project, assessed_on=update.month).rating == "amber_red"
    [shown] = selectors.status_updates_with_originals(StatusUpdate.objects.filter(pk=update.pk))
    assert (shown.original.dca, shown.original.risks, shown.original.forecast_change) == (
        "amber",
        "",
        Decimal("10000.00"),
    )
    assert shown.history.first().history_change_reason == "Rating corrected after the SRO review"


def test_only_the_current_months_update_may_be_amended_with_a_reason_and_version(project, pm):
    earlier = selectors.reporting_month(_month())
    old = _file(project, pm, month=earlier)
    with pytest.raises(ValidationError) as closed:
        services.status_update_amend(update=old, user=pm, version=1, reason="Late correction", dca="red")
    assert f"the {earlier:%B %Y} update is closed" in closed.value.message_dict["month"][0]
    update = _file(project, pm)
    with pytest.raises(ValidationError) as no_reason:
        services.status_update_amend(update=update, user=pm, version=1, reason="", dca="red")
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(StaleVersion):
        services.status_update_amend(update=update, user=pm, version=3, reason="x", dca="red")
    with pytest.raises(ValidationError) as too_far:
        services.status_update_amend(
            update=update, user=pm, version=1, reason="x", narrative="", forecast_change=Decimal("900000.00")
        )
    assert "narrative" in too_far.value.message_dict
    update.refresh_from_db()
    assert (update.dca, update.version, update.amended_at) == ("amber", 1, None)


# --- pages ----------------------------------------------------------------------------------------------

BENEFIT_FORM = {
    "category": "non_cash_releasing",
    "is_disbenefit": "no",
    "description": "Officers stay visible on the street",
    "beneficiary": "Londoners",
    "responsible_officer": "Borough Commander",
    "measure": "Hours of visible patrol",
    "baseline": "4 hours a shift",
    "target": "5.5 hours a shift",
    "full_year_value": "",
    "timescale": "2014/15 to 2016/17",
    "realisation_start": "1/4/2014",
    "realisation_end": "31/3/2017",
    "protective_marking": "OFFICIAL",
    "reason": "From the full business case",
}


def test_the_programme_manager_adds_changes_and_retires_a_benefit_on_the_pages(project, pm, client):
    client.force_login(pm)
    response = client.post("/portfolio/projects/MOB-1/benefits/add/", BENEFIT_FORM)
    assert response.status_code == 302 and response["Location"].endswith("/portfolio/projects/MOB-1/#benefits")
    benefit = Benefit.objects.get()
    assert (benefit.realisation_end, benefit.full_year_value, benefit.beneficiary) == (
        date(2017, 3, 31),
        None,
        "Londoners",
    )
    page = client.get("/portfolio/projects/MOB-1/").content.decode()
    assert "Officers stay visible on the street" in page and "From 4 hours a shift to 5.5 hours a shift" in page
    change = client.get(f"/portfolio/projects/MOB-1/benefits/{benefit.pk}/change/").content.decode()
    assert 'value="4 hours a shift"' in change and 'name="version" value="1"' in change
    client.post(
        f"/portfolio/projects/MOB-1/benefits/{benefit.pk}/change/",
        BENEFIT_FORM | {"target": "6 hours a shift", "version": "1"},
    )
    assert Benefit.objects.get().target == "6 hours a shift"
    client.post(
        f"/portfolio/projects/MOB-1/benefits/{benefit.pk}/retire/", {"reason": "Measured elsewhere", "version": "2"}
    )
    page = client.get("/portfolio/projects/MOB-1/").content.decode()
    assert "Retired" in page and "Measured elsewhere" in page


def test_bad_page_input_shows_the_error_summary_and_writes_nothing(project, pm, client):
    client.force_login(pm)
    response = client.post(
        "/portfolio/projects/MOB-1/benefits/add/", BENEFIT_FORM | {"realisation_end": "31/3/2013", "measure": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Say how it is measured" in page
    assert not Benefit.objects.exists()
    response = client.post("/portfolio/projects/MOB-1/benefits/add/", BENEFIT_FORM | {"realisation_end": "31/3/2013"})
    assert "Realisation must end on or after the day it starts." in response.content.decode()
    response = client.post("/portfolio/projects/MOB-1/milestones/add/", {"name": "Pilot", "baseline_date": "31/2/2014"})
    assert "Enter baseline date as a real date" in response.content.decode()
    assert not Benefit.objects.exists() and not Milestone.objects.exists()


def test_milestones_on_the_pages_show_slippage(project, pm, client):
    client.force_login(pm)
    client.post(
        "/portfolio/projects/MOB-1/milestones/add/",
        {"name": "Pilot", "baseline_date": "30/6/2014", "forecast_date": "", "achieved_date": ""},
    )
    milestone = Milestone.objects.get()
    client.post(
        f"/portfolio/projects/MOB-1/milestones/{milestone.pk}/change/",
        {
            "name": "Pilot",
            "baseline_date": "30/6/2014",
            "forecast_date": "14/7/2014",
            "version": "1",
            "reason": "Late kit",
        },
    )
    page = client.get("/portfolio/projects/MOB-1/").content.decode()
    assert "14 Jul 2014" in page and "+14" in page and "Late" in page


def test_the_programme_manager_amends_this_months_update_on_the_page(project, pm, client):
    update = _file(project, pm)
    client.force_login(pm)
    form = client.get("/portfolio/projects/MOB-1/status-update/amend/").content.decode()
    assert "On plan" in form and 'name="version" value="1"' in form
    response = client.post(
        "/portfolio/projects/MOB-1/status-update/amend/",
        {
            "dca": "red",
            "narrative": "Supplier failed",
            "milestones": "",
            "risks": "",
            "forecast_change": "",
            "version": "1",
        },
    )
    assert "Say why the update is being amended." in response.content.decode()
    client.post(
        "/portfolio/projects/MOB-1/status-update/amend/",
        {
            "dca": "red",
            "narrative": "Supplier failed",
            "forecast_change": "",
            "version": "1",
            "reason": "The supplier failed the test",
        },
    )
    update.refresh_from_db()
    assert (update.dca, update.amendment_reason) == ("red", "The supplier failed the test")
    page = client.get("/portfolio/projects/MOB-1/").content.decode()
    assert "Amended" in page and "The supplier failed the test" in page
    assert "As first filed" in page and "On plan" in page and "Priya Manning" in page


def test_another_programme_manager_gets_403_on_every_page(project, pm, other_pm, client):
    benefit = _benefit(project, pm)
    milestone = services.milestone_create(project=project, user=pm, name="Pilot", baseline_date=date(2014, 6, 30))
    _file(project, pm)
    client.force_login(other_pm)
    for url in [
        "/portfolio/projects/MOB-1/benefits/add/",
        f"/portfolio/projects/MOB-1/benefits/{benefit.pk}/change/",
        f"/portfolio/projects/MOB-1/benefits/{benefit.pk}/retire/",
        "/portfolio/projects/MOB-1/milestones/add/",
        f"/portfolio/projects/MOB-1/milestones/{milestone.pk}/change/",
        "/portfolio/projects/MOB-1/status-update/amend/",
    ]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"reason": "x", "version": "1"}).status_code == 403, url
    page = client.get("/portfolio/projects/MOB-1/").content.decode()
    assert "Add a benefit" not in page and "Amend this month" not in page


def test_no_update_filed_this_month_means_nothing_to_amend(project, pm, client):
    client.force_login(pm)
    assert client.get("/portfolio/projects/MOB-1/status-update/amend/").status_code == 404


def _grow(project, pm, n):
    for i in range(n):
        benefit = _benefit(project, pm, description=f"Benefit {i}")
        services.benefit_update(benefit=benefit, user=pm, version=1, target=f"Target {i}")
        services.milestone_create(project=project, user=pm, name=f"Milestone {i}", baseline_date=date(2014, 6, i + 1))
    services.benefit_retire(benefit=Benefit.objects.get(description="Benefit 0"), user=pm, version=2, reason="Gone")


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/portfolio/projects/MOB-1/", 19),  # with the contract events it depends on
        ("/portfolio/projects/MOB-1/benefits/add/", 9),
        ("/portfolio/projects/MOB-1/benefits/{benefit}/change/", 11),
        ("/portfolio/projects/MOB-1/benefits/{benefit}/retire/", 11),
        ("/portfolio/projects/MOB-1/milestones/add/", 9),
        ("/portfolio/projects/MOB-1/milestones/{milestone}/change/", 11),
        ("/portfolio/projects/MOB-1/status-update/amend/", 12),
    ],
)
def test_the_pages_cost_the_same_queries_at_two_sizes(project, pm, client, django_assert_num_queries, url, queries):
    benefit = _benefit(project, pm, description="The one changed")
    milestone = services.milestone_create(project=project, user=pm, name="The one", baseline_date=date(2014, 6, 30))
    update = _file(project, pm)
    services.status_update_amend(update=update, user=pm, version=1, reason="First fix", dca="red")
    url = url.format(benefit=benefit.pk, milestone=milestone.pk)
    client.force_login(pm)
    client.get(url)
    with django_assert_num_queries(queries) as small:
        assert client.get(url).status_code == 200
    _grow(project, pm, 5)
    for i in range(3):
        services.benefit_update(benefit=benefit, user=pm, version=1 + i, target=f"Round {i}")
        services.milestone_update(milestone=milestone, user=pm, version=1 + i, forecast_date=date(2014, 7, i + 1))
    _file(project, pm, month=selectors.reporting_month(_month()))
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


# --- the API ----------------------------------------------------------------------------------------------


@pytest.fixture
def api(role_user):
    def client_for(user_or_role):
        client = APIClient()
        client.force_authenticate(role_user(user_or_role) if isinstance(user_or_role, str) else user_or_role)
        return client

    return client_for


def _fields(response) -> set:
    return {error["field"] for error in response.json()["errors"]}


def test_the_programme_manager_writes_benefits_through_the_api(project, pm, other_pm, api):
    client = api(pm)
    body = {key: (str(value) if not isinstance(value, str) else value) for key, value in BENEFIT.items()}
    created = client.post(
        "/api/v1/portfolio/benefits/", body | {"project": "MOB-1", "is_disbenefit": True}, format="json"
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["project"], data["is_disbenefit"], data["baseline"], data["full_year_value"]) == (
        "MOB-1",
        True,
        "2.5 hours a shift",
        "1200000.00",
    )
    url = f"/api/v1/portfolio/benefits/{data['id']}/"
    assert client.patch(url, {"target": "x"}, format="json").json()["errors"][0]["field"] == "version"
    changed = client.patch(url, {"target": "50 minutes", "version": 1, "reason": "Pilot"}, format="json")
    assert (changed.status_code, changed.json()["target"], changed.json()["version"]) == (200, "50 minutes", 2)
    stale = client.patch(url, {"target": "y", "version": 1}, format="json")
    assert stale.status_code == 409 and _fields(stale) == {"version"}
    bad = client.patch(url, {"realisation_end": "2013-01-01", "version": 2}, format="json")
    assert bad.status_code == 400 and _fields(bad) == {"realisation_end"}
    # another programme manager: refused by the service
    assert api(other_pm).patch(url, {"target": "z", "version": 2}, format="json").status_code == 403
    assert (
        api(other_pm).post("/api/v1/portfolio/benefits/", body | {"project": "MOB-1"}, format="json").status_code == 403
    )
    retired = client.post(f"{url}retire/", {"reason": "Measured elsewhere", "version": 2}, format="json")
    assert retired.status_code == 200 and retired.json()["retired"] is True
    listed = api("board").get("/api/v1/portfolio/benefits/?project=MOB-1&retired=true").json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    assert Benefit.objects.get().target == "50 minutes"


def test_the_programme_manager_writes_milestones_through_the_api(project, pm, other_pm, api):
    client = api(pm)
    created = client.post(
        "/api/v1/portfolio/milestones/",
        {"project": "MOB-1", "name": "Pilot", "baseline_date": "2014-06-30", "forecast_date": "2014-07-14"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["slippage_days"], created.json()["state"]) == (14, "Late")
    url = f"/api/v1/portfolio/milestones/{created.json()['id']}/"
    achieved = client.patch(url, {"achieved_date": "2014-07-10", "version": 1}, format="json")
    assert (achieved.json()["state"], achieved.json()["slippage_days"]) == ("Achieved", 10)
    twice = client.post(
        "/api/v1/portfolio/milestones/",
        {"project": "MOB-1", "name": "PILOT", "baseline_date": "2014-06-30"},
        format="json",
    )
    assert twice.status_code == 400 and _fields(twice) == {"name"}
    assert api(other_pm).patch(url, {"name": "x", "version": 2}, format="json").status_code == 403
    assert api("board").patch(url, {"name": "x", "version": 2}, format="json").status_code == 403
    assert [
        row["name"] for row in api("board").get("/api/v1/portfolio/milestones/?project=MOB-1").json()["results"]
    ] == ["Pilot"]


def test_the_programme_manager_amends_this_months_update_through_the_api(project, pm, other_pm, api):
    update = _file(project, pm)
    url = f"/api/v1/portfolio/status-updates/{update.pk}/"
    client = api(pm)
    no_reason = client.patch(url, {"dca": "red", "version": 1}, format="json")
    assert no_reason.status_code == 400 and _fields(no_reason) == {"reason"}
    assert api(other_pm).patch(url, {"dca": "red", "reason": "x", "version": 1}, format="json").status_code == 403
    amended = client.patch(url, {"dca": "red", "reason": "Supplier failed", "version": 1}, format="json")
    assert amended.status_code == 200
    assert {key: amended.json()[key] for key in ("dca", "amended_by", "amendment_reason", "version")} == {
        "dca": "red",
        "amended_by": "pm1",
        "amendment_reason": "Supplier failed",
        "version": 2,
    }
    stale = client.patch(url, {"dca": "green", "reason": "x", "version": 1}, format="json")
    assert stale.status_code == 409
    assert client.put(url, {"dca": "green", "reason": "x", "version": 2}, format="json").status_code == 405


def test_a_sensitive_projects_benefits_and_milestones_are_withheld_from_the_api_consumer(pm, api):
    marked = ProjectFactory(code="SEC-1", programme_manager=pm, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    open_project = ProjectFactory(code="OPEN-1", programme_manager=pm)
    hidden = _benefit(marked, pm)
    own_mark = _benefit(open_project, pm, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    shown = _benefit(open_project, pm, description="Shown")
    milestone = services.milestone_create(project=marked, user=pm, name="Secret", baseline_date=date(2014, 6, 30))
    services.milestone_create(project=open_project, user=pm, name="Open", baseline_date=date(2014, 6, 30))
    consumer = api("api_consumer")
    assert [row["id"] for row in consumer.get("/api/v1/portfolio/benefits/").json()["results"]] == [shown.pk]
    assert [row["name"] for row in consumer.get("/api/v1/portfolio/milestones/").json()["results"]] == ["Open"]
    for url in [
        f"/api/v1/portfolio/benefits/{hidden.pk}/",
        f"/api/v1/portfolio/benefits/{own_mark.pk}/",
        f"/api/v1/portfolio/milestones/{milestone.pk}/",
    ]:
        assert consumer.get(url).status_code == 404, url
    assert consumer.get("/api/v1/portfolio/benefits/?project=SEC-1").json()["results"] == []
    # a reader with view_restricted sees them all
    assert len(api("board").get("/api/v1/portfolio/benefits/").json()["results"]) == 3


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/portfolio/benefits/?project=MOB-1", 2),  # the count, the page
        ("/api/v1/portfolio/milestones/?project=MOB-1", 2),  # the count, the page
        ("/api/v1/portfolio/status-updates/?project=MOB-1", 2),  # the count, the page
    ],
)
def test_the_api_lists_cost_the_same_queries_at_two_sizes(project, pm, api, django_assert_num_queries, url, queries):
    _benefit(project, pm)
    services.milestone_create(project=project, user=pm, name="First", baseline_date=date(2014, 6, 30))
    update = _file(project, pm)
    services.status_update_amend(update=update, user=pm, version=1, reason="Fix", dca="red")
    client = api(pm)
    client.get(url)
    with django_assert_num_queries(queries) as small:
        assert client.get(url).status_code == 200
    _grow(project, pm, 5)
    _file(project, pm, month=selectors.reporting_month(_month()))
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
