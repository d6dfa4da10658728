"""The Assembly response pack as typed answers, and the one function that turns a pack into the
JSON-ready dict that the page, the files, the API and a frozen copy all read (amounts as decimal
strings, moments as ISO strings), so they all show exactly the same figures.

The dict's shape is fixed: frozen copies in the database keep it, and the API promises it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

# the kinds of a column: how its values are written in the JSON and shown
MONEY, COUNT, HOURS, TEXT = "money", "count", "hours", "text"
NUMERIC = (MONEY, HOURS, COUNT)

# how much of an answer this system holds
ANSWERED, PARTLY, NOT_HELD = "answered", "partly", "not_held"

PENNY = Decimal("0.01")

Cell = str | int | Decimal | None
Row = dict[str, Cell]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT


@dataclass(frozen=True)
class Table:
    """A table of an answer: rows keyed by column key (the first column names the row), and an
    optional total row."""

    title: str
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class Answer:
    """One of the Committee's questions, the MPS response of 2013, and what this system holds."""

    number: int
    question: str
    response_2013: str
    held: str = NOT_HELD
    answer: str = ""
    not_held: list[str] = field(default_factory=list)
    source: str = ""
    links: list[Link] = field(default_factory=list)
    as_at: datetime | None = None
    withheld: int = 0
    withheld_what: str = ""
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Pack:
    title: str
    request: str
    version: str
    generated_at: datetime
    answers: list[Answer]
    as_at: date | None = None  # the day whose end the figures stood at; None: as they stand now

    @property
    def withheld(self) -> int:
        return sum(answer.withheld for answer in self.answers)


def pack_as_json(pack: Pack) -> dict:
    """The pack as JSON-ready data, in the shape frozen copies keep."""
    return {
        "title": pack.title,
        "request": pack.request,
        "version": pack.version,
        "generated_at": pack.generated_at.isoformat(),
        "as_at": pack.as_at.isoformat() if pack.as_at else None,
        "withheld": pack.withheld,
        "questions": [_answer_as_json(answer) for answer in pack.answers],
    }


def _answer_as_json(answer: Answer) -> dict:
    return {
        "number": answer.number,
        "question": answer.question,
        "response_2013": answer.response_2013,
        "held": answer.held,
        "answer": answer.answer,
        "not_held": list(answer.not_held),
        "source": answer.source,
        "links": [{"text": link.text, "href": link.href} for link in answer.links],
        "as_at": answer.as_at.isoformat() if answer.as_at else None,
        "withheld": answer.withheld,
        "withheld_what": answer.withheld_what,
        "tables": [_table_as_json(table) for table in answer.tables],
        "notes": list(answer.notes),
    }


def _table_as_json(table: Table) -> dict:
    kinds = {column.key: column.kind for column in table.columns}
    return {
        "title": table.title,
        "columns": [{"key": column.key, "label": column.label, "kind": column.kind} for column in table.columns],
        "rows": [_row_as_json(row, kinds) for row in table.rows],
        "total": None if table.total is None else _row_as_json(table.total, kinds),
    }


def _row_as_json(row: Row, kinds: dict[str, str]) -> dict:
    return {key: cell_as_json(value, kinds.get(key, TEXT)) for key, value in row.items()}


def cell_as_json(value: Cell, kind: str) -> Cell:
    """A value as the JSON holds it: amounts and hours as decimal strings to the penny, counts as
    whole numbers, text as it is; None stays None."""
    if value is None or kind == TEXT:
        return value
    if kind in (MONEY, HOURS):
        return str(Decimal(value).quantize(PENNY))
    return int(value)
