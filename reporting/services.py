"""Writes of the reporting floor: freezing the Assembly pack, and the board's monthly summary email."""

from __future__ import annotations

from datetime import date
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from mps_ict.access import may_read
from mps_ict.marking import PUBLICATION, can_view_restricted
from mps_ict.roles import BOARD
from reporting.assembly import pack_build, pack_covers, pack_version_for
from reporting.models import BoardSummarySent, PackSnapshot
from reporting.selectors import CONTRACT_READ, board_overview

FREEZE_PERMISSION = "reporting.add_packsnapshot"


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


def board_recipients():
    """Active board members with an email address."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=BOARD)
        .exclude(email="")
        .order_by("username")
        .distinct()
    )


def _alerts_with_links(alerts) -> dict | None:
    """The contract alerts' rows, each with the full link to its contract's events, for the email."""
    if alerts is None:
        return None

    def linked(rows):
        return [(row, urljoin(settings.SITE_URL, reverse("contracts:event", args=[row.event_id]))) for row in rows]

    return {"alerts": alerts, "due": linked(alerts.due), "overdue": linked(alerts.overdue)}


def board_summary_send(*, month: date) -> int:
    """Email the board the headline figures and links, once for the month (re-runs send nothing).
    Returns how many people it went to."""
    month = month.replace(day=1)
    recipients = board_recipients()
    if not recipients:
        return 0
    with transaction.atomic():
        _, created = BoardSummarySent.objects.get_or_create(
            month=month, defaults={"recipients": "\n".join(user.email for user in recipients)}
        )
        if not created:
            return 0
        # one email to everyone: the full figures only if every recipient may see them
        reader = recipients[0] if all(can_view_restricted(user) for user in recipients) else PUBLICATION
        # and the contract decisions due (the window from CONTRACT_ALERT_WINDOW, from today) only if
        # every recipient may read the contract events
        overview = board_overview(
            user=reader, contract_reader=all(may_read(user, CONTRACT_READ) for user in recipients)
        )
        link = lambda name: urljoin(settings.SITE_URL, reverse(name))  # noqa: E731
        body = render_to_string(
            "reporting/email/board_summary.txt",
            {
                "month": month,
                "overview": overview,
                "contract_alerts": _alerts_with_links(overview.contract_alerts),
                "links": {
                    "overview": link("home"),
                    "savings": link("savings:overview"),
                    "portfolio": link("portfolio:dashboard"),
                    "mobile": link("mobile_assets:dashboard"),
                    "assembly": link("assembly:pack"),
                    "contracts": link("contracts:event-list"),
                },
            },
        )
        # a failure to send rolls the record back, so the next run tries again
        send_mail(
            subject=f"MPS ICT Tracker: board summary for {month:%B %Y}",
            message=body,
            from_email=None,
            recipient_list=[user.email for user in recipients],
        )
    return len(recipients)
