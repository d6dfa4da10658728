"""What every spreadsheet upload reports: each problem with its row and column."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


class ImportRejected(Exception):  # noqa: N818 - reads as what happened
    """An upload that cannot be written; `errors` names every row and column at fault."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors
