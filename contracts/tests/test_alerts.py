"""Contract alerts (issue 17 part 3): the decisions due within a window, on the board overview, its
API and its monthly email, and the owners' reminders (once per event and date)."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts import services
from contracts.choices import EventKind, EventStatus
from contracts.models import EventReminder
from contracts.selectors import alert_window, contract_alerts
from contracts.tasks import event_reminders_task
from contracts.tests.factories import ContractEventFactory, ContractFactory
from mps_ict.access import ADMIN, POLICY, Access
from mps_ict.marking import ProtectiveMarking
from reporting.services import board_summary_send

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 15)  # 2026/27 Q3 runs to 31 December 2026


def _event(due, *, marked=False, contract=None, **fields):
    contract = contract or ContractFactory(
        protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE if marked else ProtectiveMarking.OFFICIAL
    )
    return ContractEventFactory(contract=contract, due=due, **fields)


def _ids(rows):
    return [row.event_id for row in rows]


# --- the selector ---------------------------------------------------------------------------------


def test_this_quarter_runs_from_the_day_to_the_end_of_its_uk_financial_quarter(role_user):
    board = role_user("board", first_name="Ada", last_name="Board")
    last_day = _event(date(2026, 12, 31), kind=EventKind.EXTENSION_DECISION, owner=board)
    first_day = _event(TODAY)
    _event(date(2027, 1, 1))  # next quarter
    overdue = _event(date(2026, 11, 1))
    alerts = contract_alerts(user=board, today=TODAY, window="quarter")
    assert (alerts.start, alerts.end) == (TODAY, date(2026, 12, 31))
    assert alerts.label == "this quarter (Q3 2026/27, to 31 December 2026)"
    assert _ids(alerts.due) == [first_day.pk, last_day.pk]
    assert _ids(alerts.overdue) == [overdue.pk]
    row = alerts.due[1]
    assert (row.reference, row.title) == (last_day.contract.reference, last_day.contract.title)
    assert (row.kind, row.kind_label, row.owner, row.days_left) == (
        "extension_decision",
        "Extension decision",
        "Ada Board",
        46,
    )
    assert alerts.overdue[0].days_left == -14 and alerts.overdue[0].days_overdue == 14
    # the quarter's last day: the window is that one day
    assert contract_alerts(user=board, today=date(2027, 3, 31), window="quarter").end == date(2027, 3, 31)
    assert "Q4 2026/27, to 31 March 2027" in contract_alerts(user=board, today=date(2027, 1, 1), window="quarter").label


def test_a_window_of_days_and_what_is_left_out(role_user):
    board = role_user("board")
    inside = _event(TODAY + timedelta(days=30))
    _event(TODAY + timedelta(days=31))
    _event(TODAY + timedelta(days=5), status=EventStatus.DONE)
    _event(TODAY + timedelta(days=5), status=EventStatus.CANCELLED)
    _event(TODAY - timedelta(days=5), status=EventStatus.MISSED)  # not planned: not overdue either
    _event(TODAY + timedelta(days=5), retired_at=timezone.now())
    _event(TODAY - timedelta(days=5), contract=ContractFactory(retired_at=timezone.now()))
    alerts = contract_alerts(user=board, today=TODAY, window=30)
    assert alerts.end == date(2026, 12, 15)
    assert alerts.label == "the next 30 days (to 15 December 2026)"
    assert _ids(alerts.due) == [inside.pk] and alerts.overdue == ()
    assert contract_alerts(user=board, today=TODAY, window="1").label == "the next 1 day (to 16 November 2026)"


@pytest.mark.parametrize("value", ["0", "367", "-5", "soon", "", "3.5", "quarterly"])
def test_a_bad_window_is_refused_saying_what_is_allowed(value):
    with pytest.raises(ValueError, match=r'"quarter" or a number of days from 1 to 366'):
        alert_window(value)


def test_a_marked_contracts_events_are_withheld_without_view_restricted(role_user):
    published = _event(TODAY + timedelta(days=3))
    marked = _event(TODAY + timedelta(days=4), marked=True)
    marked_overdue = _event(TODAY - timedelta(days=4), marked=True)
    consumer = contract_alerts(user=role_user("api_consumer"), today=TODAY, window="quarter")
    assert _ids(consumer.due) == [published.pk] and consumer.overdue == ()
    assert consumer.withheld == 2
    assert consumer.withheld_sentence == "2 events of contracts marked OFFICIAL-SENSITIVE are withheld."
    board = contract_alerts(user=role_user("board"), today=TODAY, window="quarter")
    assert _ids(board.due) == [published.pk, marked.pk] and _ids(board.overdue) == [marked_overdue.pk]
    assert board.withheld == 0 and board.withheld_sentence == ""


def test_the_alerts_take_the_same_queries_however_many_events(role_user, django_assert_num_queries):
    board, consumer = role_user("board"), role_user("api_consumer")
    board.has_perm("x"), consumer.has_perm("x")  # the permission caches, as a request has them
    for size in (1, 25):
        for index in range(size):
            _event(TODAY + timedelta(days=index % 40), marked=index % 3 == 0, owner=board)
            _event(TODAY - timedelta(days=index + 1))
        with django_assert_num_queries(1):
            contract_alerts(user=board, today=TODAY, window="quarter")
        with django_assert_num_queries(2):  # and how many are withheld
            contract_alerts(user=consumer, today=TODAY, window=90)


# --- the board overview page and its API ----------------------------------------------------------


def test_the_board_sees_the_decisions_due_linked_to_their_contracts(client, role_user):
    board = role_user("board")
    today = timezone.localdate()
    due = _event(today + timedelta(days=10), kind=EventKind.NOTICE_DUE)
    overdue = _event(today - timedelta(days=3), kind=EventKind.RETENDER_START)
    client.force_login(board)
    html = client.get("/").content.decode()
    assert 'data-testid="contract-alerts"' in html and "Contract decisions due" in html
    assert f'href="/contracts/events/{due.pk}/"' in html
    assert f'href="/contracts/events/{overdue.pk}/"' in html
    assert 'data-testid="contract-alerts-due"' in html and 'data-testid="contract-alerts-overdue"' in html
    assert "this quarter (Q" in html
    # the window chosen: 30 days
    html = client.get("/", {"window": "30"}).content.decode()
    assert "the next 30 days (to" in html and '<option value="30" selected>' in html
    assert '<input type="hidden" name="window" value="30">' in html  # the "as at" form keeps it
    api = client.get("/api/v1/overview/", {"window": "30"}).json()["contract_alerts"]
    assert api["window"] == "30" and [row["event"] for row in api["due"]] == [due.pk]
    assert [row["event"] for row in api["overdue"]] == [overdue.pk]
    assert api["due"][0]["days_left"] == 10 and api["due"][0]["kind"] == "notice_due"


def test_as_at_a_past_day_the_alerts_count_from_that_day_with_the_events_as_they_stand(client, role_user):
    event = _event(date(2013, 4, 1))
    client.force_login(role_user("board"))
    html = client.get("/", {"as_at": "2013-03-15"}).content.decode()
    assert "this quarter (Q4 2012/13, to 31 March 2013)" in html
    assert "as they stand now" in html and 'data-testid="contract-alerts-as-at"' in html
    api = client.get("/api/v1/overview/", {"as_at": "2013-03-15", "window": "30"}).json()["contract_alerts"]
    assert api["start"] == "2013-03-15" and [row["event"] for row in api["due"]] == [event.pk]


@pytest.mark.parametrize("value", ["45", "abc", "0", "quarter'"])
def test_a_bad_window_on_the_page_is_named_and_the_default_shown(client, role_user, value):
    client.force_login(role_user("board"))
    response = client.get("/", {"window": value})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Choose the window from the list" in html
    assert 'href="#id_window"' in html
    assert "this quarter (Q" in html  # the default window


@pytest.mark.parametrize("value", ["abc", "0", "367"])
def test_a_bad_window_in_the_api_is_a_400_naming_it(client, role_user, value):
    client.force_login(role_user("board"))
    response = client.get("/api/v1/overview/", {"window": value})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "window" and "a number of days from 1 to 366" in error["message"]


def test_a_marked_contract_is_withheld_from_the_page_and_the_api(client, role_user):
    today = timezone.localdate()
    published = _event(today + timedelta(days=2))
    marked = _event(today + timedelta(days=2), marked=True)
    client.force_login(role_user("api_consumer"))
    html = client.get("/").content.decode()
    assert f"/contracts/events/{published.pk}/" in html
    assert f"/contracts/events/{marked.pk}/" not in html and marked.contract.reference not in html
    assert "1 event of contracts marked OFFICIAL-SENSITIVE is withheld." in html
    api = client.get("/api/v1/overview/").json()["contract_alerts"]
    assert [row["event"] for row in api["due"]] == [published.pk] and api["withheld"] == 1
    client.force_login(role_user("board"))
    api = client.get("/api/v1/overview/").json()["contract_alerts"]
    assert [row["event"] for row in api["due"]] == [published.pk, marked.pk] and api["withheld"] == 0


def test_a_reader_who_may_not_read_contract_events_does_not_see_the_section(client, role_user, monkeypatch):
    _event(timezone.localdate() + timedelta(days=2))
    # the policy as it would be were the register's events for administrators only
    monkeypatch.setitem(POLICY, "contracts:event-list", Access(read=frozenset({ADMIN})))
    client.force_login(role_user("board"))
    response = client.get("/", {"window": "abc"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Contract decisions due" not in html and "There is a problem" not in html
    assert client.get("/api/v1/overview/").json()["contract_alerts"] is None
    client.force_login(role_user("admin"))
    assert "Contract decisions due" in client.get("/").content.decode()


def _overview_queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_overview_takes_the_same_queries_however_many_events(client, role_user):
    board, consumer = role_user("board"), role_user("api_consumer")
    today = timezone.localdate()
    for user in (board, consumer):
        client.force_login(user)
        _event(today + timedelta(days=1), owner=board)
        small = _overview_queries(client)
        for index in range(20):
            _event(today + timedelta(days=index % 60), marked=index % 2 == 0, owner=board)
            _event(today - timedelta(days=index + 1), owner=consumer)
        assert _overview_queries(client) == small


# --- the monthly board email ------------------------------------------------------------------------


def test_the_board_email_lists_the_decisions_due_in_the_configured_window(role_user, settings):
    settings.CONTRACT_ALERT_WINDOW = 60
    role_user("board", email="board@example.invalid")
    today = timezone.localdate()
    due = _event(today + timedelta(days=59), kind=EventKind.EXIT)
    _event(today + timedelta(days=61))
    overdue = _event(today - timedelta(days=2), kind=EventKind.AWARD)
    marked = _event(today + timedelta(days=5), marked=True)
    assert board_summary_send(month=today) == 1
    body = mail.outbox[0].body
    assert "CONTRACT DECISIONS DUE" in body and "the next 60 days (to" in body
    assert f"{due.contract.reference} ({due.contract.title}), exit" in body and "in 59 days" in body
    assert f"{settings.SITE_URL}/contracts/events/{due.pk}/" in body
    assert f"{overdue.contract.reference} ({overdue.contract.title}), award" in body and "2 days overdue" in body
    assert marked.contract.reference in body  # every recipient may see marked records


def test_the_board_email_withholds_marked_contracts_as_it_withholds_other_marked_records(role_user):
    role_user("board", email="board@example.invalid")
    # an administrator took view_restricted from the board's group: the email is the publication version
    Group.objects.get(name="board").permissions.remove(Permission.objects.get(codename="view_restricted"))
    today = timezone.localdate()
    published = _event(today + timedelta(days=5))
    marked = _event(today + timedelta(days=6), marked=True)
    assert board_summary_send(month=today) == 1
    body = mail.outbox[0].body
    assert published.contract.reference in body
    assert marked.contract.reference not in body and f"/contracts/{marked.contract_id}/" not in body
    assert "1 event of contracts marked OFFICIAL-SENSITIVE is withheld." in body


def test_the_board_email_leaves_the_section_out_if_a_recipient_may_not_read_contract_events(role_user, monkeypatch):
    role_user("board", email="board@example.invalid")
    _event(timezone.localdate() + timedelta(days=5))
    monkeypatch.setitem(POLICY, "contracts:event-list", Access(read=frozenset({ADMIN})))
    assert board_summary_send(month=timezone.localdate()) == 1
    assert "CONTRACT DECISIONS DUE" not in mail.outbox[0].body


# --- the owners' reminders --------------------------------------------------------------------------


def test_each_owner_is_reminded_once_per_event_and_again_after_a_date_move(role_user):
    keeper = role_user("finance")
    owner = role_user("portfolio_office", email="owner@example.invalid")
    event = _event(TODAY + timedelta(days=settings.CONTRACT_REMINDER_DAYS), owner=owner)
    _event(TODAY + timedelta(days=settings.CONTRACT_REMINDER_DAYS + 5), owner=owner)  # not yet
    _event(TODAY + timedelta(days=3), owner=owner, status=EventStatus.DONE)
    _event(TODAY + timedelta(days=3), owner=owner, retired_at=timezone.now())
    _event(TODAY - timedelta(days=1), owner=owner)  # past its date: the board's overdue list, no reminder
    _event(TODAY + timedelta(days=3))  # nobody owns it
    _event(TODAY + timedelta(days=3), owner=role_user("board", email=""))  # no email
    assert event_reminders_task.delay(TODAY.isoformat()).get() == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.invalid"]
    assert event.contract.reference in message.subject and "notice due" in message.subject
    assert event.contract.title in message.body and "Notice due" in message.body
    assert f"{event.due.day} {event.due:%B %Y}" in message.body and "in 30 days" in message.body
    assert f"{settings.SITE_URL}/contracts/events/{event.pk}/" in message.body
    # a re-run (the next day too) sends nothing
    assert event_reminders_task.delay(TODAY.isoformat()).get() == 0
    assert event_reminders_task.delay((TODAY + timedelta(days=1)).isoformat()).get() == 0
    assert len(mail.outbox) == 1
    # the event moves to a new date: its owner is reminded of that date
    event.refresh_from_db()
    services.event_update(event=event, user=keeper, version=event.version, due=TODAY + timedelta(days=20))
    assert event_reminders_task.delay(TODAY.isoformat()).get() == 1
    assert len(mail.outbox) == 2 and "in 20 days" in mail.outbox[1].body
    assert sorted(EventReminder.objects.filter(event=event).values_list("due", flat=True)) == [
        TODAY + timedelta(days=20),
        TODAY + timedelta(days=30),
    ]


def test_an_owner_who_may_not_see_a_marked_contract_is_not_sent_its_event(role_user):
    consumer = role_user("api_consumer", email="consumer@example.invalid")
    board = role_user("board", email="board@example.invalid")
    _event(TODAY + timedelta(days=3), owner=consumer, marked=True)
    seen = _event(TODAY + timedelta(days=3), owner=board, marked=True)
    assert services.event_reminders_send(today=TODAY) == 1
    assert [message.to for message in mail.outbox] == [["board@example.invalid"]]
    assert list(EventReminder.objects.values_list("event", flat=True)) == [seen.pk]


def test_a_failed_send_is_not_recorded_so_the_next_run_tries_again(role_user, settings):
    owner = role_user("board", email="board@example.invalid")
    _event(TODAY + timedelta(days=3), owner=owner)
    settings.EMAIL_BACKEND = "tests_broken_email_backend"
    with pytest.raises(Exception):  # noqa: B017 - any delivery failure
        services.event_reminders_send(today=TODAY)
    assert not EventReminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.event_reminders_send(today=TODAY) == 1


def test_the_reminders_are_on_the_beat_schedule_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["contracts-event-reminders"]
    assert entry["task"] == "contracts.event_reminders"
    assert entry["schedule"].hour == {9} and entry["schedule"].day_of_month == set(range(1, 32))


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "CONTRACT_ALERT_WINDOW",
            "fortnight",
            'CONTRACT_ALERT_WINDOW must be "quarter" or a number of days from 1 to 366',
        ),
        ("CONTRACT_ALERT_WINDOW", "400", 'CONTRACT_ALERT_WINDOW must be "quarter" or a number of days from 1 to 366'),
        ("CONTRACT_REMINDER_DAYS", "0", "CONTRACT_REMINDER_DAYS must be a number of days from 1 to 366"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_it(variable, value, message):
    from mps_ict.tests.test_settings import run_manage

    result = run_manage("check", DEBUG="1", **{variable: value})
    assert result.returncode != 0 and message in result.stderr
