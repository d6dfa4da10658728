"""The Assembly response pack: the Budget and Performance Committee's questions (Appendix 1 of the
MPS letter of 2013) answered from the live data where this system holds it, and an honest "not
held in this system" where it does not.

A pack is plain JSON-ready data (amounts as decimal strings, dates as ISO strings), so the page,
the exports, the API and a frozen snapshot all show exactly the same figures.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Prefetch, Q, Sum, When
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone

from mobile_assets import selectors as mobile_selectors
from mobile_assets.choices import BenefitRole, BenefitSource, DeviceStatus
from mobile_assets.models import BenefitRollup, Device, DeviceType, RolloutPlanLine
from mps_ict.audit import last_changed
from mps_ict.financial_years import FinancialYear
from mps_ict.marking import PUBLICATION, Withheld, can_view_restricted
from portfolio.choices import Stage
from portfolio.models import Project
from reporting.models import PackSnapshot, PackVersion
from savings import selectors as savings_selectors
from savings.choices import SavingsType
from savings.models import Initiative

TITLE = "ICT: response to the Budget and Performance Committee"
REQUEST = "Information requested by the London Assembly Budget and Performance Committee (letter of 21 March 2013), Appendix 1"
Q6_YEARS = (FinancialYear(2014), FinancialYear(2015))

MONEY, COUNT, HOURS, TEXT = "money", "count", "hours", "text"


def _money(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def _hours(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _column(key: str, label: str, kind: str = TEXT) -> dict:
    return {"key": key, "label": label, "kind": kind}


def _table(title: str, columns: list[dict], rows: list[dict], *, total: dict | None = None) -> dict:
    return {"title": title, "columns": columns, "rows": rows, "total": total}


def _question(number: int, question: str, response_2013: str, **answer) -> dict:
    return {
        "number": number,
        "question": question,
        "response_2013": response_2013,
        "held": answer.get("held", "not_held"),
        "answer": answer.get("answer", ""),
        "not_held": answer.get("not_held", []),
        "source": answer.get("source", ""),
        "links": answer.get("links", []),
        "as_at": answer.get("as_at"),
        "withheld": answer.get("withheld", 0),
        "withheld_what": answer.get("withheld_what", ""),
        "tables": answer.get("tables", []),
        "notes": answer.get("notes", []),
    }


def _link(text: str, name: str, *, query: str = "") -> dict:
    return {"text": text, "href": reverse(name) + (f"?{query}" if query else "")}


# ----------------------------------------------------------------------------- the questions


def _q1() -> dict:
    return _question(
        1,
        "Deloitte recently undertook a technology review that was presented to the MPS Management Board on "
        "6 November 2012. Please could you provide a copy of the report produced by Deloitte.",
        "This will be submitted by 3 May 2013.",
        answer="Not held in this system. The review is a document, not data this system keeps; its "
        "findings on spend (the 2011/12 technology spend table) are loaded with the savings plan.",
        not_held=["The Deloitte technology review report"],
        links=[_link("2011/12 technology spend baseline", "savings:spend-baseline")],
    )


def _q2() -> dict:
    return _question(
        2,
        "A copy of the new MPS ICT strategy, and the sourcing strategy that will accompany it.",
        "The completion date for the full ICT Strategy is now early July 2013. The MPS will provide an update "
        "on plans for delivering the core policing systems and the rest of the ICT strategy by 3 May 2013.",
        answer="Not held in this system. The ICT and sourcing strategies are documents; the capital projects "
        "that deliver them are in the capital portfolio.",
        not_held=["The ICT strategy", "The sourcing strategy"],
        links=[_link("Capital portfolio", "portfolio:dashboard")],
    )


def _q3() -> dict:
    financial_year_start = Case(
        When(month__month__lt=4, then=ExtractYear("month") - 1),
        default=ExtractYear("month"),
        output_field=IntegerField(),
    )
    by_year = (
        RolloutPlanLine.objects.annotate(year_start=financial_year_start)
        .values("year_start", "device_type__name")
        .annotate(
            planned=Sum("planned"),
            deployed=Sum("actual"),
            months=Count("pk"),
            illustrative=Count("pk", filter=Q(is_illustrative=True)),
        )
        .order_by("year_start", "device_type__name")
    )
    rows = [
        {
            "financial_year": str(FinancialYear(row["year_start"])),
            "device_type": row["device_type__name"],
            "months": row["months"],
            "planned": row["planned"],
            "deployed": row["deployed"] or 0,
        }
        for row in by_year
    ]
    illustrative = any(row["illustrative"] for row in by_year)
    bought = Device.objects.filter(model__device_type__code="smartphone").aggregate(
        devices=Count("pk"), priced=Count("purchase_cost"), cost=Sum("purchase_cost")
    )
    tables = []
    if rows:
        tables.append(
            _table(
                "Rollout plan by financial year",
                [
                    _column("financial_year", "Financial year"),
                    _column("device_type", "Device type"),
                    _column("months", "Months", COUNT),
                    _column("planned", "Devices planned", COUNT),
                    _column("deployed", "Devices deployed", COUNT),
                ],
                rows,
                total={
                    "financial_year": "Total",
                    "device_type": "",
                    "months": sum(r["months"] for r in rows),
                    "planned": sum(r["planned"] for r in rows),
                    "deployed": sum(r["deployed"] for r in rows),
                },
            )
        )
    tables.append(
        _table(
            "Cost of the new devices bought so far (from the device register)",
            [
                _column("measure", "Measure"),
                _column("devices", "Devices", COUNT),
                _column("with_cost", "With a purchase cost", COUNT),
                _column("cost", "Purchase cost", MONEY),
            ],
            [
                {
                    "measure": "Smartphones in the register",
                    "devices": bought["devices"],
                    "with_cost": bought["priced"],
                    "cost": _money(bought["cost"] or 0),
                }
            ],
        )
    )
    notes = []
    if illustrative:
        notes.append(
            "The rollout plan loaded with the demonstration data is ILLUSTRATIVE, not a figure from the 2013 papers."
        )
    return _question(
        3,
        "The MPS plans to expand its use of mobile technology by rolling out as many as 30,000 mobile devices to "
        "officers. Please could you provide the business case for this project (redacted if needed) and a "
        "summary of any cost-benefit analysis work that has been undertaken.",
        "The business case has not yet been written. The final ICT Strategy, due in July 2013, will include the "
        "high level costs and plans for mobile technology and a detailed business case would then be completed.",
        held="partly" if rows else "not_held",
        answer=(
            f"The rollout plan held here: {sum(r['planned'] for r in rows):,} devices planned, "
            f"{sum(r['deployed'] for r in rows):,} deployed so far. Purchase costs are taken from the device register."
            if rows
            else "No rollout plan is held in this system."
        ),
        not_held=["The business case (not yet written in March 2013)", "A cost-benefit analysis of the rollout"],
        source="Mobile estate: rollout plan and device register",
        links=[_link("Mobile estate", "mobile_assets:dashboard")],
        as_at=_when(last_changed(RolloutPlanLine, Device)),
        tables=tables,
        notes=notes,
    )


def _q4() -> dict:
    types = mobile_selectors.device_types_with_counts()
    capability_rows = []
    type_rows = []
    for device_type in types:
        type_rows.append(
            {
                "device_type": device_type.name,
                "reported": device_type.reported_count,
                "in_register": device_type.total,
                "issued": mobile_selectors.by_status(device_type)[DeviceStatus.ISSUED],
                "vehicles": device_type.vehicles_fitted,
                "users": device_type.supported_users,
            }
        )
        capability_rows.append(
            {
                "device_type": device_type.name,
                "capabilities": ", ".join(c.name for c in device_type.capabilities.all()) or "None recorded",
            }
        )
    periods = mobile_selectors.reported_periods()
    benefit_rows = []
    benefit_title = "PDA efficiency benefits (non-cashable)"
    if periods:
        start, end = periods[-1]
        benefit_title += f", {start:%B %Y} to {end:%B %Y}"
        found = {(b.role, b.source): b for b in mobile_selectors.benefits(start=start, end=end)}
        for role in BenefitRole:
            reported = found.get((role.value, BenefitSource.REPORTED))
            computed = found.get((role.value, BenefitSource.COMPUTED))
            if reported or computed:
                benefit_rows.append(
                    {
                        "role": role.label,
                        "reported_hours": _hours(reported.hours) if reported else None,
                        "reported_amount": _money(reported.amount) if reported else None,
                        "computed_hours": _hours(computed.hours) if computed else None,
                        "computed_amount": _money(computed.amount) if computed else None,
                    }
                )
    benefit_total = None
    if benefit_rows:
        benefit_total = {"role": "Total"}
        for key in ("reported_hours", "reported_amount", "computed_hours", "computed_amount"):
            values = [Decimal(r[key]) for r in benefit_rows if r[key] is not None]
            benefit_total[key] = str(sum(values, Decimal("0.00"))) if values else None
    qualitative = [
        {"heading": q.heading, "description": q.description, "measure": q.measure}
        for q in mobile_selectors.pda_qualitative_benefits()
    ]
    tables = [
        _table(
            "Mobile devices in use",
            [
                _column("device_type", "Device type"),
                _column("reported", "As reported", COUNT),
                _column("in_register", "In the register", COUNT),
                _column("issued", "Issued", COUNT),
                _column("vehicles", "Vehicles fitted", COUNT),
                _column("users", "Users supported", COUNT),
            ],
            type_rows,
        ),
        _table(
            "What each device type can do",
            [_column("device_type", "Device type"), _column("capabilities", "Capabilities")],
            capability_rows,
        ),
    ]
    if benefit_rows:
        tables.append(
            _table(
                benefit_title,
                [
                    _column("role", "Benefit"),
                    _column("reported_hours", "Hours saved (reported)", HOURS),
                    _column("reported_amount", "Value (reported)", MONEY),
                    _column("computed_hours", "Hours saved (computed from usage)", HOURS),
                    _column("computed_amount", "Value (computed from usage)", MONEY),
                ],
                benefit_rows,
                total=benefit_total,
            )
        )
    if qualitative:
        tables.append(
            _table(
                "Other PDA benefits reported",
                [_column("heading", "Benefit"), _column("description", "Detail"), _column("measure", "Measure")],
                qualitative,
            )
        )
    not_held = [
        f"{row['device_type']}: the number in use was not reported"
        for row in type_rows
        if row["reported"] is None and not row["in_register"]
    ]
    return _question(
        4,
        "Details of the current capability of mobile technology at the MPS and any efficiency benefits that were "
        "measured during past roll outs of Personal Digital Assistants (PDAs) or other devices to officers.",
        "Details of Operational Personal Digital Assistants (OPDAs), Mobile Data Terminals (MDTs) and Mobile "
        "Finger Print Readers will be submitted by 3 May 2013.",
        held="answered",
        answer="The mobile estate by device type, what each type can do, and the PDA benefits as reported and as "
        "computed from usage statistics. Reported benefits are non-cashable (time released, not money).",
        not_held=not_held,
        source="Mobile estate: device types, register, benefit roll-ups",
        links=[_link("Mobile estate", "mobile_assets:dashboard"), _link("Mobile benefits", "mobile_assets:benefits")],
        as_at=_when(last_changed(DeviceType, Device, BenefitRollup)),
        tables=tables,
    )


def _q5_projects(reader) -> tuple[list[Project], int]:
    """The live projects that enable savings initiatives, as far as `reader` may see them (each
    with the initiatives it may see), and how many such projects are withheld."""
    live = Project.objects.filter(stage__in=Stage.live(), enables__isnull=False).distinct()
    initiatives = Initiative.objects.visible_to(reader).order_by("reference")
    projects = list(
        live.visible_to(reader)
        .select_related("programme")
        .prefetch_related(Prefetch("enables", queryset=initiatives))
        .order_by("code")
    )
    # a project shows only for the initiatives the reader may see: one enabling only withheld
    # initiatives would otherwise still point at them
    return [p for p in projects if p.enables.all()], live.withheld_from(reader)


def _q5(*, reader) -> dict:
    projects, withheld = _q5_projects(reader)
    rows = [
        {
            "project": f"{p.code}: {p.name}",
            "stage": p.get_stage_display(),
            "budget": _money(p.budget_forecast),
            "enables": "; ".join(f"{i.reference}: {i.description}" for i in p.enables.all()),
        }
        for p in projects
    ]
    notes = []
    if any(p.is_illustrative for p in projects):
        notes.append("The projects loaded with the demonstration data are ILLUSTRATIVE, not from the 2013 papers.")
    return _question(
        5,
        "Examples of any other new technology the MPS is planning to invest in to generate savings and improve performance.",
        "This will form part of the ICT Strategy due in July 2013.",
        held="partly" if rows else "not_held",
        answer=(
            "The live capital projects that enable savings initiatives in the £60m plan."
            if rows
            else "No live capital project is linked to a savings initiative in this system."
        ),
        not_held=["The ICT Strategy's investment plans (a document)"],
        source="Capital portfolio: projects and the savings initiatives they enable",
        links=[_link("Capital projects", "portfolio:project-list")],
        as_at=_when(last_changed(Project)),
        withheld=withheld,
        withheld_what="project",
        tables=[
            _table(
                "Capital projects that enable savings",
                [
                    _column("project", "Project"),
                    _column("stage", "Stage"),
                    _column("budget", "Whole-life forecast", MONEY),
                    _column("enables", "Savings initiatives enabled"),
                ],
                rows,
                total={
                    "project": "Total",
                    "stage": "",
                    "budget": _money(sum((p.budget_forecast for p in projects), Decimal(0))),
                    "enables": "",
                },
            )
        ]
        if rows
        else [],
        notes=notes,
    )


def _q6(*, reader) -> dict:
    plan = savings_selectors.plan_current()
    question = (
        "The MPS' recent budget submission included budgeted savings to technology costs of £42 million in 2014-15 "
        "and £60 million by 2015-16. Please explain the different types of savings included in these totals and "
        "give a breakdown of how much each type of saving will contribute to the savings total in each year."
    )
    response = "The MPS will prepare a response for submission by 3 May 2013, albeit this will not be a full plan at this stage."
    if plan is None:
        return _question(6, question, response, answer="No savings plan is loaded in this system.")
    breakdown = savings_selectors.plan_breakdown(plan=plan, by="savings_type", user=reader)
    planned = {(row.group_key, row.financial_year): row.planned for row in breakdown}
    realised = {(row.group_key, row.financial_year): row.realised for row in breakdown}
    rows = []
    for savings_type in SavingsType:
        if not any((savings_type.value, year) in planned for year in Q6_YEARS):
            continue
        row = {"savings_type": savings_type.label}
        for year in Q6_YEARS:
            row[f"planned_{year.start_year}"] = _money(planned.get((savings_type.value, year), 0))
            row[f"realised_{year.start_year}"] = _money(realised.get((savings_type.value, year), 0))
        rows.append(row)
    total = {"savings_type": "Total"}
    for year in Q6_YEARS:
        for kind, source in (("planned", planned), ("realised", realised)):
            total[f"{kind}_{year.start_year}"] = _money(
                sum((v for (_, y), v in source.items() if y == year), Decimal(0))
            )
    visible = Initiative.objects.filter(category__plan=plan)
    withheld = visible.withheld_from(reader)
    visible = visible.visible_to(reader)
    targets = savings_selectors.plan_targets(plan=plan, user=reader)
    target_row = {"savings_type": "Budget submission target"}
    for year in Q6_YEARS:
        target_row[f"planned_{year.start_year}"] = _money(targets.get(year))
        target_row[f"realised_{year.start_year}"] = None
    columns = [_column("savings_type", "Type of saving")]
    for year in Q6_YEARS:
        columns += [
            _column(f"planned_{year.start_year}", f"{year} planned", MONEY),
            _column(f"realised_{year.start_year}", f"{year} realised to date", MONEY),
        ]
    assumed = visible.filter(savings_type_is_assumed=True).count()
    notes = [
        "Each year's figure is the saving a year against the baseline, not the increase on the year before.",
    ]
    if withheld:
        notes.append(Withheld(withheld, "initiative").sentence)
    if assumed:
        notes.append(
            f"The type of saving of {assumed} of {visible.count()} initiatives is an assumption: the 2013 plan table "
            "does not state it."
        )
    return _question(
        6,
        question,
        response,
        held="answered",
        answer=(
            f"The plan by type of saving, for {Q6_YEARS[0]} and {Q6_YEARS[1]}, over the published initiatives."
            if withheld
            else f"The £{plan.target_reduction / 1_000_000:,.0f}m plan by type of saving, for {Q6_YEARS[0]} and {Q6_YEARS[1]}."
        ),
        source=f"{plan.name}: savings profiles and approved quarterly actuals",
        links=[
            _link("Savings by type", "savings:breakdown", query="by=savings_type"),
            _link("Savings plan", "savings:overview"),
        ],
        as_at=_when(last_changed(*savings_selectors.FIGURE_MODELS)),
        withheld=withheld,
        withheld_what="initiative",
        tables=[
            _table(
                f"Savings by type, {Q6_YEARS[0]} and {Q6_YEARS[1]}",
                columns,
                [*rows, *([] if withheld else [target_row])],
                total=total,
            )
        ],
        notes=notes,
    )


# ----------------------------------------------------------------------------- the pack


def pack_version_for(user, requested: str | None) -> str:
    """The version a reader gets: the full pack only if asked for and allowed `view_restricted`;
    everyone else, whatever they ask for, gets the publication version."""
    if requested == PackVersion.PUBLICATION or not can_view_restricted(user):
        return PackVersion.PUBLICATION
    return PackVersion.FULL


def _pack_reader(user, version: str):
    """Whom the pack's figures are read for: the user, for the full version they may see; else the
    publication reader."""
    return user if version == PackVersion.FULL and can_view_restricted(user) else PUBLICATION


def pack_build(*, user, version: str) -> dict:
    """The pack as the data stands now. `version` must come from pack_version_for."""
    reader = _pack_reader(user, version)
    include_sensitive = reader is not PUBLICATION
    questions = [_q1(), _q2(), _q3(), _q4(), _q5(reader=reader), _q6(reader=reader)]
    return {
        "title": TITLE,
        "request": REQUEST,
        "version": PackVersion.FULL if include_sensitive else PackVersion.PUBLICATION,
        "generated_at": timezone.now().isoformat(),
        "withheld": sum(q["withheld"] for q in questions),
        "questions": questions,
    }


def pack_covers(*, user, version: str) -> str:
    """The marked records whose figures the pack (as pack_build gives it) includes: every
    initiative it may show (Q6 sums them; Q5 names some) and the projects Q5 lists. Kept with a frozen copy, so it is withheld once one is marked."""
    reader = _pack_reader(user, version)
    projects, _ = _q5_projects(reader)
    initiatives = Initiative.objects.visible_to(reader).order_by("pk").values_list("pk", flat=True)
    tokens = [f"initiative:{pk}" for pk in initiatives] + [f"project:{p.pk}" for p in projects]
    return " " + " ".join(tokens) + " "


def snapshots_visible_to(user):
    """Frozen packs the user may read: full ones only with `view_restricted`."""
    return PackSnapshot.objects.visible_to(user).select_related("frozen_by")


# ----------------------------------------------------------------------------- comparison


def _key(table: dict, row: dict) -> str:
    return str(row.get(table["columns"][0]["key"]))


def pack_compare(earlier: dict, later: dict) -> list[dict]:
    """What changed between two packs: per question, table and row, each figure whose value
    differs (before, after, and the difference for amounts and counts), rows added or removed,
    and answers whose status changed."""
    changes = []
    earlier_questions = {q["number"]: q for q in earlier["questions"]}
    for question in later["questions"]:
        before_q = earlier_questions.get(question["number"])
        if before_q is None:
            continue
        if before_q["held"] != question["held"]:
            changes.append(
                {
                    "question": question["number"],
                    "table": "",
                    "row": "Answer",
                    "column": "Held in this system",
                    "before": before_q["held"],
                    "after": question["held"],
                    "kind": TEXT,
                    "difference": None,
                }
            )
        earlier_tables = {t["title"]: t for t in before_q["tables"]}
        for table in question["tables"]:
            before_t = earlier_tables.get(table["title"])
            if before_t is None:
                changes.append(
                    {
                        "question": question["number"],
                        "table": table["title"],
                        "row": "",
                        "column": "",
                        "before": "not in the earlier pack",
                        "after": "added",
                        "kind": TEXT,
                        "difference": None,
                    }
                )
                continue
            before_rows = {_key(before_t, r): r for r in before_t["rows"]}
            if before_t.get("total"):
                before_rows["Total"] = before_t["total"]
            after_rows = {_key(table, r): r for r in table["rows"]}
            if table.get("total"):
                after_rows["Total"] = table["total"]
            for key, row in after_rows.items():
                before_row = before_rows.get(key)
                if before_row is None:
                    changes.append(
                        {
                            "question": question["number"],
                            "table": table["title"],
                            "row": key,
                            "column": "",
                            "before": "",
                            "after": "row added",
                            "kind": TEXT,
                            "difference": None,
                        }
                    )
                    continue
                for column in table["columns"][1:]:
                    old, new = before_row.get(column["key"]), row.get(column["key"])
                    if old == new:
                        continue
                    difference = None
                    if column["kind"] in (MONEY, HOURS, COUNT) and old is not None and new is not None:
                        difference = str(Decimal(str(new)) - Decimal(str(old)))
                    changes.append(
                        {
                            "question": question["number"],
                            "table": table["title"],
                            "row": key,
                            "column": column["label"],
                            "before": old,
                            "after": new,
                            "kind": column["kind"],
                            "difference": difference,
                        }
                    )
            for key in before_rows.keys() - after_rows.keys():
                changes.append(
                    {
                        "question": question["number"],
                        "table": table["title"],
                        "row": key,
                        "column": "",
                        "before": "",
                        "after": "row removed",
                        "kind": TEXT,
                        "difference": None,
                    }
                )
    return changes
