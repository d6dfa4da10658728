from django.core import mail
from django.core.management import call_command

from mps_ict.celery import app as celery_app
from portfolio.models import PortfolioSnapshot, StatusReminder
from portfolio.tasks import portfolio_snapshot_task, status_reminders_task


def test_nightly_snapshot_task_is_idempotent(portfolio_seed):
    # one year's programme, taken over every project and over the publication-safe ones
    assert portfolio_snapshot_task.delay("2013-03-01").get() == 2
    assert portfolio_snapshot_task.delay("2013-03-01").get() == 2
    assert PortfolioSnapshot.objects.filter(taken_on__year=2013).count() == 2
    portfolio_snapshot_task.delay("2013-03-02").get()
    assert PortfolioSnapshot.objects.filter(taken_on__year=2013).count() == 4


def test_reminder_task_emails_once(portfolio_seed):
    first = status_reminders_task.delay("2013-02-11").get()
    assert first > 0 and len(mail.outbox) == first
    assert status_reminders_task.delay("2013-02-11").get() == 0
    assert StatusReminder.objects.count() == first


def test_both_are_on_the_beat_schedule_and_stored(db):
    schedule = celery_app.conf.beat_schedule
    assert schedule["portfolio-nightly-snapshot"]["task"] == "portfolio.snapshot"
    assert schedule["portfolio-status-reminders"]["task"] == "portfolio.status_reminders"
    call_command("sync_beat_schedule", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from django_celery_beat.models import PeriodicTask

    stored = PeriodicTask.objects.get(name="portfolio-nightly-snapshot")
    assert (stored.crontab.hour, stored.crontab.minute) == ("1", "30")
