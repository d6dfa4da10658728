"""Reads of the contracts register. Every read of contracts and events goes through the marking
rule (`visible_to(user)`): a contract marked OFFICIAL-SENSITIVE, and its events, reach only readers
with `view_restricted`. The derived figures (extensions left, maximum end, the modification limit
and the headroom under it, whether it may still be modified, when notice is due) are computed here,
in Decimal pounds, from the record's own fields."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from contracts.choices import EventStatus
from contracts.models import Contract, ContractEvent, Supplier
from mps_ict.audit import FieldChange, HistoryEntry, history_entries, person
from mps_ict.marking import visible_q
from mps_ict.money import format_percent, format_pounds

PENNY = Decimal("0.01")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (earlier if negative), the month's last day where it is shorter;
    the calendar's first or last day where that is beyond it."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if year < date.min.year:
        return date.min
    if year > date.max.year:
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ContractFigures:
    extensions_left: int
    maximum_end: date
    notice_by: date  # notice must be given by this day to end the contract at its current end
    modification_limit: Decimal  # the limit share of the value at award, in pounds
    headroom: Decimal  # the limit less the modifications so far (negative: over the limit)
    may_still_be_modified: bool
    may_still_be_extended: bool


def contract_figures(contract: Contract) -> ContractFigures:
    """The contract's derived figures, from its own fields (no query)."""
    extensions_left = max(contract.extensions_allowed - contract.extensions_used, 0)
    limit = (contract.modification_limit_share * contract.value).quantize(PENNY)
    headroom = (limit - contract.modifications_value).quantize(PENNY)
    live = contract.retired_at is None
    return ContractFigures(
        extensions_left=extensions_left,
        maximum_end=add_months(contract.end, extensions_left * contract.extension_months),
        notice_by=add_months(contract.end, -contract.notice_months),
        modification_limit=limit,
        headroom=headroom,
        may_still_be_modified=live and headroom > 0,
        may_still_be_extended=live and extensions_left > 0,
    )


# --- suppliers ------------------------------------------------------------------------------------


def supplier_list(*, user) -> QuerySet[Supplier]:
    """Every supplier with how many current contracts the reader may see: one query."""
    visible = visible_q(user, "contracts__") & Q(contracts__retired_at__isnull=True)
    return Supplier.objects.annotate(contract_count=Count("contracts", filter=visible)).order_by("name")


def supplier_detail(*, user, pk: int) -> Supplier:
    return supplier_list(user=user).get(pk=pk)


def supplier_contracts(*, user, supplier: Supplier) -> QuerySet[Contract]:
    return contract_list(user=user).filter(supplier=supplier)


# --- contracts ------------------------------------------------------------------------------------


def _next_event(field: str) -> Subquery:
    planned = ContractEvent.objects.filter(
        contract=OuterRef("pk"), status=EventStatus.PLANNED, retired_at__isnull=True
    ).order_by("due", "pk")
    return Subquery(planned.values(field)[:1])


def contract_list(*, user) -> QuerySet[Contract]:
    """The contracts the reader may see, with their supplier and next planned event: one query."""
    return (
        Contract.objects.visible_to(user)
        .select_related("supplier")
        .annotate(
            extensions_left=F("extensions_allowed") - F("extensions_used"),
            next_event_due=_next_event("due"),
            next_event_kind=_next_event("kind"),
        )
        .order_by("end", "reference")
    )


def contract_detail(*, user, pk: int) -> Contract:
    """The contract, if the reader may see it (else Contract.DoesNotExist: a 404, never a 403)."""
    return contract_list(user=user).select_related("retired_by").get(pk=pk)


def with_figures(contracts) -> list[tuple[Contract, ContractFigures]]:
    return [(contract, contract_figures(contract)) for contract in contracts]


def contract_events(*, contract: Contract) -> QuerySet[ContractEvent]:
    """A contract's events, retired ones too (flagged), by date. The caller has the contract, so
    may see it."""
    return contract.events.select_related("owner").order_by("due", "pk")


# --- events ---------------------------------------------------------------------------------------


def event_list(*, user) -> QuerySet[ContractEvent]:
    """The events of the contracts the reader may see, by date: one query."""
    return (
        ContractEvent.objects.visible_to(user)
        .select_related("contract", "contract__supplier", "owner")
        .order_by("due", "pk")
    )


def event_detail(*, user, pk: int) -> ContractEvent:
    return event_list(user=user).get(pk=pk)


# --- the history, in words and pounds -------------------------------------------------------------

MONEY_FIELDS = {"value", "annual_value", "modifications_value"}


def _in_words(model, field: str, value, users: dict) -> object:
    if value is None or value == "":
        return value
    if field in MONEY_FIELDS:
        return format_pounds(value, pence=True)
    if field == "modification_limit_share":
        return format_percent(Decimal(value))
    model_field = model._meta.get_field(field)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.is_relation:
        related = users.get(value) if field in ("owner", "retired_by") else None
        if related is not None:
            return person(related)
        if field == "supplier":
            supplier = Supplier.objects.filter(pk=value).first()
            return supplier.name if supplier else value
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def history_in_words(instance) -> list[HistoryEntry]:
    """The record's history (mps_ict.audit.history_entries), each change said as a reader says it:
    pounds as £1,234.00, choices by their label, people by name, dates as 31 December 2015."""
    from django.contrib.auth import get_user_model

    entries = history_entries(instance)
    ids = {
        change.before if isinstance(change.before, int) else None
        for entry in entries
        for change in entry.changes
        if change.field in ("owner", "retired_by")
    } | {
        change.after if isinstance(change.after, int) else None
        for entry in entries
        for change in entry.changes
        if change.field in ("owner", "retired_by")
    }
    ids.discard(None)
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=ids)} if ids else {}
    model = instance.__class__
    return [
        replace(
            entry,
            changes=tuple(
                FieldChange(
                    change.field,
                    change.label,
                    _in_words(model, change.field, change.before, users),
                    _in_words(model, change.field, change.after, users),
                )
                for change in entry.changes
            ),
        )
        for entry in entries
    ]


# --- the device models under a contract (issue 17 part 2) ---------------------------------------


def contract_device_models(*, contract: Contract) -> QuerySet:
    """The device models under the contract (retired ones too, flagged), each with its device type
    and its devices counted: `devices_count` in the register, `issued` of them issued now. One
    query, whatever their number. The caller has the contract, so may see it. (The estate is
    reached through the relation: this area imports only itself and the ground.)"""
    issued = "issued"  # mobile_assets.choices.DeviceStatus.ISSUED
    return (
        contract.device_models.select_related("device_type")
        .annotate(devices_count=Count("devices"), issued=Count("devices", filter=Q(devices__status=issued)))
        .order_by("device_type__name", "manufacturer", "name")
    )
