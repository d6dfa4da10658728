"""Writes to the savings plan. Every function is atomic and audited (who, when, before, after)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from mps_ict.audit import audit_context, audited
from mps_ict.conflicts import Conflict, StaleVersion, version_check
from mps_ict.financial_years import FinancialYear, Quarter
from mps_ict.loaders import LoadReport
from mps_ict.marking import ProtectiveMarking
from mps_ict.money import FORECAST_TOLERANCE_LABEL, forecast_beyond_tolerance
from mps_ict.uploads import ImportRejected, RowError
from savings.choices import ActualStatus
from savings.models import (
    Category,
    Initiative,
    PlanTarget,
    QuarterClosure,
    QuarterlyActual,
    SavingsPlan,
    SavingsProfile,
    SpendBaseline,
    SpendBaselineLine,
)

MILLION = Decimal(1_000_000)


# --- The baseline from the source documents -----------------------------------------------------


def _stated_reduction(printed: str) -> Decimal | None:
    """The table prints reductions in £m as negatives ("-8"); anything else ("φ") is not a number."""
    try:
        return abs(Decimal(str(printed))) * MILLION
    except ArithmeticError:
        return None


@transaction.atomic
def plan_load_baseline(*, data: dict, user=None, report: LoadReport | None = None) -> SavingsPlan:
    """Load the plan as the data file gives it, inserting only what is missing: a plan, target,
    category (by slug), initiative (by reference), profile year, spend baseline or line that is
    already there is left exactly as it is, whatever the file says (finance maintain it in the
    application). `report` counts what was added and what was left."""
    report = report if report is not None else LoadReport()
    insert = report.insert_missing
    with audit_context(
        user=user, reason="Loaded from the source documents (load_mps_baseline)", effective=data.get("effective")
    ):
        plan_data = data["plan"]
        plan, _ = insert(
            SavingsPlan,
            {"name": plan_data["name"]},
            baseline_year=FinancialYear.parse(plan_data["baseline_year"]),
            target_year=FinancialYear.parse(plan_data["target_year"]),
            baseline_cost=Decimal(plan_data["baseline_cost"]),
            target_cost=Decimal(plan_data["target_cost"]),
            costs_outside_doi=Decimal(plan_data["costs_outside_doi"]),
            costs_outside_doi_in_scope=Decimal(plan_data["costs_outside_doi_in_scope"]),
            source=plan_data["source"].strip(),
        )
        for target in data["targets"]:
            insert(
                PlanTarget,
                {"plan": plan, "financial_year": FinancialYear.parse(target["financial_year"])},
                cumulative_target=Decimal(target["cumulative_target"]),
                source=target["source"],
            )
        for position, row in enumerate(data["initiatives"], start=1):
            # by slug, so a category finance renamed is still found (and not loaded twice)
            category, _ = insert(
                Category, {"plan": plan, "slug": slugify(row["category"])}, name=row["category"], position=position
            )
            printed = str(row["stated_reduction"])
            initiative, _ = insert(
                Initiative,
                {"reference": row["reference"]},
                category=category,
                description=" ".join(row["description"].split()),
                cost_now=Decimal(row["cost_now"]),
                future_cost=Decimal(row["future_cost"]),
                stated_reduction=_stated_reduction(printed),
                stated_reduction_text=printed,
                savings_type=row["savings_type"],
                savings_type_is_assumed=True,
                cashable=True,
                investment_needed=None,
                investment_note="To be confirmed following consultation with strategic partners (April 2013).",
                inside_doi_budget=True,
                dependencies=" ".join((row.get("dependencies") or "").split()),
                protective_marking=ProtectiveMarking.OFFICIAL,
            )
            for year_label, amount in row["profile"].items():
                insert(
                    SavingsProfile,
                    {"initiative": initiative, "financial_year": FinancialYear.parse(year_label)},
                    planned_saving=Decimal(amount),
                    is_assumed=True,
                )
        spend = data["spend_baseline"]
        baseline, _ = insert(
            SpendBaseline,
            {"financial_year": FinancialYear.parse(spend["financial_year"])},
            total=Decimal(spend["total"]),
            comparable_total=Decimal(spend["comparable_total"]),
            managed_by_doi=Decimal(spend["managed_by_doi"]),
            share_of_revenue_budget=Decimal(spend["share_of_revenue_budget"]),
            third_party_share_of_revenue=Decimal(spend["third_party_share_of_revenue"]),
            source=spend["source"],
        )
        for position, line in enumerate(spend["lines"], start=1):
            comparator = line.get("comparator_amount")
            insert(
                SpendBaselineLine,
                {"baseline": baseline, "position": position},
                name=line["name"],
                group=line.get("group", ""),
                is_subtotal=bool(line.get("subtotal")),
                amount=Decimal(line["amount"]),
                comparator_amount=Decimal(comparator) if comparator else None,
            )
    return plan


# --- Initiatives ----------------------------------------------------------------------------------

INITIATIVE_EDITABLE_FIELDS = {
    "description",
    "owner",
    "cost_now",
    "future_cost",
    "savings_type",
    "cashable",
    "investment_needed",
    "investment_note",
    "inside_doi_budget",
    "delivery_status",
    "confidence",
    "dependencies",
    "protective_marking",
}


@audited
@transaction.atomic
def initiative_update(*, initiative: Initiative, user, reason: str = "", **changes) -> Initiative:
    """Change an initiative's figures, status or marking; audited, and the cached figures refresh."""
    unknown = set(changes) - INITIATIVE_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked


