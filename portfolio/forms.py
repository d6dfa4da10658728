from datetime import date

from django import forms

from mps_ict.fields import FinancialYearFormField, MoneyFormField, MonthFormField
from mps_ict.forms import GovUKFormMixin
from mps_ict.money import FORECAST_TOLERANCE_LABEL
from portfolio.choices import DcaRating


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
