"""The pack's answers from the seed, publication mode, freezing, comparing and the files."""

import csv
import io as stdlib_io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from mps_ict.financial_years import FinancialYear
from mps_ict.marking import ProtectiveMarking
from reporting import assembly, io, services
from reporting.models import PackSnapshot, PackVersion
from savings.models import Initiative, SavingsProfile

pytestmark = pytest.mark.django_db


def _question(pack, number):
    return next(q for q in pack["questions"] if q["number"] == number)


def _table(question, starts):
    return next(t for t in question["tables"] if t["title"].startswith(starts))


def test_q6_breaks_the_42m_and_60m_down_by_type_of_saving(all_seeds, role_user):
    pack = assembly.pack_build(user=role_user("finance"), version=PackVersion.FULL)
    q6 = _question(pack, 6)
    assert q6["held"] == "answered"
    table = q6["tables"][0]
    assert table["total"]["planned_2014"] == "42000000.00"
    assert table["total"]["planned_2015"] == "60000000.00"
    by_type = [row for row in table["rows"] if row["savings_type"] != "Budget submission target"]
    assert sum(Decimal(r["planned_2014"]) for r in by_type) == Decimal("42000000.00")
    assert sum(Decimal(r["planned_2015"]) for r in by_type) == Decimal("60000000.00")
    target = next(row for row in table["rows"] if row["savings_type"] == "Budget submission target")
    assert (target["planned_2014"], target["planned_2015"]) == ("42000000.00", "60000000.00")
    assert q6["as_at"] and q6["source"]


def test_q6_states_how_likely_the_42m_and_60m_are_as_a_range(all_seeds, role_user):
    """Issue 16: the pack can state a range: the saving each target year realises in the
    simulation, its chance in words, and the method, as the savings page gives them."""
    from mps_ict.ranges import chance_in_words
    from savings import selectors as savings_selectors

    board = role_user("board")
    pack = assembly.pack_build(user=board, version=PackVersion.FULL)
    q6 = _question(pack, 6)
    table = _table(q6, "How likely the targets are")
    chances = savings_selectors.savings_target_chances(plan=savings_selectors.plan_current(), user=board)
    assert [row["financial_year"] for row in table["rows"]] == ["2014/15", "2015/16"]
    for row, target in zip(table["rows"], chances.targets, strict=True):
        found = target.range_row
        assert row["target"] == str(found.reference) and row["p80"] == str(found.p80)
        assert (row["p90"], row["p50"], row["p10"]) == (str(found.p90), str(found.p50), str(found.p10))
        assert row["chance"] == chance_in_words(found.probability)
        assert target.sentence in q6["notes"]
    assert [c["kind"] for c in table["columns"]][1:6] == ["money"] * 5
    assert any(note.startswith("How the range is worked out:") for note in q6["notes"])
    # the publication pack with a marked initiative gives no targets, so no range that would disclose it
    initiative = Initiative.objects.get(reference="SAV-DC")
    initiative.protective_marking = ProtectiveMarking.OFFICIAL_SENSITIVE
    initiative.save()
    cache.clear()
    publication = _question(assembly.pack_build(user=board, version=PackVersion.PUBLICATION), 6)
    assert not [t for t in publication["tables"] if t["title"].startswith("How likely")]
    assert not [n for n in publication["notes"] if "chance" in n]
    assert _table(_question(assembly.pack_build(user=board, version=PackVersion.FULL), 6), "How likely")


def test_q4_gives_the_estate_and_the_reported_pda_benefits_exactly(all_seeds, role_user):
    q4 = _question(assembly.pack_build(user=role_user("board"), version=PackVersion.FULL), 4)
    devices = {row["device_type"]: row for row in _table(q4, "Mobile devices")["rows"]}
    mdt = next(row for name, row in devices.items() if "MDT" in name or "Mobile Data" in name)
    assert (mdt["vehicles"], mdt["users"]) == (1425, 22000)
    assert sum(row["in_register"] for row in devices.values()) == 7330
    benefits = _table(q4, "PDA efficiency benefits")
    assert "September 2012 to February 2013" in benefits["title"]
    reported = {row["role"]: (row["reported_amount"], row["reported_hours"]) for row in benefits["rows"]}
    assert reported["Call handler efficiency"] == ("1623856.00", "73077.00")
    assert reported["CO16 (processing)"] == ("50323.00", "2259.00")
    assert reported["Officer efficiency"] == ("2354306.00", "65044.00")
    assert benefits["total"]["reported_amount"] == "4028485.00"