# --- Quarterly actuals: maker-checker ------------------------------------------------------------


@dataclass(frozen=True)
class ActualInput:
    initiative: Initiative
    actual_saving: Decimal
    forecast_full_year: Decimal
    commentary: str = ""


def quarter_is_closed(*, plan: SavingsPlan, quarter: Quarter) -> bool:
    return QuarterClosure.objects.filter(
        plan=plan, financial_year=quarter.financial_year, quarter=quarter.number, closed=True
    ).exists()


def forecast_reference(*, initiative: Initiative, quarter: Quarter, exclude_pk=None) -> Decimal | None:
    """What a new forecast is compared with: the latest approved forecast earlier in the same
    year, else the planned saving for the year."""
    earlier = (
        QuarterlyActual.objects.filter(
            initiative=initiative,
            financial_year=quarter.financial_year,
            quarter__lt=quarter.number,
            status=ActualStatus.APPROVED,
        )
        .exclude(pk=exclude_pk)
        .order_by("-quarter")
        .values_list("forecast_full_year", flat=True)
        .first()
    )
    if earlier is not None:
        return earlier
    return (
        SavingsProfile.objects.filter(initiative=initiative, financial_year=quarter.financial_year)
        .values_list("planned_saving", flat=True)
        .first()
    )


def actual_validate(*, row: ActualInput, quarter: Quarter, existing: QuarterlyActual | None) -> dict[str, str]:
    """Every rule a quarterly actual must meet, as {field: message}; empty when it is valid."""
    errors: dict[str, str] = {}
    if row.actual_saving < 0:
        errors["actual_saving"] = "Actual saving must not be negative."
    if row.forecast_full_year < 0:
        errors["forecast_full_year"] = "Full-year forecast must not be negative."
    if quarter_is_closed(plan=row.initiative.category.plan, quarter=quarter):
        errors["quarter"] = f"{quarter} is closed; its actuals are locked."
    elif existing is not None and not existing.editable:
        errors["status"] = f"This actual is {existing.get_status_display().lower()} and can no longer be changed."
    if "forecast_full_year" not in errors and not row.commentary.strip():
        reference = forecast_reference(
            initiative=row.initiative, quarter=quarter, exclude_pk=existing.pk if existing else None
        )
        if reference is not None and forecast_beyond_tolerance(reference=reference, forecast=row.forecast_full_year):
            errors["commentary"] = (
                f"Explain the forecast: it moves by more than {FORECAST_TOLERANCE_LABEL} from £{reference:,.2f}."
            )
    return errors


class ActualExists(Conflict):
    """The initiative already has figures for the quarter: update those (with their version)."""

    def __init__(self, actual: QuarterlyActual):
        self.actual = actual
        super().__init__(f"{actual} already exists; update it with its version.")


