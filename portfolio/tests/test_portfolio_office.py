"""The portfolio office keeps the portfolio's structure (issue 14, part 1): programmes, projects,
SRO changes, approval gates, independent assessments and the savings a project enables, through
the services, the pages and the API, each refused to the roles the policy table refuses."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mps_ict.audit import history_entries
from mps_ict.conflicts import Conflict, StaleVersion
from portfolio import selectors, services
from portfolio.choices import Assessor, DcaRating, DcaScale, GateDecision, Stage
from portfolio.models import DeliveryConfidenceAssessment, Project, SroAssignment
from portfolio.tests.factories import ProgrammeFactory
from savings.tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def office(role_user):
    return role_user("portfolio_office")


def _project(office, **fields):
    values = {
        "code": "NEW-DC",
        "name": "Data centre consolidation",
        "programme": ProgrammeFactory(),
        "category": "Infrastructure",
        "budget_baseline": Decimal("4200000.00"),
        "stage": Stage.APPROVED,
        "priority": 2,
    }
    return services.project_create(user=office, **(values | fields))


# ------------------------------------------------------------------ roles through the policy table


def test_the_portfolio_office_may_add_projects_and_a_programme_manager_may_not(role_user):
    office, manager = role_user("portfolio_office"), role_user("programme_manager")
    with pytest.raises(PermissionDenied):
        _project(manager)
    assert _project(office).code == "NEW-DC"


# ------------------------------------------------------------------ services


def test_programme_create_and_update_from_the_version_read(office):
    programme = services.programme_create(user=office, name=" Estates ", description="Buildings")
    assert programme.name == "Estates"
    with pytest.raises(Conflict) as refused:
        services.programme_create(user=office, name="estates")
    assert "name" in refused.value.message_dict
    version = services.record_version(programme)
    services.programme_update(programme=programme, user=office, version=version, name="Estates and sites")
    with pytest.raises(StaleVersion):
        services.programme_update(programme=programme, user=office, version=version, name="Something else")
    programme.refresh_from_db()
    assert programme.name == "Estates and sites"


def test_project_create_with_its_first_sro_and_a_forecast_starting_at_the_baseline(office, role_user):
    manager = role_user("programme_manager")
    project = _project(office, programme_manager=manager, sro_name="Jane Doe", sro_started=date(2013, 4, 1))
    assert project.budget_forecast == Decimal("4200000.00")
    assert [(s.name, s.started, s.ended) for s in project.sro_assignments.all()] == [
        ("Jane Doe", date(2013, 4, 1), None)
    ]
    entry = history_entries(project)[0]
    assert entry.action == "Created" and entry.who == office.username


def test_project_create_refuses_bad_input_naming_the_field_and_writes_nothing(office, role_user):
    _project(office)
    with pytest.raises(Conflict) as refused:
        _project(office, code="new-dc")
    assert "code" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _project(office, code="OTHER", programme_manager=role_user("finance"))
    assert "is not a programme manager" in refused.value.message_dict["programme_manager"][0]
    with pytest.raises(ValidationError) as refused:
        _project(office, code="OTHER", budget_baseline=Decimal("-1.00"))
    assert "budget_baseline" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _project(office, code="OTHER", sro_name="Jane Doe")
    assert "sro_started" in refused.value.message_dict
    assert Project.objects.count() == 1


def test_project_update_retires_by_stage_and_refuses_a_stale_version(office):
    project = _project(office)
    version = services.record_version(project)
    services.project_update(
        project=project, user=office, version=version, stage=Stage.CANCELLED, reason="Replaced by the cloud move"
    )
    project.refresh_from_db()
    assert project.stage == Stage.CANCELLED
    entry = history_entries(project)[0]
    assert entry.reason == "Replaced by the cloud move"
    assert [(c.field, c.before, c.after) for c in entry.changes] == [("stage", Stage.APPROVED, Stage.CANCELLED)]
    with pytest.raises(StaleVersion):
        services.project_update(project=project, user=office, version=version, name="Renamed")
    with pytest.raises(ValidationError) as refused:
        services.project_update(project=project, user=office, version=None, name="Renamed")
    assert "version" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.project_update(
            project=project, user=office, version=services.record_version(project), is_illustrative=False
        )
    assert "is_illustrative" in refused.value.message_dict


def test_sro_change_closes_the_current_one_the_day_before_and_the_churn_follows(office, role_user):
    project = _project(office, sro_name="Jane Doe", sro_started=date(2013, 4, 1))
    services.sro_change(project=project, user=office, name="Sam Smith", started=date(2013, 9, 16), replaces="Jane Doe")
    assert [(s.name, s.started, s.ended) for s in selectors.project_sros(project=project)] == [
        ("Jane Doe", date(2013, 4, 1), date(2013, 9, 15)),
        ("Sam Smith", date(2013, 9, 16), None),
    ]
    reader = role_user("board")
    assert [(p.code, p.sro_count) for p in selectors.projects_with_most_sro_changes(user=reader)] == [("NEW-DC", 2)]
    listed = selectors.project_list(user=reader).get(code="NEW-DC")
    assert (listed.current_sro, listed.sro_count) == ("Sam Smith", 2)


def test_sro_change_refuses_a_date_before_the_current_one_started_and_a_stale_read(office):
    project = _project(office, sro_name="Jane Doe", sro_started=date(2013, 4, 1))
    for started in (date(2013, 4, 1), date(2013, 3, 1)):
        with pytest.raises(ValidationError) as refused:
            services.sro_change(project=project, user=office, name="Sam Smith", started=started)
        assert "Jane Doe has been SRO since 1 April 2013" in refused.value.message_dict["started"][0]
    with pytest.raises(ValidationError) as refused:
        services.sro_change(project=project, user=office, name="jane doe", started=date(2013, 5, 1))
    assert "already the SRO" in refused.value.message_dict["name"][0]
    with pytest.raises(StaleVersion):
        services.sro_change(project=project, user=office, name="Sam Smith", started=date(2013, 5, 1), replaces="")
    with pytest.raises(ValidationError) as refused:
        services.sro_change(project=project, user=office, name="Sam Smith", started=TODAY + timedelta(days=1))
    assert "started" in refused.value.message_dict
    assert SroAssignment.objects.get(project=project).ended is None


def test_gate_request_and_decide_and_the_lead_time_follows(office, role_user):
    project = _project(office)
    gate = services.gate_request(project=project, user=office, name="Full business case", requested=date(2013, 5, 1))
    with pytest.raises(ValidationError) as refused:
        services.gate_request(project=project, user=office, name="full business case", requested=date(2013, 5, 2))
    assert "already awaiting a decision" in refused.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as refused:
        services.gate_decide(gate=gate, user=office, decision=GateDecision.APPROVED, decided=date(2013, 4, 30))
    assert "cannot be before the request on 1 May 2013" in refused.value.message_dict["decided"][0]
    with pytest.raises(ValidationError) as refused:
        services.gate_decide(gate=gate, user=office, decision=GateDecision.PENDING, decided=date(2013, 6, 1))
    assert "decision" in refused.value.message_dict
    services.gate_decide(gate=gate, user=office, decision=GateDecision.APPROVED, decided=date(2013, 6, 10))
    gate.refresh_from_db()
    assert (gate.decision, gate.lead_time_days) == (GateDecision.APPROVED, 40)
    assert selectors.approval_lead_times(user=role_user("board")) == [
        {"gate": "Full business case", "decided": 1, "waiting": 0, "average_days": 40}
    ]
    with pytest.raises(Conflict) as refused:
        services.gate_decide(gate=gate, user=office, decision=GateDecision.REJECTED, decided=date(2013, 6, 11))
    assert "decided already on 10 June 2013" in refused.value.message_dict["decision"][0]


def test_an_independent_assessment_is_kept_apart_from_the_sros_own_in_the_dca_mix(office, role_user):
    project = _project(office, stage=Stage.IN_DELIVERY)
    DeliveryConfidenceAssessment.objects.create(
        project=project, assessed_on=date(2013, 6, 1), rating=DcaRating.GREEN, assessor=Assessor.SRO
    )
    services.assessment_record(
        project=project,
        user=office,
        assessed_on=date(2013, 7, 1),
        scale=DcaScale.FIVE_POINT,
        rating=DcaRating.AMBER_RED,
        assessor_name="IPA review team",
    )
    reader = role_user("board")
    mix = {value: count for value, _, count in selectors.dca_distribution(user=reader)}
    assert mix["green"] == 1 and mix["amber_red"] == 0  # the SRO's own stay the headline
    independent = {
        value: count for value, _, count in selectors.dca_distribution(user=reader, assessor=Assessor.INDEPENDENT)
    }
    assert independent["amber_red"] == 1 and independent["green"] == 0
    assert selectors.project_list(user=reader).get(pk=project.pk).latest_dca == "green"
    rows = selectors.project_assessments(project=project)
    assert [(r.assessed_on, r.sro and r.sro.rating, r.independent and r.independent.rating) for r in rows] == [
        (date(2013, 7, 1), None, "amber_red"),
        (date(2013, 6, 1), "green", None),
    ]


def test_an_assessment_on_the_three_point_scale_refuses_a_five_point_rating(office):
    project = _project(office)
    with pytest.raises(ValidationError) as refused:
        services.assessment_record(
            project=project,
            user=office,
            assessed_on=date(2013, 7, 1),
            scale=DcaScale.THREE_POINT,
            rating=DcaRating.AMBER_RED,
            assessor_name="IPA",
        )
    assert refused.value.message_dict["rating"] == ["Choose a rating on the three-point scale: Green, Amber, Red."]
    services.assessment_record(
        project=project,
        user=office,
        assessed_on=date(2013, 7, 1),
        scale=DcaScale.THREE_POINT,
        rating=DcaRating.RED,
        assessor_name="IPA",
    )
    with pytest.raises(Conflict):
        services.assessment_record(
            project=project,
            user=office,
            assessed_on=date(2013, 7, 1),
            scale=DcaScale.THREE_POINT,
            rating=DcaRating.AMBER,
            assessor_name="IPA",
        )


def test_a_marked_record_on_either_side_of_an_enables_link_is_counted_in_the_trails_never_named(office):
    # each trail is read by readers who may not see the other side of the link
    project = _project(office)
    marked = InitiativeFactory(reference="SAV-HIDDEN", protective_marking="OFFICIAL-SENSITIVE")
    open_one = InitiativeFactory(reference="SAV-OPEN")
    services.project_enables_set(
        project=project, user=office, initiatives=[marked, open_one], version=services.record_version(project)
    )
    reason = history_entries(project)[0].reason
    assert reason == "Savings initiatives: NEW-DC now enables SAV-OPEN, 1 marked OFFICIAL-SENSITIVE"
    secret_project = _project(office, code="SECRET-P", protective_marking="OFFICIAL-SENSITIVE")
    services.project_enables_set(
        project=secret_project, user=office, initiatives=[open_one], version=services.record_version(secret_project)
    )
    assert history_entries(open_one)[0].reason == "Now enabled by a project marked OFFICIAL-SENSITIVE"
    assert "SECRET-P" not in " ".join(entry.reason for entry in history_entries(open_one))


def test_project_enables_set_is_audited_in_words_on_both_records(office):
    project = _project(office)
    first, second = InitiativeFactory(reference="SAV-DC"), InitiativeFactory(reference="SAV-NET")
    services.project_enables_set(
        project=project,
        user=office,
        initiatives=[first, second],
        version=services.record_version(project),
        reason="Board decision",
    )
    assert set(project.enables.values_list("reference", flat=True)) == {"SAV-DC", "SAV-NET"}
    assert (
        history_entries(project)[0].reason == "Savings initiatives: NEW-DC now enables SAV-DC, SAV-NET (Board decision)"
    )
    assert (
        history_entries(first)[0].reason == "Now enabled by project NEW-DC Data centre consolidation (Board decision)"
    )
    services.project_enables_set(
        project=project, user=office, initiatives=[second], version=services.record_version(project)
    )
    assert history_entries(project)[0].reason == "Savings initiatives: NEW-DC no longer enables SAV-DC"
    assert history_entries(first)[0].reason == "No longer enabled by project NEW-DC Data centre consolidation"
    assert list(second.enabled_by_projects.values_list("code", flat=True)) == ["NEW-DC"]
    with pytest.raises(StaleVersion):
        services.project_enables_set(project=project, user=office, initiatives=[], version=1)


# ------------------------------------------------------------------ pages


PROJECT_FORM = {
    "code": "NEW-DC",
    "name": "Data centre consolidation",
    "category": "Infrastructure",
    "stage": "approved",
    "priority": "2",
    "budget_baseline": "£4,200,000",
    "budget_forecast": "",
    "protective_marking": "OFFICIAL",
    "sro_name": "Jane Doe",
    "sro_role_title": "Director of Technology",
    "sro_started": "1/4/2013",
    "reason": "",
}


def test_the_portfolio_office_adds_a_project_with_its_sro_from_the_page(office, role_user, client):
    programme, manager = ProgrammeFactory(), role_user("programme_manager")
    client.force_login(office)
    assert client.get("/portfolio/add-project/").status_code == 200
    response = client.post(
        "/portfolio/add-project/", PROJECT_FORM | {"programme": programme.pk, "programme_manager": manager.pk}
    )
    assert response.status_code == 302 and response["Location"] == "/portfolio/projects/NEW-DC/"
    project = Project.objects.get(code="NEW-DC")
    assert (project.programme, project.programme_manager, project.budget_forecast) == (
        programme,
        manager,
        Decimal("4200000.00"),
    )
    page = client.get("/portfolio/projects/NEW-DC/").content.decode()
    assert "Jane Doe (Director of Technology)" in page
    assert "Change the SRO" in page and "Record an independent assessment" in page


def test_the_project_form_shows_errors_naming_the_field_and_writes_nothing(office, role_user, client):
    programme = ProgrammeFactory()
    client.force_login(office)
    data = PROJECT_FORM | {"programme": programme.pk, "name": "", "programme_manager": role_user("finance").pk}
    response = client.post("/portfolio/add-project/", data)
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Enter the project&#x27;s name." in page
    assert "Select a valid choice" in page  # a finance user is not offered as a programme manager
    data = PROJECT_FORM | {"programme": programme.pk, "sro_started": "31/2/2013"}
    page = client.post("/portfolio/add-project/", data).content.decode()
    assert "as a real date" in page
    assert not Project.objects.exists()


def test_a_change_to_the_project_from_a_stale_page_is_refused_not_overwritten(office, client):
    project = _project(office)
    client.force_login(office)
    version = services.record_version(project)
    services.project_update(project=project, user=office, version=version, name="Renamed meanwhile")
    data = PROJECT_FORM | {
        "programme": project.programme_id,
        "name": "My name",
        "budget_forecast": "4200000",
        "version": version,
    }
    page = client.post("/portfolio/projects/NEW-DC/change/", data).content.decode()
    assert "Somebody else changed project NEW-DC while you were editing" in page
    project.refresh_from_db()
    assert project.name == "Renamed meanwhile"


def test_the_office_pages_change_the_sro_request_and_decide_a_gate_and_record_an_assessment(office, client):
    project = _project(office, sro_name="Jane Doe", sro_started=date(2013, 4, 1))
    client.force_login(office)
    url = "/portfolio/projects/NEW-DC/"
    page = client.post(url + "sro/", {"name": "Sam Smith", "started": "1/4/2013", "replaces": "Jane Doe"})
    assert "Jane Doe has been SRO since 1 April 2013" in page.content.decode()
    assert (
        client.post(url + "sro/", {"name": "Sam Smith", "started": "16/9/2013", "replaces": "Jane Doe"}).status_code
        == 302
    )
    assert (
        client.post(url + "gates/request/", {"name": "Full business case", "requested": "1/5/2013"}).status_code == 302
    )
    gate = project.gates.get()
    page = client.post(url + f"gates/{gate.pk}/decide/", {"decision": "approved", "decided": "30/4/2013"})
    assert "cannot be before the request on 1 May 2013" in page.content.decode()
    assert (
        client.post(url + f"gates/{gate.pk}/decide/", {"decision": "approved", "decided": "10/6/2013"}).status_code
        == 302
    )
    data = {"assessed_on": "1/7/2013", "scale": "five_point", "rating": "amber_red", "assessor_name": "IPA review"}
    assert client.post(url + "independent-assessment/", data).status_code == 302
    page = client.get(url).content.decode()
    assert "Sam Smith" in page and "15 Sep 2013" in page
    assert ">40<" in page  # the gate's lead time in days
    assert "IPA review (five-point)" in page and "Amber/Red</strong>" in page


def test_the_enables_page_ticks_initiatives_and_both_pages_say_so(office, client, role_user):
    project = _project(office)
    InitiativeFactory(reference="SAV-DC")
    withheld = InitiativeFactory(reference="SAV-SECRET", protective_marking="OFFICIAL-SENSITIVE")
    client.force_login(office)
    page = client.get("/portfolio/projects/NEW-DC/enables/").content.decode()
    assert "SAV-DC" in page
    dc = project.enables.model.objects.get(reference="SAV-DC")
    response = client.post(
        "/portfolio/projects/NEW-DC/enables/",
        {"initiatives": [dc.pk], "version": services.record_version(project), "reason": "Board decision"},
    )
    assert response.status_code == 302
    assert "Now enabled by project NEW-DC" in client.get("/savings/initiatives/SAV-DC/").content.decode()
    assert "NEW-DC now enables SAV-DC (Board decision)" in client.get("/portfolio/projects/NEW-DC/").content.decode()
    # the initiative page lists its enabling project, as it did
    assert "/portfolio/projects/NEW-DC/" in client.get("/savings/initiatives/SAV-DC/").content.decode()
    assert withheld.reference not in client.get("/portfolio/projects/NEW-DC/").content.decode()


def test_links_to_change_are_shown_only_to_those_who_may_write(office, role_user, client):
    _project(office)
    for role, shown in (("board", False), ("programme_manager", False), ("finance", False), ("portfolio_office", True)):
        client.force_login(role_user(role))
        page = client.get("/portfolio/projects/NEW-DC/").content.decode()
        assert ("Change the SRO" in page) is shown, role
        assert (client.get("/portfolio/projects/NEW-DC/sro/").status_code == 200) is shown, role
        assert ("Add a project" in client.get("/portfolio/projects/").content.decode()) is shown, role


def _grow(project, office, n, start=0):
    for i in range(start, start + n):
        started = date(2010, 1, 1) + timedelta(days=30 * (i + 1))
        services.sro_change(project=project, user=office, name=f"SRO {i}", started=started)
        services.gate_request(project=project, user=office, name=f"Gate {i}", requested=started)
        services.assessment_record(
            project=project,
            user=office,
            assessed_on=started,
            scale=DcaScale.FIVE_POINT,
            rating=DcaRating.AMBER,
            assessor_name="IPA",
        )
        ProgrammeFactory()
        InitiativeFactory()


QUERIES = {
    "/portfolio/projects/NEW-DC/": 18,  # with the contract events it depends on
    "/portfolio/programmes/": 7,
    "/portfolio/add-project/": 6,
    "/portfolio/projects/NEW-DC/change/": 13,
    "/portfolio/projects/NEW-DC/sro/": 11,
    "/portfolio/projects/NEW-DC/gates/request/": 9,
    "/portfolio/projects/NEW-DC/independent-assessment/": 9,
    "/portfolio/projects/NEW-DC/enables/": 12,
}


@pytest.mark.parametrize(
    "path",
    [
        "/portfolio/projects/NEW-DC/",
        "/portfolio/programmes/",
        "/portfolio/add-project/",
        "/portfolio/projects/NEW-DC/change/",
        "/portfolio/projects/NEW-DC/sro/",
        "/portfolio/projects/NEW-DC/gates/request/",
        "/portfolio/projects/NEW-DC/independent-assessment/",
        "/portfolio/projects/NEW-DC/enables/",
    ],
)
def test_the_office_pages_cost_the_same_queries_at_two_sizes(office, client, django_assert_num_queries, path):
    project = _project(office)
    _grow(project, office, 1)
    client.force_login(office)
    client.get(path)  # the session and the user's groups are warm for both counts
    with django_assert_num_queries(QUERIES[path]) as small:
        assert client.get(path).status_code == 200
    _grow(project, office, 5, start=1)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(path).status_code == 200


# ------------------------------------------------------------------ the API


@pytest.fixture
def api(role_user):
    from rest_framework.test import APIClient

    def client_for(user_or_role):
        client = APIClient()
        client.force_authenticate(role_user(user_or_role) if isinstance(user_or_role, str) else user_or_role)
        return client

    return client_for


def test_the_api_adds_and_changes_a_programme_and_a_project_through_the_services(api, office, role_user):
    client = api(office)
    response = client.post("/api/v1/portfolio/programmes/", {"name": "Estates"}, format="json")
    assert response.status_code == 201, response.data
    programme = response.json()
    manager = role_user("programme_manager", username="pm-api")
    data = {
        "code": "API-1",
        "name": "From the API",
        "programme": "Estates",
        "category": "Infrastructure",
        "budget_baseline": "1000000.00",
        "programme_manager": "pm-api",
        "sro_name": "Jane Doe",
        "sro_started": "2013-04-01",
    }
    response = client.post("/api/v1/portfolio/projects/", data, format="json")
    assert response.status_code == 201, response.data
    body = response.json()
    assert (body["programme_manager"], body["current_sro"], body["budget_forecast"]) == (
        manager.username,
        "Jane Doe",
        "1000000.00",
    )
    response = client.patch(
        "/api/v1/portfolio/projects/API-1/", {"stage": "cancelled", "version": body["version"]}, format="json"
    )
    assert response.status_code == 200 and response.json()["stage"] == "cancelled"
    stale = client.patch("/api/v1/portfolio/projects/API-1/", {"name": "X", "version": body["version"]}, format="json")
    assert stale.status_code == 409 and "version" in str(stale.json())
    renamed = client.patch(
        f"/api/v1/portfolio/programmes/{programme['id']}/",
        {"name": "Estates and sites", "version": programme["version"]},
        format="json",
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Estates and sites"


def test_the_api_errors_name_the_field(api, office, role_user):
    client = api(office)
    ProgrammeFactory(name="Estates")
    role_user("finance", username="fin-api")
    base = {"code": "API-1", "name": "X", "programme": "Estates", "category": "C", "budget_baseline": "1"}
    for extra, field in (
        ({"programme": "Nowhere"}, "programme"),
        ({"programme_manager": "fin-api"}, "programme_manager"),
        ({"programme_manager": "nobody"}, "programme_manager"),
        ({"budget_baseline": "-5"}, "budget_baseline"),
        ({"stage": "finished"}, "stage"),
    ):
        response = client.post("/api/v1/portfolio/projects/", base | extra, format="json")
        assert response.status_code == 400, (extra, response.data)
        assert field in str(response.json()), (extra, response.json())
    assert not Project.objects.exists()


def test_the_api_records_sro_changes_gates_assessments_and_enables(api, office):
    project = _project(office, sro_name="Jane Doe", sro_started=date(2013, 4, 1))
    InitiativeFactory(reference="SAV-DC")
    client = api(office)
    url = "/api/v1/portfolio/projects/NEW-DC/"
    refused = client.post(url + "sro-changes/", {"name": "Sam", "started": "2013-03-01"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "started"
    response = client.post(
        url + "sro-changes/", {"name": "Sam Smith", "started": "2013-09-16", "replaces": "Jane Doe"}, format="json"
    )
    assert response.status_code == 201 and response.json()["started"] == "2013-09-16"
    response = client.post(url + "gates/", {"name": "Full business case", "requested": "2013-05-01"}, format="json")
    assert response.status_code == 201
    gate = response.json()["id"]
    response = client.post(
        url + f"gates/{gate}/decide/", {"decision": "approved", "decided": "2013-06-10"}, format="json"
    )
    assert response.status_code == 200 and response.json()["lead_time_days"] == 40
    again = client.post(url + f"gates/{gate}/decide/", {"decision": "rejected", "decided": "2013-06-11"}, format="json")
    assert again.status_code == 409
    assert (
        client.post(
            url + "gates/999/decide/", {"decision": "approved", "decided": "2013-06-10"}, format="json"
        ).status_code
        == 404
    )
    data = {"assessed_on": "2013-07-01", "scale": "five_point", "rating": "amber_red", "assessor_name": "IPA"}
    response = client.post(url + "assessments/", data, format="json")
    assert response.status_code == 201 and response.json()["assessor"] == "independent"
    version = services.record_version(project)
    response = client.put(url + "enables/", {"initiatives": ["SAV-DC"], "version": version}, format="json")
    assert response.status_code == 200 and response.json()["initiatives"] == ["SAV-DC"]
    unknown = client.put(
        url + "enables/", {"initiatives": ["NOPE"], "version": response.json()["version"]}, format="json"
    )
    assert unknown.status_code == 400 and "initiatives" in str(unknown.json())


def test_a_programme_manager_may_not_write_and_a_sensitive_project_never_shows_to_the_api_consumer(api, office):
    _project(office)
    _project(office, code="SECRET-1", protective_marking="OFFICIAL-SENSITIVE")
    manager = api("programme_manager")
    assert manager.post("/api/v1/portfolio/programmes/", {"name": "X"}, format="json").status_code == 403
    assert manager.post("/api/v1/portfolio/projects/NEW-DC/sro-changes/", {}, format="json").status_code == 403
    consumer = api("api_consumer")
    listed = consumer.get("/api/v1/portfolio/projects/").json()
    assert "SECRET-1" not in str(listed) and "NEW-DC" in str(listed)
    assert consumer.get("/api/v1/portfolio/projects/SECRET-1/").status_code == 404
    programmes = consumer.get("/api/v1/portfolio/programmes/").json()
    assert "SECRET-1" not in str(programmes)
    # the office holds view_restricted, so it sees (and keeps) the marked project
    assert api(office).get("/api/v1/portfolio/projects/SECRET-1/").status_code == 200


API_QUERIES = {"/api/v1/portfolio/programmes/": 2, "/api/v1/portfolio/projects/": 2}


@pytest.mark.parametrize("path", ["/api/v1/portfolio/programmes/", "/api/v1/portfolio/projects/"])
def test_the_office_api_lists_cost_the_same_queries_at_two_sizes(api, office, django_assert_num_queries, path):
    project = _project(office)
    _grow(project, office, 1)
    client = api(office)
    client.get(path)
    with django_assert_num_queries(API_QUERIES[path]) as small:
        assert client.get(path).status_code == 200
    _grow(project, office, 5, start=1)
    _project(office, code="MORE-1")
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(path).status_code == 200
