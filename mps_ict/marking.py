"""Government Security Classifications protective marking carried by records, and the one rule for
who sees a marked record.

The rule: a record marked OFFICIAL-SENSITIVE (or belonging to one, such as a benefit of a marked
project) reaches only readers with `view_restricted`. It is written once, here, as `visible_q`;
every marked model's manager is a `MarkedQuerySet`, so every read says `Model.objects.visible_to(user)`
(or, for rows hanging off a marked record, filters with `visible_q(user, "initiative__")`). What a
reader without `view_restricted` gets is the publication version: sums over the records published
to them, labelled with how many were withheld (see `Withheld`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q


class ProtectiveMarking(models.TextChoices):
    OFFICIAL = "OFFICIAL", "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE (commercial)"


SENSITIVE = ProtectiveMarking.OFFICIAL_SENSITIVE


class _EveryRecord:
    """The reader a job uses to record the full position (the nightly snapshot): it sees every
    record. Not a user; nothing it reads reaches anyone without `view_restricted`."""

    def __repr__(self):
        return "EVERY_RECORD"


EVERY_RECORD = _EveryRecord()
PUBLICATION = None  # the reader of the publication version: no `view_restricted`


def can_view_restricted(user) -> bool:
    """Whether the reader may see OFFICIAL-SENSITIVE records (otherwise: publication version only)."""
    from mps_ict.roles import VIEW_RESTRICTED

    if user is EVERY_RECORD:
        return True
    return bool(user and user.is_authenticated and user.has_perm(VIEW_RESTRICTED))


def visible_q(user, through: str = "", marked_with: tuple[str, ...] = ("",)) -> Q:
    """The rule as a filter: the records (reached through the relation path `through`, e.g.
    "initiative__") that `user` may see. `marked_with` names where the marking that hides such a
    record sits: "" its own, "project" its project's (a model's own `marked_with`)."""
    if can_view_restricted(user):
        return Q()
    hidden = Q()
    for path in marked_with:
        hidden |= Q(**{f"{through}{path}{'__' if path else ''}protective_marking": SENSITIVE})
    return ~hidden


class MarkedQuerySet(models.QuerySet):
    """The manager of every model that carries a protective marking, or belongs to one that does
    (the model's `marked_with`: "" for its own marking, "project" for its project's, …)."""

    def visible_to(self, user) -> MarkedQuerySet:
        """The records `user` may see: OFFICIAL-SENSITIVE ones only with `view_restricted`."""
        return self.filter(visible_q(user, marked_with=getattr(self.model, "marked_with", ("",))))

    def withheld(self, user) -> MarkedQuerySet:
        """The records `user` may not see (none with `view_restricted`)."""
        if can_view_restricted(user):
            return self.none()
        return self.exclude(visible_q(user, marked_with=getattr(self.model, "marked_with", ("",))))

    def withheld_from(self, user) -> int:
        """How many of these records `user` may not see (0 with `view_restricted`, without a
        query): the count a publication figure is labelled with."""
        return 0 if can_view_restricted(user) else self.withheld(user).count()


@dataclass(frozen=True)
class Withheld:
    """What a publication figure leaves out: how many records of a kind, and the sentence saying so."""

    count: int
    what: str  # singular noun: "initiative", "project"

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def sentence(self) -> str:
        if not self.count:
            return ""
        noun = self.what if self.count == 1 else f"{self.what}s"
        return (
            f"Covers published {self.what}s only: {self.count} {noun} marked OFFICIAL-SENSITIVE "
            f"{'is' if self.count == 1 else 'are'} withheld. Figures that would compare these with a "
            "whole-plan figure (a target, a budget) are not given, as the difference would disclose them."
        )


def named_in_trail(records, name_field: str) -> str:
    """Records named in a line of another record's trail, which readers without `view_restricted`
    read: those marked OFFICIAL-SENSITIVE are counted, never named (so a link to a marked record
    leaves no trace of it in a published record's history)."""
    names = sorted(getattr(record, name_field) for record in records if record.protective_marking != SENSITIVE)
    marked = sum(1 for record in records if record.protective_marking == SENSITIVE)
    if marked:
        names.append(f"{marked} marked {SENSITIVE}")
    return ", ".join(names)
