"""{% as_at_url 'savings:overview' as_at %}: a link that keeps the page's "as at" date, and
{{ href|keep_as_at:as_at }} for a URL built otherwise (one with its own query)."""

from django import template
from django.urls import reverse

from mps_ict import as_at

register = template.Library()


@register.simple_tag
def as_at_url(view_name, day, *args):
    return as_at.keep_as_at(reverse(view_name, args=args), day)


@register.filter
def keep_as_at(url, day):
    return as_at.keep_as_at(str(url), day)
