"""CSV and XLSX renderers for every list and summary (`?format=csv`, `?format=xlsx`).

A view may define `export_table(data) -> (headers, rows)` to lay out a summary; otherwise lists
(paginated or not) become one row per item with nested fields flattened as "parent.child".
Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are prefixed with an
apostrophe; control characters a spreadsheet cannot hold (NUL, ESC, ...) become U+FFFD; numbers
stay numbers.

An error (any 4xx or 5xx answer) is not a table: it is answered in the API's one JSON error
shape, whatever format was asked for, so a client reads every error the same way. Nor is the
description of an endpoint that OPTIONS answers with: that is JSON too.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from rest_framework import renderers

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?\Z")
# What XML 1.0, and so an XLSX cell, cannot hold (openpyxl refuses it); tab, LF and CR are fine.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
REPLACEMENT_CHARACTER = "\ufffd"


def safe_cell(value):
    """A value fit for a spreadsheet: formulas neutralised, numbers left alone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, Decimal)):
        return value
    text = _CONTROL_CHARACTERS.sub(REPLACEMENT_CHARACTER, str(value))
    if _PLAIN_NUMBER.match(text):
        return text
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _flatten_item(item, prefix="") -> dict:
    flat = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten_item(value, f"{name}."))
        elif isinstance(value, list):
            if all(not isinstance(v, (dict, list)) for v in value):
                flat[name] = "; ".join(str(v) for v in value)
            else:
                flat[name] = "; ".join(
                    ", ".join(f"{k}={v}" for k, v in entry.items()) if isinstance(entry, dict) else str(entry)
                    for entry in value
                )
        else:
            flat[name] = value
    return flat


def tabulate(data, view=None) -> tuple[list[str], list[list]]:
    if view is not None and hasattr(view, "export_table"):
        return view.export_table(data)
    if isinstance(data, dict) and "results" in data and isinstance(data["results"], list):
        data = data["results"]
    if isinstance(data, dict):
        data = [data]
    items = [_flatten_item(item) if isinstance(item, dict) else {"value": item} for item in data or []]
    headers: list[str] = []
    for item in items:
        headers.extend(key for key in item if key not in headers)
    return headers, [[item.get(header) for header in headers] for item in items]


def answered_as_json(data, renderer_context) -> bytes | None:
    """An answer that is not the endpoint's data (an error, or OPTIONS' description of the
    endpoint), rendered as JSON and labelled so; None for a table to render."""
    response = renderer_context.get("response")
    request = renderer_context.get("request")
    if response is None or (response.status_code < 400 and getattr(request, "method", "GET") != "OPTIONS"):
        return None
    response["Content-Type"] = "application/json"
    return renderers.JSONRenderer().render(data, renderer_context=renderer_context)


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        error = answered_as_json(data, renderer_context)
        if error is not None:
            return error
        headers, rows = tabulate(data, renderer_context.get("view"))
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_cell(h) for h in headers])
        writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
        _set_download_name(renderer_context, "csv")
        return buffer.getvalue().encode(self.charset)


class XLSXRenderer(renderers.BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        error = answered_as_json(data, renderer_context)
        if error is not None:
            return error
        headers, rows = tabulate(data, renderer_context.get("view"))
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title="Data")
        sheet.append([safe_cell(h) for h in headers])
        for row in rows:
            sheet.append([_xlsx_value(cell) for cell in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        _set_download_name(renderer_context, "xlsx")
        return buffer.getvalue()


def _xlsx_value(value):
    value = safe_cell(value)
    if isinstance(value, str) and _PLAIN_NUMBER.match(value):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def _set_download_name(renderer_context, extension):
    response = renderer_context.get("response")
    view = renderer_context.get("view")
    if response is None:
        return
    name = getattr(view, "export_filename", None) or "export"
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
