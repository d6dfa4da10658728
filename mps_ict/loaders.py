"""Loading reference data from the source documents, idempotently."""

from django.db import models


def upsert(model: type[models.Model], lookup: dict, **values) -> tuple[models.Model, bool]:
    """Create the row, or update only the values that differ, so an unchanged re-run writes
    nothing (and no audit history). Returns (instance, created)."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
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
