"""Writes to the contracts register: atomic, audited, each checking who may do it and, for a
change, that the record is still the version the user read. Nothing is deleted: a supplier,
contract or event is retired with a reason and stays, with its history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.choices import EventKind, EventStatus, ProcurementRoute
from contracts.models import Contract, ContractEvent, Supplier
from mps_ict.audit import audit_context, audited
from mps_ict.conflicts import Conflict, version_check
from mps_ict.loaders import LoadReport
from mps_ict.marking import ProtectiveMarking, named_in_trail

SUPPLIER_FIELDS = {"name", "description"}
CONTRACT_FIELDS = {
    "reference",
    "title",
    "supplier",
    "description",
    "start",
    "end",
    "extension_months",
    "extensions_allowed",
    "extensions_used",
    "notice_months",
    "value",
    "annual_value",
    "procurement_route",
    "modification_limit_share",
    "modifications_value",
    "protective_marking",
}
EVENT_FIELDS = {"kind", "due", "owner", "status", "note"}
FIRST_YEAR, LAST_YEAR = 1900, 2200  # a contract's dates: beyond these is a slip of the keyboard


def _require_perm(user, permission: str, what: str) -> None:
    if not (user is not None and user.is_authenticated and user.has_perm(f"contracts.{permission}")):
        raise PermissionDenied(f"Only finance and the portfolio office may {what}.")


def _apply(record, changes: dict, editable: set[str]) -> set[str]:
    """Set the changes on `record` (text trimmed); the names of the fields whose value moved."""
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    before = {name: getattr(record, name, None) for name in changes}
    for name, value in changes.items():
        setattr(record, name, value.strip() if isinstance(value, str) else value)
    return {name for name in changes if getattr(record, name) != before[name]}


def _not_retired(record, what: str) -> None:
    if record.retired_at is not None:
        raise Conflict({"retired": f"{what} is retired: it can no longer be changed."})


def _retire(record, *, user, reason: str, what: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why {what} is being retired."})
    if record.retired_at is not None:
        raise Conflict({"retired": f"{what} is already retired."})
    record.retired_at, record.retired_by, record.retired_reason = timezone.now(), user, reason
    record.version += 1
    record.save()


# --- suppliers ------------------------------------------------------------------------------------


def _supplier_check(supplier: Supplier) -> None:
    if supplier.name and Supplier.objects.filter(name__iexact=supplier.name).exclude(pk=supplier.pk).exists():
        raise Conflict({"name": f"A supplier called {supplier.name} already exists: choose another name."})
    supplier.full_clean()


@audited
@transaction.atomic
def supplier_create(*, user, name: str, description: str = "", reason: str = "") -> Supplier:
    """Add a supplier (its name unique, whatever its case)."""
    _require_perm(user, "add_supplier", "add suppliers")
    supplier = Supplier()
    _apply(supplier, {"name": name or "", "description": description or ""}, SUPPLIER_FIELDS)
    _supplier_check(supplier)
    supplier.save()
    return supplier


@audited
@transaction.atomic
def supplier_update(*, supplier: Supplier, user, version: int | None, reason: str = "", **changes) -> Supplier:
    """Rename a supplier or change its description, from the version the user read."""
    _require_perm(user, "change_supplier", "change suppliers")
    locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
    version_check(current=locked.version, expected=version, what=f"the supplier {locked.name}")
    _not_retired(locked, f"The supplier {locked.name}")
    if not _apply(locked, changes, SUPPLIER_FIELDS):
        return locked
    _supplier_check(locked)
    locked.version += 1
    locked.save()
    return locked


@audited
@transaction.atomic
def supplier_retire(*, supplier: Supplier, user, version: int | None, reason: str) -> Supplier:
    """Retire a supplier with a reason; refused while it has a contract that is not retired."""
    _require_perm(user, "change_supplier", "retire suppliers")
    locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
    version_check(current=locked.version, expected=version, what=f"the supplier {locked.name}")
    if Contract.objects.filter(supplier=locked, retired_at__isnull=True).exists():
        raise Conflict({"supplier": f"{locked.name} still has contracts in the register: retire them first."})
    _retire(locked, user=user, reason=reason, what="the supplier")
    return locked


# --- contracts ------------------------------------------------------------------------------------


def _contract_check(contract: Contract, *, changed: set[str]) -> None:
    """The rules a contract must meet beyond its fields' own, each naming its field."""
    errors = {}
    for name, label in (("start", "The start date"), ("end", "The end date")):
        day = getattr(contract, name)
        if isinstance(day, date) and not FIRST_YEAR <= day.year <= LAST_YEAR:
            errors[name] = f"{label} must be between {FIRST_YEAR} and {LAST_YEAR}."
    if contract.start and contract.end and contract.end < contract.start:
        errors["end"] = "The end date must be on or after the start date."
    for name, label in (
        ("value", "The value at award"),
        ("annual_value", "The annual value"),
        ("modifications_value", "The modifications so far"),
    ):
        value = getattr(contract, name)
        if value is not None and value < 0:
            errors[name] = f"{label} must not be negative."
    share = contract.modification_limit_share
    if share is not None and not Decimal("0") <= share <= Decimal("1"):
        errors["modification_limit_share"] = "Enter the modification limit as a share from 0 to 1 (0.5 is 50%)."
    if (
        contract.extensions_used is not None
        and contract.extensions_allowed is not None
        and contract.extensions_used > contract.extensions_allowed
    ):
        errors["extensions_used"] = (
            f"No more than the {contract.extensions_allowed} extension(s) allowed can have been used."
        )
    if "supplier" in changed and contract.supplier_id and contract.supplier.retired_at is not None:
        errors["supplier"] = f"{contract.supplier.name} is retired: choose a current supplier."
    if errors:
        raise ValidationError(errors)
    taken = Contract.objects.filter(reference__iexact=contract.reference).exclude(pk=contract.pk)
    if "reference" in changed and contract.reference and taken.exists():
        raise Conflict({"reference": f"A contract {contract.reference} already exists: choose another reference."})
    contract.full_clean()