def _actual_locked(*, initiative: Initiative, quarter: Quarter) -> QuarterlyActual | None:
    return (
        QuarterlyActual.objects.select_for_update()
        .filter(initiative=initiative, financial_year=quarter.financial_year, quarter=quarter.number)
        .first()
    )


def _actual_write(*, existing: QuarterlyActual | None, row: ActualInput, quarter: Quarter, user) -> QuarterlyActual:
    """Validate and save the draft; the callers have decided which record it is and checked its version."""
    errors = actual_validate(row=row, quarter=quarter, existing=existing)
    if errors:
        raise ValidationError(errors)
    actual = existing or QuarterlyActual(
        initiative=row.initiative, financial_year=quarter.financial_year, quarter=quarter.number
    )
    actual.actual_saving = row.actual_saving
    actual.forecast_full_year = row.forecast_full_year
    actual.commentary = row.commentary.strip()
    actual.entered_by = user
    actual.status = ActualStatus.DRAFT
    if existing is not None:
        actual.version = existing.version + 1
    actual.full_clean()
    actual.save()
    return actual


@audited
@transaction.atomic
def actual_create(*, row: ActualInput, quarter: Quarter, user) -> QuarterlyActual:
    """A new draft actual. If the initiative already has one for the quarter, that is a conflict
    (ActualExists): the caller updates it with its version rather than overwriting it unseen."""
    existing = _actual_locked(initiative=row.initiative, quarter=quarter)
    if existing is not None:
        raise ActualExists(existing)
    return _actual_write(existing=None, row=row, quarter=quarter, user=user)


@audited
@transaction.atomic
def actual_update(
    *,
    actual: QuarterlyActual,
    user,
    version: int | None,
    actual_saving: Decimal | None = None,
    forecast_full_year: Decimal | None = None,
    commentary: str | None = None,
) -> QuarterlyActual:
    """Change the figures of this actual, and only this one; a figure not given keeps its value.

    `version` is the version the user read: required, and refused (StaleVersion) if somebody
    saved in between, rather than silently overwriting their figures.
    """
    locked = QuarterlyActual.objects.select_for_update().select_related("initiative__category__plan").get(pk=actual.pk)
    version_check(current=locked.version, expected=version, what="these figures")
    row = ActualInput(
        locked.initiative,
        locked.actual_saving if actual_saving is None else actual_saving,
        locked.forecast_full_year if forecast_full_year is None else forecast_full_year,
        locked.commentary if commentary is None else commentary,
    )
    return _actual_write(existing=locked, row=row, quarter=locked.period, user=user)


@audited
@transaction.atomic
def actual_save(*, row: ActualInput, quarter: Quarter, user, expected_version: int | None = None) -> QuarterlyActual:
    """Create or update the draft actual of an initiative for a quarter, as the form shows it.

    `expected_version` is the version the user started editing from, None if they started from
    no figures; if somebody saved (or created the figures) in between, the save is refused
    (StaleVersion) rather than silently overwriting their figures.
    """
    existing = _actual_locked(initiative=row.initiative, quarter=quarter)
    if existing is not None and expected_version is None:
        raise StaleVersion(
            {"version": "Somebody else entered these figures while you were editing. Reload to see them."}
        )
    if existing is not None:
        version_check(current=existing.version, expected=expected_version, what="these figures")
    return _actual_write(existing=existing, row=row, quarter=quarter, user=user)


@audited
@transaction.atomic
def actuals_submit(*, actuals: list[QuarterlyActual], user, versions: dict[int, int] | None = None) -> int:
    """Send drafts for approval by a colleague.

    `versions` ({actual id: the version the user read}) binds the submission to the figures the
    user saw: an actual whose version moved on since is refused (StaleVersion).
    """
    now = timezone.now()
    versions = versions or {}
    for actual in QuarterlyActual.objects.select_for_update().filter(pk__in=[a.pk for a in actuals]):
        if actual.pk in versions:
            version_check(current=actual.version, expected=versions[actual.pk], what="these figures")
        if not actual.editable:
            raise ValidationError({"status": f"{actual} is {actual.get_status_display().lower()}; only drafts go."})
        actual.status = ActualStatus.SUBMITTED
        actual.submitted_by = user
        actual.submitted_at = now
        actual.version += 1
        actual.save()
    return len(actuals)


