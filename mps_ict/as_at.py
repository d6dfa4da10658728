""" "As at": the figures as they stood at the end of a past day.

One strategy for every area, audit replay: every audited change carries `effective_at` (when it
was made, or for a record loaded from a source document, that document's date) and
`mps_ict.audit.as_of(model, at)` rebuilds a table as it stood at a moment from its history. Each
area gives the same interface, `selectors.records_at(at)`, returning the querysets its figures are
read from (the live tables when `at` is None), and its selectors take those records; the reporting
floor (`reporting.as_at`) puts the three areas together for the overview, the pack and the email.

This module holds the small parts every page and endpoint shares: the moment a day ends, reading
`?as_at=` and keeping it on links.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit, urlunsplit

from django.utils import timezone

PARAMETER = "as_at"


def end_of_day(day: date) -> datetime:
    """The last moment of a day in the service's time zone: figures "as at" a day include its changes."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)) - timedelta(microseconds=1)


def moment(day: date | None) -> datetime | None:
    """The moment figures "as at" `day` are read at; None (now) without a day."""
    return end_of_day(day) if day else None


def as_at_from(request):
    """The page's "as at" form and the day it asks for (None: now, or the date was not valid)."""
    from mps_ict.forms import AsAtForm

    form = AsAtForm(request.GET or None)
    day = form.cleaned_data["as_at"] if form.is_valid() else None
    return form, day


def keep_as_at(url: str, day: date | None) -> str:
    """The link with `as_at=<day>` added to its query (before any #fragment), so following it
    stays on the same date; unchanged without a day."""
    if not day:
        return url
    parts = urlsplit(url)
    query = f"{parts.query}&{PARAMETER}={day.isoformat()}" if parts.query else f"{PARAMETER}={day.isoformat()}"
    return urlunsplit(parts._replace(query=query))
