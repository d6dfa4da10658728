"""Loading reference data from the source documents.

Loaders insert what is missing and never overwrite: a record that is already there (found by its
natural key) is left exactly as it is, whatever the data file says, because after the first load
the application is the system of record and users maintain it (DESIGN.md). A `LoadReport` counts
what a load added and what it left as it was, so each command can say so.

`upsert` is not for loaders: it is for an upload a user confirms (the device register), where
the file is the user's own change.
"""

from collections import Counter

from django.db import models


def upsert(model_class: type[models.Model], lookup: dict, /, **values) -> tuple[models.Model, bool]:
    """Create the row, or update only the values that differ, so an unchanged re-run writes
    nothing (and no audit history). Returns (instance, created). The first two arguments are
    positional-only, so a field may be called `model`."""
    instance = model_class.objects.filter(**lookup).first()
    if instance is None:
        instance = model_class(**lookup, **values)
        instance.full_clean()
        instance.save()
        return instance, True
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.full_clean()
        instance.save()
    return instance, False


class LoadReport:
    """What a load added and what it found already there and left as it is, by kind of record."""

    def __init__(self) -> None:
        self.added: Counter[type[models.Model]] = Counter()
        self.kept: Counter[type[models.Model]] = Counter()

    def insert_missing(self, model_class: type[models.Model], lookup: dict, /, **values) -> tuple[models.Model, bool]:
        """The row found by `lookup`, untouched; or, when there is none, a new row with `values`.
        Returns (instance, created). The first two arguments are positional-only, so a field may
        be called `model`."""
        instance = model_class.objects.filter(**lookup).first()
        if instance is not None:
            self.keep(model_class)
            return instance, False
        instance = model_class(**lookup, **values)
        instance.full_clean()
        instance.save()
        self.add(model_class)
        return instance, True

    def add(self, model_class: type[models.Model], count: int = 1) -> None:
        if count:
            self.added[model_class] += count

    def keep(self, model_class: type[models.Model], count: int = 1) -> None:
        if count:
            self.kept[model_class] += count

    def summary(self) -> str:
        """Two sentences: what was added, and what was already there and left as it is."""

        def listed(counts: Counter) -> str:
            return ", ".join(
                f"{count:,} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
                for model, count in counts.items()
            )

        added = f"Added {listed(self.added)}." if self.added else "Added nothing: every record was already there."
        kept = (
            f" Left as they are (already there, perhaps changed by users since; never overwritten): "
            f"{listed(self.kept)}."
            if self.kept
            else ""
        )
        return added + kept
