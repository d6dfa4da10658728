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


def ranges(rows, *, title: str, reference_name: str) -> dict:
    """Simulated figures as an interval chart (mps_ict.ranges.RangeRow, one row a line): a thin bar
    from P10 to P90, a thick one from P50 to P80, a dot at P50 and a tick at the reference."""
    labels = [row.label for row in rows]
    shown = [row for row in rows if row.reference is not None]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "P10 to P90",
                "y": labels,
                "base": [millions(row.low) for row in rows],
                "x": [millions(row.high - row.low) for row in rows],
                "width": 0.25,
                "marker": {"color": "#b1d0ea"},
                "hoverinfo": "skip",
            },
            {
                "type": "bar",
                "orientation": "h",
                "name": "P50 to P80",
                "y": labels,
                "base": [millions(min(row.p50, row.p80)) for row in rows],
                "x": [millions(abs(row.p80 - row.p50)) for row in rows],
                "width": 0.5,
                "marker": {"color": GOVUK_COLOURS[0]},
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "P50",
                "y": labels,
                "x": [millions(row.p50) for row in rows],
                "marker": {"color": "#0b0c0c", "size": 11, "symbol": "circle"},
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": reference_name,
                "y": [row.label for row in shown],
                "x": [millions(row.reference) for row in shown],
                "marker": {
                    "color": GOVUK_COLOURS[4],
                    "size": 34,
                    "symbol": "line-ns",
                    "line": {"width": 4, "color": GOVUK_COLOURS[4]},
                },
            },
        ],
        "layout": base_layout(
            title=title,
            y_title="",
            barmode="overlay",
            height=160 + 60 * len(rows),
            xaxis={"gridcolor": "#e5e6e7", "ticksuffix": "m", "tickprefix": "£"},
            yaxis={"autorange": "reversed", "type": "category", "automargin": True},
        ),
    }
