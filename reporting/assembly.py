"""The Assembly response pack: the Budget and Performance Committee's questions (Appendix 1 of the
MPS letter of 2013) answered from the live data where this system holds it, and an honest "not
held in this system" where it does not.

Each question is a function named for what it asks, returning its typed answer (reporting.pack);
the areas are read only through their selectors. `pack_build` gives the pack as the JSON-ready
dict the page, the files, the API and a frozen copy all read; `pack_compare` (reporting.comparison)
says what changed between two.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils import timezone

from contracts import selectors as contract_selectors
from mobile_assets import selectors as mobile_selectors
from mps_ict.financial_years import FinancialYear
from mps_ict.marking import PUBLICATION, Withheld, can_view_restricted
from mps_ict.ranges import chance_in_words
from portfolio import selectors as portfolio_selectors
from reporting.as_at import records_as_at
from reporting.comparison import pack_compare
from reporting.models import PackSnapshot, PackVersion
from reporting.pack import (
    ANSWERED,
    COUNT,
    HOURS,
    MONEY,
    NOT_HELD,
    PARTLY,
    TEXT,
    Answer,
    Column,
    Link,
    Pack,
    Table,
    pack_as_json,
)
from savings import selectors as savings_selectors

__all__ = [
    "COUNT",
    "HOURS",
    "MONEY",
    "TEXT",
    "pack_build",
    "pack_compare",
    "pack_covers",
    "pack_live",
    "pack_version_for",
    "snapshots_visible_to",
]

TITLE = "ICT: response to the Budget and Performance Committee"
REQUEST = "Information requested by the London Assembly Budget and Performance Committee (letter of 21 March 2013), Appendix 1"
Q6_YEARS = (FinancialYear(2014), FinancialYear(2015))


def _link(text: str, name: str, *, query: str = "") -> Link:
    return Link(text, reverse(name) + (f"?{query}" if query else ""))


# ----------------------------------------------------------------------------- 1 and 2: documents


def deloitte_review() -> Answer:
    """Question 1: the Deloitte technology review, a document this system does not hold."""
    return Answer(
        1,
        "Deloitte recently undertook a technology review that was presented to the MPS Management Board on "
        "6 November 2012. Please could you provide a copy of the report produced by Deloitte.",
        "This will be submitted by 3 May 2013.",
        answer="Not held in this system. The review is a document, not data this system keeps; its "
        "findings on spend (the 2011/12 technology spend table) are loaded with the savings plan.",
        not_held=["The Deloitte technology review report"],
        links=[_link("2011/12 technology spend baseline", "savings:spend-baseline")],
    )


def ict_and_sourcing_strategy() -> Answer:
    """Question 2: the ICT and sourcing strategies, documents this system does not hold."""
    return Answer(
        2,
        "A copy of the new MPS ICT strategy, and the sourcing strategy that will accompany it.",
        "The completion date for the full ICT Strategy is now early July 2013. The MPS will provide an update "
        "on plans for delivering the core policing systems and the rest of the ICT strategy by 3 May 2013.",
        answer="Not held in this system. The ICT and sourcing strategies are documents; the capital projects "
        "that deliver them are in the capital portfolio.",
        not_held=["The ICT strategy", "The sourcing strategy"],
        links=[_link("Capital portfolio", "portfolio:dashboard")],
    )


# ----------------------------------------------------------------------------- 3: the mobile rollout


def mobile_rollout_business_case(estate: mobile_selectors.EstateRecords) -> Answer:
    """Question 3: the business case for rolling out mobile devices; what is held is the rollout
    plan and what the smartphones bought so far cost."""
    years = mobile_selectors.rollout_by_financial_year(estate)
    planned, deployed = sum(y.planned for y in years), sum(y.deployed for y in years)
    tables = [_rollout_table(years)] if years else []
    tables.append(_smartphones_table(mobile_selectors.smartphones_bought(estate)))
    notes = []
    if any(year.illustrative for year in years):
        notes.append(
            "The rollout plan loaded with the demonstration data is ILLUSTRATIVE, not a figure from the 2013 papers."
        )
    return Answer(
        3,
        "The MPS plans to expand its use of mobile technology by rolling out as many as 30,000 mobile devices to "
        "officers. Please could you provide the business case for this project (redacted if needed) and a "
        "summary of any cost-benefit analysis work that has been undertaken.",
        "The business case has not yet been written. The final ICT Strategy, due in July 2013, will include the "
        "high level costs and plans for mobile technology and a detailed business case would then be completed.",
        held=PARTLY if years else NOT_HELD,
        answer=(
            f"The rollout plan held here: {planned:,} devices planned, "
            f"{deployed:,} deployed so far. Purchase costs are taken from the device register."
            if years
            else "No rollout plan is held in this system."
        ),
        not_held=["The business case (not yet written in March 2013)", "A cost-benefit analysis of the rollout"],
        source="Mobile estate: rollout plan and device register",
        links=[_link("Mobile estate", "mobile_assets:dashboard")],
        as_at=mobile_selectors.rollout_last_changed(estate.at),
        tables=tables,
        notes=notes,
    )


def _rollout_table(years: list[mobile_selectors.RolloutYear]) -> Table:
    return Table(
        "Rollout plan by financial year",
        [
            Column("financial_year", "Financial year"),
            Column("device_type", "Device type"),
            Column("months", "Months", COUNT),
            Column("planned", "Devices planned", COUNT),
            Column("deployed", "Devices deployed", COUNT),
        ],
        [
            {
                "financial_year": str(year.financial_year),
                "device_type": year.device_type,
                "months": year.months,
                "planned": year.planned,
                "deployed": year.deployed,
            }
            for year in years
        ],
        total={
            "financial_year": "Total",
            "device_type": "",
            "months": sum(year.months for year in years),
            "planned": sum(year.planned for year in years),
            "deployed": sum(year.deployed for year in years),
        },
    )


def _smartphones_table(bought: mobile_selectors.DevicesBought) -> Table:
    return Table(
        "Cost of the new devices bought so far (from the device register)",
        [
            Column("measure", "Measure"),
            Column("devices", "Devices", COUNT),
            Column("with_cost", "With a purchase cost", COUNT),
            Column("cost", "Purchase cost", MONEY),
        ],
        [
            {
                "measure": "Smartphones in the register",
                "devices": bought.devices,
                "with_cost": bought.priced,
                "cost": bought.cost,
            }
        ],
    )


# ----------------------------------------------------------------------------- 4: mobile capability


def mobile_capability_and_benefits(estate: mobile_selectors.EstateRecords) -> Answer:
    """Question 4: the mobile estate by device type, what each type can do, and the efficiency
    benefits measured for PDAs (the last reported period, as reported and as computed)."""
    types = mobile_selectors.estate_by_type(estate)
    tables = [_devices_in_use_table(types), _capabilities_table(types)]
    period = mobile_selectors.latest_reported_period(estate)
    if period:
        benefits = mobile_selectors.benefit_table(start=period[0], end=period[1], records=estate)
        if benefits.held:
            tables.append(_benefits_table(benefits, *period))
    qualitative = list(mobile_selectors.pda_qualitative_benefits())
    if qualitative:
        tables.append(_qualitative_table(qualitative))
    return Answer(
        4,
        "Details of the current capability of mobile technology at the MPS and any efficiency benefits that were "
        "measured during past roll outs of Personal Digital Assistants (PDAs) or other devices to officers.",
        "Details of Operational Personal Digital Assistants (OPDAs), Mobile Data Terminals (MDTs) and Mobile "
        "Finger Print Readers will be submitted by 3 May 2013.",
        held=ANSWERED,
        answer="The mobile estate by device type, what each type can do, and the PDA benefits as reported and as "
        "computed from usage statistics. Reported benefits are non-cashable (time released, not money).",
        not_held=[
            f"{type_.name}: the number in use was not reported"
            for type_ in types
            if type_.reported is None and not type_.in_register
        ],
        source="Mobile estate: device types, register, benefit roll-ups",
        links=[_link("Mobile estate", "mobile_assets:dashboard"), _link("Mobile benefits", "mobile_assets:benefits")],
        as_at=mobile_selectors.estate_last_changed(estate.at),
        tables=tables,
    )


def _devices_in_use_table(types: list[mobile_selectors.TypeInUse]) -> Table:
    return Table(
        "Mobile devices in use",
        [
            Column("device_type", "Device type"),
            Column("reported", "As reported", COUNT),
            Column("in_register", "In the register", COUNT),
            Column("issued", "Issued", COUNT),
            Column("vehicles", "Vehicles fitted", COUNT),
            Column("users", "Users supported", COUNT),
        ],
        [
            {
                "device_type": type_.name,
                "reported": type_.reported,
                "in_register": type_.in_register,
                "issued": type_.issued,
                "vehicles": type_.vehicles,
                "users": type_.users,
            }
            for type_ in types
        ],
    )


def _capabilities_table(types: list[mobile_selectors.TypeInUse]) -> Table:
    return Table(
        "What each device type can do",
        [Column("device_type", "Device type"), Column("capabilities", "Capabilities")],
        [
            {"device_type": type_.name, "capabilities": ", ".join(type_.capabilities) or "None recorded"}
            for type_ in types
        ],
    )


def _benefits_table(benefits: mobile_selectors.BenefitTable, start, end) -> Table:
    def measure(benefit, name):
        return getattr(benefit, name) if benefit else None

    return Table(
        f"PDA efficiency benefits (non-cashable), {start:%B %Y} to {end:%B %Y}",
        [
            Column("role", "Benefit"),
            Column("reported_hours", "Hours saved (reported)", HOURS),
            Column("reported_amount", "Value (reported)", MONEY),
            Column("computed_hours", "Hours saved (computed from usage)", HOURS),
            Column("computed_amount", "Value (computed from usage)", MONEY),
        ],
        [
            {
                "role": row.label,
                "reported_hours": measure(row.reported, "hours"),
                "reported_amount": measure(row.reported, "amount"),
                "computed_hours": measure(row.computed, "hours"),
                "computed_amount": measure(row.computed, "amount"),
            }
            for row in benefits.held
        ],
        total={
            "role": "Total",
            "reported_hours": benefits.reported_hours,
            "reported_amount": benefits.reported_amount,
            "computed_hours": benefits.computed_hours,
            "computed_amount": benefits.computed_amount,
        },
    )


def _qualitative_table(qualitative: list) -> Table:
    return Table(
        "Other PDA benefits reported",
        [Column("heading", "Benefit"), Column("description", "Detail"), Column("measure", "Measure")],
        [{"heading": q.heading, "description": q.description, "measure": q.measure} for q in qualitative],
    )


# ----------------------------------------------------------------------------- 5: new technology


def new_technology_for_savings(portfolio: portfolio_selectors.PortfolioRecords, *, reader) -> Answer:
    """Question 5: other new technology planned to generate savings; what is held is the live
    capital projects that enable savings initiatives, as far as `reader` may see them."""
    enablers = portfolio_selectors.savings_enablers(reader=reader, records=portfolio)
    projects = enablers.projects
    notes = []
    if any(project.is_illustrative for project in projects):
        notes.append("The projects loaded with the demonstration data are ILLUSTRATIVE, not from the 2013 papers.")
    return Answer(
        5,
        "Examples of any other new technology the MPS is planning to invest in to generate savings and improve performance.",
        "This will form part of the ICT Strategy due in July 2013.",
        held=PARTLY if projects else NOT_HELD,
        answer=(
            "The live capital projects that enable savings initiatives in the £60m plan."
            if projects
            else "No live capital project is linked to a savings initiative in this system."
        ),
        not_held=["The ICT Strategy's investment plans (a document)"],
        source="Capital portfolio: projects and the savings initiatives they enable",
        links=[_link("Capital projects", "portfolio:project-list")],
        as_at=portfolio_selectors.projects_last_changed(portfolio.at),
        withheld=enablers.withheld,
        withheld_what="project",
        tables=[_enablers_table(projects)] if projects else [],
        notes=notes,
    )


def _enablers_table(projects: list) -> Table:
    return Table(
        "Capital projects that enable savings",
        [
            Column("project", "Project"),
            Column("stage", "Stage"),
            Column("budget", "Whole-life forecast", MONEY),
            Column("enables", "Savings initiatives enabled"),
        ],
        [
            {
                "project": f"{p.code}: {p.name}",
                "stage": p.get_stage_display(),
                "budget": p.budget_forecast,
                "enables": "; ".join(f"{i.reference}: {i.description}" for i in p.enables.all()),
            }
            for p in projects
        ],
        total={"project": "Total", "stage": "", "budget": sum(p.budget_forecast for p in projects), "enables": ""},
    )


# ----------------------------------------------------------------------------- 6: savings by type

Q6_QUESTION = (
    "The MPS' recent budget submission included budgeted savings to technology costs of £42 million in 2014-15 "
    "and £60 million by 2015-16. Please explain the different types of savings included in these totals and "
    "give a breakdown of how much each type of saving will contribute to the savings total in each year."
)
Q6_RESPONSE = (
    "The MPS will prepare a response for submission by 3 May 2013, albeit this will not be a full plan at this stage."
)


def budgeted_savings_by_type(savings: savings_selectors.PlanRecords, *, reader) -> Answer:
    """Question 6: the £42m and £60m of budgeted savings by type of saving, as far as `reader`
    may see the initiatives."""
    plan = savings_selectors.plan_current()
    if plan is None:
        return Answer(6, Q6_QUESTION, Q6_RESPONSE, answer="No savings plan is loaded in this system.")
    if not savings.recorded(plan):
        return Answer(
            6, Q6_QUESTION, Q6_RESPONSE, answer="Nothing recorded yet: the savings plan had no figures by then."
        )
    by_type = savings_selectors.savings_by_type(plan=plan, years=Q6_YEARS, user=reader, records=savings)
    chances = savings_selectors.savings_target_chances(plan=plan, user=reader, records=savings)
    dependencies = _savings_dependencies(plan, savings, reader=reader)
    years = f"{Q6_YEARS[0]} and {Q6_YEARS[1]}"
    return Answer(
        6,
        Q6_QUESTION,
        Q6_RESPONSE,
        held=ANSWERED,
        answer=(
            f"The £{plan.target_reduction / 1_000_000:,.0f}m plan by type of saving, for {years}."
            if by_type.target_given
            else f"The plan by type of saving, for {years}, over the published initiatives."
        ),
        source=f"{plan.name}: savings profiles and approved quarterly actuals",
        links=[
            _link("Savings by type", "savings:breakdown", query="by=savings_type"),
            _link("Savings plan", "savings:overview"),
            _link("Contracts register", "contracts:contract-list"),
        ],
        as_at=savings_selectors.figures_last_changed(savings.at),
        withheld=by_type.withheld,
        withheld_what="initiative",
        tables=[
            _savings_by_type_table(by_type, f"Savings by type, {years}"),
            *([_target_chances_table(chances)] if chances.targets else []),
            *([_dependencies_table(dependencies)] if dependencies else []),
        ],
        notes=[
            *_savings_by_type_notes(by_type),
            *_target_chances_notes(chances),
            _plan_version_note(plan, savings),
            *_dependencies_notes(dependencies, reader=reader),
        ],
    )


DEPENDENCIES_TITLE = "Which savings depend on which contracts"


def _savings_dependencies(plan, savings: savings_selectors.PlanRecords, *, reader):
    """The plan's savings that depend on a contract's event, as far as `reader` may see both the
    contract and the initiative (None for a pack as at a past day: the links keep no history)."""
    if savings.at is not None:
        return None
    return [
        row
        for row in contract_selectors.savings_dependencies(user=reader)
        if row.initiative.category.plan_id == plan.pk
    ]


def _dependencies_table(dependencies: list[contract_selectors.SavingsDependency]) -> Table:
    """One row per contract, event and initiative: the pounds of each year that depend on the event."""
    years = sorted({year for row in dependencies for year, amount in row.dependent.items() if amount})
    pairs = [(row.contract.pk, row.initiative.pk) for row in dependencies]
    columns = [
        Column("dependency", "Saving on contract"),
        Column("contract", "Contract"),
        Column("supplier", "Supplier"),
        Column("event", "Event"),
        Column("due", "Date"),
        Column("initiative", "Savings initiative"),
        Column("category", "Category"),
        *(Column(f"dependent_{year.start_year}", f"{year} depending on it", MONEY) for year in years),
        Column("dependent_total", "Total depending on it", MONEY),
    ]
    rows = []
    for row, pair in zip(dependencies, pairs, strict=True):
        name = f"{row.contract.reference} → {row.initiative.reference}"
        if pairs.count(pair) > 1:  # the saving depends on more than one event of the contract
            name += f" ({row.event.get_kind_display().lower()}, {_day(row.event.due)})"
        rows.append(
            {
                "dependency": name,
                "contract": f"{row.contract.reference}: {row.contract.title}",
                "supplier": row.contract.supplier.name,
                "event": row.event.get_kind_display(),
                "due": _day(row.event.due),
                "initiative": f"{row.initiative.reference}: {row.initiative.description}",
                "category": row.initiative.category.name,
                **{f"dependent_{year.start_year}": row.dependent.get(year) for year in years},
                "dependent_total": row.total,
            }
        )
    return Table(DEPENDENCIES_TITLE, columns, rows)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _dependencies_notes(dependencies, *, reader) -> list[str]:
    if dependencies is None:
        return [f"{DEPENDENCIES_TITLE}: given only for the pack as the data stands now (the links keep no history)."]
    if not dependencies:
        return []
    notes = [
        "The savings that depend on a contract's event: the part of the initiative's planned saving that it adds "
        "from the event's month on (each year's saving taken as made evenly over its twelve months). A saving "
        "that depends on two events is shown against each, so the rows do not add up to a total."
    ]
    if reader is PUBLICATION:
        notes.append("Contracts and savings initiatives marked OFFICIAL-SENSITIVE are left out of this table.")
    return notes


def _target_chances_table(chances: savings_selectors.TargetChances) -> Table:
    """The targets as ranges (issue 16): the saving each target year realises in the simulation."""
    columns = [
        Column("financial_year", "Target year"),
        Column("target", "Target", MONEY),
        Column("p90", "P90 (reached in 90% of simulated years)", MONEY),
        Column("p80", "P80", MONEY),
        Column("p50", "P50 (the middle)", MONEY),
        Column("p10", "P10 (reached in 10%)", MONEY),
        Column("chance", "Chance of reaching the target"),
    ]
    rows = [
        {
            "financial_year": row.label,
            "target": row.reference,
            "p90": row.p90,
            "p80": row.p80,
            "p50": row.p50,
            "p10": row.p10,
            "chance": chance_in_words(row.probability),
        }
        for row in chances.range_rows
    ]
    return Table("How likely the targets are: the saving realised as a range", columns, rows)


def _target_chances_notes(chances: savings_selectors.TargetChances) -> list[str]:
    if not chances.targets:
        return []
    return [
        *(target.sentence for target in chances.targets),
        f"How the range is worked out: {chances.method}",
    ]


def _plan_version_note(plan, savings: savings_selectors.PlanRecords) -> str:
    """Which version of the savings plan the figures are (plan versions)."""
    shown = savings_selectors.plan_version_shown(plan=plan, at=savings.at).description
    return f"Savings figures: {shown[0].lower()}{shown[1:]}."


def _savings_by_type_table(by_type: savings_selectors.SavingsByType, title: str) -> Table:
    columns = [Column("savings_type", "Type of saving")]
    for year in by_type.years:
        columns += [
            Column(f"planned_{year.start_year}", f"{year} planned", MONEY),
            Column(f"realised_{year.start_year}", f"{year} realised to date", MONEY),
        ]

    def row(name: str, planned: dict, realised: dict) -> dict:
        cells = {"savings_type": name}
        for year in by_type.years:
            cells[f"planned_{year.start_year}"] = planned.get(year)
            cells[f"realised_{year.start_year}"] = realised.get(year)
        return cells

    rows = [row(t.label, t.planned, t.realised) for t in by_type.types]
    if by_type.target_given:
        rows.append(row("Budget submission target", by_type.targets, {}))
    return Table(title, columns, rows, total=row("Total", by_type.planned_total, by_type.realised_total))


def _savings_by_type_notes(by_type: savings_selectors.SavingsByType) -> list[str]:
    notes = ["Each year's figure is the saving a year against the baseline, not the increase on the year before."]
    if by_type.withheld:
        notes.append(Withheld(by_type.withheld, "initiative").sentence)
    if by_type.assumed:
        notes.append(
            f"The type of saving of {by_type.assumed} of {by_type.initiatives} initiatives is an assumption: "
            "the 2013 plan table does not state it."
        )
    return notes


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


def pack_live(*, user, version: str, as_at: date | None = None) -> Pack:
    """The pack as the data stands now or, with `as_at`, as it stood at the end of that day (see
    reporting.as_at), typed. `version` must come from pack_version_for."""
    reader = _pack_reader(user, version)
    records = records_as_at(as_at)
    return Pack(
        title=TITLE,
        request=REQUEST,
        version=PackVersion.PUBLICATION if reader is PUBLICATION else PackVersion.FULL,
        generated_at=timezone.now(),
        as_at=as_at,
        answers=[
            deloitte_review(),
            ict_and_sourcing_strategy(),
            mobile_rollout_business_case(records.mobile),
            mobile_capability_and_benefits(records.mobile),
            new_technology_for_savings(records.portfolio, reader=reader),
            budgeted_savings_by_type(records.savings, reader=reader),
        ],
    )


def pack_build(*, user, version: str, as_at: date | None = None) -> dict:
    """The pack as the data stands now (or as at the end of `as_at`), as the JSON-ready dict every
    reader of it takes (see reporting.pack). `version` must come from pack_version_for."""
    return pack_as_json(pack_live(user=user, version=version, as_at=as_at))


def pack_covers(*, user, version: str) -> str:
    """The marked records whose figures the pack (as pack_build gives it) includes: every
    initiative it may show (Q6 sums them; Q5 names some), the projects Q5 lists and the contracts
    Q6 names (the savings that depend on them). Kept with a frozen copy, so it is withheld once
    one is marked."""
    reader = _pack_reader(user, version)
    projects = portfolio_selectors.savings_enablers(reader=reader).projects
    initiatives = savings_selectors.initiative_ids_visible_to(reader)
    contracts = sorted({row.contract.pk for row in contract_selectors.savings_dependencies(user=reader)})
    tokens = (
        [f"initiative:{pk}" for pk in initiatives]
        + [f"project:{p.pk}" for p in projects]
        + [f"contract:{pk}" for pk in contracts]
    )
    return " " + " ".join(tokens) + " "


def snapshots_visible_to(user):
    """Frozen packs the user may read: full ones only with `view_restricted`."""
    return PackSnapshot.objects.visible_to(user).select_related("frozen_by")
