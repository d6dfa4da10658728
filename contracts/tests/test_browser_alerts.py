"""In Chromium, the board member's part of issue 17: the board overview lists the contract
decisions due this quarter (and those past their date), each linking to its event, the window can
be widened, and on a 390px phone the section fits."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from conftest import sign_in
from contracts import services
from contracts.choices import EventKind
from contracts.models import Contract
from mps_ict.financial_years import Quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_board_overview_lists_the_decisions_due_this_quarter(page, live_server, seed):
    # Given finance recorded a notice due this quarter and an extension decision in four months
    finance = get_user_model().objects.get(username="finance")
    gen2, network = Contract.objects.get(reference="GEN2"), Contract.objects.get(reference="NET-2011")
    today = timezone.localdate()
    this_quarter = min(today + timedelta(days=1), Quarter.from_date(today).end)
    services.event_create(contract=gen2, user=finance, kind=EventKind.NOTICE_DUE, due=this_quarter, owner=finance)
    later = today + timedelta(days=120)
    services.event_create(contract=network, user=finance, kind=EventKind.EXTENSION_DECISION, due=later)

    # When a board member opens the overview
    sign_in(page, "board", "board-Kestrel-2013")
    page.goto("/")
    section = page.get_by_test_id("contract-alerts")
    assert "Contract decisions due" in section.inner_text()

    # Then this quarter's decision is listed, linking to its event; the one in four months is not
    due = page.get_by_test_id("contract-alerts-due").inner_text()
    assert "GEN2" in due and "Notice due" in due and "NET-2011" not in due
    assert "this quarter" in page.get_by_test_id("contract-alerts-window").inner_text()
    # and the seed's events, still planned, are past their date
    assert "Re-tender start" in page.get_by_test_id("contract-alerts-overdue").inner_text()

    # When they widen the window to 180 days, the extension decision joins it
    page.get_by_label("Contract decisions due in").select_option(label="The next 180 days")
    page.get_by_role("button", name="Show decisions").click()
    due = page.get_by_test_id("contract-alerts-due").inner_text()
    assert "GEN2" in due and "NET-2011" in due and "Extension decision" in due

    # and the event's link opens the event
    page.get_by_test_id("contract-alerts-due").get_by_role("link", name="NET-2011").click()
    assert page.get_by_role("heading", name="Extension decision of").is_visible()

    # and on a 390px phone the section fits
    page.goto("/")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
