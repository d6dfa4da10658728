"""Finance are reminded, once a quarter, of the initiatives with no actual submitted for the last quarter."""

from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from mps_ict.celery import app as celery_app
from mps_ict.financial_years import FinancialYear
from mps_ict.marking import EVERY_RECORD, ProtectiveMarking
from savings import services
from savings.choices import ActualStatus
from savings.models import ActualReminder, QuarterClosure
from savings.tasks import actual_reminders_task
from savings.tests.factories import (
    CategoryFactory,
    InitiativeFactory,
    QuarterlyActualFactory,
    SavingsPlanFactory,
)

pytestmark = pytest.mark.django_db

Q1_LINK = f"{settings.SITE_URL}/savings/actuals/2014/q1/"


@pytest.fixture
def plan():
    """A plan for 2013/14 to 2015/16 with six initiatives, whose 2014/15 Q1 actuals are: approved,
    submitted, a draft, returned, none, and one submitted for another quarter only."""
    plan = SavingsPlanFactory()
    network = CategoryFactory(plan=plan, name="Network", position=1)
    telephony = CategoryFactory(plan=plan, name="Telephony", position=2)
    initiatives = {
        "approved": InitiativeFactory(category=network, reference="SAV-APPROVED", description="Approved one"),
        "submitted": InitiativeFactory(category=network, reference="SAV-SUBMITTED", description="Submitted one"),
        "draft": InitiativeFactory(category=network, reference="SAV-DRAFT", description="Still a draft"),
        "returned": InitiativeFactory(category=telephony, reference="SAV-RETURNED", description="Sent back"),
        "none": InitiativeFactory(category=telephony, reference="SAV-NONE", description="Nothing entered"),
        "elsewhere": InitiativeFactory(category=telephony, reference="SAV-ELSEWHERE", description="Other quarter"),
    }
    for key in ("approved", "submitted", "draft", "returned"):
        QuarterlyActualFactory(initiative=initiatives[key], financial_year=FinancialYear(2014), quarter=1, status=key)
    QuarterlyActualFactory(
        initiative=initiatives["elsewhere"], financial_year=FinancialYear(2013), quarter=4, status="submitted"
    )
    plan.initiatives = initiatives
    return plan


@pytest.fixture
def finance(role_user):
    """One finance user who should hear; one inactive and one without an email, who cannot."""
    role_user("finance", is_active=False)
    role_user("finance", email="")
    return role_user("finance", email="fiona@example.invalid")


def test_finance_are_reminded_of_exactly_the_initiatives_without_a_submitted_actual(plan, finance, role_user):
    board = role_user("board", email="board@example.invalid")
    programme_manager = role_user("programme_manager", email="pm@example.invalid")
    # when the task runs on 2 July 2014, the last complete quarter being 2014/15 Q1
    assert services.actual_reminders_send(today=date(2014, 7, 2)) == 4
    # then one email goes to the finance user who can receive it, and to no one else
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["fiona@example.invalid"]
    assert board.email not in message.to and programme_manager.email not in message.to
    assert message.subject == "Savings actuals for 2014/15 Q1: 4 initiatives not submitted"
    # listing the draft, the returned, the missing and the one submitted only for another quarter
    listed = [line for line in message.body.splitlines() if line.startswith("- ")]
    assert listed == [
        "- SAV-DRAFT: Still a draft",
        "- SAV-ELSEWHERE: Other quarter",
        "- SAV-NONE: Nothing entered",
        "- SAV-RETURNED: Sent back",
    ]
    assert "SAV-APPROVED" not in message.body and "SAV-SUBMITTED" not in message.body
    assert "2014/15 Q1 ended on 30 June 2014" in message.body
    assert Q1_LINK in message.body
    reminder = ActualReminder.objects.get()
    assert (reminder.period.label, reminder.recipients, reminder.initiative_count) == (
        "2014/15 Q1",
        "fiona@example.invalid",
        4,
    )


def test_a_rerun_in_the_same_quarter_sends_nothing_and_the_next_quarter_sends_again(plan, finance):
    assert services.actual_reminders_send(today=date(2014, 7, 2)) == 4
    # later in the quarter, with a second finance user: nothing more
    assert services.actual_reminders_send(today=date(2014, 7, 3)) == 0
    assert services.actual_reminders_send(today=date(2014, 9, 30)) == 0
    assert len(mail.outbox) == 1
    # the next quarter: every initiative lacks a 2014/15 Q2 actual
    assert services.actual_reminders_send(today=date(2014, 10, 1)) == 6
    assert len(mail.outbox) == 2
    assert "2014/15 Q2" in mail.outbox[1].subject
    assert f"{settings.SITE_URL}/savings/actuals/2014/q2/" in mail.outbox[1].body
    assert sorted(r.period.label for r in ActualReminder.objects.all()) == ["2014/15 Q1", "2014/15 Q2"]


