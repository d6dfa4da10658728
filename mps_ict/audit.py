"""The audit trail: who changed what, when, from what to what, grouped by request.

Any model opts in with one line, `history = AuditHistory()`, and gets django-simple-history's
historical table plus a `request_id` column, so every change made by one request (one upload,
one form) can be found together. Changes made outside a request (a command, a Celery task) are
grouped with `audit_context(user=..., reason=...)`.

"As at": every historical row also carries `effective_at`, the moment the change took effect. It
is when the change was made, except for a record loaded from a source document, which takes effect
on the document's date (`audit_context(effective=...)`: the savings table of 29 April 2013, say,
although it was loaded today). `as_of(model, at)` replays the history by `effective_at`, so "as at
30 April 2013" shows what the source documents said by then, and every change a user made after
that day is undone.
"""

from __future__ import annotations

import contextvars
import functools
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import migrations, models
from django.db.models import Exists, Max, OuterRef, Q
from django.dispatch import receiver
from django.utils import timezone
from simple_history import register
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from mps_ict.request_context import current_request_id

_current_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_audit_reason", default=None)
_current_user = contextvars.ContextVar("current_audit_user", default=None)
_current_effective: contextvars.ContextVar[datetime | None] = contextvars.ContextVar(
    "current_audit_effective", default=None
)


def effective_now() -> datetime:
    """When a change being recorded takes effect: the source document's date inside
    `audit_context(effective=...)`, else now. The default of `effective_at`, so rows written in
    bulk (which send no signals) get it too."""
    return _current_effective.get() or timezone.now()


class AuditRecord(models.Model):
    """Fields added to every historical table."""

    request_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    effective_at = models.DateTimeField(
        default=effective_now,
        db_index=True,
        help_text="When the change took effect: when it was made, or the date of the source document it was loaded from",
    )

    class Meta:
        abstract = True


def AuditHistory(**options) -> HistoricalRecords:  # noqa: N802 - reads like a field class
    """`history = AuditHistory()` on a model records every change to it."""
    options.setdefault("bases", [AuditRecord])
    options.setdefault("cascade_delete_history", False)
    return HistoricalRecords(**options)


def audit_model(model, **options) -> None:
    """Audit a model we do not own (such as the user model)."""
    options.setdefault("bases", [AuditRecord])
    register(model, **options)


@contextmanager
def audit_context(
    *, user=None, reason: str | None = None, request_id: str | None = None, effective: date | None = None
):
    """Attribute changes made outside a web request (commands, tasks) to a user and reason. With
    `effective` (a loader's source document date), the records it creates take effect at the start
    of that day."""
    moment = timezone.make_aware(datetime.combine(effective, time.min)) if effective else None
    variables = (current_request_id, _current_reason, _current_user, _current_effective)
    tokens = [
        current_request_id.set(request_id or current_request_id.get() or uuid.uuid4().hex),
        _current_reason.set(reason),
        _current_user.set(user),
        _current_effective.set(moment),
    ]
    try:
        yield
    finally:
        for var, token in zip(variables, tokens, strict=True):
            var.reset(token)


