from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=100`; at most 500 rows a page. Exports ask for `page_size=all`."""

    page_size_query_param = "page_size"
    max_page_size = 500
    export_max_rows = 100_000

    def get_page_size(self, request):
        if request.query_params.get(self.page_size_query_param) == "all" and getattr(
            request.accepted_renderer, "format", ""
        ) in ("csv", "xlsx"):
            return self.export_max_rows
        return super().get_page_size(request)
