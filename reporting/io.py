"""The Assembly pack as files: an XLSX workbook (a cover sheet and one sheet per question) and
one CSV per question. Cells that would start a formula are neutralised; amounts are numbers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from mps_ict.downloads import csv_text, safe_cell, workbook_bytes
from reporting.assembly import COUNT, HOURS, MONEY

HELD_LABELS = {
    "answered": "Answered from this system",
    "partly": "Partly held in this system",
    "not_held": "Not held in this system",
}
MONEY_FORMAT = '"£"#,##0.00'
BOLD = Font(bold=True)


def held_label(held: str) -> str:
    return HELD_LABELS.get(held, held)


def _moment(text: str | None) -> str:
    if not text:
        return "not recorded"
    return timezone.localtime(datetime.fromisoformat(text)).strftime("%d %B %Y %H:%M")


def _cell_value(value, kind: str):
    if value is None:
        return None
    if kind in (MONEY, HOURS):
        return Decimal(str(value))
    if kind == COUNT:
        return int(value)
    return safe_cell(value)


def describe(pack: dict, frozen=None) -> list[tuple[str, str]]:
    """The cover's facts: what this copy is, when, which version, what was left out."""
    facts = [("Title", pack["title"]), ("Request", pack["request"])]
    if frozen is not None:
        facts += [
            ("Frozen copy", frozen.label),
            ("Frozen at", timezone.localtime(frozen.frozen_at).strftime("%d %B %Y %H:%M")),
            ("Frozen by", frozen.frozen_by.get_username()),
        ]
    facts += [
        (
            "Figures as at",
            f"The end of {date.fromisoformat(pack['as_at']):%d %B %Y}, rebuilt from the audit trail"
            if pack.get("as_at")
            else _moment(pack["generated_at"]),
        ),
        (
            "Version",
            "Publication: records marked OFFICIAL-SENSITIVE are left out"
            if pack["version"] == "publication"
            else "Full: includes records marked OFFICIAL-SENSITIVE (not for publication)",
        ),
        ("Records left out", str(pack["withheld"])),
    ]
    return facts


def _question_facts(question: dict) -> list[tuple[str, str]]:
    facts = [
        ("Question", question["question"]),
        ("MPS response, 2013", question["response_2013"]),
        ("Held in this system", held_label(question["held"])),
        ("Answer", question["answer"]),
    ]
    if question["not_held"]:
        facts.append(("Not held in this system", "; ".join(question["not_held"])))
    if question["source"]:
        facts.append(("Source", question["source"]))
    facts.append(("Data as at", _moment(question["as_at"])))
    if question["withheld"]:
        facts.append(("Left out (OFFICIAL-SENSITIVE)", f"{question['withheld']} {question['withheld_what']}(s)"))
    for note in question["notes"]:
        facts.append(("Note", note))
    return facts


def pack_xlsx(pack: dict, *, frozen=None) -> bytes:
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Cover"
    cover.append([safe_cell(pack["title"])])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append([])
    for key, value in describe(pack, frozen):
        cover.append([key, safe_cell(value)])
    cover.append([])
    cover.append(["Question", "Sheet", "Held in this system", "Answer"])
    for cell in cover[cover.max_row]:
        cell.font = BOLD
    for question in pack["questions"]:
        cover.append(
            [question["number"], f"Q{question['number']}", held_label(question["held"]), safe_cell(question["answer"])]
        )
    cover.column_dimensions["A"].width = 22
    cover.column_dimensions["B"].width = 60
    cover.column_dimensions["D"].width = 80

    for question in pack["questions"]:
        sheet = workbook.create_sheet(f"Q{question['number']}")
        sheet.append([f"Question {question['number']}"])
        sheet["A1"].font = Font(bold=True, size=14)
        for key, value in _question_facts(question):
            sheet.append([key, safe_cell(value)])
            sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        for table in question["tables"]:
            sheet.append([])
            sheet.append([safe_cell(table["title"])])
            sheet.cell(row=sheet.max_row, column=1).font = BOLD
            sheet.append([column["label"] for column in table["columns"]])
            for cell in sheet[sheet.max_row]:
                cell.font = BOLD
            rows = list(table["rows"]) + ([table["total"]] if table.get("total") else [])
            for index, row in enumerate(rows):
                sheet.append([_cell_value(row.get(column["key"]), column["kind"]) for column in table["columns"]])
                for position, column in enumerate(table["columns"], start=1):
                    cell = sheet.cell(row=sheet.max_row, column=position)
                    if column["kind"] == MONEY:
                        cell.number_format = MONEY_FORMAT
                    elif column["kind"] == HOURS:
                        cell.number_format = "#,##0.00"
                    elif column["kind"] == COUNT:
                        cell.number_format = "#,##0"
                    if table.get("total") and index == len(rows) - 1:
                        cell.font = BOLD
        sheet.column_dimensions["A"].width = 34
        sheet.column_dimensions["B"].width = 70
        for letter in "CDEF":
            sheet.column_dimensions[letter].width = 22
    return workbook_bytes(workbook)


def question_csv(pack: dict, number: int, *, frozen=None) -> str:
    question = next(q for q in pack["questions"] if q["number"] == number)
    rows: list[list] = [[key, value] for key, value in describe(pack, frozen)[2:]]
    rows += [[key, value] for key, value in _question_facts(question)]
    for table in question["tables"]:
        rows += [[], [table["title"]], [column["label"] for column in table["columns"]]]
        for row in list(table["rows"]) + ([table["total"]] if table.get("total") else []):
            rows.append([row.get(column["key"]) for column in table["columns"]])
    return csv_text(rows)
