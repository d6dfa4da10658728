from django import forms

from mps_ict.fields import MoneyFormField
from mps_ict.forms import GovUKFormMixin
from mps_ict.money import FORECAST_TOLERANCE_LABEL


class ActualForm(GovUKFormMixin, forms.Form):
    """One initiative's actual for a quarter, as finance staff type it."""

    actual_saving = MoneyFormField(label="Actual saving in the quarter (£)", help_text="For example, 1,234,500.00")
    forecast_full_year = MoneyFormField(
        label="Forecast saving for the whole financial year (£)",
        help_text=f"Against the baseline. A change of more than {FORECAST_TOLERANCE_LABEL} needs commentary.",
    )
    commentary = forms.CharField(
        label="Commentary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What moved and why.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReturnForm(GovUKFormMixin, forms.Form):
    reason = forms.CharField(label="Why are you returning these figures?", widget=forms.Textarea(attrs={"rows": 3}))


class UploadForm(GovUKFormMixin, forms.Form):
    spreadsheet = forms.FileField(
        label="Upload the completed template",
        help_text="The .xlsx file you downloaded for this quarter, filled in. At most 5 MB.",
    )

    def clean_spreadsheet(self):
        spreadsheet = self.cleaned_data["spreadsheet"]
        if spreadsheet.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 5 MB. Upload the template for one quarter.")
        if not spreadsheet.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("Upload an .xlsx spreadsheet (the template you downloaded).")
        return spreadsheet


class ReopenForm(GovUKFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you reopening this quarter?",
        help_text="Everyone who reads the quarter's history will see this.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
