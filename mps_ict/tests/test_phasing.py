"""A yearly savings profile read month by month: the part that depends on an event, and the
profile with the event moved (mps_ict.phasing)."""

from datetime import date
from decimal import Decimal

from mps_ict.financial_years import FinancialYear
from mps_ict.phasing import dependence, months_later

Y13, Y14, Y15 = FinancialYear(2013), FinancialYear(2014), FinancialYear(2015)
SERVICE_MANAGEMENT = {Y13: Decimal("2000000.00"), Y14: Decimal("5000000.00"), Y15: Decimal("8000000.00")}


def test_a_saving_that_starts_with_the_event_depends_on_it_whole():
    part = dependence(SERVICE_MANAGEMENT, event=date(2013, 4, 1))
    assert part.dependent == SERVICE_MANAGEMENT
    assert part.dependent_total == Decimal("15000000.00")
    assert part.moved == part.planned and part.lost == 0 and part.months == 0


def test_six_months_late_moves_half_of_each_years_saving_into_the_next():
    part = dependence(SERVICE_MANAGEMENT, event=date(2013, 4, 1), moved_to=date(2013, 10, 1))
    assert part.months == 6
    assert part.moved == {Y13: Decimal("1000000.00"), Y14: Decimal("3500000.00"), Y15: Decimal("6500000.00")}
    assert part.change == {Y13: Decimal("-1000000.00"), Y14: Decimal("-1500000.00"), Y15: Decimal("-1500000.00")}
    assert part.lost == Decimal("4000000.00")  # half of 2015/16's £8m goes beyond the plan


def test_only_what_the_saving_adds_from_the_event_on_depends_on_it():
    # an event a year in: the saving already made (£2m a year) does not depend on it
    part = dependence(SERVICE_MANAGEMENT, event=date(2014, 4, 1), moved_to=date(2015, 4, 1))
    assert part.dependent == {Y13: Decimal("0.00"), Y14: Decimal("3000000.00"), Y15: Decimal("6000000.00")}
    # a year late: the saving stays at £2m until the new date, then adds what 2014/15 added
    assert part.moved == {Y13: Decimal("2000000.00"), Y14: Decimal("2000000.00"), Y15: Decimal("5000000.00")}
    # mid-year: the year's saving is already being made at the event; what depends on it is the
    # step the next year adds
    part = dependence(SERVICE_MANAGEMENT, event=date(2014, 10, 15))
    assert part.dependent == {Y13: Decimal("0.00"), Y14: Decimal("0.00"), Y15: Decimal("3000000.00")}


def test_an_earlier_date_or_an_event_after_the_plan_moves_nothing():
    earlier = dependence(SERVICE_MANAGEMENT, event=date(2014, 4, 1), moved_to=date(2013, 6, 1))
    assert earlier.months == 0 and earlier.moved == earlier.planned
    late = dependence(SERVICE_MANAGEMENT, event=date(2016, 6, 30), moved_to=date(2017, 6, 30))
    assert late.dependent_total == 0 and late.moved == late.planned
    # a profile flat across the event: nothing is added at the event, so nothing depends on it
    flat = dependence({Y15: Decimal("8000000.00")}, event=date(2015, 12, 31), moved_to=date(2016, 6, 30))
    assert flat.dependent_total == 0 and flat.moved == flat.planned


def test_months_are_counted_as_whole_calendar_months_and_pennies_are_kept():
    assert months_later(date(2013, 4, 1), date(2013, 10, 1)) == 6
    assert months_later(date(2013, 4, 30), date(2013, 5, 1)) == 1
    assert months_later(date(2013, 4, 1), date(2013, 4, 30)) == 0
    odd = {Y14: Decimal("100.00"), Y15: Decimal("100.00")}
    part = dependence(odd, event=date(2014, 4, 1), moved_to=date(2014, 5, 1))
    assert part.moved == {Y14: Decimal("91.67"), Y15: Decimal("100.00")}  # 11 twelfths of £100
    assert part.lost == Decimal("8.33")
    assert all(value == value.quantize(Decimal("0.01")) for value in part.moved.values())
