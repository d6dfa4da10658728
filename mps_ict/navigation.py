"""The service navigation: Overview, Savings, Portfolio, Mobile estate, API.

An area appears once its pages are installed (its URL name resolves), so the header never links
to a page that does not exist.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


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
