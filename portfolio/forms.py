import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms

from mps_ict.fields import FinancialYearFormField, MoneyFormField, MonthFormField
from mps_ict.forms import GovUKFormMixin
from mps_ict.money import FORECAST_TOLERANCE_LABEL
from portfolio.choices import DcaRating

# The dashboard's what-if: one slippage rate tried for every category instead of the learned ones.
# A rate is a fraction from 0 to 1 with at most WHAT_IF_PLACES decimal places (0.0525). The page
# takes it as a percentage (5.25), the API as the fraction, written as its schema's pattern says;
# both are read by what_if_rate, so both accept the same rates and refuse the rest alike.
WHAT_IF_PLACES = 4
WHAT_IF_FRACTION_PATTERN = rf"^(?:0(?:\.\d{{1,{WHAT_IF_PLACES}}})?|1(?:\.0{{1,{WHAT_IF_PLACES}}})?)$"


def what_if_rate(text: str, *, percent: bool) -> Decimal:
    """The what-if slippage rate as a fraction, read from a percentage ("5.25" or "5.25%") or,
    not `percent`, from the fraction itself ("0.0525"). A ValueError says what is wanted."""
    scale, places = (100, WHAT_IF_PLACES - 2) if percent else (1, WHAT_IF_PLACES)
    unit = "a percentage" if percent else "a fraction: 0.05 is 5%"
    refused = ValueError(
        f'Enter a slippage rate between 0 and {scale} ({unit}) with at most {places} decimal places, not "{text}".'
    )
    if percent:
        written = str(text).strip().removesuffix("%").strip()
    elif isinstance(text, str) and re.fullmatch(WHAT_IF_FRACTION_PATTERN, text):
        written = text
    else:
        raise refused
    try:
        rate = Decimal(written)
    except InvalidOperation:
        raise refused from None
    if not rate.is_finite() or not 0 <= rate <= scale or rate != rate.quantize(Decimal(1).scaleb(-places)):
        raise refused
    return (rate / scale).quantize(Decimal(1).scaleb(-WHAT_IF_PLACES))


class StatusUpdateForm(GovUKFormMixin, forms.Form):
    month = MonthFormField(label="Month reported on", help_text="For example, 2013-01 or January 2013")
    dca = forms.ChoiceField(label="Delivery confidence", choices=[("", "Choose a rating"), *DcaRating.choices])
    narrative = forms.CharField(
        label="Narrative",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Needed if the whole-life forecast moves more than {FORECAST_TOLERANCE_LABEL} from the baseline.",
    )
    milestones = forms.CharField(label="Milestones", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    risks = forms.CharField(label="Risks and issues", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    forecast_change = MoneyFormField(
        label="Change to the whole-life forecast (£)",
        required=False,
        help_text="Positive if it goes up, negative if it goes down; leave empty if unchanged.",
    )

    def __init__(self, *args, default_month: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if default_month and not self.is_bound:
            self.initial.setdefault("month", default_month.strftime("%Y-%m"))


class ReprofileForm(GovUKFormMixin, forms.Form):
    amount = MoneyFormField(label="Amount to move (£)")
    from_year = FinancialYearFormField(label="From financial year", help_text="For example, 2012/13")
    to_year = FinancialYearFormField(label="To financial year", help_text="For example, 2013/14")
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the spend is moving. Kept with the change.",
        error_messages={"required": "Say why the spend is moving."},
    )


class CapitalProgrammeForm(GovUKFormMixin, forms.Form):
    budget = MoneyFormField(label="Capital Programme Budget (£)")
    slippage_assumption_percent = forms.DecimalField(
        label="Slippage assumed where a category has no history (%)",
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text="For example, 5 for 5%. Used only for categories with no past planned-against-actual spend.",
    )
