"""What depends on a contract event (issue 17 part 2): the savings initiatives and projects linked
to it through the audited service, shown both ways (event, contract, initiative, project pages),
the pounds of each year that depend on it, the what-if that moves an event's date, the marking,
and the query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from contracts import selectors, services
from contracts.choices import EventKind
from contracts.tests.factories import ContractEventFactory, ContractFactory
from mps_ict.conflicts import Conflict
from mps_ict.financial_years import FinancialYear
from mps_ict.marking import ProtectiveMarking
from portfolio.tests.factories import ProjectFactory
from savings.tests.factories import InitiativeFactory, SavingsProfileFactory

pytestmark = pytest.mark.django_db

Y13, Y14, Y15 = FinancialYear(2013), FinancialYear(2014), FinancialYear(2015)


def _initiative(reference: str | None = None, amounts=("2000000.00", "5000000.00", "8000000.00"), **fields):
    initiative = InitiativeFactory(**({"reference": reference} if reference else {}), **fields)
    for year, amount in zip((Y13, Y14, Y15), amounts, strict=True):
        SavingsProfileFactory(initiative=initiative, financial_year=year, planned_saving=Decimal(amount))
    return initiative


@pytest.fixture
def gen2():
    contract = ContractFactory(reference="GEN2", title="GEN2 technology services", end=date(2015, 12, 31))
    retender = ContractEventFactory(contract=contract, kind=EventKind.RETENDER_START, due=date(2013, 4, 1))
    notice = ContractEventFactory(contract=contract, kind=EventKind.NOTICE_DUE, due=date(2014, 12, 31))
    return {"contract": contract, "retender": retender, "notice": notice, "sm": _initiative("SAV-SM")}


def _link(event, user, initiatives=(), projects=(), **kwargs):
    event.refresh_from_db()
    return services.event_dependents_set(
        event=event, user=user, initiatives=initiatives, projects=projects, version=event.version, **kwargs
    )


def test_linking_writes_the_change_in_words_into_every_trail(role_user, gen2):
    finance = role_user("finance")
    project = ProjectFactory(code="TT-1", name="Total Technology")
    event = _link(gen2["retender"], finance, [gen2["sm"]], [project], reason="the re-tender carries the saving")
    assert list(event.initiatives.all()) == [gen2["sm"]] and list(event.projects.all()) == [project]
    assert event.version == 2
    reason = event.history.latest().history_change_reason
    assert (
        "savings initiatives now depending on it: SAV-SM" in reason and "projects now depending on it: TT-1" in reason
    )
    assert "GEN2 re-tender start of 1 April 2013" in reason and "(the re-tender carries the saving)" in reason
    assert event.history.latest().history_user == finance
    for record in (gen2["sm"], project):
        latest = record.history.latest()
        assert latest.history_change_reason.startswith("Now depends on GEN2 re-tender start of 1 April 2013")
        assert latest.history_user == finance
    # unlinking says so too; saving the same links again writes nothing
    event = _link(event, finance, [], [project])
    assert "savings initiatives no longer depending on it: SAV-SM" in event.history.latest().history_change_reason
    assert gen2["sm"].history.latest().history_change_reason.startswith("No longer depends on GEN2")
    count = event.history.count()
    assert _link(event, finance, [], [project]).history.count() == count


def test_the_link_service_refuses_what_it_must(role_user, gen2):
    finance, board = role_user("finance"), role_user("board")
    event = gen2["retender"]
    with pytest.raises(PermissionDenied):
        _link(event, board, [gen2["sm"]])
    with pytest.raises(Conflict):  # a stale version: somebody changed the event meanwhile
        services.event_dependents_set(event=event, user=finance, initiatives=[gen2["sm"]], projects=[], version=0)
    withdrawn = _initiative("SAV-OLD", withdrawn_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        _link(event, finance, [withdrawn])
    assert "SAV-OLD withdrawn from the plan" in str(error.value.message_dict["initiatives"])
    assert not event.initiatives.exists()


def test_a_keeper_without_view_restricted_can_neither_link_nor_unlink_a_marked_initiative(role_user, gen2):
    office = role_user("portfolio_office")
    marked = _initiative("SAV-SECRET", protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    event = _link(gen2["retender"], office, [marked, gen2["sm"]])  # the office may see it today
    group = office.groups.get()
    group.permissions.remove(Permission.objects.get(codename="view_restricted"))
    office = type(office).objects.get(pk=office.pk)
    with pytest.raises(ValidationError):
        _link(event, office, [marked])
    event = _link(event, office, [])  # unticks what they see: the marked link is kept
    assert list(event.initiatives.all()) == [marked]


def test_the_contract_page_gives_the_pounds_that_depend_on_each_event_and_the_what_if(client, role_user, gen2):
    finance = role_user("finance")
    _link(gen2["retender"], finance, [gen2["sm"]])
    client.force_login(role_user("board"))
    url = reverse("contracts:contract", args=[gen2["contract"].pk])
    response = client.get(url)
    timeline = response.context["timeline"]
    row = next(row for row in timeline.events if row.event == gen2["retender"])
    assert timeline.years == (Y13, Y14, Y15)
    assert row.by_year == (Decimal("2000000.00"), Decimal("5000000.00"), Decimal("8000000.00"))
    assert row.dependent_total == Decimal("15000000.00")
    page = response.content.decode()
    assert "£15,000,000 of savings depend on it" in page and 'data-chart="chart-timeline"' in page
    assert response.context["timeline_chart"]["data"][0]["y"] == [2.0, 5.0, 8.0]
    # the what-if: six months late
    response = client.get(url, {"event": gen2["retender"].pk, "moved_to": "2013-10-01"})
    move = response.context["timeline"].move
    assert move.months == 6 and move.landing_year == Y13
    assert [(y.year, y.planned, y.moved) for y in move.years] == [
        (Y13, Decimal("2000000.00"), Decimal("1000000.00")),
        (Y14, Decimal("5000000.00"), Decimal("3500000.00")),
        (Y15, Decimal("8000000.00"), Decimal("6500000.00")),
    ]
    assert move.lost == Decimal("4000000.00")
    page = response.content.decode()
    assert "starts the savings that depend on it 6 months later" in page
    assert "£4,000,000 of them move beyond 2015/16" in page
    gen2["retender"].refresh_from_db()
    assert gen2["retender"].due == date(2013, 4, 1)  # nothing saved
    # a year late lands in the next savings year
    move = client.get(url, {"event": gen2["retender"].pk, "moved_to": "2014-04-01"}).context["timeline"].move
    assert move.landing_year == Y14 and move.years[0].moved == 0


@pytest.mark.parametrize(
    "query, field",
    [
        ({"event": "999999", "moved_to": "2013-10-01"}, "event"),
        ({"event": "x", "moved_to": "2013-10-01"}, "event"),
        ({"moved_to": "2013-10-01"}, "event"),
        ({"event": "", "moved_to": "2013-10-01"}, "event"),
        ({"event": "{event}", "moved_to": "1 Oct"}, "moved_to"),
        ({"event": "{event}", "moved_to": "9999-12-31"}, "moved_to"),
        ({"event": "{event}", "moved_to": ""}, "moved_to"),
        ({"event": "{notice}", "moved_to": "2015-06-30"}, "event"),  # nothing depends on the notice
    ],
)
def test_a_bad_what_if_names_its_field_and_is_never_a_500(client, role_user, gen2, query, field):
    _link(gen2["retender"], role_user("finance"), [gen2["sm"]])
    client.force_login(role_user("board"))
    values = {key: value.format(event=gen2["retender"].pk, notice=gen2["notice"].pk) for key, value in query.items()}
    response = client.get(reverse("contracts:contract", args=[gen2["contract"].pk]), values)
    assert response.status_code == 200
    assert field in response.context["move_form"].errors
    assert response.context["timeline"].move is None
    assert "There is a problem" in response.content.decode()


def test_the_event_pages_link_to_the_what_if_chooses_the_event_without_an_error(client, role_user, gen2):
    _link(gen2["retender"], role_user("finance"), [gen2["sm"]])
    client.force_login(role_user("board"))
    response = client.get(reverse("contracts:contract", args=[gen2["contract"].pk]), {"event": gen2["retender"].pk})
    form = response.context["move_form"]
    assert not form.is_bound and form["event"].value() == str(gen2["retender"].pk)
    assert "There is a problem" not in response.content.decode()
    assert f'<option value="{gen2["retender"].pk}" selected>' in response.content.decode()


def test_the_links_show_both_ways(client, role_user, gen2):
    finance = role_user("finance")
    project = ProjectFactory(code="TT-1", name="Total Technology")
    _link(gen2["retender"], finance, [gen2["sm"]], [project])
    client.force_login(role_user("board"))
    event_page = client.get(reverse("contracts:event", args=[gen2["retender"].pk])).content.decode()
    assert reverse("savings:initiative", args=["SAV-SM"]) in event_page
    assert reverse("portfolio:project", args=["TT-1"]) in event_page and "£15,000,000" in event_page
    initiative = client.get(reverse("savings:initiative", args=["SAV-SM"]))
    rows = initiative.context["contract_events"]
    assert [(r.event, r.total) for r in rows] == [(gen2["retender"], Decimal("15000000.00"))]
    assert reverse("contracts:event", args=[gen2["retender"].pk]) in initiative.content.decode()
    project_page = client.get(reverse("portfolio:project", args=["TT-1"])).content.decode()
    assert reverse("contracts:event", args=[gen2["retender"].pk]) in project_page
    assert "GEN2 re-tender start of 1 Apr 2013" in project_page
    # a retired event leaves the pages that read what depends on it
    services.event_retire(event=gen2["retender"], user=finance, version=2, reason="entered twice")
    assert not client.get(reverse("savings:initiative", args=["SAV-SM"])).context["contract_events"]


def test_finance_says_what_depends_on_an_event_on_its_page(client, role_user, gen2):
    client.force_login(role_user("finance"))
    url = reverse("contracts:event-dependents", args=[gen2["retender"].pk])
    form = client.get(url).content.decode()
    assert "SAV-SM" in form
    response = client.post(url, {"initiatives": [gen2["sm"].pk], "version": 1, "reason": "the re-tender"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "contracts:event", args=[gen2["retender"].pk]
    )
    assert list(gen2["retender"].initiatives.all()) == [gen2["sm"]]
    # the same form again from the old version is refused, naming why, and writes nothing
    response = client.post(url, {"initiatives": [], "version": 1})
    assert response.status_code == 200 and "changed" in response.content.decode().lower()
    assert gen2["retender"].initiatives.exists()
    response = client.post(url, {"initiatives": ["not-a-number"], "version": 2})
    assert response.status_code == 200 and "initiatives" in response.context["form"].errors


def test_a_marked_record_on_either_side_of_a_link_reaches_no_reader_without_view_restricted(client, role_user, gen2):
    finance = role_user("finance")
    marked_initiative = _initiative(
        "SAV-HIDDEN", amounts=("1111111.00", "2222222.00", "3333333.00"), protective_marking="OFFICIAL-SENSITIVE"
    )
    _link(gen2["retender"], finance, [gen2["sm"], marked_initiative])
    secret_contract = ContractFactory(reference="SECRET-7", protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    secret_event = ContractEventFactory(contract=secret_contract, kind=EventKind.EXIT, due=date(2014, 4, 1))
    _link(secret_event, finance, [gen2["sm"]])
    reader = role_user("api_consumer")
    client.force_login(reader)
    pages = [
        reverse("contracts:contract", args=[gen2["contract"].pk]),
        reverse("contracts:event", args=[gen2["retender"].pk]),
        reverse("savings:initiative", args=["SAV-SM"]),
        reverse("contracts:contract", args=[gen2["contract"].pk]) + f"?event={gen2['retender'].pk}&moved_to=2013-10-01",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for secret in ("SAV-HIDDEN", "1,111,111", "2,222,222", "3,333,333", "SECRET-7", "£21,666,666"):
            assert secret not in page, (url, secret)
    assert client.get(reverse("contracts:event", args=[secret_event.pk])).status_code == 404
    # the sanity check: a reader with view_restricted sees both
    client.force_login(role_user("board"))
    assert "SAV-HIDDEN" in client.get(pages[0]).content.decode()
    assert "SECRET-7" in client.get(pages[2]).content.decode()


def _grow(contract, user, count: int):
    for index in range(count):
        event = ContractEventFactory(contract=contract, due=date(2013, 5 + index % 6, 1))
        _link(event, user, [_initiative() for _ in range(2)], [ProjectFactory()])


def test_the_contract_and_event_pages_cost_the_same_queries_as_links_grow(
    client, role_user, gen2, django_assert_num_queries
):
    finance = role_user("finance")
    _link(gen2["retender"], finance, [gen2["sm"]])
    _grow(gen2["contract"], finance, 1)
    client.force_login(role_user("board"))
    for name, url in (
        ("contract", reverse("contracts:contract", args=[gen2["contract"].pk])),
        ("event", reverse("contracts:event", args=[gen2["retender"].pk])),
        ("initiative", reverse("savings:initiative", args=["SAV-SM"])),
    ):
        client.get(url)
        with django_assert_num_queries(QUERIES[name]) as small:
            assert client.get(url).status_code == 200
        _grow(gen2["contract"], finance, 5)
        with django_assert_num_queries(len(small.captured_queries)):
            assert client.get(url).status_code == 200


QUERIES = {"contract": 14, "event": 12, "initiative": 13}


def test_the_selector_reads_the_timeline_in_four_queries(role_user, gen2, django_assert_num_queries):
    finance = role_user("finance")
    _grow(gen2["contract"], finance, 4)
    with django_assert_num_queries(4):
        timeline = selectors.contract_timeline(user=finance, contract=gen2["contract"])
    assert len(timeline.events) == 6 and sum(len(row.savings) for row in timeline.events) == 8


def test_the_event_list_page_filters_by_what_depends_on_an_event_as_far_as_the_reader_may_see(client, role_user, gen2):
    finance = role_user("finance")
    marked = _initiative("SAV-HIDDEN", protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    _link(gen2["retender"], finance, [gen2["sm"], marked])
    url = reverse("contracts:event-list")
    client.force_login(role_user("board"))  # may see marked records
    assert [e.pk for e in client.get(url, {"initiative": "SAV-HIDDEN"}).context["page"]] == [gen2["retender"].pk]
    assert [e.pk for e in client.get(url, {"initiative": "SAV-SM"}).context["page"]] == [gen2["retender"].pk]
    client.force_login(role_user("api_consumer"))  # may not: as if it did not exist
    assert list(client.get(url, {"initiative": "SAV-HIDDEN"}).context["page"]) == []
    assert list(client.get(url, {"initiative": "NOPE"}).context["page"]) == []
    assert [e.pk for e in client.get(url, {"initiative": "SAV-SM"}).context["page"]] == [gen2["retender"].pk]


def test_a_reason_of_any_length_is_kept_whole_in_the_trail(role_user, gen2):
    # a varchar(100) refused these on PostgreSQL: the reason is text
    finance = role_user("finance")
    reason = "The supplier asked for more time to agree the exit plan with the new provider. " * 4
    event = services.event_update(event=gen2["notice"], user=finance, version=1, reason=reason, due=date(2015, 1, 31))
    kept = event.history.latest().history_change_reason
    assert kept.strip() == reason.strip() and len(kept) > 300
