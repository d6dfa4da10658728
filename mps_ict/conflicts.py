"""A write refused because the record is not as the caller believes: it moved on, or it exists.

Services raise these instead of a plain ValidationError when the input is fine but clashes with
the record's current state. They are ValidationErrors (a form shows them as it shows any service
error; an import reports them by row), and the API answers them with 409 Conflict in its one
error shape (mps_ict/api/errors.py).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Conflict(ValidationError):  # noqa: N818 - reads as what happened, like ImportRejected
    """The request clashes with the record's current state; repeating it unchanged will not help."""


class StaleVersion(Conflict):
    """Somebody else changed the record after the caller read it."""


def version_check(*, current: int, expected: int | None, what: str = "this record", field: str = "version") -> None:
    """Refuse an update unless it names the version it started from, and that is still current.

    Missing is a plain ValidationError (400: the caller must say); stale is a StaleVersion (409).
    """
    if expected is None:
        raise ValidationError({field: "Give the version you read and edited, so no one's change is lost."})
    if expected != current:
        raise StaleVersion(
            {
                field: (
                    f"Somebody else changed {what} while you were editing (you had version {expected}). "
                    "Reload to see them."
                )
            }
        )
