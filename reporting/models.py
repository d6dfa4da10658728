"""What the reporting floor keeps: frozen copies of the Assembly pack and the board emails sent.

Both tables keep the names they had before the reporting floor took them over (the pack was the
`assembly` app; the email was the ground package's), so existing databases keep their rows."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.db.models.lookups import Contains

from mps_ict.marking import can_view_restricted


class PackVersion(models.TextChoices):
    FULL = "full", "Full (includes OFFICIAL-SENSITIVE records)"
    PUBLICATION = "publication", "Publication (OFFICIAL-SENSITIVE records left out)"


class PackSnapshotQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A frozen full pack carries OFFICIAL-SENSITIVE records, so it is read as one: only with
        `view_restricted`. A frozen publication pack is read by anyone, unless a record it covered
        has since been marked OFFICIAL-SENSITIVE (or it predates knowing what it covered, while
        anything is withheld): its figures would give that record away. (A contract it names is
        covered as " contract:ID "; copies frozen before contracts were covered do not list them.)"""
        if can_view_restricted(user):
            return self
        from contracts import selectors as contract_selectors
        from portfolio import selectors as portfolio_selectors
        from savings import selectors as savings_selectors

        def covered(withheld, kind):
            token = Concat(Value(f" {kind}:"), Cast("pk", models.CharField()), Value(" "))
            return Exists(withheld.annotate(token=token).filter(Contains(OuterRef("covers"), F("token"))))

        initiatives = savings_selectors.withheld_initiatives(user=user)
        projects = portfolio_selectors.withheld_projects(user=user)
        return self.filter(version=PackVersion.PUBLICATION).exclude(
            covered(initiatives, "initiative")
            | covered(projects, "project")
            | covered(contract_selectors.withheld_contracts(user=user), "contract")
            | (Q(covers="") & (Exists(initiatives) | Exists(projects)))
        )


class PackSnapshot(models.Model):
    """The Assembly response pack frozen as it stood when taken: later edits do not change it."""

    label = models.CharField(max_length=120, help_text="What this copy is for, e.g. Submission of 3 May 2013")
    version = models.CharField(max_length=20, choices=PackVersion.choices)
    frozen_at = models.DateTimeField(auto_now_add=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField(help_text="The pack as built (amounts as decimal strings)")
    covers = models.TextField(
        blank=True,
        default="",
        help_text='The marked records its figures include, as " initiative:ID project:ID " (empty if unknown)',
    )
    objects = PackSnapshotQuerySet.as_manager()

    class Meta:
        db_table = "assembly_packsnapshot"
        ordering = ["-frozen_at", "-pk"]

    def __str__(self):
        return f"{self.label} ({self.frozen_at:%d %b %Y %H:%M})"

    @property
    def is_publication(self) -> bool:
        return self.version == PackVersion.PUBLICATION


class BoardSummarySent(models.Model):
    """The monthly board summary email, recorded once per month so a re-run never sends twice."""

    month = models.DateField(unique=True, help_text="First day of the month the summary is for")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(help_text="Addresses it went to, one per line")

    class Meta:
        db_table = "mps_ict_boardsummarysent"
        ordering = ["-month"]

    def __str__(self):
        return f"Board summary {self.month:%B %Y}"