@audited
@transaction.atomic
def contract_create(
    *,
    user,
    reference: str,
    title: str,
    supplier: Supplier,
    start: date,
    end: date,
    value: Decimal,
    annual_value: Decimal,
    procurement_route: str = ProcurementRoute.OPEN,
    description: str = "",
    extension_months: int = 12,
    extensions_allowed: int = 0,
    extensions_used: int = 0,
    notice_months: int = 6,
    modification_limit_share: Decimal = Decimal("0.5000"),
    modifications_value: Decimal = Decimal("0.00"),
    protective_marking: str = ProtectiveMarking.OFFICIAL,
    reason: str = "",
) -> Contract:
    """Add a contract to the register."""
    _require_perm(user, "add_contract", "add contracts")
    contract = Contract()
    fields = dict(locals())
    values = {name: fields[name] for name in CONTRACT_FIELDS}
    _apply(contract, values, CONTRACT_FIELDS)
    _contract_check(contract, changed=set(CONTRACT_FIELDS))
    contract.save()
    return contract


@audited
@transaction.atomic
def contract_update(*, contract: Contract, user, version: int | None, reason: str = "", **changes) -> Contract:
    """Change a contract's fields, from the version the user read. Nothing changed: nothing written."""
    _require_perm(user, "change_contract", "change contracts")
    locked = Contract.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=contract.pk)
    version_check(current=locked.version, expected=version, what=f"contract {locked.reference}")
    _not_retired(locked, f"Contract {locked.reference}")
    changed = _apply(locked, changes, CONTRACT_FIELDS)
    if not changed:
        return locked
    _contract_check(locked, changed=changed)
    locked.version += 1
    locked.save()
    return locked


@audited
@transaction.atomic
def contract_retire(*, contract: Contract, user, version: int | None, reason: str) -> Contract:
    """Retire a contract from the register with a reason (ended, or entered in error): it stays,
    marked retired, with its events and history."""
    _require_perm(user, "change_contract", "retire contracts")
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    version_check(current=locked.version, expected=version, what=f"contract {locked.reference}")
    _retire(locked, user=user, reason=reason, what="the contract")
    return locked


