import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from mobile_assets.models import BenefitRollup, Device, UsageStatistic
from mps_ict.testing import assert_access_by_role

READ_PAGES = [
    "/mobile/",
    "/mobile/devices/",
    "/mobile/devices/?type=pda&status=issued",
    "/mobile/devices/MDT-00001/",
    "/mobile/benefits/",
]


@pytest.mark.parametrize("url", READ_PAGES)
def test_the_roles_the_policy_names_read_the_estate(mobile_seed, client, role_user, url):
    assert_access_by_role(client, role_user, url)


def test_only_the_mobile_team_uploads_or_changes_devices(mobile_seed, client, role_user):
    assert_access_by_role(client, role_user, "/mobile/usage/upload/")
    assert_access_by_role(
        client,
        role_user,
        "/mobile/devices/PDA-00001/return/",
        {},
        method="post",
        data={"ended": "not a date"},
    )


def test_the_estate_page_shows_the_reported_counts(mobile_seed, client, role_user):
    client.force_login(role_user("board"))
    page = client.get("/mobile/").content.decode()
    assert "1,425 vehicles, 22,000 users" in page and "3,500 devices" in page and "2,405 devices" in page
    assert "30,000" in page


def test_the_benefits_page_reproduces_the_reported_figures(mobile_seed, client, role_user):
    client.force_login(role_user("board"))
    page = client.get("/mobile/benefits/").content.decode()
    for figure in (
        "£1,623,856 / equivalent 73,077 hours",
        "£50,323 / equivalent 2,259 hours",
        "£2,354,306 / equivalent 65,044 hours",
    ):
        assert figure in page


def test_api_device_types_and_benefits(mobile_seed, role_user):
    client = APIClient()
    client.force_authenticate(role_user("api_consumer"))
    types = {t["code"]: t for t in client.get("/api/v1/mobile/device-types/").json()}
    assert types["mdt"]["vehicles_fitted"] == 1425 and types["mdt"]["supported_users"] == 22000
    assert types["pda"]["total"] == 3500 and types["pda"]["by_status"]["issued"] == 3500
    assert types["fingerprint-reader"]["total"] == 0
    rows = client.get("/api/v1/mobile/benefits/?from=2012-09&to=2013-02").json()
    reported = {r["role"]: (r["amount"], r["hours"]) for r in rows if r["source"] == "reported"}
    assert reported["call_handler"] == ("1623856.00", "73077.00")
    assert {r["source"] for r in rows} == {"reported", "computed"}
    bad = client.get("/api/v1/mobile/benefits/?from=2013-02&to=2012-09")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "to"


def test_device_register_filters_and_query_count_does_not_grow(mobile_seed, client, role_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(role_user("asset_manager"))  # the register holds personal data
    page = client.get("/mobile/devices/?q=PC00010").content.decode()
    assert "PDA-00010" in page and 'data-testid="device-count">1 device.' in page

    def count(url):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    assert count("/mobile/devices/") == count("/mobile/devices/?page=100")
    api = APIClient()
    api.force_authenticate(role_user("asset_manager"))
    api.get("/api/v1/mobile/devices/")  # the same user object each time: its roles load once
    with CaptureQueriesContext(connection) as small:
        api.get("/api/v1/mobile/devices/?type=blackberry&page_size=5")
    with CaptureQueriesContext(connection) as large:
        api.get("/api/v1/mobile/devices/?page_size=500")
    assert len(small.captured_queries) == len(large.captured_queries)


def _upload(client, month, content, name="usage.csv", *, confirm=False):
    """Upload a usage file; with `confirm`, confirm its preview too (ticking the box an incomplete
    month needs: these files hold one borough of the seed's 32)."""
    upload = io.BytesIO(content.encode())
    upload.name = name
    response = client.post("/mobile/usage/upload/", {"month": month, "spreadsheet": upload})
    if not confirm:
        return response
    assert response.status_code == 200 and "INCOMPLETE" in response.content.decode()
    preview_id = response.context["preview"].id
    return client.post("/mobile/usage/upload/confirm/", {"preview_id": preview_id, "confirm_incomplete": "on"})


def test_a_usage_upload_replaces_its_month_and_the_rollup_follows(
    mobile_seed, client, django_capture_on_commit_callbacks
):
    client.force_login(User.objects.get(username="assets"))
    csv = 'Unit,Transaction type,Count\nlambeth,pnc-check,1000\nLambeth,Stop recorded,"2,000"\n'
    # The month's roll-up is queued when the upload commits
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(client, "2013-03", csv, confirm=True).status_code == 302
    assert UsageStatistic.objects.filter(month="2013-03-01").count() == 2
    computed = BenefitRollup.objects.get(source="computed", period_start="2013-03-01", role="call_handler")
    assert computed.hours == Decimal("50.00")  # 1,000 PNC checks × 3 minutes
    # Uploading the month again replaces it, never doubles it
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            _upload(
                client, "2013-03", "Unit,Transaction type,Count\nlambeth,pnc-check,2000\n", confirm=True
            ).status_code
            == 302
        )
    assert UsageStatistic.objects.filter(month="2013-03-01").count() == 1
    computed.refresh_from_db()
    assert computed.hours == Decimal("100.00")
    # Officers' time: now only the 2,000 PNC checks × 2 minutes (the replaced stops no longer count)
    officer = BenefitRollup.objects.get(source="computed", period_start="2013-03-01", role="officer")
    assert officer.hours == Decimal("66.67")


