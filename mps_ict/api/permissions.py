"""The API's default permission: any signed-in user or token may read; writes need the model perm."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

_WRITE_ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


class IsAuthenticatedReadOrModelPermission(BasePermission):
    """Reads need authentication; a write needs the Django model permission for the view's model.

    A view with no queryset refuses writes unless it declares its own permission classes, so a
    new command endpoint is closed until somebody decides who may use it.
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        queryset = getattr(view, "queryset", None)
        action = _WRITE_ACTIONS.get(request.method)
        if queryset is None or action is None:
            return False
        meta = queryset.model._meta
        return user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}")
