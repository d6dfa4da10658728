"""In Chromium: finance change a figure and take "After supplier consultation"; a board member
compares it with the briefing note's version and sees what moved, who changed it and why."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from conftest import sign_in
from savings import services
from savings.models import Initiative

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network_requoted(settings):
    call_command("load_mps_baseline", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = True
    call_command("create_demo_users", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False
    services.initiative_update(
        initiative=Initiative.objects.get(reference="SAV-NET"),
        user=get_user_model().objects.get(username="finance"),
        reason="PSN supplier quote is £1m a year higher",
        future_cost=Decimal("9000000.00"),
    )


def test_finance_take_a_version_and_the_board_compares_it_with_the_briefing_note(page, live_server, network_requoted):
    # Given finance on the savings plan, which says its last version is the briefing note's
    sign_in(page, "finance", "finance-Harrier-2013")
    page.goto("/savings/")
    assert "last version: “Briefing note, 29 April 2013”" in page.get_by_test_id("plan-version").inner_text()
    page.get_by_test_id("plan-version").get_by_role("link", name="Plan versions").click()

    # When they take a version without a name, they are told; then with one
    page.get_by_label("Name of the version").fill("")
    page.get_by_role("button", name="Take a version of the plan now").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert "Give the version a name" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Name of the version").fill("After supplier consultation")
    page.get_by_label("Note (optional)").fill("Figures validated with key suppliers")
    page.get_by_role("button", name="Take a version of the plan now").click()
    row = page.locator("tr[data-version='After supplier consultation']")
    assert "Fiona Hart" in row.inner_text()

    # Then a board member compares it with the briefing note's version
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "board", "board-Kestrel-2013")
    page.goto("/savings/versions/")
    assert page.get_by_role("button", name="Take a version of the plan now").count() == 0
    page.get_by_role("link", name="Compare two versions, or a version with the plan now").click()
    page.get_by_label("Compare").select_option(label="Briefing note, 29 April 2013 (29 April 2013)")
    page.get_by_label("with").select_option(label=f"After supplier consultation ({timezone.localdate():%-d %B %Y})")
    page.get_by_role("button", name="Compare").click()

    # and sees Network's reduction fall by £1m, with who changed it and why
    assert "Briefing note, 29 April 2013 → After supplier consultation" in page.get_by_test_id("compared").inner_text()
    network = page.locator("[data-testid=initiatives-table] tr[data-reference='SAV-NET']")
    assert "£7,000,000 → £6,000,000" in network.inner_text() and "Changed" in network.inner_text()
    assert (
        "1 initiative added, withdrawn or changed; 10 unchanged."
        in page.get_by_test_id("initiative-counts").inner_text()
    )
    change = page.locator("[data-testid=changes-table] tr[data-reference='SAV-NET']")
    text = change.inner_text()
    assert "Future cost: £8,000,000.00 → £9,000,000.00" in text
    assert "Fiona Hart" in text and "PSN supplier quote is £1m a year higher" in text
