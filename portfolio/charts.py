"""Portfolio figures as plotly charts: pure functions of selector output."""

from mps_ict.charts import GOVUK_COLOURS, base_layout, millions, ranges
from portfolio.choices import DcaRating

DCA_COLOURS = {
    "green": "#00703c",
    "amber_green": "#85994b",
    "amber": "#f47738",
    "amber_red": "#d4351c",
    "red": "#942514",
}


def position(position) -> dict:
    labels = ["Capital Programme Budget", "Managed projects", "Delay-adjusted forecast"]
    values = [position.budget, position.managed_total, position.delay_adjusted_forecast]
    return {
        "data": [
            {
                "type": "bar",
                "x": labels,
                "y": [millions(v) for v in values],
                "marker": {"color": [GOVUK_COLOURS[0], GOVUK_COLOURS[1], GOVUK_COLOURS[2]]},
                "text": [f"£{millions(v):,.1f}m" for v in values],
                "textposition": "auto",
            }
        ],
        "layout": base_layout(title=f"{position.financial_year}: budget, managed and delay-adjusted (£m)"),
    }


def dca_distribution(rows) -> dict:
    return {
        "data": [
            {
                "type": "bar",
                "x": [label for _, label, _ in rows],
                "y": [count for _, _, count in rows],
                "marker": {"color": [DCA_COLOURS[value] for value, _, _ in rows]},
            }
        ],
        "layout": base_layout(title="Live projects by latest delivery confidence", y_title="Projects"),
    }


def dca_trend(trend) -> dict:
    dates = [day.isoformat() for day, _ in trend]
    return {
        "data": [
            {
                "type": "bar",
                "name": rating.label,
                "x": dates,
                "y": [counts.get(rating.value, 0) for _, counts in trend],
                "marker": {"color": DCA_COLOURS[rating.value]},
            }
            for rating in DcaRating
        ],
        "layout": base_layout(
            title="Delivery confidence assessments over time", y_title="Assessments", barmode="stack"
        ),
    }


def spend_profile(rows) -> dict:
    years = [row["financial_year"].label for row in rows]
    series = [
        ("Planned", "planned_total", GOVUK_COLOURS[0]),
        ("Actual", "actual_total", GOVUK_COLOURS[2]),
        ("Forecast", "forecast_total", GOVUK_COLOURS[1]),
    ]
    return {
        "data": [
            {
                "type": "bar",
                "name": name,
                "x": years,
                "y": [millions(row[key]) if row[key] is not None else None for row in rows],
                "marker": {"color": colour},
            }
            for name, key, colour in series
        ],
        "layout": base_layout(title="Capital spend by financial year (£m)", barmode="group"),
    }


def outturn(rows) -> dict:
    """Each year's simulated in-year outturn against its budget (mps_ict.ranges.RangeRow rows)."""
    return ranges(rows, title="In-year outturn: P10 to P90, P50 to P80 (£m)", reference_name="Capital Programme Budget")
