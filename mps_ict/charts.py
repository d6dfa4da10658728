"""Chart plumbing shared by every app: figures are plain dicts handed to plotly.js.

Amounts are converted to float only here, at the edge, to be drawn; every figure a chart shows
is also in a table beside it, computed in Decimal.
"""

from decimal import Decimal

GOVUK_COLOURS = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#d4351c", "#505a5f", "#28a197", "#b58840"]


def millions(amount) -> float:
    return float((Decimal(amount) / Decimal(1_000_000)).quantize(Decimal("0.001")))


def base_layout(*, title: str, y_title: str = "£m", **extra) -> dict:
    return {
        "title": {"text": title, "font": {"size": 16}},
        "font": {"family": "arial, sans-serif", "size": 14, "color": "#0b0c0c"},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 80},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero", "gridcolor": "#e5e6e7"},
        "legend": {"orientation": "h", "y": -0.25},
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        **extra,
    }
