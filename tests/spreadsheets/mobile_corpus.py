"""The corpus's register and usage files: the device register (mobile_assets.io.devices_preview)
and a month's usage (usage_preview) read from files as the estate team really send them, each
with the exact preview it gives against the small estate of `ESTATE` (made by the test).

A case's rows are {Excel row: (the preview row's key, its values)}; its errors are Err(row,
column as headed in the file, part of the message).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from tests.spreadsheets.corpus import Err, SheetDef, csv_bytes, xls, xlsx

# The estate the test makes: units (code, name), transaction types (code, name), device models
# (manufacturer, name), a vehicle (fleet number, unit code), a device already held (tag, serial, model, unit).
ESTATE = {
    "units": [("lambeth", "Lambeth"), ("southwark", "Southwark"), ("camden", "Camden")],
    "transaction_types": [("pnc-check", "PNC check"), ("stop-recorded", "Stop recorded")],
    "models": [("BlackBerry", "Bold 9790"), ("Panasonic", "Toughbook CF-19")],
    "vehicles": [("MV00042", "lambeth")],
    "devices": [("PDA-00002", "SN-0002", "BlackBerry Bold 9790", "southwark")],
}


@dataclass(frozen=True)
class MobileCase:
    id: str
    upload: str  # "register" or "usage"
    file_name: str
    build: Callable[[], bytes]
    sheet: str | None
    header_row: int
    rows: dict[int, tuple[str, dict]]
    file_kind: str = "Excel workbook (.xlsx)"
    hidden_sheets: tuple[str, ...] = ()
    other_sheets: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    errors: tuple[Err, ...] = ()
    changes: dict[int, str] | None = None  # row -> "new"/"changed"/"unchanged" (all "new" when None)
    note: str = ""
    xfail: str = ""  # a known gap: the case's honest outcome, not yet given


MOBILE_CASES: list[MobileCase] = []


def register_values(serial, model, *, unit=None, bought=None, cost=None, warranty=None, status="In stock"):
    return {
        "serial_number": serial,
        "model": model,
        "status": status,
        "unit": unit,
        "purchase_date": bought,
        "purchase_cost": cost,
        "warranty_end": warranty,
        "collar_number": "",
        "vehicle": "",
        "status_date": None,
    }


def usage_values(unit_code, unit, type_code, kind, count):
    return {
        "unit": unit,
        "transaction_type": kind,
        "count": count,
        "unit_code": unit_code,
        "transaction_type_code": type_code,
    }


REGISTER_HEADER = ["Tag", "IMEI", "Make/model", "Borough", "Cost (£)", "Purchased", "Warranty expires", "Notes"]


def _register_workbook():
    return xlsx(
        SheetDef(
            "Register",
            [["Asset tag", "Serial number", "Model"], ["PDA-00001", "STALE-1", "BlackBerry Bold 9790"]],
            state="hidden",
        ),
        SheetDef(
            "Register (2)",
            [
                ["MPS mobile device register"],
                ["As at 31/03/2013", None, None, "Owner: Mobile Technology Team"],
                [],
                REGISTER_HEADER,
                [
                    "PDA-00001",
                    "353000000000001",
                    "BlackBerry Bold 9790",
                    "lambeth",
                    "£350",
                    "29/04/2013",
                    date(2015, 4, 28),
                    "new",
                ],
                [" pda-00002 ", "SN-0002", None, "Camden", "350.00", None, None, "moved"],
                ["MDT-00001", "TB-19-0001", "Panasonic Toughbook CF-19", "Lambeth", "£2.5k", "01/04/2013", None, None],
                ["Total", None, None, None, 3200, None, None, None],
            ],
            merges=["C5:C6"],
        ),
    )


MOBILE_CASES.append(
    MobileCase(
        "register_title_rows_hidden_sheet_renamed_columns",
        "register",
        "device register FINAL.xlsx",
        _register_workbook,
        sheet="Register (2)",
        header_row=4,
        hidden_sheets=("Register",),
        ignored_columns=("Notes",),
        left_out=('Row 8 ("Total") is a total',),
        rows={
            5: (
                "PDA-00001",
                register_values(
                    "353000000000001",
                    "BlackBerry Bold 9790",
                    unit="Lambeth",
                    bought="2013-04-29",
                    cost="350.00",
                    warranty="2015-04-28",
                ),
            ),
            6: ("PDA-00002", register_values("SN-0002", "BlackBerry Bold 9790", unit="Camden", cost="350.00")),
            7: (
                "MDT-00001",
                register_values(
                    "TB-19-0001", "Panasonic Toughbook CF-19", unit="Lambeth", bought="2013-04-01", cost="2500.00"
                ),
            ),
        },
        changes={5: "new", 6: "changed", 7: "new"},
        note="register under title rows beside a hidden stale sheet, columns renamed (Tag, IMEI, Make/model, "
        "Borough, Cost (£)), a model merged over two rows, a Total of costs: three devices, one moved",
    )
)


def _register_csv():
    return csv_bytes(
        [
            ["Asset tag", "Serial number", "Model", "Purchase cost"],
            ["PDA-00003", "SN-0003", "Nokia 3310", "£49.99"],
            ["PDA-00004", "SN-0004", "blackberry bold 9790", "£350"],
        ],
        delimiter=";",
        encoding="cp1252",
    )


MOBILE_CASES.append(
    MobileCase(
        "register_semicolon_windows_1252_unknown_model",
        "register",
        "register.csv",
        _register_csv,
        sheet=None,
        header_row=1,
        file_kind="CSV (semicolon-separated, Windows-1252)",
        rows={3: ("PDA-00004", register_values("SN-0004", "BlackBerry Bold 9790", cost="350.00"))},
        errors=(Err(2, "Model", 'found "Nokia 3310"; expected a device model of the reference data'),),
        note="a semicolon Windows-1252 register CSV with £ costs: an unknown model refused by row and column, "
        "a model in lower case matched",
    )
)


def _usage_utf16():
    return csv_bytes(
        [
            ["Usage statistics, March 2013"],
            [],
            ["Borough", "Transaction", "Number"],
            ["Lambeth", "PNC check", "7,000"],
            ["LAMBETH ", "stop-recorded", "1200"],
            ["southwark", "PNC check", "6,500"],
            ["Total", "", "14,700"],
        ],
        delimiter=";",
        encoding="utf-16",
    )


MOBILE_CASES.append(
    MobileCase(
        "usage_semicolon_utf16_with_title_and_total",
        "usage",
        "usage march 2013.csv",
        _usage_utf16,
        sheet=None,
        header_row=3,
        file_kind="CSV (semicolon-separated, UTF-16)",
        left_out=('Row 7 ("Total") is a total',),
        rows={
            4: ("Lambeth / PNC check", usage_values("lambeth", "Lambeth", "pnc-check", "PNC check", 7000)),
            5: ("Lambeth / Stop recorded", usage_values("lambeth", "Lambeth", "stop-recorded", "Stop recorded", 1200)),
            6: ("Southwark / PNC check", usage_values("southwark", "Southwark", "pnc-check", "PNC check", 6500)),
        },
        note="usage as UTF-16 semicolon CSV under a title, units and types by name or code in any case, "
        "counts with thousands commas, a Total row left out",
    )
)


def _usage_merged():
    return xlsx(
        SheetDef("Feb 2013", [["Unit", "Transaction type", "Count"], ["Lambeth", "PNC check", 1]], state="hidden"),
        SheetDef(
            "Usage",
            [
                ["Unit", "Transaction type", "Count"],
                ["Lambeth", "PNC check", 7000],
                [None, "Stop recorded", "12.5"],
                ["Camden", "PNC check", 300],
                [None, "Stop recorded", 40],
            ],
            merges=["A2:A3", "A4:A5"],
        ),
        SheetDef(
            "Accepted names",
            [
                ["Unit", "Unit code", "Transaction type", "Transaction type code"],
                ["Lambeth", "lambeth", "PNC check", "pnc-check"],
            ],
        ),
    )


MOBILE_CASES.append(
    MobileCase(
        "usage_merged_units_template_sheets",
        "usage",
        "usage template filled.xlsx",
        _usage_merged,
        sheet="Usage",
        header_row=1,
        hidden_sheets=("Feb 2013",),
        other_sheets=("Accepted names",),
        rows={
            2: ("Lambeth / PNC check", usage_values("lambeth", "Lambeth", "pnc-check", "PNC check", 7000)),
            4: ("Camden / PNC check", usage_values("camden", "Camden", "pnc-check", "PNC check", 300)),
            5: ("Camden / Stop recorded", usage_values("camden", "Camden", "stop-recorded", "Stop recorded", 40)),
        },
        errors=(Err(3, "Count", 'found "12.5"; expected a whole number of 0 or more'),),
        note="the usage template with each borough merged over its types, its Accepted names sheet and a hidden "
        "old month: the merged unit fills both rows, a count of 12.5 refused",
    )
)


def _usage_xls():
    return xls(
        [
            ("Old", [["Unit", "Transaction type", "Count"], ["Lambeth", "PNC check", 1]], 1),
            (
                "March",
                [
                    ["March 2013"],
                    ["OCU", "Type", "Total transactions", "Checked by"],
                    ["Camden", "PNC check", 250.0, "JS"],
                ],
                0,
            ),
        ]
    )


MOBILE_CASES.append(
    MobileCase(
        "usage_xls_hidden_sheet",
        "usage",
        "usage.xls",
        _usage_xls,
        sheet="March",
        header_row=2,
        file_kind="Excel 97-2003 workbook (.xls)",
        hidden_sheets=("Old",),
        ignored_columns=("Checked by",),
        rows={3: ("Camden / PNC check", usage_values("camden", "Camden", "pnc-check", "PNC check", 250))},
        note="usage as a legacy .xls with a hidden old sheet and OCU / Type / Total transactions headers",
    )
)


MOBILE_CASES.append(
    MobileCase(
        "usage_count_beyond_what_is_stored",
        "usage",
        "usage march 2013.csv",
        lambda: b"Unit,Transaction type,Count\r\nLambeth,PNC check,3000000000\r\nCamden,PNC check,2147483647\r\n",
        sheet=None,
        header_row=1,
        file_kind="CSV (comma-separated, UTF-8)",
        rows={3: ("Camden / PNC check", usage_values("camden", "Camden", "pnc-check", "PNC check", 2147483647))},
        errors=(Err(2, "Count", "expected a whole number from 0 to 2,147,483,647"),),
        note="a count of 3,000,000,000 (beyond what a count is stored as): refused at the preview; 2,147,483,647 read",
    )
)
