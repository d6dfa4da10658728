"""Finance keep the plan's initiatives and phasing in a workbook too: download, change, add, upload,
preview, confirm; a colleague's change in between stops the confirm with their name."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from mps_ict.financial_years import FinancialYear
from mps_ict.imports import StaleImport, preview_keep
from savings import io as savings_io
from savings import services
from savings.choices import DeliveryStatus
from savings.models import Initiative, SavingsProfile


@pytest.fixture
def people(role_user):
    return {
        "maker": role_user("finance", username="maker", first_name="Priya", last_name="Shah"),
        "colleague": role_user("finance", username="colleague", first_name="Tom", last_name="Okafor"),
    }


def as_upload(workbook, name="initiatives.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def downloaded(plan, user):
    return load_workbook(io.BytesIO(savings_io.initiatives_template(plan=plan, user=user)))


def edited_template(plan, user):
    """The downloaded plan with SAV-DC in progress and re-phased, and a new initiative added."""
    workbook = downloaded(plan, user)
    sheet = workbook.active
    header = [cell.value for cell in sheet[4]]
    for row in sheet.iter_rows(min_row=5):
        if row[0].value == "SAV-DC":
            row[header.index("Delivery status")].value = "in progress"
            row[header.index("2014/15 planned saving (£)")].value = "£4.5m"
    new = dict.fromkeys(header)
    new |= {
        "Reference": "sav-edge",
        "Category": "data centres",
        "Initiative": "Edge computing at custody suites",
        "Cost now (£)": "£1,200,000",
        "Future cost (£)": "900k",
        "Savings type": "Reduced contract costs",
        "2015/16 planned saving (£)": 300000,
    }
    sheet.append([new[title] for title in header])
    return workbook


def test_the_downloaded_plan_comes_back_with_changes_and_a_new_initiative(mps_plan, people):
    preview = savings_io.initiatives_preview(
        upload=as_upload(edited_template(mps_plan, people["maker"])), plan=mps_plan, user=people["maker"]
    )
    assert preview.errors == []
    assert (preview.read["sheet"], preview.read["header_row"]) == ("Initiatives", 4)
    changed = {row.key: row for row in preview.rows if row.change != "unchanged"}
    assert set(changed) == {"SAV-DC", "SAV-EDGE"}
    data_centres = changed["SAV-DC"]
    assert data_centres.values["delivery_status"] == "in_progress"
    assert (data_centres.values["year:2014/15"], data_centres.was["year:2014/15"]) == ("4500000.00", "4000000.00")
    assert changed["SAV-EDGE"].change == "new" and changed["SAV-EDGE"].values["future_cost"] == "900000.00"
    assert sum(1 for row in preview.rows if row.change == "unchanged") == 10

    written = services.initiatives_confirm(
        preview_id=preview_keep(preview, user=people["maker"]).id, plan=mps_plan, user=people["maker"]
    )
    assert written == 2
    dc = Initiative.objects.get(reference="SAV-DC")
    assert dc.delivery_status == DeliveryStatus.IN_PROGRESS
    assert SavingsProfile.objects.get(initiative=dc, financial_year=FinancialYear(2014)).planned_saving == Decimal(
        "4500000.00"
    )
    edge = Initiative.objects.get(reference="SAV-EDGE")
    assert (edge.category.name, edge.cost_now, edge.future_cost) == (
        "Data Centres",
        Decimal("1200000.00"),
        Decimal("900000.00"),
    )
    assert [(p.financial_year, p.planned_saving) for p in edge.profile.all()] == [
        (FinancialYear(2015), Decimal("300000.00"))
    ]
    assert dc.history.first().history_user == people["maker"]
    assert dc.history.first().history_change_reason == "Initiatives upload"


def test_a_colleagues_change_in_between_stops_the_confirm_with_their_name(mps_plan, people):
    preview = savings_io.initiatives_preview(
        upload=as_upload(edited_template(mps_plan, people["maker"])), plan=mps_plan, user=people["maker"]
    )
    kept = preview_keep(preview, user=people["maker"])
    services.initiative_update(
        initiative=Initiative.objects.get(reference="SAV-DC"),
        user=people["colleague"],
        owner="Chief Technology Officer",
    )
    with pytest.raises(StaleImport) as stale:
        services.initiatives_confirm(preview_id=kept.id, plan=mps_plan, user=people["maker"])
    assert [e.row for e in stale.value.errors] == [next(r.row for r in preview.rows if r.key == "SAV-DC")]
    assert "SAV-DC was changed after your preview by Tom Okafor" in stale.value.errors[0].message
    assert not Initiative.objects.filter(reference="SAV-EDGE").exists()
    assert Initiative.objects.get(reference="SAV-DC").delivery_status != DeliveryStatus.IN_PROGRESS


def test_each_mistake_names_its_row_and_column(mps_plan, people):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Ref", "Category", "Status", "Type", "2014-15"])
    sheet.append(["SAV-DC", "Nowhere", "Finished", None, "-5"])
    sheet.append(["SAV-NEW", "Data Centres", None, "Staff cost savings", 10])
    sheet.append(["SAV-CC", None, None, "Cheaper", None])
    errors = savings_io.initiatives_preview(upload=as_upload(workbook), plan=mps_plan, user=people["maker"]).errors
    found = {(error.row, error.column): error.message for error in errors}
    assert set(found) == {(2, "Category"), (2, "Status"), (2, "2014-15"), (3, "Ref"), (4, "Type")}
    assert found[(2, "Status")].startswith('Found "Finished"; expected one of Not started, In progress')
    assert found[(2, "2014-15")] == "Found −£5.00; expected an amount of £0 or more."
    assert found[(3, "Ref")] == (
        "SAV-NEW is not an initiative of the plan; to add it, give its Initiative, Cost now (£), Future cost (£)."
    )


def test_the_page_and_the_api_preview_alike_and_only_finance_may(mps_plan, client, people, role_user):
    client.force_login(people["maker"])
    template = client.get("/savings/initiatives/template.xlsx")
    assert template.status_code == 200
    page = client.post(
        "/savings/initiatives/upload/", {"spreadsheet": as_upload(edited_template(mps_plan, people["maker"]))}
    ).content.decode()
    assert "1 new, 1 changed, 10 as already held" in page and "£4,500,000.00" in page and "In progress" in page
    api = client.post(
        "/api/v1/savings/initiatives/import/",
        {"file": as_upload(edited_template(mps_plan, people["maker"])), "dry_run": "true"},
    )
    assert api.status_code == 200
    assert [(r["key"], r["change"]) for r in api.json()["rows"] if r["change"] != "unchanged"] == [
        ("SAV-DC", "changed"),
        ("SAV-EDGE", "new"),
    ]
    committed = client.post("/api/v1/savings/initiatives/import/", {"preview_id": api.json()["preview_id"]})
    assert committed.status_code == 201 and committed.json()["saved"] == 2
    client.force_login(role_user("board"))
    assert client.get("/savings/initiatives/upload/").status_code == 403
    assert client.post("/api/v1/savings/initiatives/import/", {"file": as_upload(Workbook())}).status_code == 403
