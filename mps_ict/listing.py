"""Filtered, paginated lists for the HTML pages (the API paginates through DRF)."""

from django.core.paginator import Page, Paginator

PER_PAGE = 50


def filtered_page(request, filterset_class, queryset, *, per_page: int = PER_PAGE):
    """Apply the request's filters and return (filterset, page, query string without the page).

    Invalid filters give an empty page; the filterset carries the errors to show.
    """
    filterset = filterset_class(request.GET, queryset=queryset, request=request)  # filters may read the reader
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    page: Page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return filterset, page, query.urlencode()