def actual_round_makers(actual: QuarterlyActual) -> set[int]:
    """The ids of everyone who entered, edited or submitted the figures in their current round.

    A round is everything since the figures were last returned (or since they were created). It
    is read from the audit history, newest first, up to the last "returned" row (the checker's,
    which is not part of the new round). The row's own entered_by and submitted_by always count
    too, so figures loaded without history, or carried unchanged into a new round, are covered.
    """
    makers = {actual.entered_by_id, actual.submitted_by_id}
    history = actual.history.order_by("-history_date", "-history_id").values_list("status", "history_user_id")
    for status, user_id in history:
        if status == ActualStatus.RETURNED:
            break
        makers.add(user_id)
    makers.discard(None)
    return makers


def _decide(
    actual: QuarterlyActual, user, status: str, reason: str = "", expected_version: int | None = None
) -> QuarterlyActual:
    """Approve or return submitted figures. `expected_version`, if given, is the version the
    checker reviewed: if the figures moved on since, the decision is refused (StaleVersion)."""
    locked = QuarterlyActual.objects.select_for_update().get(pk=actual.pk)
    if not user.has_perm("savings.approve_quarterlyactual"):
        raise PermissionDenied("Only finance staff may approve or return actuals.")
    if expected_version is not None:
        version_check(current=locked.version, expected=expected_version, what="these figures")
    if locked.status != ActualStatus.SUBMITTED:
        raise ValidationError({"status": f"{locked} is {locked.get_status_display().lower()}, not awaiting approval."})
    if user.pk in actual_round_makers(locked):
        raise ValidationError({"decided_by": "A colleague must approve this: you entered or edited it in this round."})
    locked.status = status
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.return_reason = reason
    locked.version += 1
    locked.save()
    return locked


@audited
@transaction.atomic
def actual_approve(*, actual: QuarterlyActual, user, expected_version: int | None = None) -> QuarterlyActual:
    return _decide(actual, user, ActualStatus.APPROVED, expected_version=expected_version)


