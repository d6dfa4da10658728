"""The Django admin: every model of the project, read only, for administrators.

Changes to figures, statuses, assignments and markings go through each area's services (with their
validation, maker-checker and audit reason), so the admin writes nothing: it is a window onto the
tables and their audit trail (django-simple-history's "History" on each record, without revert).
Sign-in accounts and their roles are the exception, kept by Django's own user admin.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalChanges

PROJECT_APPS = ("mps_ict", "savings", "portfolio", "mobile_assets", "contracts", "reporting")


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Shows a model's records and history; adds, changes, deletes and reverts nothing."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        """A record's history; an id that cannot be one is a 404, not an error (the history of a
        deleted record is still shown)."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError as error:
            raise Http404(f"No {self.model._meta.verbose_name} with that id.") from error
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version, shown; simple-history would save a posted one (a revert) on view
        permission alone, so a post is refused here."""
        if request.method != "GET":
            raise PermissionDenied("The admin changes nothing: use the service's page.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def get_list_display(self, request):
        """The record's name and its first few plain fields, so the list says what each row is."""
        plain = [
            field.name
            for field in self.model._meta.concrete_fields
            if not field.primary_key and not field.is_relation and field.get_internal_type() != "TextField"
        ]
        return ["__str__", *plain[:5]]


def models_of_the_project() -> list:
    """Every model of the project's apps that keeps rows (not the audit trail's own tables)."""
    return [
        model
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not issubclass(model, HistoricalChanges)
    ]


def register_read_only() -> None:
    """Register every project model not yet in the admin, read only."""
    for model in models_of_the_project():
        if not admin.site.is_registered(model):
            admin.site.register(model, ReadOnlyAdmin)


register_read_only()