def audited(service):
    """Attribute every change a service makes to its `user` keyword argument (and `reason`)."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        with audit_context(user=kwargs.get("user"), reason=kwargs.get("reason") or _current_reason.get()):
            return service(*args, **kwargs)

    return wrapper


@receiver(pre_create_historical_record)
def _stamp_history(sender, history_instance, **kwargs):
    history_instance.request_id = current_request_id.get() or ""
    if not history_instance.history_change_reason and _current_reason.get():
        history_instance.history_change_reason = _current_reason.get()
    if history_instance.history_user_id is None and _current_user.get() is not None:
        history_instance.history_user = _current_user.get()
    # a source document's date is when the records it gives came to be; a change to one (even by a
    # loader) takes effect when it is made
    if history_instance.history_type != "+" or _current_effective.get() is None:
        history_instance.effective_at = history_instance.history_date


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: object
    after: object


@dataclass(frozen=True)
class HistoryEntry:
    when: object
    who: str
    action: str
    reason: str
    request_id: str
    changes: tuple[FieldChange, ...]


def person(user) -> str:
    """How a trail names whoever made a change: their full name, else their username; "system"
    for a change made by no one signed in (a loader, a task)."""
    if user is None:
        return "system"
    return user.get_full_name() or user.get_username()


_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def history_entries(instance, *, limit: int = 50) -> list[HistoryEntry]:
    """The record's history, newest first, each entry with its before/after field changes.

    One query: the newest `limit + 1` historical rows with their users; the extra row gives the
    "before" of the oldest entry shown.
    """
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries = []
    model = instance.__class__
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                try:
                    label = str(model._meta.get_field(change.field).verbose_name)
                except Exception:  # a field no longer on the model
                    label = change.field
                changes.append(FieldChange(change.field, label.capitalize(), change.old, change.new))
        who = record.history_user.get_username() if record.history_user else "system"
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=who,
                action=_ACTIONS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                request_id=getattr(record, "request_id", ""),
                changes=tuple(changes),
            )
        )
    return entries


def as_of(model, at) -> models.QuerySet:
    """Every record of an audited `model` as it stood at `at`: for each record, its latest
    historical row in effect by then (by `effective_at`), records deleted by then left out. One
    queryset, filtered in the database, with the model's own field names, so a selector can
    aggregate it as it would the live table. Records created by bulk writes that keep no history
    are absent.
    """
    historical = model.history.model
    pk_name = model._meta.pk.attname
    later = historical.objects.filter(
        Q(effective_at__gt=OuterRef("effective_at"))
        | Q(effective_at=OuterRef("effective_at"), history_id__gt=OuterRef("history_id")),
        **{pk_name: OuterRef(pk_name)},
        effective_at__lte=at,
    )
    return historical.objects.filter(effective_at__lte=at).exclude(Exists(later)).exclude(history_type="-")


def last_changed(*models_with_history, at=None):
    """When any of these audited models' figures last took effect (by `at`, if given), or None.
    One aggregate query each."""
    latest = None
    for model in models_with_history:
        changes = model.history.all() if at is None else model.history.filter(effective_at__lte=at)
        when = changes.aggregate(latest=Max("effective_at"))["latest"]
        if when is not None and (latest is None or when > latest):
            latest = when
    return latest


def effective_at_backfill(app_label: str):
    """A migration step: the history written before `effective_at` existed took effect when it
    was recorded."""

    def forwards(apps, schema_editor):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical"):
                model.objects.update(effective_at=models.F("history_date"))

    return migrations.RunPython(forwards, migrations.RunPython.noop)


def bulk_write(model, *, created=(), changed=(), fields: list[str], user, reason: str, batch_size: int = 1000) -> None:
    """Write many records of one model at once, each with its line in the audit trail (who, why,
    the request): `created` inserted, `changed` (records read from the database, then changed)
    written back. An upload's confirm writes thousands of rows this way in a few statements; the
    changes go as one INSERT ... ON CONFLICT (id) DO UPDATE per batch, not Django's bulk_update,
    whose CASE WHEN per row and field cost seconds at the estate's size. Bulk writes send no
    signals: the caller marks its cached figures stale (figures_changed)."""
    from simple_history.utils import bulk_create_with_history

    attributes = {"request_id": current_request_id.get() or ""}
    if created:
        bulk_create_with_history(
            list(created),
            model,
            batch_size=batch_size,
            default_user=user,
            default_change_reason=reason,
            custom_historical_attrs=attributes,
        )
    if changed:
        changed = list(changed)
        model._default_manager.bulk_create(
            changed, batch_size=batch_size, update_conflicts=True, unique_fields=["id"], update_fields=fields
        )
        model.history.bulk_history_create(
            changed,
            batch_size=batch_size,
            update=True,
            default_user=user,
            default_change_reason=reason,
            custom_historical_attrs=attributes,
        )
