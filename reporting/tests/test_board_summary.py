"""The monthly board summary email: figures and links, to board members, once a month."""

from datetime import date

import pytest
from django.conf import settings
from django.core import mail

from reporting.models import BoardSummarySent
from reporting.tasks import board_summary_task

pytestmark = pytest.mark.django_db


def test_the_board_gets_one_summary_a_month_with_figures_and_links(all_seeds, role_user):
    role_user("finance", email="finance@example.invalid")
    assert board_summary_task.delay("2026-11-01").get() == 1
    assert board_summary_task.delay("2026-11-15").get() == 0  # same month: nothing more
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["board@example.invalid"]
    assert message.subject == "MPS ICT Tracker: board summary for November 2026"
    assert "£204m" in message.body and "£203.68m" in message.body
    assert "7330" in message.body and "£4,028,485 reported" in message.body
    assert f"{settings.SITE_URL}/savings/" in message.body and f"{settings.SITE_URL}/assembly/" in message.body
    # next month: another one
    assert board_summary_task.delay("2026-12-01").get() == 1
    assert len(mail.outbox) == 2
    assert list(BoardSummarySent.objects.values_list("month", flat=True)) == [date(2026, 12, 1), date(2026, 11, 1)]


def test_a_failed_send_is_tried_again_next_run(all_seeds, settings):
    settings.EMAIL_BACKEND = "tests_broken_email_backend"
    with pytest.raises(Exception):  # noqa: B017 - any delivery failure
        board_summary_task.delay("2026-11-01").get()
    assert not BoardSummarySent.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert board_summary_task.delay("2026-11-01").get() == 1


def test_the_summary_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["board-monthly-summary"]
    assert entry["task"] == "reporting.board_summary"
    assert entry["schedule"].day_of_month == {1}
