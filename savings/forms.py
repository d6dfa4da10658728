from django import forms
from django.core.exceptions import ValidationError

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


class DecisionsForm(GovUKFormMixin, forms.Form):
    """The checker's decision on each submitted figure of a quarter: for each initiative reference,
    `<reference>-decision` (approve or return, none by default), `<reference>-reason` and the
    `<reference>-version` the checker saw."""

    CHOICES = [("approve", "Approve"), ("return", "Return")]

    def __init__(self, *args, actuals, **kwargs):
        self.actuals = actuals
        super().__init__(*args, **kwargs)
        self.references = [actual.initiative.reference for actual in actuals]
        for actual in actuals:
            reference = actual.initiative.reference
            self._add_row(reference, f"{actual.initiative.category.name} ({reference})")
            self.fields[f"{reference}-version"].initial = actual.version
        # A row the checker saw that is no longer submitted (returned or approved since) is still
        # decided as posted, so that the service refuses it by name rather than it being dropped.
        for key in self.data:
            reference = key.removesuffix("-decision")
            if key.endswith("-decision") and reference not in self.references:
                self.references.append(reference)
                self._add_row(reference, reference)

    def _add_row(self, reference: str, name: str) -> None:
        self.fields[f"{reference}-decision"] = forms.ChoiceField(
            label=f"Decision on {name}", choices=self.CHOICES, widget=forms.RadioSelect, required=False
        )
        self.fields[f"{reference}-reason"] = forms.CharField(
            label=f"Why return {name}?", required=False, widget=forms.TextInput(attrs={"class": "govuk-input"})
        )
        self.fields[f"{reference}-version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def rows(self):
        """Each submitted actual with its three fields, in the order of the table."""
        for actual in self.actuals:
            reference = actual.initiative.reference
            yield actual, self[f"{reference}-decision"], self[f"{reference}-reason"], self[f"{reference}-version"]

    def decisions(self) -> tuple[dict[str, int], dict[str, tuple[int, str]]]:
        """The chosen decisions as the service takes them; rows with no choice are left out."""
        approve, returns = {}, {}
        for reference in self.references:
            decision = self.cleaned_data.get(f"{reference}-decision")
            version = self.cleaned_data.get(f"{reference}-version")
            if decision == "approve":
                approve[reference] = version
            elif decision == "return":
                returns[reference] = (version, self.cleaned_data.get(f"{reference}-reason", ""))
        return approve, returns

    def add_service_errors(self, error: ValidationError) -> None:
        """Each refusal on its row's reason field, or else its row's decision; the rest at the top."""
        for key, messages in error.message_dict.items():
            reference, _, field = key.partition(".")
            target = f"{reference}-reason" if field == "reason" else f"{reference}-decision"
            if field == "reason" and target in self.fields:
                self.fields[target].widget.attrs["class"] = "govuk-input govuk-input--error"
            for message in messages:
                self.add_error(target if target in self.fields else None, message)
