"""Real journeys in Debian's Chromium, driven by Playwright."""

from urllib.parse import urlparse

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_users(settings):
    settings.DEBUG = True  # demo users are a development convenience
    call_command("create_demo_users", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False


def sign_in(page, username, password):
    page.goto("/")
    assert "/sign-in/" in page.url  # anonymous visitors are sent to sign in
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def assert_nothing_loaded_from_another_host(page, live_server):
    own_host = urlparse(live_server.url).netloc
    foreign = [url for url in page.requested_urls if urlparse(url).netloc not in (own_host, "")]
    assert not foreign, f"requests left the service: {foreign}"


def test_board_member_signs_in_and_sees_the_navigation(page, live_server, demo_users):
    sign_in(page, "board", "board-Kestrel-2013")
    assert page.get_by_role("heading", name="Overview", level=1).is_visible()
    navigation = page.get_by_role("navigation", name="Main")
    assert navigation.get_by_role("link", name="Overview").get_attribute("aria-current") == "page"
    assert navigation.get_by_role("link", name="API").is_visible()
    assert page.get_by_test_id("signed-in-role").inner_text() == "Management Board member"
    assert "Bola Adeyemi" in page.get_by_test_id("signed-in-user").inner_text()
    # The GOV.UK Frontend JavaScript ran (served locally)
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    # The API docs render from local assets
    navigation.get_by_role("link", name="API").click()
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert page.locator(".opblock-summary-path", has_text="/api/v1/financial-years/").count() == 1
    assert_nothing_loaded_from_another_host(page, live_server)
    # Sign out
    page.goto("/")
    page.get_by_role("button", name="Sign out").click()
    assert "/sign-in/" in page.url


def test_signing_in_with_the_keyboard_alone(page, live_server, demo_users):
    page.goto("/sign-in/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.locator("#id_username").focus()
    page.keyboard.type("finance")
    page.keyboard.press("Tab")
    page.keyboard.type("finance-Harrier-2013")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("signed-in-role").inner_text() == "Finance"


def test_wrong_password_is_explained_in_an_error_summary(page, live_server, demo_users):
    sign_in(page, "board", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter a correct username and password" in summary.inner_text()


def test_usable_on_a_320px_screen(browser, live_server, demo_users):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto("/sign-in/")
        page.get_by_label("Username").fill("assets")
        page.get_by_label("Password").fill("assets-Buzzard-2013")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
        # Nothing overflows sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        # The navigation folds into a Menu button that opens it
        menu = page.get_by_role("button", name="Menu")
        assert menu.is_visible()
        api_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="API")
        assert not api_link.is_visible()
        menu.click()
        assert api_link.is_visible()
    finally:
        context.close()


PHONE_PAGES = [
    "/",
    "/savings/",
    "/savings/breakdown/",
    "/savings/actuals/2014/q1/",
    "/savings/actuals/2014/q1/SAV-SM/",
    "/savings/initiatives/SAV-SM/",
    "/portfolio/",
    "/portfolio/projects/",
    "/portfolio/projects/APP-01/",
    "/mobile/",
    "/mobile/devices/",
    "/mobile/devices/PDA-00001/",
    "/mobile/benefits/",
    "/assembly/",
    "/account/",
]


def test_no_page_scrolls_sideways_on_a_320px_phone(browser, live_server, portfolio_seed, mobile_seed):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto("/sign-in/")
        page.get_by_label("Username").fill("board")
        page.get_by_label("Password").fill("board-Kestrel-2013")
        page.get_by_role("button", name="Sign in").click()
        too_wide = {}
        for url in PHONE_PAGES:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                too_wide[url] = width
        assert not too_wide, f"pages wider than the screen: {too_wide}"
    finally:
        context.close()


def test_a_user_with_no_role_is_told_they_have_no_access_yet(page, live_server):
    from mps_ict.tests.factories import DEFAULT_PASSWORD, UserFactory

    newcomer = UserFactory(username="newcomer")
    sign_in(page, newcomer.username, DEFAULT_PASSWORD)
    assert page.get_by_role("heading", name="You have no access yet", level=1).is_visible()
    assert page.get_by_test_id("signed-in-role").inner_text() == "No role assigned"
    assert page.get_by_role("navigation", name="Main").count() == 0  # nothing to go to
    page.goto("/savings/")
    assert page.get_by_role("heading", name="You have no access yet", level=1).is_visible()
    page.goto("/account/")  # their own account page is theirs
    assert page.get_by_role("heading", name="Your account", level=1).is_visible()
    # and the sign-out button on the no-access page works
    page.goto("/")
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    assert "/sign-in/" in page.url
