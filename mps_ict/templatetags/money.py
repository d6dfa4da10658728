"""Template filters for Decimal money: {{ amount|pounds }}, |pounds_k, |pounds_m, |pounds_compact."""

from django import template

from mps_ict import money

register = template.Library()


@register.filter
def pounds(value, pence=False):
    return money.format_pounds(value, pence=bool(pence))


@register.filter
def pounds_k(value, places=0):
    return money.format_thousands(value, places=int(places))


@register.filter
def pounds_m(value, places=1):
    return money.format_millions(value, places=int(places))


@register.filter
def pounds_compact(value):
    return money.format_compact(value)


@register.filter
def percent(fraction, places=1):
    """A fraction as a percentage: 0.043756 → 4.4%."""
    return money.format_percent(fraction, places=int(places))
