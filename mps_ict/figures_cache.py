"""Cached figures with correct invalidation, resilient to a cache that is down.

Each area keeps a version number in the cache; a figure is cached under its area's current
version, and every write that can change a figure bumps the version (after the commit), so a
stale figure is never served. If the cache is unreachable (Redis stopped), figures are computed
afresh: slower, never wrong, never an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

log = logging.getLogger(__name__)
T = TypeVar("T")
TIMEOUT = 6 * 60 * 60


def _version_key(area: str) -> str:
    return f"figures-version:{area}"


def current_version(area: str) -> int | None:
    try:
        version = cache.get(_version_key(area))
        if version is None:
            cache.add(_version_key(area), 1, timeout=None)
            version = cache.get(_version_key(area))
        return version
    except Exception as error:  # the cache is down: compute without it
        log.warning("Figure cache unavailable (%s); computing afresh", error.__class__.__name__)
        return None


def figures_changed(area: str) -> None:
    """Mark every cached figure of the area stale: now (so this transaction reads its own writes)
    and again once it commits (so nothing another process cached in between survives)."""

    def bump():
        try:
            cache.add(_version_key(area), 1, timeout=None)
            cache.incr(_version_key(area))
        except Exception as error:
            log.warning("Could not invalidate the %s figure cache (%s)", area, error.__class__.__name__)

    bump()
    transaction.on_commit(bump)


def stale_when_saved(area: str, app_label: str) -> None:
    """Mark the area's figures stale whenever any record of the app is saved or deleted, however
    it is written (a service, the admin, a loader): a cached figure never outlives a change, and a
    record just marked OFFICIAL-SENSITIVE never stays in a cached publication figure. Called from
    each area's AppConfig.ready()."""

    def changed(sender, **kwargs):
        if sender._meta.app_label == app_label:
            figures_changed(area)

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(changed, weak=False, dispatch_uid=f"figures-stale-{app_label}")


def cached_figure(area: str, parts: tuple, compute: Callable[[], T]) -> T:
    version = current_version(area)
    if version is None:
        return compute()
    key = f"figures:{area}:{version}:" + ":".join(str(part) for part in parts)
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
