"""A simulated figure as a range: the chance in words and the interval chart (mps_ict.ranges, mps_ict.charts)."""

from decimal import Decimal

import pytest

from mps_ict import charts
from mps_ict.ranges import RangeRow, chance_in_words


@pytest.mark.parametrize(
    ("probability", "words"),
    [
        ("0.35", "a 35% chance (about 4 in 10)"),
        ("0.4848", "a 48% chance (about 5 in 10)"),
        ("0.08", "an 8% chance (about 1 in 13)"),
        ("0.8", "an 80% chance (about 8 in 10)"),
        ("0.11", "an 11% chance (about 1 in 10)"),
        ("0.97", "a 97% chance (about 97 in 100)"),
        ("0.92", "a 92% chance (about 9 in 10)"),
        ("0.0072", "less than a 1% chance (under 1 in 100)"),
        ("0.0000", "less than a 1% chance (under 1 in 100)"),
        ("0.9951", "more than a 99% chance (over 99 in 100)"),
        ("1", "more than a 99% chance (over 99 in 100)"),
    ],
)
def test_a_chance_is_said_in_percent_and_in_words_never_as_certainty(probability, words):
    assert chance_in_words(Decimal(probability)) == words
    assert chance_in_words(float(probability)) == words


def test_the_interval_chart_runs_from_the_lowest_to_the_highest_percentile_whichever_way_they_are_named():
    cost = RangeRow(
        "2012/13",
        Decimal("184310000"),
        Decimal("203460000"),
        Decimal("216800000"),
        Decimal("223400000"),
        Decimal("204000000"),
        Decimal("0.4848"),
    )
    # a saving: its P90 is the lowest figure (reached in 90% of draws)
    saving = RangeRow(
        "2014/15", Decimal("30000000"), Decimal("25000000"), Decimal("22000000"), Decimal("20000000"), None, None
    )
    figure = charts.ranges([cost, saving], title="Outturn", reference_name="Budget")
    spread, eighty, median, reference = figure["data"]
    assert spread["base"] == [184.31, 20.0]
    assert spread["x"] == [39.09, 10.0]
    assert eighty["base"] == [203.46, 22.0] and eighty["x"] == [13.34, 3.0]
    assert median["x"] == [203.46, 25.0]
    assert reference["y"] == ["2012/13"] and reference["x"] == [204.0]  # a withheld reference is not drawn
    assert reference["name"] == "Budget"
