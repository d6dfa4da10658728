"""Loading reference data from the source documents, idempotently."""

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
