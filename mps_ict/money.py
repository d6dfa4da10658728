"""Money: pounds as Decimal, formatted the way the Management Board reads it."""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
THOUSAND = Decimal(1000)
MILLION = Decimal(1_000_000)


def to_pounds(value) -> Decimal:
    """Pounds and pence as a Decimal; refuses floats so binary rounding never creeps in."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass a Decimal, an int or a string")
    try:
        return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ValueError(f'"{value}" is not an amount of money') from error


def _sign(amount: Decimal) -> str:
    return "−" if amount < 0 else ""


def format_pounds(value, *, pence: bool = False) -> str:
    """£1,234,567 (or £1,234,567.89 with pence)."""
    if value is None or value == "":
        return "—"
    amount = to_pounds(value)
    digits = abs(amount).quantize(PENNY if pence else Decimal(1), rounding=ROUND_HALF_UP)
    return f"{_sign(amount)}£{digits:,}"


def format_thousands(value, *, places: int = 0) -> str:
    """£350k."""
    if value is None or value == "":
        return "—"
    amount = to_pounds(value)
    step = Decimal(1).scaleb(-places)
    digits = (abs(amount) / THOUSAND).quantize(step, rounding=ROUND_HALF_UP)
    return f"{_sign(amount)}£{digits:,}k"


def format_millions(value, *, places: int = 1) -> str:
    """£1.2m; whole millions print without a decimal (£60m)."""
    if value is None or value == "":
        return "—"
    amount = to_pounds(value)
    step = Decimal(1).scaleb(-places)
    digits = (abs(amount) / MILLION).quantize(step, rounding=ROUND_HALF_UP)
    if digits == digits.to_integral_value():
        digits = digits.quantize(Decimal(1))
    return f"{_sign(amount)}£{digits:,}m"


def format_compact(value) -> str:
    """The shortest faithful form: £60m, £1.6m, £350k, £950."""
    if value is None or value == "":
        return "—"
    amount = to_pounds(value)
    if abs(amount) >= MILLION:
        return format_millions(amount)
    if abs(amount) >= THOUSAND:
        return format_thousands(amount)
    return format_pounds(amount)


_MAGNITUDES = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "million": 1_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}
_AMOUNT = re.compile(r"^(?P<sign>-?)(?P<whole>\d{1,3}(?:,\d{3})+|\d*)(?P<fraction>\.\d*)?(?P<magnitude>[a-z]*)$")
AMOUNT_EXAMPLES = "pounds, like 1234.50, £1,234.50, (1,234) or £250k"


def parse_money(value) -> Decimal:
    """Read an amount as finance staff type it: "£1,234.50", "1234.5", " 1,234 ", "(500)" and
    "-£500" (negative), "£250k", "1.2m", "£1.5 million" (a thousand, a million: the preview shows
    the pounds it read). A number cell from a spreadsheet is taken as it is.

    Raises ValueError with a message fit to show the user: what was found, and what is expected.
    """
    if isinstance(value, bool):
        raise ValueError(f"Enter an amount in {AMOUNT_EXAMPLES}")
    if isinstance(value, (int, Decimal)):
        return to_pounds(value)
    if isinstance(value, float):  # a number cell read from a spreadsheet
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f'"{value}" is not an amount of money; enter {AMOUNT_EXAMPLES}')
        amount = Decimal(repr(value))
        if amount != amount.quantize(PENNY) and abs(amount - amount.quantize(PENNY)) < Decimal("0.000001"):
            amount = amount.quantize(PENNY)  # a formula's binary noise (0.1 + 0.2), not a fraction of a penny
        if amount != amount.quantize(PENNY):
            raise ValueError(f'"{value}" has fractions of a penny; use at most 2 decimal places')
        return to_pounds(amount)
    text = unicodedata.normalize("NFKC", str(value or "")).strip().lower()
    for dash in ("\u2212", "\u2013", "\u2014"):
        text = text.replace(dash, "-")
    text = "".join(text.replace("\u00a3", "").replace("gbp", "").split())
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    if not text:
        raise ValueError(f"Enter an amount in {AMOUNT_EXAMPLES}")
    if text.startswith("+"):
        text = text[1:]
    match = _AMOUNT.match(text)
    if (
        match is None
        or not (match["whole"] or (match["fraction"] or ".")[1:])
        or (match["magnitude"] and match["magnitude"] not in _MAGNITUDES)
        or (negative and match["sign"])
    ):
        raise ValueError(f'"{value}" is not an amount of money; enter {AMOUNT_EXAMPLES}')
    try:
        amount = Decimal(match["whole"].replace(",", "") + (match["fraction"] or "") or "0")
    except InvalidOperation as error:
        raise ValueError(f'"{value}" is not an amount of money; enter {AMOUNT_EXAMPLES}') from error
    amount *= _MAGNITUDES.get(match["magnitude"], 1)
    if amount != amount.quantize(PENNY):
        raise ValueError(f'"{value}" has fractions of a penny; use at most 2 decimal places')
    return to_pounds(-amount if (negative or match["sign"]) else amount)


def format_percent(fraction, *, places: int = 1) -> str:
    if fraction is None or fraction == "":
        return "—"
    value = (Decimal(str(fraction)) * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{value}%"


# A forecast that moves from its reference (a savings plan's figure, a project's baseline) by more
# than this share must be explained. Messages and help texts say it with FORECAST_TOLERANCE_LABEL.
FORECAST_TOLERANCE = Decimal("0.05")
FORECAST_TOLERANCE_LABEL = format_percent(FORECAST_TOLERANCE, places=0)


def forecast_beyond_tolerance(*, reference: Decimal, forecast: Decimal) -> bool:
    """True when `forecast` moves from `reference` by more than FORECAST_TOLERANCE (exactly 5% is
    within it); from a reference of nothing, any forecast but nothing moves beyond it."""
    return abs(forecast - reference) > abs(reference) * FORECAST_TOLERANCE
