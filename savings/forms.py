from django import forms
from django.core.exceptions import ValidationError

from mps_ict.fields import MoneyFormField
from mps_ict.forms import GovUKFormMixin
from mps_ict.marking import ProtectiveMarking
from mps_ict.money import FORECAST_TOLERANCE_LABEL
from savings.choices import Confidence, DeliveryStatus, SavingsType


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


# --- Corrections of approved actuals (issue 13 part 4) --------------------------------------------


class CorrectionForm(GovUKFormMixin, forms.Form):
    """A correction of approved figures: why, and the figures as they should be."""

    reason = forms.CharField(
        label="Why are these figures being corrected?",
        help_text="Everyone who reads the figure's trail will see this. A colleague in finance must approve it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the approved figures are being corrected."},
    )
    actual_saving = MoneyFormField(label="Actual saving in the quarter (£)", help_text="For example, 1,234,500.00")
    forecast_full_year = MoneyFormField(
        label="Forecast saving for the whole financial year (£)",
        help_text=f"Against the baseline. A change of more than {FORECAST_TOLERANCE_LABEL} needs commentary.",
    )
    commentary = forms.CharField(
        label="Commentary", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="What moved and why."
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DiscardForm(GovUKFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you discarding this correction?",
        help_text="The approved figures stay in force. The trail keeps the correction and this reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the correction is being discarded."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- Finance maintain the plan (issue 13 part 2) --------------------------------------------------

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, help_text=help_text, choices=YES_NO, coerce=lambda value: value == "yes", empty_value=None
    )


class InitiativeForm(GovUKFormMixin, forms.Form):
    """An initiative's fields as finance type them; `reference` only when adding one."""

    reference = forms.SlugField(
        label="Reference",
        max_length=40,
        help_text="Short and unique, letters, numbers and hyphens, for example SAV-DC2",
    )
    category = forms.ModelChoiceField(label="Category", queryset=None, empty_label="Choose a category")
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.CharField(label="Owner", max_length=120, required=False, help_text="Who is accountable for it")
    cost_now = MoneyFormField(label="Cost now, a year (£)", help_text="For example, 1,234,500.00")
    future_cost = MoneyFormField(label="Future cost, a year, once delivered (£)")
    stated_reduction = MoneyFormField(
        label="Stated reduction (£, optional)",
        required=False,
        help_text="Only if a document states a figure; every total uses cost now less future cost",
    )
    savings_type = forms.ChoiceField(label="Savings type", choices=[("", "Choose a type"), *SavingsType.choices])
    cashable = _yes_no("Cashable?")
    investment_needed = MoneyFormField(
        label="Investment needed (£, optional)", required=False, help_text="Invest-to-save; leave blank if not known"
    )
    investment_note = forms.CharField(label="Note on the investment", max_length=300, required=False)
    inside_doi_budget = _yes_no("Inside the Directorate of Information budget?")
    delivery_status = forms.ChoiceField(label="Delivery status", choices=DeliveryStatus.choices)
    confidence = forms.ChoiceField(label="Delivery confidence", choices=Confidence.choices, required=False)
    dependencies = forms.CharField(
        label="Dependencies and constraints", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    protective_marking = forms.ChoiceField(label="Protective marking", choices=ProtectiveMarking.choices)
    reason = forms.CharField(
        label="Why are you making this change?",
        required=False,
        help_text="Kept in the history, for example: After supplier consultation",
        widget=forms.TextInput(),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, categories, adding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        if not adding:
            del self.fields["reference"]
            self.fields["version"].required = True  # a change is always checked against the version read

    def service_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in ("reason", "version")}


class WithdrawForm(GovUKFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is it being withdrawn?",
        help_text="Everyone who reads its history will see this.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why it is being withdrawn."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReinstateForm(WithdrawForm):
    reason = forms.CharField(
        label="Why is it being reinstated?",
        help_text="Everyone who reads its history will see this.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why it is being reinstated."},
    )


class PhasingForm(GovUKFormMixin, forms.Form):
    """One money field per year of the plan (`year-2014`), blank for no saving that year."""

    reason = forms.CharField(
        label="Why are you changing the phasing?",
        required=False,
        help_text="Kept in the history of each year you change",
        widget=forms.TextInput(),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        for year in years:
            self.fields[self.field_name(year)] = MoneyFormField(
                label=f"Planned saving in {year} (£)", required=False, help_text="Against the baseline; blank for none"
            )
            self.fields[self.field_name(year)].widget.attrs.update(
                {"class": "govuk-input govuk-input--width-10", "data-phasing-year": year.label}
            )
        self.order_fields([*[self.field_name(year) for year in years], "reason", "version"])

    @staticmethod
    def field_name(year) -> str:
        return f"year-{year.start_year}"

    def clean(self):
        # checked here too, so "Check totals" names a negative figure as saving would
        cleaned = super().clean()
        for year in self.years:
            amount = cleaned.get(self.field_name(year))
            if amount is not None and amount < 0:
                self.add_error(self.field_name(year), f"The planned saving for {year} must not be negative.")
        return cleaned

    def profile(self) -> dict:
        return {year: self.cleaned_data.get(self.field_name(year)) for year in self.years}

    def add_service_errors(self, error: ValidationError) -> None:
        """A year's refusal ("profile.2014/15") on its field; the rest on theirs, or at the top."""
        by_label = {year.label: self.field_name(year) for year in self.years}
        for key, messages in error.message_dict.items():
            name = by_label.get(key.removeprefix("profile."), key)
            for message in messages:
                self.add_error(name if name in self.fields and name != "version" else None, message)


class CategoryForm(GovUKFormMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    position = forms.IntegerField(
        label="Position", min_value=0, required=False, help_text="Where it comes in lists: lower first"
    )
    reason = forms.CharField(label="Why are you making this change?", required=False, widget=forms.TextInput())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TargetForm(GovUKFormMixin, forms.Form):
    financial_year = forms.ChoiceField(label="Financial year")
    cumulative_target = MoneyFormField(
        label="Saving a year against the baseline due by then (£)", help_text="For example, 42,000,000.00"
    )
    source = forms.CharField(label="Source", max_length=300, required=False, help_text="Where the target comes from")
    reason = forms.CharField(label="Why are you making this change?", required=False, widget=forms.TextInput())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [("", "Choose a year"), *[(year.label, year.label) for year in years]]
        self.years = {year.label: year for year in years}

    def clean_financial_year(self):
        return self.years[self.cleaned_data["financial_year"]]


class TargetRemoveForm(WithdrawForm):
    reason = forms.CharField(
        label="Why is this target being removed?",
        help_text="Everyone who reads the targets' history will see this.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the target is being removed."},
    )


# --- Plan versions (issue 13 part 3) --------------------------------------------------------------


class PlanVersionForm(GovUKFormMixin, forms.Form):
    """Take the plan as it stands now as a named, dated version."""

    name = forms.CharField(
        label="Name of the version",
        max_length=200,
        help_text="For example, After supplier consultation. No two versions share a name.",
        error_messages={"required": "Give the version a name, for example “After supplier consultation”."},
    )
    dated = forms.DateField(
        label="Date it is known by",
        help_text="Today or earlier, for example 30/6/2013 or 2013-06-30",
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"],
        error_messages={
            "required": "Give the date the version is known by, for example 30/6/2013.",
            "invalid": "Enter the date as a real date, for example 30/6/2013",
        },
        widget=forms.DateInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        help_text="What this version is, and why it was taken",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dated"].widget.attrs["class"] += " govuk-input--width-10"


class PlanVersionChangeForm(GovUKFormMixin, forms.Form):
    """Rename a version or change its note (what it is a version of never changes)."""

    name = PlanVersionForm.base_fields["name"]
    note = PlanVersionForm.base_fields["note"]


class VersionCompareForm(GovUKFormMixin, forms.Form):
    """Which two moments of the plan to compare: a version, and another version or now."""

    NOW = "now"

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(version.pk), f"{version.name} ({version.dated:%-d %B %Y})") for version in versions]
        invalid = "There is no version “%(value)s” of the plan: choose one from the list."
        self.fields["from"] = forms.ChoiceField(
            label="Compare",
            choices=[("", "Choose a version"), *choices],
            error_messages={"required": "Choose the version to compare from.", "invalid_choice": invalid},
        )
        self.fields["to"] = forms.ChoiceField(
            label="with",
            choices=[(self.NOW, "The plan now"), *choices],
            initial=self.NOW,
            required=False,  # not given: now
            error_messages={"invalid_choice": invalid},
        )
        for name in ("from", "to"):  # added after GovUKFormMixin styled the declared fields
            self.fields[name].widget.attrs["class"] = "govuk-select"
