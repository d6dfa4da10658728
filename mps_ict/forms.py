from django.contrib.auth.forms import AuthenticationForm


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
                base = field.widget.attrs.get("class", "")
                if base in ("govuk-input", "govuk-textarea", "govuk-select", "govuk-file-upload"):
                    field.widget.attrs["class"] = f"{base} {base}--error"
            if described_by:
                field.widget.attrs["aria-describedby"] = " ".join(described_by)
