"""Question 6: which savings depend on which contracts (issue 17), from the seed, and a marked
contract or initiative left out of the publication pack, its files and its frozen copies."""

import csv
import io as stdlib_io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from contracts import selectors as contract_selectors
from contracts.models import Contract, ContractEvent
from contracts.tests.factories import ContractEventFactory, ContractFactory
from mps_ict.financial_years import FinancialYear
from mps_ict.marking import EVERY_RECORD, PUBLICATION, ProtectiveMarking
from reporting import assembly, io, services
from reporting.models import PackSnapshot, PackVersion
from savings.models import Initiative
from savings.tests.factories import InitiativeFactory, SavingsProfileFactory

pytestmark = pytest.mark.django_db

TITLE = "Which savings depend on which contracts"


def _q6(pack) -> dict:
    return next(q for q in pack["questions"] if q["number"] == 6)


def _dependencies(pack) -> dict | None:
    return next((t for t in _q6(pack)["tables"] if t["title"] == TITLE), None)


def _mark(record) -> None:
    record.protective_marking = ProtectiveMarking.OFFICIAL_SENSITIVE
    record.save()
    cache.clear()


def test_q6_shows_the_seeds_service_management_saving_depending_on_gen2(all_seeds, role_user):
    table = _dependencies(assembly.pack_build(user=role_user("finance"), version=PackVersion.FULL))
    row = next(row for row in table["rows"] if row["dependency"] == "GEN2 → SAV-SM")
    assert row["contract"].startswith("GEN2: ") and row["supplier"] == "Capgemini"
    assert (row["event"], row["due"]) == ("Re-tender start", "1 April 2013")
    assert row["initiative"].startswith("SAV-SM: ") and row["category"]
    assert (row["dependent_2013"], row["dependent_2014"], row["dependent_2015"]) == (
        "2000000.00",
        "5000000.00",
        "8000000.00",
    )
    assert row["dependent_total"] == "15000000.00"
    labels = [column["label"] for column in table["columns"]]
    assert "2014/15 depending on it" in labels and labels[-1] == "Total depending on it"


def test_q6_dependencies_are_in_the_csv_and_the_xlsx(all_seeds, role_user):
    pack = assembly.pack_build(user=role_user("board"), version=PackVersion.FULL)
    rows = list(csv.reader(stdlib_io.StringIO(io.question_csv(pack, 6))))
    assert [TITLE] in rows
    row = next(row for row in rows if row and row[0] == "GEN2 → SAV-SM")
    assert row[-1] == "15000000.00" and "5000000.00" in row
    workbook = load_workbook(stdlib_io.BytesIO(io.pack_xlsx(pack)))
    sheet = list(workbook["Q6"].iter_rows(values_only=True))
    row = next(row for row in sheet if row and row[0] == "GEN2 → SAV-SM")
    assert row[-1] == 15000000 and 5000000 in row


@pytest.mark.parametrize("marked", ["contract", "initiative"])
def test_a_marked_contract_or_initiative_is_left_out_of_the_publication_pack(all_seeds, role_user, marked):
    gen2 = Contract.objects.get(reference="GEN2")
    sav_sm = Initiative.objects.get(reference="SAV-SM")
    finance = role_user("finance")
    earlier = services.pack_freeze(user=finance, label="Before the marking", version=PackVersion.PUBLICATION)
    assert "GEN2 → SAV-SM" in json.dumps(earlier.content, ensure_ascii=False)
    _mark(gen2 if marked == "contract" else sav_sm)
    full = assembly.pack_build(user=role_user("board"), version=PackVersion.FULL)
    assert any(row["dependency"] == "GEN2 → SAV-SM" for row in _dependencies(full)["rows"])
    secret = "GEN2" if marked == "contract" else "SAV-SM"
    for reader, asked in ((role_user("board"), "publication"), (role_user("api_consumer"), "full")):
        pack = assembly.pack_build(user=reader, version=assembly.pack_version_for(reader, asked))
        table = _dependencies(pack)
        assert not table or not [row for row in table["rows"] if secret in json.dumps(row)]
        assert secret not in io.question_csv(pack, 6)
    # a copy frozen now is free of it; the one frozen before is withheld from readers without view_restricted
    later = services.pack_freeze(user=finance, label="After the marking", version=PackVersion.PUBLICATION)
    assert "GEN2 → SAV-SM" not in json.dumps(later.content, ensure_ascii=False)
    reader = role_user("api_consumer")
    visible = set(assembly.snapshots_visible_to(reader).values_list("pk", flat=True))
    assert later.pk in visible and earlier.pk not in visible
    assert earlier.pk in set(assembly.snapshots_visible_to(role_user("board")).values_list("pk", flat=True))


def test_a_frozen_copy_names_the_contracts_it_shows(all_seeds, role_user):
    frozen = services.pack_freeze(user=role_user("finance"), label="Cover", version=PackVersion.PUBLICATION)
    assert f" contract:{Contract.objects.get(reference='GEN2').pk} " in frozen.covers
    assert PackSnapshot.objects.visible_to(role_user("api_consumer")).filter(pk=frozen.pk).exists()


def _link_more(count: int) -> None:
    for _ in range(count):
        event = ContractEventFactory(contract=ContractFactory(), due=date(2014, 4, 1))
        initiative = InitiativeFactory()
        SavingsProfileFactory(initiative=initiative, financial_year=FinancialYear(2014))
        hidden = InitiativeFactory(protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
        event.initiatives.add(initiative, hidden)
        marked = ContractEventFactory(
            contract=ContractFactory(protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE), due=date(2014, 4, 1)
        )
        marked.initiatives.add(initiative)


def test_the_selector_reads_in_three_queries_and_leaves_marked_records_out(django_assert_num_queries):
    _link_more(2)
    with django_assert_num_queries(3):
        small = contract_selectors.savings_dependencies(user=PUBLICATION)
    _link_more(10)
    with django_assert_num_queries(3):
        rows = contract_selectors.savings_dependencies(user=PUBLICATION)
    assert len(small) == 2 and len(rows) == 12
    assert all(row.contract.protective_marking == ProtectiveMarking.OFFICIAL for row in rows)
    assert all(row.initiative.protective_marking == ProtectiveMarking.OFFICIAL for row in rows)
    assert {row.total for row in rows} == {Decimal("400000.00")}
    assert len(contract_selectors.savings_dependencies(user=EVERY_RECORD)) == 36
    # a retired event is no longer depended on
    ContractEvent.objects.filter(pk=rows[0].event.pk).update(retired_at="2014-01-01T00:00:00Z")
    assert len(contract_selectors.savings_dependencies(user=PUBLICATION)) == 11
