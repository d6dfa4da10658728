"""Writes of the Assembly response pack: freezing it as a dated snapshot."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from assembly.models import PackSnapshot
from assembly.selectors import pack_build, pack_covers, pack_version_for

FREEZE_PERMISSION = "assembly.add_packsnapshot"


@transaction.atomic
def pack_freeze(*, user, label: str, version: str) -> PackSnapshot:
    """Build the pack as the data stands and keep it, unchanged by later edits. Finance staff
    freeze packs; a reader without `view_restricted` can only freeze the publication version."""
    if not user.has_perm(FREEZE_PERMISSION):
        raise PermissionDenied("Only finance staff can freeze the Assembly pack.")
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": "Enter what this copy is for, for example Submission of 3 May 2013"})
    if len(label) > 120:
        raise ValidationError({"label": "The description must be 120 characters or fewer"})
    version = pack_version_for(user, version)
    snapshot = PackSnapshot(
        label=label,
        version=version,
        frozen_by=user,
        content=pack_build(user=user, version=version),
        covers=pack_covers(user=user, version=version),
    )
    snapshot.full_clean()
    snapshot.save()
    return snapshot