def _return_reason(reason: str, *, field: str = "return_reason") -> str:
    """Figures go back to their maker only with a reason, read without its surrounding spaces."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: "Say why the figures are being returned."})
    return reason


@audited
@transaction.atomic
def actual_return(
    *, actual: QuarterlyActual, user, reason: str, expected_version: int | None = None
) -> QuarterlyActual:
    reason = _return_reason(reason)
    return _decide(actual, user, ActualStatus.RETURNED, reason, expected_version=expected_version)


@dataclass(frozen=True)
class Decisions:
    approved: int
    returned: int


@audited
@transaction.atomic
def actuals_decide(
    *,
    plan: SavingsPlan,
    quarter: Quarter,
    user,
    approve: dict[str, int],
    returns: dict[str, tuple[int, str]],
) -> Decisions:
    """Approve and return many submitted figures of a quarter at once, as the checker saw them.

    `approve` is {initiative reference: the version the checker saw}; `returns` is {initiative
    reference: (that version, the reason)}. Each row is decided by the rules of `actual_approve`
    and `actual_return` (maker-checker, submitted only, the version seen). Every refusal is
    reported, keyed "<reference>.<field>" and naming the initiative, and then nothing is written;
    a stale version makes the whole refusal a StaleVersion (409).
    """
    if not user.has_perm("savings.approve_quarterlyactual"):
        raise PermissionDenied("Only finance staff may approve or return actuals.")
    if quarter_is_closed(plan=plan, quarter=quarter):
        raise ValidationError({"quarter": f"{quarter} is closed; its actuals are locked."})
    if not approve and not returns:
        raise ValidationError({"decisions": "Choose Approve or Return for at least one figure."})
    actuals = {
        actual.initiative.reference: actual
        for actual in QuarterlyActual.objects.visible_to(user)
        .filter(
            initiative__category__plan=plan,
            initiative__reference__in=[*approve, *returns],
            financial_year=quarter.financial_year,
            quarter=quarter.number,
        )
        .select_related("initiative")
    }
    errors: dict[str, list[str]] = {}
    stale = False
    for reference in dict.fromkeys([*approve, *returns]):
        actual = actuals.get(reference)
        try:
            if reference in approve and reference in returns:
                raise ValidationError({"decision": "Choose either Approve or Return, not both."})
            if actual is None:
                raise ValidationError({"initiative": f"There are no figures for it in {quarter} that you may see."})
            if reference in approve:
                _decide(actual, user, ActualStatus.APPROVED, expected_version=approve[reference])
            else:
                version, reason = returns[reference]
                reason = _return_reason(reason, field="reason")
                with audit_context(user=user, reason=reason):  # its history keeps why, as actual_return's does
                    _decide(actual, user, ActualStatus.RETURNED, reason, expected_version=version)
        except ValidationError as refused:
            stale = stale or isinstance(refused, StaleVersion)
            for field, messages in refused.message_dict.items():
                errors.setdefault(f"{reference}.{field}", []).extend(f"{reference}: {m}" for m in messages)
    if errors:
        raise (StaleVersion if stale else ValidationError)(errors)
    return Decisions(approved=len(approve), returned=len(returns))


@audited
@transaction.atomic
def quarter_close(*, plan: SavingsPlan, quarter: Quarter, user) -> QuarterClosure:
    """Lock a quarter. Every actual in it must be approved first."""
    if quarter_is_closed(plan=plan, quarter=quarter):
        raise Conflict({"quarter": f"{quarter} is already closed."})
    in_quarter = QuarterlyActual.objects.filter(
        initiative__category__plan=plan, financial_year=quarter.financial_year, quarter=quarter.number
    )
    if not in_quarter.exists():
        raise ValidationError({"quarter": f"{quarter} has no figures to close."})
    pending = list(in_quarter.exclude(status=ActualStatus.APPROVED).values_list("initiative__reference", flat=True))
    if pending:
        raise ValidationError({"quarter": f"{quarter} has actuals not yet approved: {', '.join(pending)}."})
    closure = QuarterClosure.objects.select_for_update().filter(
        plan=plan, financial_year=quarter.financial_year, quarter=quarter.number
    ).first() or QuarterClosure(plan=plan, financial_year=quarter.financial_year, quarter=quarter.number)
    # closed again after a reopening: the same row, its history keeps the earlier closing
    closure.closed, closure.closed_by, closure.closed_at = True, user, timezone.now()
    closure.full_clean()
    closure.save()
    return closure


@audited
@transaction.atomic
def quarter_reopen(*, plan: SavingsPlan, quarter: Quarter, user, reason: str) -> QuarterClosure:
    """Unlock a closed quarter so its figures can be entered and approved again. Only a finance
    user other than the one who closed it may, and only with a reason; it is closed again with
    `quarter_close`."""
    if not user.has_perm("savings.change_quarterclosure"):
        raise PermissionDenied("Only finance staff may reopen a quarter.")
    closure = (
        QuarterClosure.objects.select_for_update()
        .filter(plan=plan, financial_year=quarter.financial_year, quarter=quarter.number, closed=True)
        .first()
    )
    if closure is None:
        raise ValidationError({"quarter": f"{quarter} is not closed."})
    if closure.closed_by_id == user.pk:
        raise ValidationError({"quarter": f"You closed {quarter}: a different finance user must reopen it."})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why {quarter} is being reopened."})
    closure.closed, closure.reopened_by, closure.reopened_at, closure.reopen_reason = (
        False,
        user,
        timezone.now(),
        reason,
    )
    closure.full_clean()
    with audit_context(user=user, reason=reason):  # the history keeps the reason as the page shows it
        closure.save()
    return closure


# --- Uploads: every row valid, or nothing written ------------------------------------------------


COLUMN_OF_FIELD = {
    "actual_saving": "Actual saving in the quarter (£)",
    "forecast_full_year": "Full-year forecast (£)",
    "commentary": "Commentary",
    "quarter": "Quarter",
    "status": "Reference",
    "version": "Reference",
}


@audited
@transaction.atomic
def actuals_import(*, rows: list[tuple[int, ActualInput]], quarter: Quarter, user, reason: str = "") -> int:
    """Save every row as a draft in one transaction: any error and nothing is written."""
    errors: list[RowError] = []
    for row_number, row in rows:
        try:
            with transaction.atomic():  # an upload upserts drafts (the template carries no versions)
                existing = _actual_locked(initiative=row.initiative, quarter=quarter)
                _actual_write(existing=existing, row=row, quarter=quarter, user=user)
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                errors.extend(RowError(row_number, COLUMN_OF_FIELD.get(field_name, field_name), m) for m in messages)
    if errors:
        raise ImportRejected(errors)
    return len(rows)


# --- Reminders ------------------------------------------------------------------------------------


def finance_recipients() -> list:
    """Active finance users with an email address."""
    from django.contrib.auth import get_user_model

    from mps_ict.roles import FINANCE

    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=FINANCE)
        .exclude(email="")
        .order_by("username")
        .distinct()
    )


def _initiatives_without_submitted_actual(*, plan: SavingsPlan, quarter: Quarter):
    """The plan's initiatives whose actual for `quarter` is missing, a draft or returned
    (submitted and approved ones are in hand), in the quarter page's order."""
    in_hand = QuarterlyActual.objects.filter(
        financial_year=quarter.financial_year,
        quarter=quarter.number,
        status__in=[ActualStatus.SUBMITTED, ActualStatus.APPROVED],
    ).values("initiative")
    return (
        Initiative.objects.filter(category__plan=plan)
        .exclude(pk__in=in_hand)
        .select_related("category")
        .order_by("category__position", "reference")
    )


