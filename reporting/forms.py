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