# --- events ---------------------------------------------------------------------------------------


def _event_check(event: ContractEvent, *, changed: set[str]) -> None:
    if isinstance(event.due, date) and not FIRST_YEAR <= event.due.year <= LAST_YEAR:
        raise ValidationError({"due": f"The event's date must be between {FIRST_YEAR} and {LAST_YEAR}."})
    if "owner" in changed and event.owner_id is not None and not event.owner.is_active:
        raise ValidationError({"owner": f"{event.owner.get_username()} can no longer sign in: choose someone else."})
    event.full_clean()


@audited
@transaction.atomic
def event_create(
    *,
    contract: Contract,
    user,
    kind: str,
    due: date,
    owner=None,
    status: str = EventStatus.PLANNED,
    note: str = "",
    reason: str = "",
) -> ContractEvent:
    """Add a dated event (notice due, extension decision, re-tender start, award, exit) to a contract."""
    _require_perm(user, "add_contractevent", "add contract events")
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    _not_retired(locked, f"Contract {locked.reference}")
    event = ContractEvent(contract=locked)
    _apply(event, {"kind": kind, "due": due, "owner": owner, "status": status, "note": note or ""}, EVENT_FIELDS)
    _event_check(event, changed=set(EVENT_FIELDS))
    event.save()
    return event


@audited
@transaction.atomic
def event_update(*, event: ContractEvent, user, version: int | None, reason: str = "", **changes) -> ContractEvent:
    """Change an event's date, status, owner, kind or note, from the version the user read; the
    change (a new date, done or missed) is kept in its history."""
    _require_perm(user, "change_contractevent", "change contract events")
    locked = ContractEvent.objects.select_for_update(of=("self",)).select_related("contract").get(pk=event.pk)
    version_check(current=locked.version, expected=version, what="this event")
    _not_retired(locked, "This event")
    changed = _apply(locked, changes, EVENT_FIELDS)
    if not changed:
        return locked
    _event_check(locked, changed=changed)
    locked.version += 1
    locked.save()
    return locked


@audited
@transaction.atomic
def event_retire(*, event: ContractEvent, user, version: int | None, reason: str) -> ContractEvent:
    """Retire an event entered in error (one that did not happen is Missed or Cancelled instead)."""
    _require_perm(user, "change_contractevent", "retire contract events")
    locked = ContractEvent.objects.select_for_update().get(pk=event.pk)
    version_check(current=locked.version, expected=version, what="this event")
    _retire(locked, user=user, reason=reason, what="the event")
    return locked


def _event_words(event: ContractEvent) -> str:
    """How a trail names the event: never by a marked contract's reference, since the trail of an
    initiative or project it is written into is read by readers who may not see the contract."""
    if event.contract.protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE:
        return "an event of a contract marked OFFICIAL-SENSITIVE"
    return f"{event.contract.reference} {event.get_kind_display().lower()} of {event.due.day} {event.due:%B %Y}"


