"""The contract's timeline as a plotly figure: the savings that depend on its events, year by year,
with each event drawn on the same time axis (and, under the what-if, the moved event and the years'
savings with it moved). Every figure is also in the tables beside it."""

from datetime import timedelta

from contracts.selectors import ContractTimeline
from mps_ict.charts import GOVUK_COLOURS, base_layout, millions


def _middle(year) -> str:
    return (year.start + timedelta(days=182)).isoformat()


def _event_line(day, text: str, colour: str, dash: str = "dot") -> tuple[dict, dict]:
    shape = {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": day.isoformat(),
        "x1": day.isoformat(),
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "width": 2, "dash": dash},
    }
    note = {
        "x": day.isoformat(),
        "y": 1,
        "xref": "x",
        "yref": "paper",
        "text": text,
        "showarrow": False,
        "textangle": -90,
        "xanchor": "right",
        "yanchor": "top",
        "font": {"size": 11, "color": colour},
    }
    return shape, note


def timeline(timeline: ContractTimeline) -> dict:
    """Stacked bars of the saving that depends on each event, by financial year, and a dotted line
    at each event's date; under the what-if, the moved event's dependent initiatives' savings as
    planned and with the event moved, and a red line at the new date."""
    x = [_middle(year) for year in timeline.years]
    data, shapes, notes = [], [], []
    move = timeline.move
    if move is None:
        for index, row in enumerate(row for row in timeline.events if row.savings):
            data.append(
                {
                    "type": "bar",
                    "name": f"Depends on the {row.event.get_kind_display().lower()} of {row.event.due:%d %b %Y}",
                    "x": x,
                    "y": [millions(amount) for amount in row.by_year],
                    "marker": {"color": GOVUK_COLOURS[index % len(GOVUK_COLOURS)]},
                    "hovertemplate": "%{y:.2f}m<extra>%{fullData.name}</extra>",
                }
            )
    else:
        for name, values, colour in (
            ("As planned", [year.planned for year in move.years], GOVUK_COLOURS[0]),
            (f"With the event moved to {move.moved_to:%d %b %Y}", [year.moved for year in move.years], "#d4351c"),
        ):
            data.append(
                {
                    "type": "bar",
                    "name": name,
                    "x": x,
                    "y": [millions(value) for value in values],
                    "marker": {"color": colour},
                    "hovertemplate": "%{y:.2f}m<extra>%{fullData.name}</extra>",
                }
            )
    for row in timeline.events:
        shape, note = _event_line(row.event.due, row.event.get_kind_display(), "#505a5f")
        shapes.append(shape)
        notes.append(note)
    if move is not None:
        shape, note = _event_line(move.moved_to, f"{move.event.get_kind_display()} moved", "#d4351c", dash="solid")
        shapes.append(shape)
        notes.append(note)
    title = (
        "The savings of the initiatives that depend on the moved event"
        if move
        else "The savings that depend on each event, by financial year"
    )
    return {
        "data": data,
        "layout": base_layout(
            title=title,
            barmode="group" if move else "stack",
            # each year's bar at its middle, labelled 2014/15; the events' lines at their own dates
            xaxis={"type": "date", "tickvals": x, "ticktext": [year.label for year in timeline.years]},
            shapes=shapes,
            annotations=notes,
            margin={"l": 60, "r": 20, "t": 60, "b": 110},
        ),
    }
