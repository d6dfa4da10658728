from django import forms

from mps_ict.forms import GovUKFormMixin
from reporting.models import PackVersion


class FreezeForm(GovUKFormMixin, forms.Form):
    label = forms.CharField(
        label="What is this copy for?",
        max_length=120,
        help_text="For example: Submission to the Budget and Performance Committee, 3 May 2013",
        error_messages={"required": "Enter what this copy is for", "max_length": "Use 120 characters or fewer"},
    )
    version = forms.ChoiceField(choices=PackVersion.choices, widget=forms.HiddenInput)


class CompareForm(GovUKFormMixin, forms.Form):
    earlier = forms.TypedChoiceField(
        label="Earlier copy",
        coerce=int,
        error_messages={
            "required": "Choose the earlier copy",
            "invalid_choice": "Choose one of the frozen copies listed",
        },
    )
    later = forms.ChoiceField(
        label="Later copy",
        error_messages={
            "required": "Choose the later copy",
            "invalid_choice": "Choose one of the frozen copies listed, or the live pack",
        },
    )

    def __init__(self, *args, snapshots=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (s.pk, f"{s.label}, {s.frozen_at:%d %b %Y %H:%M} ({s.get_version_display().split(' ')[0].lower()})")
            for s in snapshots
        ]
        self.fields["earlier"].choices = [("", "Choose a copy"), *choices]
        self.fields["later"].choices = [("", "Choose a copy"), ("live", "The pack as it stands now"), *choices]

    def clean(self):
        data = super().clean()
        if data.get("earlier") and data.get("later") and str(data["earlier"]) == str(data["later"]):
            self.add_error("later", "Choose a different copy from the earlier one")
        return data


ALERT_WINDOWS = (
    ("quarter", "This quarter"),
    ("30", "The next 30 days"),
    ("60", "The next 60 days"),
    ("90", "The next 90 days"),
    ("180", "The next 180 days"),
)
WINDOW_CHOICE_MESSAGE = "Choose the window from the list: this quarter, or the next 30, 60, 90 or 180 days"


class AlertWindowForm(GovUKFormMixin, forms.Form):
    """The board overview's choice of how far ahead the contract decisions due are listed (?window=);
    the configured window (CONTRACT_ALERT_WINDOW) is offered too, and is the default."""

    window = forms.ChoiceField(
        label="Contract decisions due in",
        required=False,
        error_messages={"invalid_choice": WINDOW_CHOICE_MESSAGE},
    )

    def __init__(self, *args, default: str | int, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(ALERT_WINDOWS)
        if str(default) not in dict(choices):
            choices.append((str(default), f"The next {default} day{'s' if default != 1 else ''}"))
        self.fields["window"].choices = choices
        self.fields["window"].initial = str(default)
        self.default = default

    def chosen(self) -> str | int:
        """The window asked for: the default when none is, or when the one asked for is not valid."""
        value = self.cleaned_data.get("window") if self.is_bound and self.is_valid() else None
        if not value:
            return self.default
        return "quarter" if value == "quarter" else int(value)
