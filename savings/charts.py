"""Savings figures as plotly charts: pure functions of selector output."""

from mps_ict.charts import GOVUK_COLOURS, base_layout, millions, ranges
from savings.selectors import BreakdownRow, PlanSummary, TargetChances


def waterfall(summary: PlanSummary) -> dict:
    """Cost now, each category's reduction, future cost: the £200m → £140m walk."""
    labels = ["Cost now", *[c.name for c in summary.categories], "Future cost"]
    values = [millions(summary.cost_now), *[-millions(c.baseline_reduction) for c in summary.categories], 0]
    return {
        "data": [
            {
                "type": "waterfall",
                "x": labels,
                "y": values,
                "measure": ["absolute", *["relative"] * len(summary.categories), "total"],
                "decreasing": {"marker": {"color": GOVUK_COLOURS[2]}},
                "totals": {"marker": {"color": GOVUK_COLOURS[0]}},
                "increasing": {"marker": {"color": GOVUK_COLOURS[4]}},
                "connector": {"line": {"color": "#505a5f"}},
                "hovertemplate": "%{x}: £%{y:,.1f}m<extra></extra>",
            }
        ],
        "layout": base_layout(
            title="ICT running cost: now to future (£m)",
            xaxis={"tickangle": -40, "automargin": True},
            margin={"l": 60, "r": 20, "t": 50, "b": 160},
        ),
    }


def trajectory(summary: PlanSummary) -> dict:
    """Realised and forecast savings against the plan and the targets, per financial year."""
    years = [year.financial_year.label for year in summary.years]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Planned",
                "x": years,
                "y": [millions(y.planned) for y in summary.years],
                "marker": {"color": "#b1b4b6"},
            },
            {
                "type": "bar",
                "name": "Realised (approved)",
                "x": years,
                "y": [millions(y.realised) for y in summary.years],
                "marker": {"color": GOVUK_COLOURS[2]},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Forecast",
                "x": years,
                "y": [millions(y.forecast) for y in summary.years],
                "line": {"color": GOVUK_COLOURS[1]},
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Target",
                "x": years,
                "y": [millions(y.target) if y.target is not None else None for y in summary.years],
                "marker": {"symbol": "diamond", "size": 14, "color": GOVUK_COLOURS[4]},
            },
        ],
        "layout": base_layout(title="Savings a year against the baseline (£m)", barmode="group"),
    }


def breakdown(rows: list[BreakdownRow], *, title: str) -> dict:
    """Planned saving per group, stacked per financial year."""
    years = sorted({row.financial_year for row in rows})
    groups = list(dict.fromkeys(row.group for row in rows))
    amounts = {(row.financial_year, row.group): row.planned for row in rows}
    return {
        "data": [
            {
                "type": "bar",
                "name": group,
                "x": [year.label for year in years],
                "y": [millions(amounts.get((year, group), 0)) for year in years],
                "marker": {"color": GOVUK_COLOURS[index % len(GOVUK_COLOURS)]},
            }
            for index, group in enumerate(groups)
        ],
        "layout": base_layout(title=title, barmode="stack"),
    }


def target_ranges(chances: TargetChances) -> dict:
    """The saving realised in each target year as a range against its target (issue 16): the one
    interval chart every simulated figure uses (mps_ict.charts.ranges)."""
    return ranges(chances.range_rows, title="Saving realised in each target year (£m)", reference_name="Target")
