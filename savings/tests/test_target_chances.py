"""How likely the targets are, on the savings page and in the summary API (issue 16 part 3): the
figures shown are the selector's, a reader is given only what the summary gives them, and a past
day shows that day's figures."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import backdate_history
from mps_ict.charts import millions
from mps_ict.financial_years import FinancialYear
from mps_ict.marking import ProtectiveMarking
from mps_ict.money import format_millions, format_pounds
from mps_ict.ranges import chance_in_words
from savings import charts, selectors, services
from savings.choices import Confidence
from savings.models import Initiative
from savings.probability import PRIORS, RiskInitiative, TargetProbability

pytestmark = pytest.mark.django_db


def _page(client, user, url="/savings/") -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.content.decode())


def _section(page: str) -> str:
    """The 'How likely the targets are' section, up to the next h2."""
    start = page.index('id="likelihood"')
    return page[start : page.index("<h2", start)]


def _chart(page: str, chart_id: str) -> dict:
    found = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', page, re.S)
    assert found, f"no chart {chart_id}"
    return json.loads(found.group(1))


def _sensitive_sm(role_user) -> Initiative:
    return services.initiative_update(
        initiative=Initiative.objects.get(reference="SAV-SM"),
        user=role_user("finance"),
        protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
        confidence=Confidence.RED,
        reason="Commercially sensitive while the Capgemini exit is negotiated",
    )


def test_the_page_says_how_likely_42m_and_60m_are_as_the_selector_computes_them(mps_plan, client, role_user):
    board = role_user("board")
    page = _page(client, board)
    section = _section(page)
    chances = selectors.savings_target_chances(plan=mps_plan, user=board)
    results = selectors.savings_target_probabilities(plan=mps_plan, user=board)
    assert [t.financial_year for t in chances.targets] == [FinancialYear(2014), FinancialYear(2015)]
    # One plain sentence per target, in the words the selector built from its figures
    for target, result in zip(chances.targets, results, strict=True):
        assert target.sentence in section
        assert chance_in_words(result.probability_met) in target.sentence
    # The seed's figures (README): every initiative not assessed, so £42m is under 1 in 100
    assert (
        "There is less than a 1% chance (under 1 in 100) that the plan saves £42m in 2014/15. It can count on "
        "£25.1m with 80% confidence (P80): £16.9m of the target is at risk at P80." in section
    )
    assert "that the plan saves £60m in 2015/16" in section
    # The interval chart is the shared one, drawn from the same rows, the target its reference
    figure = _chart(page, "chart-target-ranges")
    assert figure == json.loads(json.dumps(charts.target_ranges(chances)))
    assert figure["data"][3]["name"] == "Target" and figure["data"][3]["x"] == [42.0, 60.0]
    assert figure["data"][2]["x"] == [millions(r.p50) for r in results]
    # The table beside it: each year's P10..P90, target and chance
    table = section[section.index('data-testid="target-range-table"') :]
    table = table[: table.index("</table>")]
    assert "Chance of reaching the target" in table
    for result in results:
        row = table[table.index(f">{result.financial_year}<") :]
        row = row[: row.index("</tr>")]
        for value in (result.p10, result.p50, result.p80, result.p90, result.target):
            assert f">{format_millions(value, places=2)}<" in row
    # The initiatives carrying the most risk: linked, described, their expected shortfall in pounds
    assert "expected shortfall is how far its saving falls short of its plan" in section
    for result in results:
        assert len(result.top_risks) == 5
        for risk in result.top_risks:
            assert f'href="/savings/initiatives/{risk.reference}/">{risk.reference}</a>' in section
            assert risk.description in section and format_pounds(risk.expected_shortfall) in section
        assert f"the plan's expected shortfall is {format_pounds(result.expected_shortfall)}" in section
    # How it is worked out: the method, every assumption, the priors as a table and their source
    method = section[section.index('data-testid="target-chances-method"') :]
    assert "How these figures are worked out" in method and results[0].method in method
    for assumption in results[0].assumptions:
        assert assumption in method
    priors = method[method.index('data-testid="target-chances-priors"') : method.index("</table>")]
    for prior in PRIORS.values():
        assert re.search(
            rf">{prior.label}</th><td[^>]*>{prior.mean:.0%}</td><td[^>]*>±{prior.spread:.0%}</td>", priors
        ), prior.label
    assert "The priors' source: a judgement set for this tracker, not measured" in method
    assert "They are judgements, not measurements" in method and "record of approved actuals" in method


def test_a_reader_without_view_restricted_is_given_no_target_and_never_the_marked_initiative(
    mps_plan, client, role_user
):
    _sensitive_sm(role_user)
    public = role_user("api_consumer")
    # The summary withholds the targets from them, so the page gives no chance, no chart, no risks
    assert selectors.plan_summary(plan=mps_plan, user=public).targets == []
    page = _page(client, public)
    section = _section(page)
    assert "The chance of reaching each target is not given: some initiatives are withheld from you" in section
    assert "chart-target-ranges" not in page and "target-range-table" not in section
    assert "% chance" not in section and "P80" not in section and "£" not in section
    assert "SAV-SM" not in section and "Service Management" not in section
    # The board are given both targets, and the marked initiative among the risks (now red)
    board = role_user("board")
    section = _section(_page(client, board))
    for target in selectors.savings_target_chances(plan=mps_plan, user=board).targets:
        assert target.sentence in section
    assert "that the plan saves £42m in 2014/15" in section and "that the plan saves £60m in 2015/16" in section
    assert 'href="/savings/initiatives/SAV-SM/">SAV-SM</a>' in section


def test_as_at_a_past_day_the_page_shows_the_figures_as_they_stood(mps_plan, client, role_user):
    board = role_user("board")
    backdate_history(10)
    before = selectors.savings_target_chances(
        plan=mps_plan, user=board, records=selectors.records_at(timezone.now() - timedelta(days=5))
    )
    # When finance rate every initiative green today
    for initiative in Initiative.objects.all():
        services.initiative_update(
            initiative=initiative, user=role_user("finance"), confidence=Confidence.GREEN, reason="Assessed"
        )
    now = selectors.savings_target_chances(plan=mps_plan, user=board)
    assert now.targets[0].range_row.probability > before.targets[0].range_row.probability
    # Then the page as at five days ago shows the figures before the change, and today's the new ones
    day = (timezone.localdate() - timedelta(days=5)).isoformat()
    past = _section(_page(client, board, f"/savings/?as_at={day}"))
    assert [t.sentence for t in before.targets] == [s for s in re.findall(r"<p[^>]*chance-sentence\">(.*?)</p>", past)]
    assert all(t.sentence not in past for t in now.targets)
    current = _section(_page(client, board))
    assert all(t.sentence in current for t in now.targets)


def test_the_api_gives_each_targets_top_risks_as_the_selector(mps_plan, role_user):
    board = role_user("board")
    api = APIClient()
    api.force_authenticate(board)
    targets = api.get("/api/v1/savings/summary/").json()["targets"]
    results = selectors.savings_target_probabilities(plan=mps_plan, user=board)
    assert [t["top_risks"] for t in targets] == [
        [
            {"reference": r.reference, "description": r.description, "expected_shortfall": str(r.expected_shortfall)}
            for r in result.top_risks
        ]
        for result in results
    ]
    assert all(len(t["top_risks"]) == 5 for t in targets)
    # A reader given no target is given no risk either
    _sensitive_sm(role_user)
    public = APIClient()
    public.force_authenticate(role_user("api_consumer"))
    assert public.get("/api/v1/savings/summary/").json()["targets"] == []


def _result(**changes) -> TargetProbability:
    figures = {
        "financial_year": FinancialYear(2014),
        "target": Decimal("42000000.00"),
        "planned": Decimal("42000000.00"),
        "expected": Decimal("43000000.00"),
        "probability_met": Decimal("0.8321"),
        "p10": Decimal("46000000.00"),
        "p50": Decimal("43000000.00"),
        "p80": Decimal("42100000.00"),
        "p90": Decimal("41000000.00"),
        "at_risk_p80": Decimal("0.00"),
        "expected_shortfall": Decimal("120000.00"),
        "top_risks": [RiskInitiative("SAV-DC", "Data centres", Decimal("120000.00"))],
        "draws": 10_000,
        "rho": 0.3,
    }
    return TargetProbability(**(figures | changes))


def test_the_sentence_says_when_p80_reaches_the_target_and_when_it_does_not():
    assert selectors.target_chance_sentence(_result()) == (
        "There is an 83% chance (about 8 in 10) that the plan saves £42m in 2014/15. It can count on £42.1m "
        "with 80% confidence (P80), which reaches the target: nothing is at risk at P80."
    )
    short = _result(probability_met=Decimal("0.48"), p80=Decimal("40000000.00"), at_risk_p80=Decimal("2000000.00"))
    assert selectors.target_chance_sentence(short) == (
        "There is a 48% chance (about 5 in 10) that the plan saves £42m in 2014/15. It can count on £40m "
        "with 80% confidence (P80): £2m of the target is at risk at P80."
    )
