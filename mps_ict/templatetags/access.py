"""`{% may "write" "savings:actual-edit" as can_enter %}`: the access policy's answer, for links
and buttons (the server checks it again when they are used)."""

from django import template

from mps_ict import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, action: str, view_name: str) -> bool:
    user = context["request"].user
    if action == "read":
        return access.may_read(user, view_name)
    if action == "write":
        return access.may_write(user, view_name)
    raise template.TemplateSyntaxError(f'may: say "read" or "write", not {action!r}')
