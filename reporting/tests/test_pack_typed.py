"""The pack as typed answers: each question a function returning an Answer, one conversion to the
JSON frozen copies keep, and copies frozen in that shape before the answers were typed still read."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from reporting import assembly, comparison
from reporting.as_at import records_as_at
from reporting.models import PackSnapshot, PackVersion
from reporting.pack import COUNT, MONEY, TEXT, Answer, Column, Pack, Table, cell_as_json, pack_as_json

pytestmark = pytest.mark.django_db

# A copy frozen before the answers were typed (the dict the old pack code wrote), trimmed to two
# questions: what databases already hold.
OLD_COPY = {
    "title": "ICT: response to the Budget and Performance Committee",
    "request": "Information requested by the London Assembly Budget and Performance Committee",
    "version": "full",
    "generated_at": "2013-05-03T09:30:00+01:00",
    "withheld": 0,
    "questions": [
        {
            "number": 1,
            "question": "Please could you provide a copy of the report produced by Deloitte.",
            "response_2013": "This will be submitted by 3 May 2013.",
            "held": "not_held",
            "answer": "Not held in this system.",
            "not_held": ["The Deloitte technology review report"],
            "source": "",
            "links": [{"text": "2011/12 technology spend baseline", "href": "/savings/spend-baseline/"}],
            "as_at": None,
            "withheld": 0,
            "withheld_what": "",
            "tables": [],
            "notes": [],
        },
        {
            "number": 6,
            "question": "Please explain the different types of savings included in these totals.",
            "response_2013": "The MPS will prepare a response for submission by 3 May 2013.",
            "held": "answered",
            "answer": "The £60m plan by type of saving, for 2014/15 and 2015/16.",
            "not_held": [],
            "source": "MPS ICT savings plan: savings profiles and approved quarterly actuals",
            "links": [],
            "as_at": "2013-05-02T17:00:00+01:00",
            "withheld": 0,
            "withheld_what": "initiative",
            "tables": [
                {
                    "title": "Savings by type, 2014/15 and 2015/16",
                    "columns": [
                        {"key": "savings_type", "label": "Type of saving", "kind": "text"},
                        {"key": "planned_2014", "label": "2014/15 planned", "kind": "money"},
                        {"key": "realised_2014", "label": "2014/15 realised to date", "kind": "money"},
                        {"key": "planned_2015", "label": "2015/16 planned", "kind": "money"},
                        {"key": "realised_2015", "label": "2015/16 realised to date", "kind": "money"},
                    ],
                    "rows": [
                        {
                            "savings_type": "Frozen-only type of saving",
                            "planned_2014": "123456.78",
                            "realised_2014": "0.00",
                            "planned_2015": "234567.89",
                            "realised_2015": "0.00",
                        }
                    ],
                    "total": {
                        "savings_type": "Total",
                        "planned_2014": "41000000.00",
                        "realised_2014": "0.00",
                        "planned_2015": "59000000.00",
                        "realised_2015": "0.00",
                    },
                }
            ],
            "notes": ["Each year's figure is the saving a year against the baseline."],
        },
    ],
}


def _without_moment(pack: dict) -> dict:
    return {key: value for key, value in pack.items() if key != "generated_at"}


@pytest.mark.parametrize("version", [PackVersion.FULL, PackVersion.PUBLICATION])
def test_the_pack_is_its_typed_answers_as_json(all_seeds, role_user, version):
    finance = role_user("finance")
    typed = assembly.pack_live(user=finance, version=version)
    assert isinstance(typed, Pack) and all(isinstance(answer, Answer) for answer in typed.answers)
    assert [answer.number for answer in typed.answers] == [1, 2, 3, 4, 5, 6]
    built = assembly.pack_build(user=finance, version=version)
    assert _without_moment(built) == _without_moment(pack_as_json(typed))
    assert pack_as_json(typed)["generated_at"] == typed.generated_at.isoformat()
    assert set(built["questions"][5]) == set(OLD_COPY["questions"][1])  # the frozen shape, key for key


def test_each_question_is_a_function_named_for_what_it_asks(all_seeds):
    now = records_as_at(None)  # each question reads its area's records: here as they stand
    answers = [
        assembly.deloitte_review(),
        assembly.ict_and_sourcing_strategy(),
        assembly.mobile_rollout_business_case(now.mobile),
        assembly.mobile_capability_and_benefits(now.mobile),
        assembly.new_technology_for_savings(now.portfolio, reader=None),
        assembly.budgeted_savings_by_type(now.savings, reader=None),
    ]
    assert [(answer.number, answer.held) for answer in answers] == [
        (1, "not_held"),
        (2, "not_held"),
        (3, "partly"),
        (4, "answered"),
        (5, "partly"),
        (6, "answered"),
    ]
    rollout = answers[2].tables[0]
    assert isinstance(rollout, Table) and rollout.total["planned"] == 30000


def test_values_are_written_by_their_column_kind():
    table = Table(
        "t",
        [Column("name", "Name"), Column("amount", "Amount", MONEY), Column("count", "Count", COUNT)],
        [{"name": "a", "amount": Decimal("1234.5"), "count": Decimal("3")}],
        total={"name": "Total", "amount": None, "count": None},
    )
    answer = Answer(9, "q", "r", tables=[table], as_at=datetime(2013, 5, 3, 9, 30, tzinfo=UTC))
    pack = pack_as_json(Pack("t", "r", "full", datetime(2013, 5, 3, tzinfo=UTC), [answer, replace(answer, withheld=2)]))
    assert pack["withheld"] == 2
    written = pack["questions"][0]
    assert written["as_at"] == "2013-05-03T09:30:00+00:00"
    assert written["tables"][0]["rows"] == [{"name": "a", "amount": "1234.50", "count": 3}]
    assert written["tables"][0]["total"] == {"name": "Total", "amount": None, "count": None}
    assert (cell_as_json(0, MONEY), cell_as_json("", TEXT)) == ("0.00", "")


def test_a_copy_frozen_in_the_old_shape_still_renders_exports_and_compares(client, all_seeds, role_user):
    finance = role_user("finance")
    frozen = PackSnapshot.objects.create(
        label="Submission of 3 May 2013", version="full", frozen_by=finance, content=OLD_COPY, covers=" "
    )
    client.force_login(finance)
    page = client.get(f"/assembly/snapshots/{frozen.pk}/")
    assert page.status_code == 200
    assert "Frozen-only type of saving" in page.content.decode() and "£234,567.89" in page.content.decode()
    assert client.get(f"/assembly/snapshots/{frozen.pk}/pack.xlsx").status_code == 200
    assert client.get(f"/assembly/snapshots/{frozen.pk}/q6.csv").status_code == 200
    compared = client.get("/assembly/compare/", {"earlier": frozen.pk, "later": "live"})
    assert compared.status_code == 200
    live = assembly.pack_build(user=finance, version="full")
    changes = comparison.pack_compare(OLD_COPY, live)
    total_2015 = next(c for c in changes if c["row"] == "Total" and c["column"] == "2015/16 planned")
    assert (total_2015["before"], total_2015["after"], total_2015["difference"]) == (
        "59000000.00",
        "60000000.00",
        "1000000.00",
    )
    assert {"row": "Frozen-only type of saving", "after": "row removed"}.items() <= next(
        c for c in changes if c["row"] == "Frozen-only type of saving"
    ).items()
    assert assembly.pack_compare is comparison.pack_compare


def _table(title, rows, total=None):
    columns = [
        {"key": "name", "label": "Name", "kind": "text"},
        {"key": "n", "label": "Number", "kind": "count"},
        {"key": "note", "label": "Note", "kind": "text"},
    ]
    return {"title": title, "columns": columns, "rows": rows, "total": total}


def _pack(held, tables):
    return {"questions": [{"number": 1, "held": held, "tables": tables}]}


def test_the_comparison_lists_each_kind_of_change_in_order():
    earlier = _pack("partly", [_table("T", [{"name": "a", "n": 1, "note": "x"}, {"name": "gone", "n": 2, "note": ""}])])
    later = _pack(
        "answered",
        [
            _table(
                "T",
                [{"name": "a", "n": 4, "note": "y"}, {"name": "new", "n": 5, "note": ""}],
                total={"name": "Total", "n": 9},
            ),
            _table("U", []),
        ],
    )
    changes = [
        (c["table"], c["row"], c["column"], c["before"], c["after"], c["difference"])
        for c in comparison.pack_compare(earlier, later)
    ]
    assert changes == [
        ("", "Answer", "Held in this system", "partly", "answered", None),
        ("T", "a", "Number", 1, 4, "3"),
        ("T", "a", "Note", "x", "y", None),
        ("T", "new", "", "", "row added", None),
        ("T", "Total", "", "", "row added", None),
        ("T", "gone", "", "", "row removed", None),
        ("U", "", "", "not in the earlier pack", "added", None),
    ]
    assert comparison.pack_compare(later, later) == []