@transaction.atomic
def event_dependents_set(
    *, event: ContractEvent, user, initiatives, projects, version: int | None, reason: str = ""
) -> ContractEvent:
    """Set the savings initiatives and capital projects that depend on an event to those given
    (among those the user may see: a link to one withheld from the user is kept as it is). The
    links keep no history of their own, so the change is written in words into the trails of the
    event and of each initiative or project added or removed (as the portfolio writes the savings
    a project enables). An initiative withdrawn from the plan can be unlinked, not newly linked.
    From the event's version the user read; a change moves the version on."""
    _require_perm(user, "change_contractevent", "say which savings and projects depend on contract events")
    locked = ContractEvent.objects.select_for_update(of=("self",)).select_related("contract").get(pk=event.pk)
    version_check(current=locked.version, expected=version, what="this event")
    _not_retired(locked, "This event")
    links = (
        ("initiatives", initiatives, "reference", "savings initiatives"),
        ("projects", projects, "code", "projects"),
    )
    parts, touched = [], []
    for field, chosen, name_field, plural in links:
        model = ContractEvent._meta.get_field(field).related_model
        visible = model.objects.visible_to(user)
        wanted = {record.pk for record in chosen}
        if wanted - set(visible.filter(pk__in=wanted).values_list("pk", flat=True)):
            raise ValidationError({field: f"Choose among the {plural} listed."})
        manager = getattr(locked, field)
        linked = set(manager.values_list("pk", flat=True))
        linked_visible = set(visible.filter(pk__in=linked).values_list("pk", flat=True))
        added, removed = wanted - linked, linked_visible - wanted
        if not added and not removed:
            continue
        records = {record.pk: record for record in model.objects.select_for_update().filter(pk__in=added | removed)}
        if field == "initiatives":
            withdrawn = sorted(records[pk].reference for pk in added if records[pk].withdrawn_at is not None)
            if withdrawn:
                raise ValidationError(
                    {field: f"{', '.join(withdrawn)} withdrawn from the plan: reinstate it before linking it."}
                )
        manager.set((linked - linked_visible) | wanted)
        if added:
            parts.append(f"{plural} now depending on it: " + named_in_trail([records[pk] for pk in added], name_field))
        if removed:
            parts.append(
                f"{plural} no longer depending on it: " + named_in_trail([records[pk] for pk in removed], name_field)
            )
        touched += [(records[pk], "Now depends on") for pk in sorted(added)]
        touched += [(records[pk], "No longer depends on") for pk in sorted(removed)]
    if not parts:
        return locked
    why = f" ({reason.strip()})" if (reason or "").strip() else ""
    words = _event_words(locked)
    locked.version += 1
    with audit_context(user=user, reason=f"Dependents of {words}: {'; '.join(parts)}{why}"):
        locked.save()
    for record, change in touched:
        with audit_context(user=user, reason=f"{change} {words}{why}"):
            record.save()
    return locked


# --- the loader -----------------------------------------------------------------------------------


def _put_seed_device_models_under(contract: Contract, names: list[str], *, user, effective) -> None:
    """The seed's device models (by name as the estate shows them) a newly inserted contract
    covers, put under it: only those loaded and under no contract yet (a user's choice stays),
    audited as illustrative. The estate's models are reached through the relation (this area
    imports only itself and the ground)."""
    if not names:
        return
    wanted = {" ".join(name.split()).casefold() for name in names}
    device_model_class = Contract.device_models.rel.related_model
    for device_model in device_model_class.objects.filter(contract__isnull=True).order_by("pk"):
        if str(device_model).casefold() in wanted:
            device_model.contract = contract
            device_model.version += 1
            reason = f"Illustrative: the seed puts it under {contract.reference} (load_contracts)"
            with audit_context(user=user, reason=reason, effective=effective):
                device_model.save()


