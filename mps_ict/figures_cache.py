"""Cached figures, marked stale by the audit trail, resilient to a cache that is down.

A figure is cached under its app (its area: `savings`, `portfolio`, `mobile_assets`) and the
app's current version number. Invalidation hangs off the audit trail: every audited write records
a historical row, and the receiver below marks the app of the record it wrote stale. So a write
that changes a figure invalidates it however it was made (a service, a loader, a shell), and no
service says so by hand. Writes that keep no history (queryset `update()`, `bulk_create` and
`bulk_create_with_history`, COPY, models or links without history) call `figures_changed` with
the app label themselves, once, saying why.

Marking stale is transactional. A transaction that has written to an app reads that app's
figures afresh after each write, and caches them under a token of its own that no one else
reads; when it commits, the app's version moves on, so nothing cached before or in between
survives. A transaction (or savepoint) that rolls back moves nothing: the figures cached under
the version still describe what is in the database. If the cache is unreachable (Redis stopped),
figures are computed afresh: slower, never wrong, never an error.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

log = logging.getLogger(__name__)
T = TypeVar("T")
TIMEOUT = 6 * 60 * 60


def _version_key(app_label: str) -> str:
    return f"figures-version:{app_label}"


def current_version(app_label: str) -> int | None:
    try:
        version = cache.get(_version_key(app_label))
        if version is None:
            cache.add(_version_key(app_label), 1, timeout=None)
            version = cache.get(_version_key(app_label))
        return version
    except Exception as error:  # the cache is down: compute without it
        log.warning("Figure cache unavailable (%s); computing afresh", error.__class__.__name__)
        return None


class _Bump:
    """Moves an app's version on once the transaction commits; queued with `transaction.on_commit`,
    so it is dropped with the writes it stands for if they roll back. Until then `token` names
    the state of the app as this transaction sees it: figures it computes are cached under it,
    private to the transaction, and a later write gives a new token."""

    def __init__(self, app_label: str, earlier: _Bump | None):
        self.app_label = app_label
        self.token = uuid.uuid4().hex
        # the bumps one transaction queues for an app move its version on once between them
        self.commit = earlier.commit if earlier is not None else {"bumped": False}

    def __call__(self) -> None:
        if self.commit["bumped"]:
            return
        self.commit["bumped"] = True
        try:
            cache.add(_version_key(self.app_label), 1, timeout=None)
            cache.incr(_version_key(self.app_label))
        except Exception as error:
            log.warning("Could not invalidate the %s figure cache (%s)", self.app_label, error.__class__.__name__)


def _uncommitted(app_label: str) -> tuple[set | None, _Bump | None]:
    """The app's bump queued last by this connection's open transaction, and the savepoints open
    when it was queued; (None, None) if the transaction has no uncommitted write to the app.
    (Django's queue of on-commit callbacks, as `captureOnCommitCallbacks` reads it; a rollback, to
    a savepoint or of the whole transaction, drops the callbacks queued inside it.)"""
    for savepoints, func, _ in reversed(transaction.get_connection().run_on_commit):
        if isinstance(func, _Bump) and func.app_label == app_label:
            return savepoints, func
    return None, None


def figures_changed(app_label: str) -> None:
    """Mark every cached figure of the app stale: for this transaction at once, for everyone once
    it commits (at once outside a transaction). Called by the audit trail for every audited
    write, and by the writers that keep no history."""
    connection = transaction.get_connection()
    savepoints, bump = _uncommitted(app_label)
    if bump is not None and savepoints == set(connection.savepoint_ids):
        bump.token = uuid.uuid4().hex  # rolled back, if at all, with the writes before it
    else:
        # a bump of its own, so that rolling back this savepoint leaves the earlier token in force
        transaction.on_commit(_Bump(app_label, bump))


@receiver(post_create_historical_record, dispatch_uid="figures-stale-on-audited-write")
def _audited_write(sender, instance, **kwargs) -> None:
    """Every audited save, delete or audited m2m change marks its record's app stale."""
    figures_changed(instance._meta.app_label)


def cached_figure(app_label: str, parts: tuple, compute: Callable[[], T]) -> T:
    """The figure `parts` of the app (pass a model's `_meta.app_label`), computed by `compute` and
    cached until any audited write to the app (or a `figures_changed`) commits."""
    version = current_version(app_label)
    if version is None:
        return compute()
    _, bump = _uncommitted(app_label)
    state = f"{version}:{bump.token}" if bump is not None else str(version)
    key = f"figures:{app_label}:{state}:" + ":".join(str(part) for part in parts)
    try:
        value = cache.get(key)
    except Exception:
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=TIMEOUT)
        except Exception as error:
            log.warning("Could not cache %s (%s)", key, error.__class__.__name__)
    return value
