"""The board's journey and the finance officer's, in Debian's Chromium; axe-core on the main pages."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _read_xlsx(download) -> dict:
    workbook = load_workbook(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    return {name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames}


def test_a_board_member_follows_a_figure_and_downloads_the_pack(page, all_seeds):
    sign_in(page, "board", "board-Kestrel-2013")
    # the overview: where each area stands
    assert page.get_by_test_id("portfolio-budget").inner_text() == "£204m"
    assert page.get_by_test_id("portfolio-delay-adjusted").inner_text() == "£203.68m"
    assert page.get_by_test_id("mobile-devices").inner_text() == "7,330"
    # a figure leads to the page it comes from
    page.get_by_test_id("portfolio-delay-adjusted").get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    assert "/portfolio/" in page.url
    assert "£203.68m" in page.locator("main").inner_text()
    # the pack, from the navigation
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assembly pack").click()
    page.wait_for_url("**/assembly/")
    assert page.get_by_role("heading", name="Assembly response pack", level=1).is_visible()
    assert "Not held in this system" in page.get_by_test_id("question-1").inner_text()
    with page.expect_download() as download_info:
        page.get_by_test_id("download-xlsx").click()
    sheets = _read_xlsx(download_info.value)
    assert list(sheets) == ["Cover", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
    total = next(row for row in sheets["Q6"] if row[0] == "Total")
    assert (Decimal(total[1]), Decimal(total[3])) == (Decimal("42000000"), Decimal("60000000"))
    officer = next(row for row in sheets["Q4"] if row[0] == "Officer efficiency")
    assert (Decimal(officer[1]), Decimal(officer[2])) == (Decimal("65044"), Decimal("2354306"))
    # the board reads; it cannot freeze
    assert page.get_by_test_id("freeze").count() == 0


def test_a_finance_officer_freezes_the_pack_and_downloads_that_copy(page, all_seeds):
    sign_in(page, "finance", "finance-Harrier-2013")
    page.goto("/assembly/")
    page.get_by_test_id("freeze").click()
    assert "Enter what this copy is for" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("What is this copy for?").fill("Submission of 3 May 2013")
    page.get_by_test_id("freeze").click()
    assert "Submission of 3 May 2013" in page.get_by_test_id("frozen-label").inner_text()
    with page.expect_download() as download_info:
        page.get_by_test_id("download-xlsx").click()
    cover = {row[0]: row[1] for row in _read_xlsx(download_info.value)["Cover"] if row and row[0]}
    assert cover["Frozen copy"] == "Submission of 3 May 2013"
    assert cover["Frozen by"] == "finance"
    # printed or saved as PDF: the questions, without navigation, buttons or forms
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.get_by_test_id("download-xlsx").is_visible()
    assert page.get_by_test_id("question-6").is_visible()
    assert "£60,000,000" in page.get_by_test_id("question-6").inner_text()


AXE_PAGES = ["/", "/assembly/", "/savings/", "/portfolio/", "/mobile/"]


def test_no_serious_or_critical_accessibility_violations(page, all_seeds):
    sign_in(page, "board", "board-Kestrel-2013")
    found = {}
    for url in AXE_PAGES:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.add_script_tag(url="/static/axe-core/axe.min.js")
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
                 .filter(v => v.impact === "serious" || v.impact === "critical")
                 .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)"""
        )
        if violations:
            found[url] = violations
    assert not found, found


def test_a_board_member_picks_30_april_2013_and_stays_on_that_day(page, all_seeds):
    sign_in(page, "board", "board-Kestrel-2013")
    page.get_by_label("Show the figures as at").fill("30/4/2013")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url("**/?as_at=30%2F4%2F2013")  # the day as typed
    assert page.get_by_role("heading", level=1).inner_text() == "Overview as at 30 April 2013"
    # the source documents' figures in all three areas
    assert page.get_by_test_id("portfolio-budget").inner_text() == "£204m"
    assert page.get_by_test_id("portfolio-delay-adjusted").inner_text() == "£203.68m"
    assert page.get_by_test_id("savings-target").inner_text() in ("£42m", "£60m")
    assert page.get_by_test_id("mobile-devices").inner_text() == "7,330"
    # a figure leads to its page on the same day, and so does the navigation from there
    page.get_by_test_id("savings-target").get_by_role("link").click()
    page.wait_for_url("**/savings/?as_at=2013-04-30")
    assert "as at 30 April 2013" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mobile estate").click()
    page.wait_for_url("**/mobile/?as_at=2013-04-30")
    assert "as at 30 April 2013" in page.get_by_role("heading", level=1).inner_text()
    # and a day before any source says so, area by area
    page.goto("/?as_at=2012-09-30")
    assert page.get_by_test_id("savings-none").is_visible() and page.get_by_test_id("mobile-none").is_visible()
