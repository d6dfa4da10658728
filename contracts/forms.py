"""The register's forms: each field a GOV.UK form group; a service's refusal names its field."""

from django import forms

from contracts import services
from contracts.choices import EventKind, EventStatus, ProcurementRoute
from mps_ict.fields import MoneyFormField
from mps_ict.forms import GovUKFormMixin
from mps_ict.marking import ProtectiveMarking

DATE_HELP = "For example 2015-12-31"


def _reason(help_text: str = "Why, in a few words. Kept with the change in the record's history.") -> forms.CharField:
    return forms.CharField(
        label="Reason (optional)", required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": 2})
    )


def _date(label: str, what: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=kwargs.pop("help_text", DATE_HELP),
        error_messages={"required": f"Enter {what}.", "invalid": f"Enter {what} as a date, for example 2015-12-31."},
        widget=forms.DateInput(attrs={"type": "date"}),
        **kwargs,
    )


def _count(label: str, what: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=1000,
        error_messages={
            "required": f"Enter {what}.",
            "invalid": f"Enter {what} as a whole number.",
            "min_value": f"Enter {what} as a whole number, 0 or more.",
            "max_value": f"Enter {what} as a whole number up to 1000.",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        **kwargs,
    )


class SupplierForm(GovUKFormMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the supplier's name."})
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = _reason()


class ContractForm(GovUKFormMixin, forms.Form):
    """Add a contract or change one: the same fields, the same rules (the service's)."""

    SERVICE_FIELDS = services.CONTRACT_FIELDS  # the fields the service takes, named once

    reference = forms.CharField(
        label="Reference",
        max_length=30,
        help_text="For example GEN2",
        error_messages={"required": "Enter a reference."},
    )
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the contract's title."})
    supplier = forms.ModelChoiceField(
        label="Supplier",
        queryset=None,
        empty_label="Choose a supplier",
        error_messages={"required": "Choose the supplier."},
    )
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    start = _date("Start date", "the start date")
    end = _date("End date", "the end date", help_text="The current end, with the extensions used so far. " + DATE_HELP)
    extension_months = _count("Length of each extension (months)", "the length of an extension in months")
    extensions_allowed = _count("Extensions allowed", "how many extensions the contract allows")
    extensions_used = _count("Extensions used", "how many extensions have been used")
    notice_months = _count("Notice period (months)", "the notice period in months")
    value = MoneyFormField(label="Value at award (£)", error_messages={"required": "Enter the value at award."})
    annual_value = MoneyFormField(label="Annual value (£)", error_messages={"required": "Enter the annual value."})
    procurement_route = forms.ChoiceField(
        label="Procurement route",
        choices=[("", "Choose a route"), *ProcurementRoute.choices],
        error_messages={"required": "Choose the procurement route."},
    )
    modification_limit_share = forms.DecimalField(
        label="Modification limit (share of the value at award)",
        min_value=0,
        max_value=1,
        max_digits=5,
        decimal_places=4,
        help_text="Finance set it: 0.5 is 50%, the public contracts regulations' limit per modification",
        error_messages={
            "required": "Enter the modification limit as a share from 0 to 1.",
            "invalid": "Enter the modification limit as a share from 0 to 1, for example 0.5.",
            "min_value": "Enter the modification limit as a share from 0 to 1.",
            "max_value": "Enter the modification limit as a share from 0 to 1.",
            "max_decimal_places": "Enter the modification limit with at most 4 decimal places.",
            "max_digits": "Enter the modification limit as a share from 0 to 1.",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    modifications_value = MoneyFormField(
        label="Modifications so far (£)", error_messages={"required": "Enter the modifications so far (0 if none)."}
    )
    protective_marking = forms.ChoiceField(
        label="Protective marking",
        choices=ProtectiveMarking.choices,
        help_text="OFFICIAL-SENSITIVE contracts, and their events, are withheld from readers without the right to see them.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = _reason()

    def __init__(self, *args, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}


class EventForm(GovUKFormMixin, forms.Form):
    SERVICE_FIELDS = services.EVENT_FIELDS

    kind = forms.ChoiceField(
        label="Event",
        choices=[("", "Choose an event"), *EventKind.choices],
        error_messages={"required": "Choose what the event is."},
    )
    due = _date("Date", "the event's date")
    owner = forms.ModelChoiceField(label="Owner", queryset=None, required=False, empty_label="No owner yet")
    status = forms.ChoiceField(label="Status", choices=EventStatus.choices)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = _reason()

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name() or user.get_username()

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}


class RetireForm(GovUKFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is it being retired?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why it is being retired."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DependentsForm(GovUKFormMixin, forms.Form):
    """The savings initiatives and capital projects that depend on an event."""

    initiatives = forms.ModelMultipleChoiceField(
        label="Savings initiatives whose saving depends on it",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every initiative that cannot make its saving without this event; untick one that no longer "
        "depends on it.",
    )
    projects = forms.ModelMultipleChoiceField(
        label="Capital projects that depend on it",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every project that cannot go ahead as planned without this event.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = _reason()

    def __init__(self, *args, initiatives, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiatives"].queryset = initiatives
        self.fields["initiatives"].label_from_instance = lambda i: f"{i.reference}: {i.category.name}"
        self.fields["projects"].queryset = projects
        self.fields["projects"].label_from_instance = lambda p: f"{p.code}: {p.name}"


class EventMoveForm(GovUKFormMixin, forms.Form):
    """The what-if on a contract's page: one of its events on another date. Read from the query
    string; it changes nothing."""

    event = forms.TypedChoiceField(
        label="Event",
        coerce=int,
        error_messages={
            "required": "Choose the event to move.",
            "invalid_choice": "Choose one of this contract's events that savings depend on.",
        },
    )
    moved_to = forms.DateField(
        label="Move it to",
        help_text="For example 2013-10-01. Nothing is saved: change the event to make the move real.",
        error_messages={
            "required": "Enter the date to move the event to.",
            "invalid": "Enter the date to move the event to as a date, for example 2013-10-01.",
        },
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [("", "Choose an event")] + [
            (event.pk, f"{event.get_kind_display()} ({event.due.day} {event.due:%B %Y})") for event in events
        ]

    def clean_moved_to(self):
        moved_to = self.cleaned_data["moved_to"]
        if not services.FIRST_YEAR <= moved_to.year <= services.LAST_YEAR:
            raise forms.ValidationError(
                f"Enter a date between {services.FIRST_YEAR} and {services.LAST_YEAR} to move the event to."
            )
        return moved_to
