from rest_framework import exceptions, pagination

EXPORT_FORMATS = ("csv", "xlsx")


def _whole_number(request, name: str, *, most: int | None = None) -> int | None:
    """The parameter as a whole number from 1 (to `most`), None if absent or empty; else a 400
    naming it."""
    text = request.query_params.get(name, "")
    if text == "":
        return None
    number = int(text) if text.isascii() and text.isdigit() else 0
    if number < 1 or (most is not None and number > most) or text != str(number):
        limit = f" to {most}" if most is not None else ""
        raise exceptions.ValidationError({name: [f'"{text}" is not a whole number from 1{limit}.']})
    return number


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=100`; at most 500 rows a page. Exports (`format=csv` or `xlsx`) may ask
    for every row at once with `page_size=all`. A page number or size that is not a whole number
    in range is a 400 naming the parameter; a page past the last one is a 404."""

    page_size_query_param = "page_size"
    max_page_size = 500
    export_max_rows = 100_000
    last_page_strings = ()
    invalid_page_message = "There is no page {page_number}: {message}."

    def get_page_size(self, request):
        if request.query_params.get(self.page_size_query_param) == "all":
            if getattr(request.accepted_renderer, "format", "") in EXPORT_FORMATS:
                return self.export_max_rows
            raise exceptions.ValidationError(
                {self.page_size_query_param: ['"all" is for exports: add format=csv or format=xlsx.']}
            )
        size = _whole_number(request, self.page_size_query_param, most=self.max_page_size)
        return self.page_size if size is None else size

    def get_page_number(self, request, paginator):
        number = _whole_number(request, self.page_query_param)
        return 1 if number is None else number

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number, from 1 (a page past the last one is a 404).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Rows a page, 1 to {self.max_page_size} (default {self.page_size}); "
                    "`all` for every row, with format=csv or format=xlsx only."
                ),
                "schema": {
                    "anyOf": [
                        {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
                        {"type": "string", "enum": ["all"]},
                    ]
                },
            },
        ]
