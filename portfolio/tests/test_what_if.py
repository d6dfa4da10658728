"""The what-if slippage rate: one definition (portfolio.forms.what_if_rate) read by the dashboard,
as a percentage, and by the API, as a fraction."""

import re
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from portfolio.forms import what_if_rate


@pytest.mark.parametrize(
    ("percent", "fraction", "rate"),
    [
        ("8", "0.08", "0.08"),
        ("5.25", "0.0525", "0.0525"),
        ("0", "0", "0"),
        ("100", "1", "1"),
        ("12.5%", "0.125", "0.125"),
    ],
)
def test_the_page_and_the_api_read_the_same_rate(percent, fraction, rate):
    assert what_if_rate(percent, percent=True) == what_if_rate(fraction, percent=False) == Decimal(rate)


@pytest.mark.parametrize("percent", ["lots", "-1", "100.01", "5.255", "NaN", "Infinity", ""])
def test_the_page_refuses_a_rate_outside_0_to_100_percent_or_finer_than_two_places(percent):
    with pytest.raises(ValueError, match=re.escape("between 0 and 100 (a percentage) with at most 2 decimal places")):
        what_if_rate(percent, percent=True)


@pytest.mark.parametrize("fraction", ["lots", "-1", "1.0001", "0.00001", "5e-2", ".5", " 0.05", "8"])
def test_the_api_refuses_what_its_schema_does_not_promise(fraction):
    with pytest.raises(
        ValueError, match=re.escape("between 0 and 1 (a fraction: 0.05 is 5%) with at most 4 decimal places")
    ):
        what_if_rate(fraction, percent=False)


@pytest.mark.parametrize("bad", ["lots", "-1", "150"])
def test_a_bad_what_if_is_named_on_the_page_and_in_the_api_never_a_500(portfolio_seed, client, role_user, bad):
    # Given a board member, on the page and in the API
    user = role_user("board")
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)

    # When each is given the same bad value
    page = client.get("/portfolio/", {"what_if": bad})
    response = api.get("/api/v1/portfolio/capital-programmes/", {"slippage_rate": bad})

    # Then the page shows the learned figures and says what the what-if field wants, beside it
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="what-if-error"' in html and "Enter a slippage rate between 0 and 100 (a percentage)" in html
    assert 'data-testid="what-if-note"' not in html
    # and the API answers 400 naming the field
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["field"] for error in errors] == ["slippage_rate"]
    assert "Enter a slippage rate between 0 and 1" in errors[0]["message"]


def test_a_good_what_if_gives_the_same_figures_on_the_page_and_in_the_api(portfolio_seed, client, role_user):
    user = role_user("board")
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)

    page = client.get("/portfolio/", {"what_if": "10%"}).content.decode()
    row = api.get("/api/v1/portfolio/capital-programmes/", {"slippage_rate": "0.1"}).json()["results"][0]

    assert row["what_if_rate"] == "0.1000" and row["delay_adjusted_forecast"] == "191700000.00"
    assert "£191.7m" in page or "£191.70m" in page