def test_documents_are_not_held_and_q3_holds_the_rollout_plan(all_seeds, role_user):
    pack = assembly.pack_build(user=role_user("board"), version=PackVersion.FULL)
    assert [_question(pack, n)["held"] for n in (1, 2)] == ["not_held", "not_held"]
    q3 = _question(pack, 3)
    assert q3["held"] == "partly"
    assert _table(q3, "Rollout plan")["total"]["planned"] == 30000
    assert any("business case" in item for item in q3["not_held"])
    assert any("ILLUSTRATIVE" in note for note in q3["notes"])


def test_publication_version_leaves_sensitive_records_out_and_counts_them(all_seeds, role_user):
    initiative = Initiative.objects.get(reference="SAV-DC")
    initiative.protective_marking = ProtectiveMarking.OFFICIAL_SENSITIVE
    initiative.save()
    cache.clear()
    board = role_user("board")
    full = assembly.pack_build(user=board, version=PackVersion.FULL)
    publication = assembly.pack_build(user=board, version=PackVersion.PUBLICATION)
    assert (full["version"], full["withheld"]) == ("full", 0)
    assert (publication["version"], publication["withheld"]) == ("publication", 1)
    assert _question(publication, 6)["withheld"] == 1
    left_out = SavingsProfile.objects.get(initiative=initiative, financial_year=FinancialYear(2015)).planned_saving
    assert Decimal(_question(publication, 6)["tables"][0]["total"]["planned_2015"]) == Decimal("60000000.00") - left_out
    # a reader without view_restricted gets the publication version whatever it asks for
    api = role_user("api_consumer")
    assert assembly.pack_version_for(api, "full") == "publication"
    assert assembly.pack_build(user=api, version="full")["withheld"] == 1


def test_a_frozen_pack_is_not_changed_by_later_edits_and_compares_with_the_live_one(all_seeds, role_user):
    finance = role_user("finance")
    frozen = services.pack_freeze(user=finance, label="Submission of 3 May 2013", version="full")
    profile = SavingsProfile.objects.get(initiative__reference="SAV-DC", financial_year=FinancialYear(2015))
    profile.planned_saving += Decimal("1000000.00")
    profile.save()
    cache.clear()
    frozen.refresh_from_db()
    q6_frozen = _question(frozen.content, 6)["tables"][0]["total"]
    assert q6_frozen["planned_2015"] == "60000000.00"
    live = assembly.pack_build(user=finance, version="full")
    assert _question(live, 6)["tables"][0]["total"]["planned_2015"] == "61000000.00"
    changes = assembly.pack_compare(frozen.content, live)
    totals = [c for c in changes if c["row"] == "Total" and c["column"] == "2015/16 planned"]
    assert totals == [
        {
            "question": 6,
            "table": "Savings by type, 2014/15 and 2015/16",
            "row": "Total",
            "column": "2015/16 planned",
            "before": "60000000.00",
            "after": "61000000.00",
            "kind": "money",
            "difference": "1000000.00",
        }
    ]
    assert assembly.pack_compare(frozen.content, frozen.content) == []


def test_only_finance_freeze_and_a_label_is_needed(all_seeds, role_user):
    for role in ("board", "programme_manager", "asset_manager", "api_consumer"):
        with pytest.raises(PermissionDenied):
            services.pack_freeze(user=role_user(role), label="x", version="full")
    with pytest.raises(ValidationError) as error:
        services.pack_freeze(user=role_user("finance"), label="   ", version="full")
    assert "label" in error.value.message_dict
    assert PackSnapshot.objects.count() == 0


def test_the_xlsx_has_a_cover_and_a_sheet_per_question_with_numbers(all_seeds, role_user):
    finance = role_user("finance")
    frozen = services.pack_freeze(user=finance, label='=HYPERLINK("http://evil")', version="full")
    workbook = load_workbook(stdlib_io.BytesIO(io.pack_xlsx(frozen.content, frozen=frozen)))
    assert workbook.sheetnames == ["Cover", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
    cover = {row[0]: row[1] for row in workbook["Cover"].iter_rows(values_only=True) if row and row[0]}
    assert cover["Frozen copy"].startswith("'=")  # never a live formula
    assert cover["Records left out"] == "0"
    rows = list(workbook["Q6"].iter_rows(values_only=True))
    total = next(row for row in rows if row[0] == "Total")
    assert total[1] == 42000000 and total[3] == 60000000


def test_the_csv_of_a_question_carries_its_source_and_figures(all_seeds, role_user):
    pack = assembly.pack_build(user=role_user("board"), version="full")
    rows = list(csv.reader(stdlib_io.StringIO(io.question_csv(pack, 4))))
    facts = {row[0]: row[1] for row in rows if len(row) == 2}
    assert facts["Source"].startswith("Mobile estate")
    assert "Data as at" in facts
    assert next(row for row in rows if row and row[0] == "Call handler efficiency")[:3] == [
        "Call handler efficiency",
        "73077.00",
        "1623856.00",
    ]
