"""The service navigation: Overview, Savings, Portfolio, Mobile estate, API.

An area appears once its pages are installed (its URL name resolves) and if the access policy lets
the user read it, so the header never links to a page that does not exist or would be refused.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from mps_ict.access import may_read


@dataclass(frozen=True)
class NavigationItem:
    text: str
    href: str
    current: bool


SECTIONS = [
    ("Overview", "home"),
    ("Savings", "savings:overview"),
    ("Portfolio", "portfolio:dashboard"),
    ("Mobile estate", "mobile_assets:dashboard"),
    ("Assembly pack", "assembly:pack"),
    ("API", "api-docs"),
]


def navigation_for(request) -> list[NavigationItem]:
    items = []
    for text, url_name in SECTIONS:
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
        items.append(NavigationItem(text, href, current))
    return items
