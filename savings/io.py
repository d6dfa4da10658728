"""The quarterly actuals spreadsheet: a template pre-filled for one quarter, and its upload.

The upload is read by the one import engine (mps_ict/imports.py): any workbook or CSV the
template's columns can be found in, whatever its title rows, column order and names, Total row or
hidden sheets. Every row goes through the same rules as the form and the API
(services.actual_validate) and every error names its row and column; the preview is confirmed by
services.actuals_confirm, exactly as shown or not at all, in one transaction.
"""

from __future__ import annotations

import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from mps_ict.downloads import safe_cell, workbook_bytes
from mps_ict.financial_years import FinancialYear, Quarter
from mps_ict.imports import (
    CellProblem,
    Column,
    ImportRejected,
    Preview,
    PreviewRow,
    RowError,
    Shown,
    TableSpec,
    amount,
    column_letter,
    preview_refused,
    read_table,
    same_key,
    text,
)
from mps_ict.marking import ProtectiveMarking
from mps_ict.money import FORECAST_TOLERANCE_LABEL
from savings import selectors, services
from savings.choices import Confidence, DeliveryStatus, SavingsType
from savings.models import Initiative, SavingsPlan

SHEET_TITLE = "Actuals"
QUARTER_LABEL_CELL = "B2"
HEADER_ROW = 5
COLUMNS = {
    "reference": "Reference",
    "category": "Category",
    "initiative": "Initiative",
    "planned": "Planned saving for the year (£)",
    "actual_saving": "Actual saving in the quarter (£)",
    "forecast_full_year": "Full-year forecast (£)",
    "commentary": "Commentary",
}
REQUIRED_COLUMNS = ("reference", "actual_saving", "forecast_full_year", "commentary")


