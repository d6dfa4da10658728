"""CSV and XLSX renderers for every list and summary (`?format=csv`, `?format=xlsx`).

A view may define `export_table(data) -> (headers, rows)` to lay out a summary; otherwise lists
(paginated or not) become one row per item with nested fields flattened as "parent.child".
The cells and the files are written by mps_ict.downloads, as every download is: formulas
neutralised, numbers left as numbers.

An error (any 4xx or 5xx answer) is not a table: it is answered in the API's one JSON error
shape, whatever format was asked for, so a client reads every error the same way. Nor is the
description of an endpoint that OPTIONS answers with: that is JSON too.
"""

from __future__ import annotations

from rest_framework import renderers

from mps_ict.downloads import (
    CSV_CHARSET,
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    content_disposition,
    csv_text,
    safe_cell,
    table_xlsx,
)

__all__ = ["CSVRenderer", "XLSXRenderer", "answered_as_json", "safe_cell", "tabulate"]


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
    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = CSV_CHARSET

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        error = answered_as_json(data, renderer_context)
        if error is not None:
            return error
        headers, rows = tabulate(data, renderer_context.get("view"))
        _set_download_name(renderer_context, "csv")
        return csv_text([headers, *rows]).encode(self.charset)


class XLSXRenderer(renderers.BaseRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        error = answered_as_json(data, renderer_context)
        if error is not None:
            return error
        headers, rows = tabulate(data, renderer_context.get("view"))
        _set_download_name(renderer_context, "xlsx")
        return table_xlsx(headers, rows)


def _set_download_name(renderer_context, extension):
    response = renderer_context.get("response")
    view = renderer_context.get("view")
    if response is None:
        return
    name = getattr(view, "export_filename", None) or "export"
    response["Content-Disposition"] = content_disposition(f"{name}.{extension}")
