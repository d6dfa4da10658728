"""Models shared by every app: the global permissions and the audit trail of user accounts."""

import uuid

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


class ImportPreview(models.Model):
    """An upload as its preview showed it, kept until it is confirmed (or for a day): the rows to
    write, each with the version of the record it was read against (mps_ict/imports.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40)
    scope = models.CharField(max_length=80, blank=True)
    user = models.ForeignKey(get_user_model(), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    payload = models.JSONField()

    def __str__(self) -> str:
        return f"{self.kind} {self.scope} preview by {self.user}"
