from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from mps_ict import money


@pytest.mark.parametrize(
    ("value", "pounds", "thousands", "millions", "compact"),
    [
        (Decimal("1234567"), "£1,234,567", "£1,235k", "£1.2m", "£1.2m"),
        (Decimal("60000000.00"), "£60,000,000", "£60,000k", "£60m", "£60m"),
        (Decimal("350000"), "£350,000", "£350k", "£0.4m", "£350k"),
        (Decimal("1623856"), "£1,623,856", "£1,624k", "£1.6m", "£1.6m"),
        (Decimal("-8000000"), "−£8,000,000", "−£8,000k", "−£8m", "−£8m"),
        (Decimal("950.49"), "£950", "£1k", "£0m", "£950"),
        (0, "£0", "£0k", "£0m", "£0"),
    ],
)
def test_formats(value, pounds, thousands, millions, compact):
    assert money.format_pounds(value) == pounds
    assert money.format_thousands(value) == thousands
    assert money.format_millions(value) == millions
    assert money.format_compact(value) == compact


def test_pence_and_places():
    assert money.format_pounds(Decimal("1234.5"), pence=True) == "£1,234.50"
    assert money.format_millions(Decimal("213000000"), places=2) == "£213m"
    assert money.format_millions(Decimal("4204000"), places=2) == "£4.20m"


def test_half_pennies_round_half_up_not_to_even():
    assert money.to_pounds("2.675") == Decimal("2.68")
    assert money.to_pounds("0.125") == Decimal("0.13")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        money.to_pounds(0.1)


def test_missing_values_print_a_dash():
    assert money.format_pounds(None) == "—"
    assert money.format_compact("") == "—"


def test_template_filters():
    rendered = Template(
        "{% load money %}{{ a|pounds }} {{ a|pounds_m }} {{ b|pounds_k }} {{ c|pounds:True }} {{ a|pounds_compact }}"
    ).render(Context({"a": Decimal("60000000"), "b": Decimal("350000"), "c": Decimal("12.5")}))
    assert rendered == "£60,000,000 £60m £350k £12.50 £60m"


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_formatting_keeps_sign_and_digits(value):
    text = money.format_pounds(value, pence=True)
    assert text.startswith("−£") == (value < 0)
    assert Decimal(text.lstrip("−£").replace(",", "")) == abs(value)


@pytest.mark.parametrize(
    ("reference", "forecast", "beyond"),
    [
        ("4000000.00", "4200000.00", False),  # exactly 5% up
        ("4000000.00", "3800000.00", False),  # exactly 5% down
        ("4000000.00", "4200000.01", True),  # a penny above 5%
        ("4000000.00", "3799999.99", True),
        ("0.00", "0.00", False),  # from nothing, nothing is no move
        ("0.00", "0.01", True),  # from nothing, any move is beyond it
        ("-100.00", "-106.00", True),  # measured against the reference's size
    ],
)
def test_a_forecast_is_beyond_tolerance_only_above_five_percent(reference, forecast, beyond):
    assert money.forecast_beyond_tolerance(reference=Decimal(reference), forecast=Decimal(forecast)) is beyond


def test_the_tolerance_is_said_as_a_percentage():
    assert money.FORECAST_TOLERANCE_LABEL == "5%"
