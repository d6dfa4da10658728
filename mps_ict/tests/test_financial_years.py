from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mps_ict.financial_years import (
    FIRST_SUPPORTED_YEAR,
    LAST_SUPPORTED_YEAR,
    FinancialYear,
    Quarter,
    parse_month,
    previous_month,
)

days = st.dates(min_value=date(1991, 1, 1), max_value=date(2099, 12, 31))
years = st.integers(min_value=1990, max_value=2099).map(FinancialYear)


def test_labels_and_bounds_follow_the_uk_financial_year():
    year = FinancialYear(2014)
    assert year.label == "2014/15"
    assert (year.start, year.end) == (date(2014, 4, 1), date(2015, 3, 31))
    assert str(FinancialYear(1999)) == "1999/00"


@pytest.mark.parametrize(
    ("day", "label"),
    [(date(2014, 3, 31), "2013/14"), (date(2014, 4, 1), "2014/15"), (date(2015, 1, 15), "2014/15")],
)
def test_from_date_turns_on_1_april(day, label):
    assert FinancialYear.from_date(day).label == label


@pytest.mark.parametrize("text", ["2014/15", "2014-15", "2014–15", "2014/2015", " FY2014-15 "])
def test_parse_accepts_the_ways_finance_staff_write_a_year(text):
    assert FinancialYear.parse(text) == FinancialYear(2014)


@pytest.mark.parametrize("text", ["2014/16", "2014", "14/15", "2014/2016", "", "next year", "1899/00"])
def test_parse_refuses_what_is_not_a_financial_year(text):
    with pytest.raises(ValueError):
        FinancialYear.parse(text)


def test_quarters_run_april_to_march():
    q1, q2, q3, q4 = FinancialYear(2014).quarters
    assert (q1.start, q1.end, q1.months_label) == (date(2014, 4, 1), date(2014, 6, 30), "Apr–Jun")
    assert (q3.start, q3.end) == (date(2014, 10, 1), date(2014, 12, 31))
    assert (q4.start, q4.end, q4.label) == (date(2015, 1, 1), date(2015, 3, 31), "2014/15 Q4")
    assert Quarter.parse("2014-15 Q2") == q2
    assert q4.next() == Quarter(FinancialYear(2015), 1)


@pytest.mark.parametrize("start_year", [FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR])
def test_the_first_and_last_supported_years_have_their_quarters_too(start_year):
    year = FinancialYear(start_year)
    assert year.quarters[0].start == year.start
    assert year.quarters[-1].end == year.end == date(start_year + 1, 3, 31)


def test_months_run_april_to_march():
    months = list(FinancialYear(2012).months())
    assert months[0] == date(2012, 4, 1) and months[-1] == date(2013, 3, 1) and len(months) == 12


def test_range_includes_both_ends_and_orders():
    labels = [y.label for y in FinancialYear.range(FinancialYear.parse("2013/14"), FinancialYear.parse("2015/16"))]
    assert labels == ["2013/14", "2014/15", "2015/16"]
    assert sorted([FinancialYear(2015), FinancialYear(2013)]) == [FinancialYear(2013), FinancialYear(2015)]


@given(days)
def test_every_day_lies_in_its_year_and_quarter(day):
    year = FinancialYear.from_date(day)
    quarter = Quarter.from_date(day)
    assert day in year and year.start <= day <= year.end
    assert day in quarter and quarter.financial_year == year


@given(years)
def test_label_round_trips(year):
    assert FinancialYear.parse(year.label) == year
    assert FinancialYear.parse(year.label.replace("/", "-")) == year


@given(years)
def test_years_are_contiguous_and_a_year_long(year):
    assert year.next().start == year.end + timedelta(days=1)
    assert (year.end - year.start).days in (364, 365)
    assert year.next() - year == 1 and year + 1 - 1 == year


@given(years)
def test_quarters_tile_the_year(year):
    quarters = year.quarters
    assert quarters[0].start == year.start and quarters[-1].end == year.end
    for earlier, later in pairwise(quarters):
        assert later.start == earlier.end + timedelta(days=1)
        assert earlier < later and earlier.next() == later and later.previous() == earlier


@given(days, days)
def test_ordering_agrees_with_dates(first, second):
    if first <= second:
        assert FinancialYear.from_date(first) <= FinancialYear.from_date(second)
        assert Quarter.from_date(first) <= Quarter.from_date(second)


@pytest.mark.parametrize(
    ("day", "previous"),
    [
        (date(2014, 1, 1), date(2013, 12, 1)),  # across the turn of the year
        (date(2014, 1, 31), date(2013, 12, 1)),
        (date(2014, 3, 31), date(2014, 2, 1)),  # from a day that February does not have
        (date(2014, 4, 10), date(2014, 3, 1)),  # across the turn of the financial year
    ],
)
def test_previous_month_is_the_first_of_the_month_before(day, previous):
    assert previous_month(day) == previous


@pytest.mark.parametrize(
    "text", ["2013-03", "2013-3", " 2013-03 ", "March 2013", "march 2013", "Mar 2013", "03/2013", "2013-03-15"]
)
def test_parse_month_reads_the_ways_people_write_a_month(text):
    assert parse_month(text) == date(2013, 3, 1)


@pytest.mark.parametrize("text", ["March", "2013", "2013-13", "0000-01", "2013-03-junk", "13/2013", "", "next month"])
def test_parse_month_refuses_what_is_not_a_month_and_says_how_to_write_one(text):
    with pytest.raises(ValueError, match="Enter the month like 2013-03 or March 2013"):
        parse_month(text)


def test_parse_month_strictly_reads_only_what_the_api_schema_promises():
    assert parse_month("2012-09", strict=True) == date(2012, 9, 1)
    for text in ["2012-9", "2012-09-15", "September 2012", "0000-01", " 2012-09", 201209]:
        with pytest.raises(ValueError, match="Enter the month like 2013-03, not"):
            parse_month(text, strict=True)
