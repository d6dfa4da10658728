"""The service navigation: Overview, Savings, Portfolio, Mobile estate, Contracts, Assembly pack, API.

An area appears once its pages are installed (its URL name resolves) and if the access policy lets
the user read it, so the header never links to a page that does not exist or would be refused.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from mps_ict.access import may_read
from mps_ict.as_at import as_at_from, keep_as_at


@dataclass(frozen=True)
class NavigationItem:
    text: str
    href: str
    current: bool


# (text, URL name, whether the page shows its figures "as at" a past day)
SECTIONS = [
    ("Overview", "home", True),
    ("Savings", "savings:overview", True),
    ("Portfolio", "portfolio:dashboard", True),
    ("Mobile estate", "mobile_assets:dashboard", True),
    ("Contracts", "contracts:contract-list", False),
    ("Assembly pack", "assembly:pack", True),
    ("API", "api-docs", False),
]


def navigation_for(request) -> list[NavigationItem]:
    """The sections the user may read; on a page "as at" a past day, the links to the pages that
    can show that day keep it."""
    _, day = as_at_from(request)
    items = []
    for text, url_name, shows_as_at in SECTIONS:
        if not may_read(request.user, url_name):
            continue
        try:
            href = reverse(url_name)
        except NoReverseMatch:
            continue
        if href == "/":
            current = request.path == "/"
        else:
            current = request.path.startswith(href.rstrip("/") + "/") or request.path == href
        items.append(NavigationItem(text, keep_as_at(href, day) if shows_as_at else href, current))
    return items
