"""What changed between two Assembly packs (a frozen copy and a later one, or the live pack).

Packs are compared as the JSON-ready dicts frozen copies keep (see reporting.pack), so a copy
frozen long ago compares with the pack as it is built today.
"""

from __future__ import annotations

from decimal import Decimal

from reporting.pack import NUMERIC, TEXT

HELD_COLUMN = "Held in this system"
TOTAL = "Total"


def pack_compare(earlier: dict, later: dict) -> list[dict]:
    """What changed between two packs: per question, table and row, each figure whose value
    differs (before, after, and the difference for amounts and counts), rows and tables added,
    rows removed, and answers whose status changed. Questions and tables only in the earlier pack
    are not listed."""
    earlier_questions = {question["number"]: question for question in earlier["questions"]}
    changes = []
    for question in later["questions"]:
        before = earlier_questions.get(question["number"])
        if before is not None:
            changes += _question_changes(before, question)
    return changes


def _change(question: int, *, table="", row="", column="", before="", after="", kind=TEXT, difference=None) -> dict:
    return {
        "question": question,
        "table": table,
        "row": row,
        "column": column,
        "before": before,
        "after": after,
        "kind": kind,
        "difference": difference,
    }


def _question_changes(before: dict, after: dict) -> list[dict]:
    number = after["number"]
    changes = []
    if before["held"] != after["held"]:
        changes.append(_change(number, row="Answer", column=HELD_COLUMN, before=before["held"], after=after["held"]))
    earlier_tables = {table["title"]: table for table in before["tables"]}
    for table in after["tables"]:
        before_table = earlier_tables.get(table["title"])
        if before_table is None:
            changes.append(_change(number, table=table["title"], before="not in the earlier pack", after="added"))
        else:
            changes += _table_changes(number, before_table, table)
    return changes


def _rows_by_name(table: dict) -> dict[str, dict]:
    """The table's rows by what their first column says, and its total row as "Total"."""
    first = table["columns"][0]["key"]
    rows = {str(row.get(first)): row for row in table["rows"]}
    if table.get("total"):
        rows[TOTAL] = table["total"]
    return rows


def _table_changes(number: int, before: dict, after: dict) -> list[dict]:
    before_rows, after_rows = _rows_by_name(before), _rows_by_name(after)
    title = after["title"]
    changes = []
    for name, row in after_rows.items():
        if name in before_rows:
            changes += _row_changes(number, after, name, before_rows[name], row)
        else:
            changes.append(_change(number, table=title, row=name, after="row added"))
    changes += [
        _change(number, table=title, row=name, after="row removed") for name in before_rows if name not in after_rows
    ]
    return changes


def _row_changes(number: int, table: dict, name: str, before: dict, after: dict) -> list[dict]:
    changes = []
    for column in table["columns"][1:]:
        old, new = before.get(column["key"]), after.get(column["key"])
        if old != new:
            changes.append(
                _change(
                    number,
                    table=table["title"],
                    row=name,
                    column=column["label"],
                    before=old,
                    after=new,
                    kind=column["kind"],
                    difference=_difference(column["kind"], old, new),
                )
            )
    return changes


def _difference(kind: str, old, new) -> str | None:
    """The change in an amount, hours or a count; None for text or where either side is blank."""
    if kind not in NUMERIC or old is None or new is None:
        return None
    return str(Decimal(str(new)) - Decimal(str(old)))