def actual_reminders_send(*, today: date) -> int:
    """Email finance, once a quarter, the initiatives with no actual submitted (or approved) for
    the last complete quarter before `today`, with a link to that quarter's page. Returns how many
    initiatives the email listed (0: nothing sent).

    Nothing is sent, and nothing recorded, where there is nothing to ask for: no plan, a quarter
    outside the plan's years (the quarter index offers none), a closed quarter, no finance user
    with an email, or every actual in hand. Only a sent email is recorded, so a quarter whose
    actuals were all in hand still gets its reminder if one is later returned, or an initiative is
    added. The record is written in the same transaction as the send: a re-run sends nothing, and
    a failed send leaves no record, so the next run tries again."""
    from urllib.parse import urljoin

    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse

    from mps_ict.marking import PUBLICATION, can_view_restricted
    from savings.models import ActualReminder
    from savings.selectors import plan_current, plan_year_range

    quarter = Quarter.from_date(today).previous()
    sent = ActualReminder.objects.filter(financial_year=quarter.financial_year, quarter=quarter.number)
    plan = plan_current()
    if sent.exists() or plan is None or quarter.financial_year not in plan_year_range(plan=plan):
        return 0
    if quarter_is_closed(plan=plan, quarter=quarter):
        return 0
    recipients = finance_recipients()
    if not recipients:
        return 0
    # one email to everyone: every initiative only if every recipient may see them all
    reader = recipients[0] if all(can_view_restricted(user) for user in recipients) else PUBLICATION
    missing = _initiatives_without_submitted_actual(plan=plan, quarter=quarter)
    initiatives = list(missing.visible_to(reader))
    if not initiatives:
        return 0
    link = urljoin(
        settings.SITE_URL,
        reverse("savings:quarter", kwargs={"year": quarter.financial_year.start_year, "number": quarter.number}),
    )
    with transaction.atomic():
        _, created = ActualReminder.objects.get_or_create(
            financial_year=quarter.financial_year,
            quarter=quarter.number,
            defaults={
                "recipients": "\n".join(user.email for user in recipients),
                "initiative_count": len(initiatives),
            },
        )
        if not created:
            return 0
        body = render_to_string(
            "savings/email/actual_reminder.txt",
            {
                "quarter": quarter,
                "plan": plan,
                "initiatives": initiatives,
                "withheld": missing.withheld_from(reader),
                "link": link,
            },
        )
        # a failure to send rolls the record back, so the next run tries again
        send_mail(
            subject=f"Savings actuals for {quarter}: {len(initiatives)} "
            f"initiative{'' if len(initiatives) == 1 else 's'} not submitted",
            message=body,
            from_email=None,
            recipient_list=[user.email for user in recipients],
        )
    return len(initiatives)
