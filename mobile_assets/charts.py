"""Mobile estate figures as plotly charts."""

from mobile_assets.choices import BenefitRole
from mps_ict.charts import GOVUK_COLOURS, base_layout, millions


def rollout(lines) -> dict:
    """Planned against deployed a month (selectors.rollout_progress rows)."""
    months = [line.month.strftime("%b %Y") for line in lines]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Planned",
                "x": months,
                "y": [line.planned for line in lines],
                "marker": {"color": GOVUK_COLOURS[0]},
            },
            {
                "type": "bar",
                "name": "Deployed",
                "x": months,
                "y": [line.deployed for line in lines],
                "marker": {"color": GOVUK_COLOURS[2]},
            },
        ],
        "layout": base_layout(title="Rollout: devices a month", y_title="Devices", barmode="group"),
    }


def benefit_trend(trend) -> dict:
    months = [month.strftime("%b %Y") for month, _ in trend]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": role.label,
                "x": months,
                "y": [millions(amounts[role.value]) if role.value in amounts else None for _, amounts in trend],
                "line": {"color": GOVUK_COLOURS[index]},
            }
            for index, role in enumerate(BenefitRole)
        ],
        "layout": base_layout(title="Computed non-cashable savings a month (£m)"),
    }


def devices_by_type(types) -> dict:
    """Devices in the register per type, issued and the rest (TypeCount rows)."""
    names = [t.name for t in types]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Issued",
                "x": names,
                "y": [t.issued for t in types],
                "marker": {"color": GOVUK_COLOURS[0]},
            },
            {
                "type": "bar",
                "name": "Not issued",
                "x": names,
                "y": [t.in_register - t.issued for t in types],
                "marker": {"color": "#b1b4b6"},
            },
        ],
        "layout": base_layout(title="Devices in the register by type", y_title="Devices", barmode="stack"),
    }