@transaction.atomic
def contracts_load(*, data: dict, user=None, report: LoadReport | None = None) -> int:
    """Load the register's suppliers, contracts and events, inserting only what is missing: a
    supplier (by name), contract (by reference) or event (by its contract and the seed's key for
    it, so a user's new date or status is not taken for a missing event) that is there is left exactly as it is, whatever the file says (finance and the portfolio office keep
    them in the application). Returns the number of contracts in the file."""
    report = report if report is not None else LoadReport()
    insert = report.insert_missing
    owners = {u.username: u for u in get_user_model().objects.filter(username__in=["finance", "office"])}
    count = 0
    with audit_context(
        user=user, reason="Loaded from the source documents (load_contracts)", effective=data.get("effective")
    ):
        suppliers = {}
        for row in data["suppliers"]:
            suppliers[row["name"]], _ = insert(
                Supplier,
                {"name": row["name"]},
                description=row.get("description", ""),
                source_facts=row.get("source_facts", ""),
                is_illustrative=row.get("illustrative", not row.get("source_facts")),
            )
        for row in data["contracts"]:
            count += 1
            contract, created = insert(
                Contract,
                {"reference": row["reference"]},
                title=row["title"],
                supplier=suppliers[row["supplier"]],
                description=row.get("description", ""),
                start=row["start"],
                end=row["end"],
                extension_months=row["extension_months"],
                extensions_allowed=row["extensions_allowed"],
                extensions_used=row["extensions_used"],
                notice_months=row["notice_months"],
                value=Decimal(str(row["value"])),
                annual_value=Decimal(str(row["annual_value"])),
                procurement_route=row["procurement_route"],
                modification_limit_share=Decimal(str(row["modification_limit_share"])),
                modifications_value=Decimal(str(row["modifications_value"])),
                protective_marking=row.get("protective_marking", ProtectiveMarking.OFFICIAL),
                source_facts=row.get("source_facts", ""),
                is_illustrative=row.get("illustrative", not row.get("source_facts")),
            )
            if created:
                _put_seed_device_models_under(
                    contract, row.get("device_models", []), user=user, effective=data.get("effective")
                )
            for event in row.get("events", []):
                record, created = insert(
                    ContractEvent,
                    {"contract": contract, "seed_key": event["key"]},
                    kind=EventKind(event["kind"]),
                    due=event["due"],
                    owner=owners.get(event.get("owner", "")),
                    status=event.get("status", EventStatus.PLANNED),
                    note=event.get("note", ""),
                    source_facts=event.get("source_facts", ""),
                    is_illustrative=event.get("illustrative", not event.get("source_facts")),
                )
                if created:
                    _seed_dependents(record, event, report)
    return count


# --- reminders to events' owners (issue 17 part 3) ------------------------------------------------
# Appended here, apart from the register's writes above.


def event_reminders_send(*, today: date, days: int | None = None) -> int:
    """Email each planned event's owner once when it falls due within `days` (CONTRACT_REMINDER_DAYS
    unless given), if they have an email and may see the event (a marked contract's events only
    reach owners with `view_restricted`). Once per event and date: a re-run sends nothing, and an
    event moved to a new date is reminded of again. Each reminder is recorded in the transaction
    that sends it, so a failed send leaves no record and the next run tries again. Returns how
    many emails went."""
    from urllib.parse import urljoin

    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse

    from contracts.models import EventReminder
    from contracts.selectors import events_to_remind, owner_sees

    days = settings.CONTRACT_REMINDER_DAYS if days is None else days
    by_owner: dict[int, list[ContractEvent]] = {}
    for event in events_to_remind(today=today, days=days):
        by_owner.setdefault(event.owner_id, []).append(event)
    sent = 0
    for events in by_owner.values():
        owner = events[0].owner
        visible = owner_sees(owner, events)
        for event in events:
            if event.pk not in visible:
                continue
            link = urljoin(settings.SITE_URL, reverse("contracts:event", args=[event.pk]))
            with transaction.atomic():
                _, created = EventReminder.objects.get_or_create(
                    event=event, due=event.due, defaults={"sent_to": owner.email}
                )
                if not created:
                    continue
                body = render_to_string(
                    "contracts/email/event_reminder.txt",
                    {"event": event, "contract": event.contract, "days_left": (event.due - today).days, "link": link},
                )
                # a failure to send rolls the record back, so the next run tries again
                send_mail(
                    subject=f"Contract event due: {event.contract.reference} {event.get_kind_display().lower()} "
                    f"on {event.due.day} {event.due:%B %Y}",
                    message=body,
                    from_email=None,
                    recipient_list=[owner.email],
                )
                sent += 1
    return sent


def _seed_dependents(event: ContractEvent, row: dict, report: LoadReport) -> None:
    """Link a newly loaded event to the savings initiatives and projects the file says depend on
    it (those loaded: the savings and portfolio loaders run first). Only when the event is new, so
    a user's links are never undone."""
    for field, key, lookup in (("initiatives", "initiatives", "reference__in"), ("projects", "projects", "code__in")):
        wanted = row.get(key) or []
        if not wanted:
            continue
        model = ContractEvent._meta.get_field(field).related_model
        found = list(model.objects.filter(**{lookup: wanted}))
        getattr(event, field).set(found)
        report.add(ContractEvent._meta.get_field(field).remote_field.through, len(found))
