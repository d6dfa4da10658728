"""UK financial years (1 April to 31 March, written "2014/15") and their quarters.

Q1 is April–June, Q2 July–September, Q3 October–December, Q4 January–March.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import total_ordering

_LABEL = re.compile(r"^\s*(?:FY\s*)?(\d{4})\s*[/\-–]\s*(\d{2}|\d{4})\s*$", re.IGNORECASE)
_QUARTER_LABEL = re.compile(r"^\s*(.+?)\s+Q([1-4])\s*$", re.IGNORECASE)

FIRST_SUPPORTED_YEAR = 1990
LAST_SUPPORTED_YEAR = 2100


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after (or, negative, before) `month`'s."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s (December of the year before, for January)."""
    return add_months(day, -1)


# A month as people type it on a form or the command line: 2013-03 (or 2013-3), March 2013,
# Mar 2013, 03/2013, or any day in it (2013-03-15).
MONTH_FORMATS = ("%Y-%m", "%B %Y", "%b %Y", "%m/%Y", "%Y-%m-%d")
# A month as the API takes it, and nothing else (not 2013-3, nor 2013-03-15): its schema says so.
API_MONTH_PATTERN = r"^[1-9]\d{3}-(?:0[1-9]|1[0-2])$"
API_MONTH_EXAMPLE = "2013-03"


def parse_month(text: str, *, strict: bool = False) -> date:
    """The first day of the month `text` names, written any of the MONTH_FORMATS (or, `strict`,
    only as the API takes it: 2013-03). Anything else is a ValueError with a message fit to show."""
    if strict:
        if isinstance(text, str) and re.fullmatch(API_MONTH_PATTERN, text):
            return date(int(text[:4]), int(text[5:7]), 1)
        raise ValueError(f'Enter the month like {API_MONTH_EXAMPLE}, not "{text}".')
    written = str(text if text is not None else "").strip()
    for pattern in MONTH_FORMATS:
        try:
            return datetime.strptime(written, pattern).date().replace(day=1)  # noqa: DTZ007 - a month, not a time
        except ValueError:
            continue
    example = f"Enter the month like {API_MONTH_EXAMPLE} or March 2013"
    raise ValueError(f'{example}, not "{written}".' if written else f"{example}.")


@total_ordering
@dataclass(frozen=True, slots=True)
class FinancialYear:
    """The UK financial year that starts on 1 April of `start_year`."""

    start_year: int

    def __post_init__(self) -> None:
        if not isinstance(self.start_year, int) or isinstance(self.start_year, bool):
            raise TypeError("start_year must be an int")
        if not FIRST_SUPPORTED_YEAR <= self.start_year <= LAST_SUPPORTED_YEAR:
            raise ValueError(
                f"{self.start_year} is outside the supported range {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}"
            )

    @classmethod
    def from_date(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        """Read "2014/15", "2014-15", "2014/2015" or "FY2014-15"; anything else is a ValueError."""
        match = _LABEL.match(str(text))
        if not match:
            raise ValueError(f'"{text}" is not a financial year; write it like 2014/15')
        start, end_text = int(match.group(1)), match.group(2)
        end = int(end_text)
        follows = end == start + 1 if len(end_text) == 4 else end == (start + 1) % 100
        if not follows:
            raise ValueError(
                f'"{text}" is not a financial year: the second year must follow the first '
                f"(did you mean {start}/{(start + 1) % 100:02d}?)"
            )
        return cls(start)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FinancialYear):
            return NotImplemented
        return self.start_year < other.start_year

    def __add__(self, years: int) -> FinancialYear:
        if not isinstance(years, int):
            return NotImplemented
        return FinancialYear(self.start_year + years)

    def __sub__(self, other):
        if isinstance(other, FinancialYear):
            return self.start_year - other.start_year
        if isinstance(other, int):
            return FinancialYear(self.start_year - other)
        return NotImplemented

    def next(self) -> FinancialYear:
        return self + 1

    def previous(self) -> FinancialYear:
        return self - 1

    @property
    def quarters(self) -> tuple[Quarter, Quarter, Quarter, Quarter]:
        return tuple(Quarter(self, number) for number in (1, 2, 3, 4))  # type: ignore[return-value]

    def months(self) -> Iterator[date]:
        """The first day of each month, April to March."""
        for offset in range(12):
            month = (3 + offset) % 12 + 1
            yield date(self.start_year + (1 if month < 4 else 0), month, 1)

    @classmethod
    def range(cls, first: FinancialYear, last: FinancialYear) -> Iterator[FinancialYear]:
        """Every financial year from `first` to `last`, both included."""
        for start_year in range(first.start_year, last.start_year + 1):
            yield cls(start_year)

    @classmethod
    def current(cls) -> FinancialYear:
        from django.utils import timezone

        return cls.from_date(timezone.localdate())


@total_ordering
@dataclass(frozen=True, slots=True)
class Quarter:
    """One quarter of a financial year: Q1 Apr–Jun, Q2 Jul–Sep, Q3 Oct–Dec, Q4 Jan–Mar."""

    financial_year: FinancialYear
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"Quarter must be 1 to 4, not {self.number}")

    @classmethod
    def from_date(cls, day: date) -> Quarter:
        year = FinancialYear.from_date(day)
        months_into_year = (day.month - 4) % 12
        return cls(year, months_into_year // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read "2014/15 Q1" (or "2014-15 Q1")."""
        match = _QUARTER_LABEL.match(str(text))
        if not match:
            raise ValueError(f'"{text}" is not a quarter; write it like 2014/15 Q1')
        return cls(FinancialYear.parse(match.group(1)), int(match.group(2)))

    @property
    def label(self) -> str:
        return f"{self.financial_year.label} Q{self.number}"

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        year = self.financial_year.start_year
        if month > 12:
            month -= 12
            year += 1
        return date(year, month, 1)

    @property
    def end(self) -> date:
        # Q4 ends with its year (31 March): the last supported year has no next one to start.
        return self.next().start - timedelta(days=1) if self.number < 4 else self.financial_year.end

    @property
    def months_label(self) -> str:
        return {1: "Apr–Jun", 2: "Jul–Sep", 3: "Oct–Dec", 4: "Jan–Mar"}[self.number]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Quarter):
            return NotImplemented
        return (self.financial_year, self.number) < (other.financial_year, other.number)

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.financial_year.next(), 1)
        return Quarter(self.financial_year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.financial_year.previous(), 4)
        return Quarter(self.financial_year, self.number - 1)
