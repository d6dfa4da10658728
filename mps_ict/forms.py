from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
    }


class GovUKFormMixin:
    """Gives widgets GOV.UK Frontend classes and links each field to its hint and error messages."""

    widget_classes = {"textarea": "govuk-textarea", "select": "govuk-select", "file": "govuk-file-upload"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            kind = getattr(field.widget, "input_type", None) or field.widget.__class__.__name__.lower()
            if kind != "hidden":
                field.widget.attrs["class"] = self.widget_classes.get(kind, "govuk-input")

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            described_by = [f"id_{name}-hint"] if field.help_text else []
            if name in self.errors:
                described_by.append(f"id_{name}-error")
                classes = field.widget.attrs.get("class", "")
                base = classes.split(" ")[0]
                if base in ("govuk-input", "govuk-textarea", "govuk-select", "govuk-file-upload"):
                    field.widget.attrs["class"] = f"{classes} {base}--error"
            if described_by:
                field.widget.attrs["aria-describedby"] = " ".join(described_by)


def add_service_errors(form, error: ValidationError, *, ignore: tuple[str, ...] = ()) -> None:
    """Show a service's ValidationError on the form: on the field it names, else at the top."""
    for field_name, messages in error.message_dict.items():
        target = field_name if field_name in form.fields and field_name not in ignore else None
        for message in messages:
            form.add_error(target, message)


class AsAtForm(GovUKFormMixin, forms.Form):
    """An "as at" date (?as_at=): a day on or before today. Every page that can show its figures
    as they stood then reads it with this form."""

    as_at = forms.DateField(
        label="Show the figures as at",
        required=False,
        help_text="A past date, for example 31/3/2013 or 2013-03-31. Leave blank for the figures as they stand now.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"],
        error_messages={"invalid": "Enter the date as a real date, for example 31/3/2013"},
        widget=forms.DateInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_at"].widget.attrs["class"] += " govuk-input--width-10"

    def clean_as_at(self):
        as_at = self.cleaned_data["as_at"]
        if as_at and as_at > timezone.localdate():
            raise ValidationError("The date must be today or in the past")
        return as_at


class SpreadsheetForm(GovUKFormMixin, forms.Form):
    """Every upload's form: the file (the import engine decides what it is, mps_ict/imports.py) and,
    when two visible sheets have the upload's columns, which one to read."""

    spreadsheet = forms.FileField(
        label="Upload the spreadsheet",
        help_text="An Excel workbook (.xlsx or .xls) or a CSV file, at most 20 MB. Title rows above the "
        "header, columns in any order and a Total row are fine; hidden sheets are not read.",
        error_messages={"required": "Choose the file to upload.", "empty": "The file is empty."},
    )
    sheet = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, sheets: list[str] | None = None, label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["spreadsheet"].label = label
        if sheets:
            self.fields["sheet"] = forms.ChoiceField(
                label="Which sheet should be read?",
                choices=[(name, name) for name in sheets],
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose one of the sheets listed."},
            )


def upload_context(*, label: str, shown, preview=None, form=None, errors=()) -> dict:
    """What every upload page shows (templates/imports/): the form (with the sheet to choose when
    two qualified), the errors, what was read, and the rows to confirm."""
    from mps_ict.imports import preview_table

    sheets = preview.notes.get("sheets") if preview is not None else None
    return {
        "form": form or SpreadsheetForm(label=label, sheets=sheets),
        "errors": list(errors) or (preview.errors if preview is not None else []),
        "preview": preview,
        "read": preview.read if preview is not None else None,
        "table": preview_table(preview, shown) if preview is not None and not preview.errors else None,
    }
