"""The capital outturn as a range where decisions are made (issue 16, part 3): the portfolio
dashboard and the board overview give the sentence, the chart, the table, each category's part and
the method; finance set the mitigation share through the audited budget form and the range follows."""

import json
import re
from decimal import Decimal

from django.core.cache import cache
from rest_framework.test import APIClient

from mps_ict.audit import history_entries
from mps_ict.financial_years import FinancialYear
from mps_ict.marking import ProtectiveMarking
from portfolio import outturn, selectors, services
from portfolio.models import CapitalProgramme, Project

FY12 = FinancialYear(2012)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _chart(response, chart_id) -> dict:
    found = re.search(
        rf'<script id="{chart_id}" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found.group(1))


def test_the_dashboard_says_how_likely_the_programme_is_to_fit_its_budget(portfolio_seed, client, role_user):
    board = role_user("board")
    client.force_login(board)
    response = client.get("/portfolio/?year=2012/13")
    found = selectors.capital_programme_outturn(financial_year=FY12, user=board)
    text = _text(response)
    (first, *rest) = outturn.sentences(found)
    assert first.startswith("There is a ") and "that the 2012/13 programme spends more than its £204m budget" in first
    assert f"{round(found.probability_over_budget * 100)}% chance" in first
    for sentence in (first, *rest):
        assert sentence in text
    assert f"£{found.p50 / 1_000_000:,.2f}m" in text and f"£{found.p80 / 1_000_000:,.2f}m" in text
    chart = _chart(response, "chart-outturn")
    assert chart["data"][2]["x"] == [float(round(found.p50 / 1_000_000, 3))]
    assert chart["data"][3]["x"] == [204.0] and chart["data"][3]["name"] == "Capital Programme Budget"
    # each category's part, and the method with the prior's source and finance's mitigation share
    for category in found.categories:
        assert category.category in text
    assert "Green Book" in text and "Mitigation share" not in text
    assert "Finance set the share of the optimism bias they consider mitigated" in text and "50%" in text
    assert "leaving a bias of 105%" in text
    assert "Change the mitigation share" not in text  # the board read; finance change


def test_a_what_if_moves_the_range_and_the_sentence_says_so(portfolio_seed, client, role_user):
    board = role_user("board")
    client.force_login(board)
    learned = selectors.capital_programme_outturn(financial_year=FY12, user=board)
    response = client.get("/portfolio/?year=2012/13&what_if=20")
    text = _text(response)
    what_if = selectors.capital_programme_outturn(financial_year=FY12, user=board, what_if_rate=Decimal("0.2"))
    assert what_if.p50 < learned.p50 and what_if.probability_over_budget < learned.probability_over_budget
    assert outturn.sentences(what_if)[0] in text
    assert "These figures are under the what-if: 20.00%" in text
    assert f"With the learned rates: P50 £{learned.p50 / 1_000_000:,.2f}m" in text
    chart = _chart(response, "chart-outturn")
    assert chart["data"][2]["y"] == ["2012/13", "2012/13 what-if 20.00%"]
    # a what-if that is not a rate: the form says so, the learned range stays
    refused = client.get("/portfolio/?year=2012/13&what_if=lots")
    assert refused.status_code == 200 and outturn.sentences(learned)[0] in _text(refused)


def test_finance_set_the_mitigation_share_on_the_budget_form_audited_and_the_range_follows(
    portfolio_seed, client, role_user
):
    finance = role_user("finance")
    client.force_login(finance)
    before = selectors.capital_programme_outturn(financial_year=FY12, user=finance)
    page = client.get("/portfolio/capital-programmes/2012/")
    assert 'name="mitigation_share_percent"' in page.content.decode() and 'value="50"' in page.content.decode()
    assert "Change the mitigation share" in _text(client.get("/portfolio/?year=2012/13"))

    for bad in ("150", "-1", "half"):
        response = client.post(
            "/portfolio/capital-programmes/2012/",
            {"budget": "204000000", "slippage_assumption_percent": "5", "mitigation_share_percent": bad},
        )
        assert response.status_code == 200 and "Optimism bias mitigated" in _text(response)
        assert CapitalProgramme.objects.get(financial_year=FY12).mitigation_share == Decimal("0.5000")

    response = client.post(
        "/portfolio/capital-programmes/2012/",
        {"budget": "204000000", "slippage_assumption_percent": "5", "mitigation_share_percent": "0"},
    )
    assert response.status_code == 302
    programme = CapitalProgramme.objects.get(financial_year=FY12)
    assert programme.mitigation_share == Decimal("0.0000") and programme.budget == Decimal("204000000.00")
    (latest, *_) = history_entries(programme)
    assert latest.who == finance.get_username()
    assert [(c.field, c.before, c.after) for c in latest.changes] == [
        ("mitigation_share", Decimal("0.5000"), Decimal("0.0000"))
    ]
    assert "Mitigation share" in _text(client.get("/portfolio/capital-programmes/2012/"))  # on the record

    after = selectors.capital_programme_outturn(financial_year=FY12, user=finance)
    assert after.mitigation_share == 0.0 and after.optimism_bias == 2.0
    assert after.p90 - after.p10 > before.p90 - before.p10  # no mitigation: the full 200% bias, a wider range
    assert "leaving a bias of 200%" in _text(client.get("/portfolio/?year=2012/13"))
    api = APIClient()
    api.force_authenticate(role_user("board"))
    row = api.get("/api/v1/portfolio/capital-programmes/").json()["results"][0]
    assert row["mitigation_share"] == "0.0000" and row["outturn"]["p90"] == str(after.p90)


def test_the_mitigation_share_is_kept_when_the_budget_changes_through_the_service(portfolio_seed, role_user):
    finance = role_user("finance")
    services.capital_programme_set(
        user=finance,
        financial_year=FY12,
        budget=Decimal("204000000.00"),
        slippage_assumption=Decimal("0.05"),
        mitigation_share=Decimal("0.25"),
    )
    services.capital_programme_set(
        user=finance, financial_year=FY12, budget=Decimal("206000000.00"), slippage_assumption=Decimal("0.05")
    )
    assert CapitalProgramme.objects.get(financial_year=FY12).mitigation_share == Decimal("0.2500")


def test_a_reader_without_view_restricted_is_told_the_chance_is_not_given(portfolio_seed, client, role_user):
    project = Project.objects.filter(spend__financial_year=FY12).order_by("code").first()
    project.protective_marking = ProtectiveMarking.OFFICIAL_SENSITIVE
    project.save()
    cache.clear()
    reader = role_user("api_consumer")
    client.force_login(reader)
    text = _text(client.get("/portfolio/?year=2012/13"))
    assert "The chance of the 2012/13 programme spending more than its £204m budget is not given" in text
    assert project.code not in text and project.name not in text
    found = selectors.capital_programme_outturn(financial_year=FY12, user=reader)
    assert f"£{found.p50 / 1_000_000:,.2f}m" in text  # the range over what they may see


def test_the_board_overview_gives_the_range_and_the_sentence(portfolio_seed, client, role_user):
    board = role_user("board")
    client.force_login(board)
    response = client.get("/")
    text = _text(response)
    found = selectors.capital_programme_outturn(financial_year=FY12, user=board)
    assert outturn.sentences(found)[0] in text
    assert _chart(response, "chart-outturn")["data"][2]["x"] == [float(round(found.p50 / 1_000_000, 3))]
    assert "How the range is worked out" in text


def test_the_board_overview_says_how_likely_the_savings_targets_are(all_seeds, client, role_user):
    from savings import selectors as savings_selectors

    board = role_user("board")
    client.force_login(board)
    response = client.get("/")
    text = _text(response)
    chances = savings_selectors.savings_target_chances(plan=savings_selectors.plan_current(), user=board)
    assert len(chances.targets) == 2
    for target in chances.targets:
        assert target.sentence in text
    chart = _chart(response, "chart-savings-chances")
    assert chart["data"][3]["x"] == [42.0, 60.0] and chart["data"][3]["name"] == "Target"


def test_the_overview_api_gives_the_ranges_the_page_gives_the_same_twice(all_seeds, role_user):
    from savings import selectors as savings_selectors

    board = role_user("board")
    api = APIClient()
    api.force_authenticate(board)
    body = api.get("/api/v1/overview/").json()
    found = selectors.capital_programme_outturn(financial_year=FY12, user=board)
    given = body["portfolio_outturn"]
    assert (given["financial_year"], given["budget"], given["p50"], given["p90"]) == (
        "2012/13",
        "204000000.00",
        str(found.p50),
        str(found.p90),
    )
    assert given["sentences"] == outturn.sentences(found)
    chances = savings_selectors.savings_target_chances(plan=savings_selectors.plan_current(), user=board)
    assert [(c["financial_year"], c["target"], c["p80"], c["sentence"]) for c in body["savings_chances"]] == [
        (str(t.financial_year), str(t.range_row.reference), str(t.range_row.p80), t.sentence) for t in chances.targets
    ]
    cache.clear()
    assert api.get("/api/v1/overview/").json() == body
    # before any capital programme or plan was recorded: nothing to simulate
    early = api.get("/api/v1/overview/", {"as_at": "2012-01-01"}).json()
    assert early["portfolio_outturn"] is None and early["savings_chances"] == []
