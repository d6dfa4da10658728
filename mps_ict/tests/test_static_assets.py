"""Nothing loads from another host: every asset a page names is one of our own static files."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

ASSET_ATTRIBUTES = {("script", "src"), ("link", "href"), ("img", "src"), ("source", "src"), ("iframe", "src")}


class AssetCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets = []
        self.inline = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in ASSET_ATTRIBUTES and value:
                self.assets.append(value)
            if name in ("srcset",) and value:
                self.assets.extend(part.split()[0] for part in value.split(","))
        self._in_script = tag in ("script", "style")

    def handle_data(self, data):
        if self._in_script:
            self.inline.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def assets_of(html: str) -> tuple[list[str], str]:
    collector = AssetCollector()
    collector.feed(html)
    return collector.assets, "\n".join(collector.inline)


def assert_local(url: str, page: str):
    parsed = urlparse(url)
    assert not parsed.netloc and parsed.scheme in ("", "data"), f"{page} loads {url} from another host"
    if parsed.path.startswith(settings.STATIC_URL):
        relative = parsed.path[len(settings.STATIC_URL) :]
        assert finders.find(relative), f"{page} names {url}, which is not among our static files"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/sign-in/",
        "/",
        "/account/",
        "/api/docs/",
        "/admin/",
        "/savings/",
        "/savings/breakdown/",
        "/portfolio/",
        "/mobile/",
        "/mobile/benefits/",
    ],
)
def test_pages_load_assets_only_from_our_own_static_files(client, role_user, url):
    from django.core.management import call_command

    loaders = {
        "/savings/": ["load_mps_baseline"],
        "/portfolio/": ["load_mps_baseline", "load_portfolio"],
        "/mobile/": ["load_mobile_estate"],
    }
    for prefix, commands in loaders.items():
        if url.startswith(prefix):
            for command in commands:
                call_command(command, stdout=open("/dev/null", "w"))  # noqa: SIM115
    if url != "/sign-in/":
        client.force_login(role_user("admin"))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assets, inline = assets_of(html)
    assert assets, f"{url} names no assets at all?"
    for asset in assets:
        assert_local(asset, url)
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost|testserver)[\w.-]+", inline), (
        f"{url} inline code names a host"
    )


def test_the_stylesheet_uses_no_remote_urls_and_no_gds_transport_font():
    css = (Path(settings.BASE_DIR) / "static" / "dist" / "app.css").read_text()
    for url in re.findall(r"url\(([^)]*)\)", css):
        url = url.strip("\"'")
        assert_local(url, "app.css")
    assert "GDS Transport" not in css  # licensed to GOV.UK services only


def test_the_header_is_generic_with_no_crown_or_govuk_name(client, db):
    html = client.get("/sign-in/").content.decode()
    assert "govuk-generic-header" in html and "MPS ICT Tracker" in html
    assert "govuk-logo" not in html and "GOV.UK" not in html and "govuk-crest" not in html
