from django.conf import settings
from django.db import models

from mps_ict.marking import can_view_restricted


class PackVersion(models.TextChoices):
    FULL = "full", "Full (includes OFFICIAL-SENSITIVE records)"
    PUBLICATION = "publication", "Publication (OFFICIAL-SENSITIVE records left out)"


class PackSnapshotQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A frozen full pack carries OFFICIAL-SENSITIVE records, so it is read as one: only with
        `view_restricted`. Everyone may read frozen publication packs."""
        return self if can_view_restricted(user) else self.filter(version=PackVersion.PUBLICATION)


class PackSnapshot(models.Model):
    """The Assembly response pack frozen as it stood when taken: later edits do not change it."""

    label = models.CharField(max_length=120, help_text="What this copy is for, e.g. Submission of 3 May 2013")
    version = models.CharField(max_length=20, choices=PackVersion.choices)
    frozen_at = models.DateTimeField(auto_now_add=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField(help_text="The pack as built (amounts as decimal strings)")
    objects = PackSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-frozen_at", "-pk"]

    def __str__(self):
        return f"{self.label} ({self.frozen_at:%d %b %Y %H:%M})"

    @property
    def is_publication(self) -> bool:
        return self.version == PackVersion.PUBLICATION
