"""Formatting of the pack's JSON-ready values on its pages."""

from datetime import datetime
from decimal import Decimal

from django import template

from mps_ict.money import format_pounds
from reporting.io import held_label
from reporting.pack import COUNT, HOURS, MONEY

register = template.Library()


@register.simple_tag
def pack_value(row: dict, column: dict) -> str:
    value = row.get(column["key"])
    kind = column["kind"]
    if value is None:
        return "–" if kind in (MONEY, HOURS, COUNT) else ""
    if kind == MONEY:
        return format_pounds(Decimal(str(value)), pence=Decimal(str(value)) % 1 != 0)
    if kind == HOURS:
        return f"{Decimal(str(value)):,.0f}"
    if kind == COUNT:
        return f"{int(value):,}"
    return str(value)


@register.filter
def pack_moment(text):
    return datetime.fromisoformat(text) if text else None


@register.filter
def held(value):
    return held_label(value)


@register.simple_tag
def pack_change(change: dict, which: str) -> str:
    """A compared figure (before, after or difference) formatted for its kind."""
    value = change[which]
    if value in (None, ""):
        return "" if which != "before" or change["kind"] != MONEY else "–"
    kind = change["kind"]
    if kind not in (MONEY, HOURS, COUNT):
        return held_label(value) if change["column"] == "Held in this system" else str(value)
    amount = Decimal(str(value))
    sign = "+" if which == "difference" and amount > 0 else ""
    if kind == MONEY:
        return sign + format_pounds(amount, pence=amount % 1 != 0)
    return sign + (f"{amount:,.0f}" if kind == COUNT else f"{amount:,.2f}")
