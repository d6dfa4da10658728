import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms

from mps_ict.fields import FinancialYearFormField, MoneyFormField, MonthFormField
from mps_ict.forms import GovUKFormMixin
from mps_ict.marking import ProtectiveMarking
from mps_ict.money import FORECAST_TOLERANCE_LABEL
from portfolio.choices import BenefitCategory, DcaRating

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


def _percent_messages(what: str, *, example: int) -> dict[str, str]:
    """A percentage field's errors, each naming the field and saying what to enter."""
    enter = f"Enter {what} as a percentage from 0 to 100, for example {example}"
    return {
        **dict.fromkeys(("invalid", "required", "min_value", "max_value", "max_digits"), enter),
        "max_decimal_places": f"Enter {what} with at most 2 decimal places",
    }


class CapitalProgrammeForm(GovUKFormMixin, forms.Form):
    budget = MoneyFormField(label="Capital Programme Budget (£)")
    slippage_assumption_percent = forms.DecimalField(
        label="Slippage assumed where a category has no history (%)",
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text="For example, 5 for 5%. Used only for categories with no past planned-against-actual spend.",
        error_messages=_percent_messages("the slippage assumed", example=5),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    mitigation_share_percent = forms.DecimalField(
        label="Optimism bias mitigated (%)",
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text=(
            "For the outturn range, where a category has too little history. The Green Book puts the optimism "
            "bias of equipment and development projects between 10% and 200% of capital cost; 0 leaves it at "
            "200%, 100 brings it down to 10%, 50 gives 105%."
        ),
        error_messages=_percent_messages("the optimism bias mitigated", example=50),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


# --- Programme managers' project records (issue 14, part 1) ---------------------------------------

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"]


def _date_field(label: str, *, required: bool = True, help_text: str = "For example, 31/3/2014") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_FORMATS,
        error_messages={
            "invalid": f"Enter {label.lower()} as a real date, for example 31/3/2014",
            "required": f"Enter {label.lower()}",
        },
        widget=forms.DateInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


def _reason_field(help_text: str, required: bool, message: str = "Say why.") -> forms.CharField:
    return forms.CharField(
        label="Reason",
        required=required,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
        error_messages={"required": message},
    )


class BenefitForm(GovUKFormMixin, forms.Form):
    """A benefit in the project's register: the HM Treasury Green Book fields."""

    category = forms.ChoiceField(
        label="Category",
        choices=[("", "Choose a category"), *BenefitCategory.choices],
        error_messages={"required": "Choose the benefit's category"},
    )
    is_disbenefit = forms.TypedChoiceField(
        label="Benefit or dis-benefit",
        choices=[("no", "Benefit"), ("yes", "Dis-benefit (a consequence seen as negative)")],
        coerce=lambda value: value == "yes",
        initial="no",
    )
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe the benefit"},
    )
    beneficiary = forms.CharField(label="Who benefits", required=False, max_length=200)
    responsible_officer = forms.CharField(
        label="Benefit owner (responsible officer)",
        max_length=120,
        error_messages={"required": "Name the officer responsible for realising it"},
    )
    measure = forms.CharField(label="Measure", max_length=200, error_messages={"required": "Say how it is measured"})
    baseline = forms.CharField(
        label="Baseline measurement", required=False, max_length=200, help_text="The measure before the project"
    )
    target = forms.CharField(label="Target", max_length=200, error_messages={"required": "Give the target"})
    full_year_value = MoneyFormField(
        label="Full-year value (£)", required=False, help_text="Leave empty for a benefit not valued in cash"
    )
    timescale = forms.CharField(
        label="Timescale",
        max_length=120,
        help_text="For example, From 2014/15",
        error_messages={"required": "Give the timescale"},
    )
    realisation_start = _date_field("Realisation starts", required=False)
    realisation_end = _date_field("Realisation ends", required=False)
    protective_marking = forms.ChoiceField(label="Protective marking", choices=ProtectiveMarking.choices)
    reason = _reason_field("Why it is added or changed. Kept in the history.", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, adding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not adding:
            self.fields["version"].required = True  # a change is always checked against the version read

    def service_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in ("reason", "version")}


class MilestoneForm(GovUKFormMixin, forms.Form):
    name = forms.CharField(label="Milestone", max_length=200, error_messages={"required": "Name the milestone"})
    baseline_date = _date_field(
        "Baseline date", help_text="The date set when the project was baselined, for example 31/3/2014"
    )
    forecast_date = _date_field(
        "Forecast date", required=False, help_text="The date expected now; empty: the baseline date"
    )
    achieved_date = _date_field("Date achieved", required=False, help_text="Leave empty until it is achieved")
    reason = _reason_field("Why it is added or changed. Kept in the history.", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, adding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not adding:
            self.fields["version"].required = True
            self.fields["forecast_date"].required = True
            self.fields["forecast_date"].help_text = "The date expected now, for example 31/3/2014"

    def service_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in ("reason", "version")}


class RetireBenefitForm(GovUKFormMixin, forms.Form):
    reason = _reason_field(
        "Why it leaves the register. Kept in the history.",
        required=True,
        message="Say why the benefit is being retired.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusUpdateAmendForm(GovUKFormMixin, forms.Form):
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
        help_text="As filed, corrected: positive if it goes up, negative if it goes down; empty if unchanged.",
    )
    reason = _reason_field(
        "Why the update is being amended. Kept with the update; the first version stays in its history.",
        required=True,
        message="Say why the update is being amended.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def service_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in ("reason", "version")}


# --- The portfolio office: programmes, projects, SROs, gates, assessments (issue 14, part 1) -------


def _office_date(label: str, help_text: str = "For example, 16/9/2013") -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"],
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": f"Enter the {label.lower()} as a real date, for example 16/9/2013.",
        },
        widget=forms.DateInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


def _office_reason(
    help_text: str = "Why, in a few words. Kept with the change in the record's history.",
) -> forms.CharField:
    return forms.CharField(
        label="Reason (optional)", required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgrammeForm(GovUKFormMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the programme's name."})
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = _office_reason()


class ProjectForm(GovUKFormMixin, forms.Form):
    """Add a project (with its first SRO, optionally) or change one: the same fields, the same rules."""

    code = forms.SlugField(
        label="Code",
        max_length=30,
        help_text="Short, unique, letters, numbers and hyphens: for example DC-CONSOLIDATION",
        error_messages={
            "required": "Enter the project's code.",
            "invalid": "Use only letters, numbers, hyphens and underscores in the code.",
        },
    )
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the project's name."})
    programme = forms.ModelChoiceField(
        label="Programme",
        queryset=None,
        empty_label="Choose a programme",
        error_messages={"required": "Choose the programme."},
    )
    category = forms.CharField(
        label="Category",
        max_length=60,
        help_text="Projects of one category are expected to slip alike: for example Infrastructure",
        error_messages={"required": "Enter the project's category."},
    )
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    stage = forms.ChoiceField(
        label="Stage", help_text="Retire a project by setting it Closed or Cancelled: it is never deleted."
    )
    priority = forms.TypedChoiceField(label="Business priority", coerce=int)
    budget_baseline = MoneyFormField(
        label="Whole-life budget at approval (£)", error_messages={"required": "Enter the whole-life baseline."}
    )
    budget_forecast = MoneyFormField(
        label="Whole-life forecast now (£)", required=False, help_text="Leave empty for the baseline."
    )
    programme_manager = forms.ModelChoiceField(
        label="Programme manager", queryset=None, required=False, empty_label="Not assigned yet"
    )
    protective_marking = forms.ChoiceField(
        label="Protective marking",
        choices=ProtectiveMarking.choices,
        help_text="OFFICIAL-SENSITIVE projects are withheld from readers without the right to see them.",
    )
    sro_name = forms.CharField(label="Senior Responsible Owner (optional)", required=False, max_length=120)
    sro_role_title = forms.CharField(label="SRO's role (optional)", required=False, max_length=120)
    sro_started = forms.DateField(
        label="SRO since",
        required=False,
        help_text="For example, 1/4/2013",
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"],
        error_messages={"invalid": "Enter the date the SRO took the project on as a real date, for example 1/4/2013."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = _office_reason()

    SRO_FIELDS = ("sro_name", "sro_role_title", "sro_started")

    def __init__(self, *args, programmes, managers, adding: bool, **kwargs):
        from portfolio.choices import Priority, Stage

        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["programme_manager"].queryset = managers
        self.fields["programme_manager"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
        self.fields["stage"].choices = Stage.choices
        self.fields["priority"].choices = Priority.choices
        if not adding:
            for name in self.SRO_FIELDS:
                del self.fields[name]
            self.fields["budget_forecast"].required = True
            self.fields["budget_forecast"].help_text = ""
            self.fields["budget_forecast"].error_messages["required"] = "Enter the whole-life forecast."


class SroChangeForm(GovUKFormMixin, forms.Form):
    name = forms.CharField(
        label="New SRO's name", max_length=120, error_messages={"required": "Enter the new SRO's name."}
    )
    role_title = forms.CharField(label="Their role (optional)", required=False, max_length=120)
    started = _office_date("Date they took it on")
    replaces = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)
    reason = _office_reason()


class GateRequestForm(GovUKFormMixin, forms.Form):
    name = forms.CharField(
        label="Gate",
        max_length=120,
        help_text="For example, Strategic outline case, Outline business case, Full business case",
        error_messages={"required": "Enter the gate's name, for example Full business case."},
    )
    requested = _office_date("Date requested")
    reason = _office_reason()


class GateDecideForm(GovUKFormMixin, forms.Form):
    decision = forms.ChoiceField(label="Decision", error_messages={"required": "Choose the decision."})
    decided = _office_date("Date decided")
    reason = _office_reason()

    def __init__(self, *args, **kwargs):
        from portfolio.choices import GateDecision

        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [("", "Choose the decision")] + [
            choice for choice in GateDecision.choices if choice[0] != GateDecision.PENDING
        ]


class AssessmentForm(GovUKFormMixin, forms.Form):
    assessed_on = _office_date("Date of the assessment")
    scale = forms.ChoiceField(label="Scale", error_messages={"required": "Choose the scale."})
    rating = forms.ChoiceField(
        label="Delivery confidence",
        choices=[("", "Choose a rating"), *DcaRating.choices],
        help_text="On the three-point scale: Green, Amber or Red only.",
        error_messages={"required": "Choose the rating."},
    )
    assessor_name = forms.CharField(
        label="Assessed by",
        max_length=120,
        help_text="A person or a review team, for example IPA Gateway review team",
        error_messages={"required": "Enter who made the assessment."},
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        from portfolio.choices import DcaScale

        super().__init__(*args, **kwargs)
        self.fields["scale"].choices = DcaScale.choices


class EnablesForm(GovUKFormMixin, forms.Form):
    initiatives = forms.ModelMultipleChoiceField(
        label="Savings initiatives this project enables",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every initiative the project makes possible; untick one it no longer does.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = _office_reason()

    def __init__(self, *args, initiatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiatives"].queryset = initiatives
