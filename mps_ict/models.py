"""Models shared by every app: the global permissions and the audit trail of user accounts."""

from django.contrib.auth import get_user_model
from django.db import models

from mps_ict.audit import audit_model


class Access(models.Model):
    """Holds permissions that belong to no single record (there is no table behind it)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_restricted", "Can see records marked OFFICIAL-SENSITIVE"),
        ]

    def __str__(self):
        return "Access"


# Sign-in accounts are audited too: who deactivated whom, and when.
audit_model(get_user_model(), app="mps_ict", excluded_fields=["password", "last_login"])


class BoardSummarySent(models.Model):
    """The monthly board summary email, recorded once per month so a re-run never sends twice."""

    month = models.DateField(unique=True, help_text="First day of the month the summary is for")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(help_text="Addresses it went to, one per line")

    class Meta:
        ordering = ["-month"]

    def __str__(self):
        return f"Board summary {self.month:%B %Y}"