def test_a_quarter_runs_into_the_next_financial_year(plan, finance):
    # on 15 April 2015 the last complete quarter is 2014/15 Q4 (January to March 2015)
    assert services.actual_reminders_send(today=date(2015, 4, 15)) == 6
    assert mail.outbox[0].subject.startswith("Savings actuals for 2014/15 Q4")


def test_nothing_in_hand_to_ask_for_sends_and_records_nothing_until_something_is(plan, finance):
    # given every 2014/15 Q1 actual is submitted or approved
    for initiative in plan.initiatives.values():
        actual = initiative.actuals.filter(financial_year=FinancialYear(2014), quarter=1).first()
        if actual is None:
            QuarterlyActualFactory(
                initiative=initiative, financial_year=FinancialYear(2014), quarter=1, status="submitted"
            )
        elif actual.status != ActualStatus.APPROVED:
            actual.status = ActualStatus.SUBMITTED
            actual.save()
    assert services.actual_reminders_send(today=date(2014, 7, 2)) == 0
    assert not mail.outbox and not ActualReminder.objects.exists()
    # when a checker returns one, the next run reminds finance of it (the quarter was not marked done)
    plan.initiatives["none"].actuals.filter(quarter=1).update(status=ActualStatus.RETURNED)
    assert services.actual_reminders_send(today=date(2014, 7, 20)) == 1
    assert mail.outbox[0].subject == "Savings actuals for 2014/15 Q1: 1 initiative not submitted"


def test_no_finance_user_to_tell_sends_and_records_nothing(plan, role_user):
    role_user("board", email="board@example.invalid")
    role_user("finance", email="")
    assert services.actual_reminders_send(today=date(2014, 7, 2)) == 0
    assert not mail.outbox and not ActualReminder.objects.exists()


def test_a_closed_quarter_or_one_outside_the_plan_is_not_asked_for(plan, finance):
    QuarterClosure.objects.create(plan=plan, financial_year=FinancialYear(2014), quarter=1, closed_by=finance)
    assert services.actual_reminders_send(today=date(2014, 7, 2)) == 0
    # the plan runs 2013/14 to 2015/16: nothing is asked for before it or after it
    assert services.actual_reminders_send(today=date(2013, 4, 2)) == 0  # 2012/13 Q4
    assert services.actual_reminders_send(today=date(2016, 4, 2)) == 6  # 2015/16 Q4 is asked for
    assert services.actual_reminders_send(today=date(2016, 7, 2)) == 0  # 2016/17 Q1 is not
    assert [r.period.label for r in ActualReminder.objects.all()] == ["2015/16 Q4"]
    assert len(mail.outbox) == 1


def test_sensitive_initiatives_are_listed_only_if_every_recipient_may_see_them(plan, finance, monkeypatch):
    sensitive = plan.initiatives["none"]
    sensitive.protective_marking = ProtectiveMarking.OFFICIAL_SENSITIVE
    sensitive.save()
    # finance hold view_restricted, so they see it
    assert services.actual_reminders_send(today=date(2014, 7, 2)) == 4
    assert "SAV-NONE" in mail.outbox[0].body
    # were a recipient without it, the email would leave it out and say so
    monkeypatch.setattr("mps_ict.marking.can_view_restricted", lambda user: user is EVERY_RECORD)
    assert services.actual_reminders_send(today=date(2014, 10, 2)) == 5
    body = mail.outbox[1].body
    assert "SAV-NONE" not in body
    assert "1 more marked OFFICIAL-SENSITIVE is not listed" in body


def test_a_failed_send_records_nothing_and_the_next_run_tries_again(plan, finance, settings):
    settings.EMAIL_BACKEND = "tests_broken_email_backend"
    with pytest.raises(Exception):  # noqa: B017 - any delivery failure
        services.actual_reminders_send(today=date(2014, 7, 2))
    assert not ActualReminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.actual_reminders_send(today=date(2014, 7, 2)) == 4


def test_the_task_runs_eagerly_and_is_idempotent(plan, finance):
    assert actual_reminders_task.delay("2014-07-02").get() == 4
    assert actual_reminders_task.delay("2014-07-02").get() == 0
    assert len(mail.outbox) == 1


def test_the_task_defaults_to_today(plan, finance, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: date(2014, 7, 2))
    assert actual_reminders_task.delay().get() == 4


def test_the_task_is_on_the_beat_schedule_and_found_by_autodiscovery():
    entry = settings.CELERY_BEAT_SCHEDULE["savings-actual-reminders"]
    assert entry["task"] == "savings.actual_reminders"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({9}, {15})
    celery_app.loader.import_default_modules()  # what a worker does when it starts
    assert "savings.actual_reminders" in celery_app.tasks