def actuals_template(*, plan: SavingsPlan, quarter: Quarter, user) -> bytes:
    """An .xlsx for the quarter: one row per initiative, pre-filled with any figures already entered."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet["A1"] = f"{plan.name}: quarterly savings actuals"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"], sheet[QUARTER_LABEL_CELL] = "Quarter", quarter.label
    sheet["A3"] = (
        "Fill in the actual saving in the quarter and the forecast for the whole year, in pounds. "
        f"Explain any forecast that moves by more than {FORECAST_TOLERANCE_LABEL}. "
        "Do not change the Reference column or the quarter."
    )
    sheet["A3"].alignment = Alignment(wrap_text=False)
    for column, title in enumerate(COLUMNS.values(), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1D70B8")
    for offset, row in enumerate(selectors.quarter_rows(plan=plan, quarter=quarter, user=user), start=1):
        actual = row.actual
        values = [
            row.initiative.reference,
            row.initiative.category.name,
            row.initiative.description,
            row.planned,
            actual.actual_saving if actual else None,
            actual.forecast_full_year if actual else None,
            actual.commentary if actual else None,
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(
                row=HEADER_ROW + offset, column=column, value=safe_cell(value) if value is not None else None
            )
            if column in (4, 5, 6):
                cell.number_format = "£#,##0.00"
    for letter, width in zip("ABCDEFG", (14, 32, 60, 22, 24, 22, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    return workbook_bytes(workbook)


ACTUALS_IMPORT = "savings-actuals"
ACTUALS_SPEC = TableSpec(
    what="the quarter's actuals",
    columns=(
        Column(
            "reference",
            COLUMNS["reference"],
            (
                "Ref",
                "Ref no",
                "Ref number",
                "Reference number",
                "Initiative ref",
                "Initiative reference",
                "Initiative ID",
                "Saving ref",
                "Savings ref",
                "Savings reference",
                "ID",
                "Code",
            ),
            required=True,
            label=True,
        ),
        Column("category", COLUMNS["category"], ("Savings category", "Area", "Theme"), fill_merged=True, label=True),
        Column(
            "initiative",
            COLUMNS["initiative"],
            ("Description", "Initiative name", "Initiative description", "Name", "Saving", "Savings initiative"),
            fill_merged=True,
            label=True,
        ),
        Column(
            "planned",
            COLUMNS["planned"],
            ("Planned", "Plan", "Planned saving", "Planned savings", "Plan for the year", "Annual plan", "Budget"),
            totalled=True,
        ),
        Column(
            "actual_saving",
            COLUMNS["actual_saving"],
            (
                "Actual",
                "Actuals",
                "Actual saving",
                "Actual savings",
                "Actual in quarter",
                "Actual this quarter",
                "Actual saving this quarter",
                "Saving in quarter",
                "Savings in quarter",
                "Saving in the quarter",
                "Quarter actual",
                "Qtr actual",
                "Actual to date",
                "Achieved",
            ),
            required=True,
            totalled=True,
        ),
        Column(
            "forecast_full_year",
            COLUMNS["forecast_full_year"],
            (
                "Forecast",
                "Full year forecast",
                "FY forecast",
                "Forecast full year",
                "Forecast for the year",
                "Year forecast",
                "Annual forecast",
                "Forecast outturn",
                "Outturn",
                "Full year",
            ),
            required=True,
            totalled=True,
        ),
        Column(
            "commentary",
            COLUMNS["commentary"],
            ("Comment", "Comments", "Notes", "Note", "Explanation", "Narrative", "Remarks", "Commentary on forecast"),
            fill_merged=True,
        ),
    ),
)
ACTUALS_SHOWN = [
    Shown("actual_saving", "Actual saving", "money"),
    Shown("forecast_full_year", "Full-year forecast", "money"),
    Shown("commentary", "Commentary"),
]


def _stated_quarter(table) -> tuple[int, str] | None:
    """A quarter the title rows state ("Quarter: 2014/15 Q2", or the template's B2): (row, label)."""
    for index, row in enumerate(table.above_header, start=1):
        for value in row:
            if isinstance(value, str) and re.search(r"\bQ[1-4]\b", value, re.IGNORECASE):
                match = re.search(r"(\d{4}\s*[/-]\s*\d{2,4})\s*Q\s*([1-4])", value, re.IGNORECASE)
                if match:
                    return index, f"{match.group(1).replace(' ', '')} Q{match.group(2)}"
    return None


def actuals_preview(*, upload, plan: SavingsPlan, quarter: Quarter, user, sheet: str | None = None) -> Preview:
    """Read an upload of the quarter's actuals into the preview its confirm writes: each row's figures as
    read (amounts as people type them), what the initiative holds now, and the version it was read
    against; every problem with its row and column. Only initiatives the user may see are matched.
    Rows whose figures are already held are left as they are; a row with neither amount is not reported."""
    scope = quarter.label
    try:
        table = read_table(upload, ACTUALS_SPEC, sheet=sheet)
    except ImportRejected as rejected:
        return preview_refused(kind=ACTUALS_IMPORT, scope=scope, upload=upload, rejected=rejected)
    errors = list(table.errors)
    stated = _stated_quarter(table)
    if stated is not None:
        try:
            if Quarter.parse(stated[1]) != quarter:
                errors.append(
                    RowError(
                        stated[0],
                        "Quarter",
                        f"This file is for {stated[1]}, not {quarter}: upload it to {stated[1]}, or download "
                        f"the template for {quarter}.",
                    )
                )
        except ValueError:
            pass  # a title that only looks like a quarter says nothing
    quarter_rows = selectors.quarter_rows(plan=plan, quarter=quarter, user=user)
    by_reference = {same_key(row.initiative.reference): row for row in quarter_rows}
    checks = services.actual_checks(plan=plan, quarter=quarter, initiatives=[row.initiative for row in quarter_rows])
    seen: dict[str, int] = {}
    rows: list[PreviewRow] = []
    for line in table.rows:
        number = line.number
        try:
            reference = text(line["reference"])
        except CellProblem as problem:
            errors.append(table.problem(number, "reference", f"{problem}."))
            continue
        figures = {}
        for key in ("actual_saving", "forecast_full_year"):
            try:
                figures[key] = amount(line[key])
            except CellProblem as problem:
                errors.append(table.problem(number, key, _sentence(problem)))
                figures[key] = "?"
        try:
            commentary = text(line["commentary"])
        except CellProblem as problem:
            errors.append(table.problem(number, "commentary", _sentence(problem)))
            commentary = ""
        if not reference:
            if any(value is not None for value in figures.values()):
                errors.append(
                    table.problem(
                        number, "reference", "Reference is empty: give the initiative's reference, like SAV-CC."
                    )
                )
            continue
        match = by_reference.get(same_key(reference))
        if match is None:
            errors.append(
                table.problem(
                    number, "reference", f'"{reference}" is not an initiative of this plan: check the reference.'
                )
            )
            continue
        canonical = match.initiative.reference
        if canonical in seen:
            errors.append(
                table.problem(number, "reference", f"{canonical} appears again (first on row {seen[canonical]}).")
            )
            continue
        seen[canonical] = number
        if "?" in figures.values():
            continue
        actual, forecast = figures["actual_saving"], figures["forecast_full_year"]
        if actual is None and forecast is None:
            continue  # not reported this quarter
        if actual is None or forecast is None:
            missing = "actual_saving" if actual is None else "forecast_full_year"
            errors.append(
                table.problem(
                    number,
                    missing,
                    "Enter this amount too: a row needs both the actual saving and the full-year forecast.",
                )
            )
            continue
        existing = match.actual
        was = (
            {
                "actual_saving": str(existing.actual_saving),
                "forecast_full_year": str(existing.forecast_full_year),
                "commentary": existing.commentary,
            }
            if existing is not None
            else None
        )
        values = {"actual_saving": str(actual), "forecast_full_year": str(forecast), "commentary": commentary}
        basis = f"{existing.pk}:{existing.version}" if existing is not None else ""
        if existing is not None and (existing.actual_saving, existing.forecast_full_year, existing.commentary) == (
            actual,
            forecast,
            commentary,
        ):
            rows.append(PreviewRow(number, canonical, match.initiative.description, values, was, basis, "unchanged"))
            continue
        candidate = services.ActualInput(match.initiative, actual, forecast, commentary)
        for field_name, message in services.actual_validate(
            row=candidate, quarter=quarter, existing=existing, checks=checks
        ).items():
            errors.append(RowError(number, _column_of(table, field_name), message))
        rows.append(
            PreviewRow(
                number, canonical, match.initiative.description, values, was, basis, "changed" if existing else "new"
            )
        )
    if not errors and not any(row.change != "unchanged" for row in rows):
        errors.append(
            RowError(
                0,
                "File",
                "Every figure in the file is already held: there is nothing to save."
                if rows
                else f"The file has no figures to upload: fill in {table.column('actual_saving')} and "
                f"{table.column('forecast_full_year')} for the initiatives you are reporting.",
            )
        )
    return Preview(kind=ACTUALS_IMPORT, scope=scope, read=table.describe(), rows=rows, errors=errors)


def _sentence(problem: CellProblem) -> str:
    message = str(problem)
    message = message[0].upper() + message[1:] if message else message
    return message if message.endswith(".") else f"{message}."


def _column_of(table, field_name: str) -> str:
    if field_name in ("actual_saving", "forecast_full_year", "commentary"):
        return table.column(field_name)
    if field_name == "quarter":
        return "Quarter"
    return table.column("reference")


# --- The plan's initiatives and their phasing, as a spreadsheet (issue 15) ----------------------
# Finance keep the plan in a workbook too: download the initiatives with their yearly phasing,
# change figures, statuses or phasing, add rows for new initiatives, and upload it. A blank cell
# leaves the field as it is (a year's 0 plans a zero); a row whose reference is new adds an
# initiative. Read by the one import engine, confirmed by services.initiatives_confirm.

INITIATIVES_IMPORT = "savings-initiatives"
INITIATIVE_MONEY_FIELDS = ("cost_now", "future_cost")
INITIATIVE_CHOICE_FIELDS = {
    "savings_type": SavingsType,
    "delivery_status": DeliveryStatus,
    "confidence": Confidence,
    "protective_marking": ProtectiveMarking,
}
NEW_INITIATIVE_NEEDS = ("category", "description", "cost_now", "future_cost", "savings_type")


def _year_key(year: FinancialYear) -> str:
    return f"year:{year.label}"


def initiatives_spec(plan: SavingsPlan) -> TableSpec:
    """The initiatives upload's columns: the record's, then one planned saving per plan year."""
    years = [
        Column(
            _year_key(year),
            f"{year.label} planned saving (£)",
            (
                year.label,
                f"{year.start_year}-{year.start_year % 100 + 1:02d}",
                f"{year.start_year}/{year.start_year + 1}",
                f"FY{year.label}",
                f"FY {year.label}",
                f"Planned {year.label}",
                f"Plan {year.label}",
                f"Saving {year.label}",
                f"Savings {year.label}",
            ),
            totalled=True,
        )
        for year in selectors.plan_year_range(plan=plan)
    ]
    return TableSpec(
        what="the plan's initiatives",
        columns=(
            Column("reference", "Reference", ACTUALS_SPEC.column("reference").aliases, required=True, label=True),
            Column("category", "Category", ("Savings category", "Area", "Theme"), fill_merged=True, label=True),
            Column("description", "Initiative", ("Description", "Initiative name", "Name", "Initiative description")),
            Column("owner", "Owner", ("Lead", "Responsible", "SRO", "Initiative owner")),
            Column(
                "cost_now", "Cost now (£)", ("Cost now", "Current cost", "Baseline cost", "Cost today"), totalled=True
            ),
            Column("future_cost", "Future cost (£)", ("Future cost", "Target cost", "Cost after"), totalled=True),
            Column("savings_type", "Savings type", ("Type", "Type of saving", "Saving type")),
            Column("cashable", "Cashable", ("Cashable?", "Cash releasing", "Cashable saving")),
            Column("delivery_status", "Delivery status", ("Status", "Delivery")),
            Column("confidence", "Confidence", ("RAG", "Delivery confidence", "Confidence RAG")),
            Column("protective_marking", "Protective marking", ("Marking", "Classification", "Security marking")),
            *years,
        ),
    )


def initiatives_template(*, plan: SavingsPlan, user) -> bytes:
    """An .xlsx of the plan's initiatives the user may see, with every column the upload reads."""
    spec = initiatives_spec(plan)
    years = selectors.plan_year_range(plan=plan)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Initiatives"
    sheet["A1"] = f"{plan.name}: initiatives and their phasing"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (
        "Change any figure, status or year's planned saving; a blank cell leaves it as it is. Add a row with a "
        "new reference to add an initiative (it needs a category, initiative, costs and savings type)."
    )
    header_row = 4
    for column, spec_column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=header_row, column=column, value=spec_column.title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1D70B8")
    initiatives = (
        Initiative.objects.visible_to(user)
        .filter(category__plan=plan, withdrawn_at__isnull=True)
        .select_related("category")
        .prefetch_related("profile")
        .order_by("category__position", "reference")
    )
    for offset, initiative in enumerate(initiatives, start=1):
        phasing = {row.financial_year: row.planned_saving for row in initiative.profile.all()}
        values = [
            initiative.reference,
            initiative.category.name,
            initiative.description,
            initiative.owner,
            initiative.cost_now,
            initiative.future_cost,
            initiative.get_savings_type_display(),
            "Yes" if initiative.cashable else "No",
            initiative.get_delivery_status_display(),
            initiative.get_confidence_display() if initiative.confidence else "",
            initiative.protective_marking,
            *(phasing.get(year) for year in years),
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(
                row=header_row + offset, column=column, value=safe_cell(value) if value not in (None, "") else None
            )
            if isinstance(value, Decimal):
                cell.number_format = "£#,##0.00"
    for index, width in enumerate((12, 26, 50, 20, 16, 16, 30, 10, 14, 12, 20, *(18 for _ in years)), start=1):
        sheet.column_dimensions[column_letter(index - 1)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    return workbook_bytes(workbook)


def _initiative_values(initiative: Initiative, years) -> dict[str, str]:
    phasing = {row.financial_year: row.planned_saving for row in initiative.profile.all()}
    values = {
        "category": initiative.category.name,
        "description": initiative.description,
        "owner": initiative.owner,
        "cost_now": str(initiative.cost_now),
        "future_cost": str(initiative.future_cost),
        "savings_type": initiative.savings_type,
        "cashable": "yes" if initiative.cashable else "no",
        "delivery_status": initiative.delivery_status,
        "confidence": initiative.confidence,
        "protective_marking": initiative.protective_marking,
    }
    for year in years:
        values[_year_key(year)] = str(phasing[year]) if year in phasing else ""
    return values


_YES = {"yes", "y", "true", "1", "cashable", "cash releasing"}
_NO = {"no", "n", "false", "0", "non cashable", "non-cashable", "not cashable"}


def _choice(choices, value) -> str:
    wanted = same_key(value)
    for choice_value, label in choices.choices:
        if wanted in (same_key(choice_value), same_key(label), same_key(str(label).split(" (")[0])):
            return choice_value
    if choices is Confidence and wanted in ("not assessed", "n/a", "-"):
        return ""
    raise CellProblem(
        f'found "{value}"; expected one of {", ".join(str(label) for _, label in choices.choices if label)}'
    )


def initiatives_preview(*, upload, plan: SavingsPlan, user, sheet: str | None = None) -> Preview:
    """Read an upload of the plan's initiatives: each row's changes (a blank cell changes nothing),
    new initiatives for new references, what each held, and the version each was read at."""
    scope = str(plan.pk)
    spec = initiatives_spec(plan)
    try:
        table = read_table(upload, spec, sheet=sheet)
    except ImportRejected as rejected:
        return preview_refused(kind=INITIATIVES_IMPORT, scope=scope, upload=upload, rejected=rejected)
    errors = list(table.errors)
    years = selectors.plan_year_range(plan=plan)
    initiatives = {
        same_key(initiative.reference): initiative
        for initiative in Initiative.objects.visible_to(user)
        .filter(category__plan=plan)
        .select_related("category")
        .prefetch_related("profile")
    }
    categories = {same_key(category.name): category for category in plan.categories.all()}
    rows, seen = [], {}
    for line in table.rows:
        number = line.number
        values: dict[str, str] = {}
        problems = []
        for column in spec.columns:
            key = column.key
            if key == "reference" or key not in table.headers:
                continue
            try:
                if key in INITIATIVE_MONEY_FIELDS or key.startswith("year:"):
                    pounds = amount(line[key], negative=False)
                    if pounds is not None:
                        values[key] = str(pounds)
                elif key in INITIATIVE_CHOICE_FIELDS:
                    if text(line[key]):
                        values[key] = _choice(INITIATIVE_CHOICE_FIELDS[key], text(line[key]))
                elif key == "cashable":
                    if answer := text(line[key]):
                        if same_key(answer) not in _YES | _NO:
                            raise CellProblem(f'found "{answer}"; expected Yes or No')
                        values[key] = "yes" if same_key(answer) in _YES else "no"
                elif key == "category":
                    if name := text(line[key]):
                        category = categories.get(same_key(name))
                        if category is None:
                            raise CellProblem(
                                f'found "{name}"; expected a category of the plan ({", ".join(c.name for c in categories.values())})'
                            )
                        values[key] = category.name
                elif text(line[key]):
                    values[key] = text(line[key])
            except CellProblem as problem:
                problems.append(table.problem(number, key, _sentence(problem)))
        try:
            reference = text(line["reference"])
        except CellProblem as problem:
            problems.append(table.problem(number, "reference", _sentence(problem)))
            reference = ""
        if not reference:
            problems.append(
                table.problem(number, "reference", "Reference is empty: give the initiative's reference, like SAV-CC.")
            )
        errors.extend(problems)
        if problems:
            continue
        existing = initiatives.get(same_key(reference))
        canonical = existing.reference if existing else reference.upper()
        if canonical in seen:
            errors.append(
                table.problem(number, "reference", f"{canonical} appears again (first on row {seen[canonical]}).")
            )
            continue
        seen[canonical] = number
        if existing is None:
            missing = [spec.column(key).title for key in NEW_INITIATIVE_NEEDS if key not in values]
            if missing:
                errors.append(
                    table.problem(
                        number,
                        "reference",
                        f"{canonical} is not an initiative of the plan; to add it, give its {', '.join(missing)}.",
                    )
                )
                continue
            label = values["description"]
            rows.append(PreviewRow(number, canonical, label, values, None, "", "new"))
            continue
        was = _initiative_values(existing, years)
        changed = {key: value for key, value in values.items() if was.get(key) != value}
        rows.append(
            PreviewRow(
                number,
                canonical,
                existing.description,
                values,
                {key: was.get(key, "") for key in values},
                str(existing.version),
                "changed" if changed else "unchanged",
            )
        )
    if not errors and not any(row.change != "unchanged" for row in rows):
        errors.append(
            RowError(0, "File", "Every initiative in the file is as already held: there is nothing to save.")
            if rows
            else RowError(0, "File", "The file has no initiatives.")
        )
    return Preview(
        kind=INITIATIVES_IMPORT,
        scope=scope,
        read=table.describe(),
        rows=rows,
        errors=errors,
        notes={"years": [year.label for year in years]},
    )


def initiatives_shown(plan: SavingsPlan) -> list[Shown]:
    return [
        Shown("category", "Category"),
        Shown("cost_now", "Cost now", "money"),
        Shown("future_cost", "Future cost", "money"),
        Shown("savings_type", "Savings type", labels=dict(SavingsType.choices)),
        Shown("delivery_status", "Delivery status", labels=dict(DeliveryStatus.choices)),
        Shown("confidence", "Confidence", labels=dict(Confidence.choices)),
        Shown("protective_marking", "Marking", labels=dict(ProtectiveMarking.choices)),
        *(Shown(_year_key(year), year.label, "money") for year in selectors.plan_year_range(plan=plan)),
    ]