def test_a_bad_usage_upload_lists_every_error_and_changes_nothing(mobile_seed, client):
    client.force_login(User.objects.get(username="assets"))
    before = UsageStatistic.objects.count()
    csv = "Unit,Transaction type,Count\nAtlantis,pnc-check,5\nlambeth,teleport,5\nlambeth,pnc-check,-1\nlambeth,pnc-check,3\n"
    page = _upload(client, "2013-03", csv).content.decode()
    assert "4 problems. Nothing was saved." in page
    for fragment in ("Row 2, Unit", "Row 3, Transaction type", "Row 4, Count", "Row 5, Unit"):
        assert fragment in page
    assert UsageStatistic.objects.count() == before
    assert "Enter the month like 2013-03" in _upload(client, "March", "Unit,Transaction type,Count\n").content.decode()


def test_issuing_needs_exactly_one_holder(mobile_seed, client):
    client.force_login(User.objects.get(username="assets"))
    client.post("/mobile/devices/PDA-00001/return/", {"ended": "02/04/2013"})
    assert Device.objects.get(asset_tag="PDA-00001").status == "in_stock"
    page = client.post(
        "/mobile/devices/PDA-00001/assign/", {"started": "03/04/2013", "collar_number": "PC1", "vehicle": "MV00001"}
    ).content.decode()
    assert "either an officer" in page
    page = client.post(
        "/mobile/devices/PDA-00001/assign/", {"started": "03/04/2013", "vehicle": "MV99999"}
    ).content.decode()
    assert "There is no vehicle MV99999" in page


def _upload_devices(client, content, *, confirm=False):
    """Upload a register file; with `confirm`, confirm its preview too (nothing is saved before)."""
    upload = io.BytesIO(content.encode())
    upload.name = "devices.csv"
    response = client.post("/mobile/devices/upload/", {"spreadsheet": upload})
    if not confirm:
        return response
    assert response.status_code == 200 and "Check the device register upload" in response.content.decode()
    return client.post("/mobile/devices/upload/confirm/", {"preview_id": response.context["preview"].id})


MODEL = '"Personal Digital Assistant (PDA), model not recorded"'  # quoted: it has a comma


def test_the_register_upload_upserts_by_asset_tag(mobile_seed, client):
    client.force_login(User.objects.get(username="assets"))
    content = (
        "Asset tag,Serial number,Model,Status,Unit,Purchase date,Purchase cost,Warranty end\n"
        f'PDA-09001,SN-NEW-1,{MODEL},In stock,Lambeth,29/04/2013,"£1,234.50",2016-04-28\n'
        f"pda-00001,SN-PDA-0000001,{MODEL},in repair,,,,\n"
    )
    assert _upload_devices(client, content).status_code == 200
    assert not Device.objects.filter(asset_tag="PDA-09001").exists()  # previewed, not yet saved
    assert _upload_devices(client, content, confirm=True).status_code == 302
    new = Device.objects.get(asset_tag="PDA-09001")
    assert (new.status, new.unit.code, new.purchase_cost) == ("in_stock", "lambeth", Decimal("1234.50"))
    assert Device.objects.get(asset_tag="PDA-00001").status == "in_repair"
    assert Device.objects.count() == 7331


def test_a_bad_register_upload_names_every_problem_and_changes_nothing(mobile_seed, client):
    client.force_login(User.objects.get(username="assets"))
    content = (
        "Asset tag,Serial number,Model,Status\n"
        f"PDA-09001,SN-PDA-0000002,{MODEL},in stock\n"  # serial already belongs to PDA-00002
        "PDA-09002,SN-X,Nokia 3310,in stock\n"  # unknown model
        f"PDA-09003,SN-Y,{MODEL},borrowed\n"  # unknown status
        f"PDA-09003,SN-Z,{MODEL},in stock\n"  # duplicate asset tag
    )
    page = _upload_devices(client, content).content.decode()
    assert "4 problems. Nothing was saved." in page
    for fragment in ("Row 2, Serial number", "Row 3, Model", "Row 4, Status", "Row 5, Asset tag"):
        assert fragment in page
    assert Device.objects.count() == 7330
