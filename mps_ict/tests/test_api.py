import csv
import io

import pytest
from openpyxl import load_workbook
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mps_ict.api.renderers import safe_cell
from mps_ict.api.serializers import Input


@pytest.fixture
def api_client(role_user):
    user = role_user("api_consumer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


@pytest.mark.django_db
def test_token_authenticates_and_me_reports_the_role(api_client):
    body = api_client.get("/api/v1/me/").json()
    assert body["username"] == api_client.user.username
    assert body["roles"] == ["api_consumer"]
    assert body["can_view_restricted"] is False


@pytest.mark.django_db
def test_a_wrong_token_is_refused(client):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid token.", "errors": []}


@pytest.mark.django_db
def test_session_authentication_works_for_signed_in_staff(client, role_user):
    client.force_login(role_user("board"))
    assert client.get("/api/v1/me/").json()["can_view_restricted"] is True


@pytest.mark.django_db
def test_api_is_read_only_by_default(api_client):
    response = api_client.post("/api/v1/me/", {})
    assert response.status_code == 403


@pytest.mark.django_db
def test_financial_years_are_listed_and_paginated(api_client):
    body = api_client.get("/api/v1/financial-years/?from=2011/12&to=2015-16&page_size=2").json()
    assert body["count"] == 5
    assert [row["label"] for row in body["results"]] == ["2011/12", "2012/13"]
    assert body["next"].endswith("page=2&page_size=2") or "page=2" in body["next"]
    assert body["results"][0]["quarters"][3] == {
        "label": "2011/12 Q4",
        "number": 4,
        "months": "Jan–Mar",
        "start": "2012-01-01",
        "end": "2012-03-31",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2014/16", "from"), ("to=soon", "to"), ("from=2015/16&to=2013/14", "to"), ("from=1900/01", "from")],
)
def test_bad_query_parameters_get_a_400_naming_the_parameter(api_client, query, field):
    response = api_client.get(f"/api/v1/financial-years/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "The request is not valid."
    assert [error["field"] for error in body["errors"]] == [field]
    assert body["errors"][0]["message"]


@pytest.mark.django_db
def test_a_page_past_the_end_is_a_404_in_the_error_shape(api_client):
    response = api_client.get("/api/v1/financial-years/?from=2011/12&to=2012/13&page=9")
    assert response.status_code == 404
    assert set(response.json()) == {"message", "errors"}


@pytest.mark.django_db
def test_csv_export(api_client):
    response = api_client.get("/api/v1/financial-years/?from=2013/14&to=2014/15&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="financial-years.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["label", "start", "end"]
    assert [row[0] for row in rows[1:]] == ["2013/14", "2014/15"]


@pytest.mark.django_db
def test_xlsx_export(api_client):
    response = api_client.get("/api/v1/financial-years/?from=2013/14&to=2014/15&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("label", "start", "end")
    assert values[2][0] == "2014/15"


def test_cells_a_spreadsheet_would_run_are_escaped_but_numbers_are_not():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+44 20 7230 4321") == "'+44 20 7230 4321"
    assert safe_cell("-cmd") == "'-cmd"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-8000000.00") == "-8000000.00"
    assert safe_cell("Data Centres") == "Data Centres"


def test_xlsx_never_writes_a_formula():
    from mps_ict.api.renderers import XLSXRenderer

    content = XLSXRenderer().render([{"name": "=1+1", "amount": "-5.00"}])
    sheet = load_workbook(io.BytesIO(content)).active
    name, amount = list(sheet.iter_rows(values_only=True))[1]
    assert name == "'=1+1" and amount == -5


def test_control_characters_a_spreadsheet_cannot_hold_are_replaced_not_a_crash():
    from mps_ict.api.renderers import CSVRenderer, XLSXRenderer

    rows = [{"name": "Bell\x07 and escape\x1b", "note": "tab\tand\nnewline kept"}]
    sheet = load_workbook(io.BytesIO(XLSXRenderer().render(rows))).active
    assert list(sheet.iter_rows(values_only=True))[1] == ("Bell\ufffd and escape\ufffd", "tab\tand\nnewline kept")
    assert "Bell\ufffd and escape\ufffd" in CSVRenderer().render(rows).decode()


@pytest.mark.django_db
@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_an_error_asked_for_as_a_file_is_answered_in_the_json_error_shape(api_client, export):
    # The summary lays itself out as a table; an error body (here: no plan loaded) is not one.
    response = api_client.get(f"/api/v1/savings/summary/?format={export}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "Content-Disposition" not in response
    assert set(response.json()) == {"message", "errors"}
    invalid = api_client.get(f"/api/v1/financial-years/?format={export}&to=%1b%00soon")
    assert invalid.status_code == 400 and invalid.json()["errors"][0]["field"] == "to"


@pytest.mark.django_db
def test_options_asked_for_as_a_file_describes_the_endpoint_in_json(api_client):
    response = api_client.options("/api/v1/savings/summary/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["name"]


@pytest.mark.django_db
def test_openapi_schema_and_docs(client, role_user, api_client):
    schema = api_client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/financial-years/" in schema.content
    client.force_login(role_user("board"))
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


@pytest.mark.django_db
def test_api_root_lists_the_endpoints(api_client):
    endpoints = api_client.get("/api/v1/").json()["endpoints"]
    assert endpoints["me"].endswith("/api/v1/me/")
    assert endpoints["schema"].endswith("/api/schema/")


@pytest.mark.django_db
def test_the_openapi_schema_is_valid_and_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    schema = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))
    text = schema.read_text()
    for path in ("/api/v1/savings/summary/", "/api/v1/portfolio/capital-programmes/", "/api/v1/portfolio/projects/"):
        assert path in text


@pytest.mark.django_db
def test_a_financial_year_filter_quoting_a_percent_sign_is_a_400_not_a_crash(api_client):
    # The message quotes the value; a "%" in it once broke django-filter's formatting of it.
    response = api_client.get("/api/v1/savings/actuals/?financial_year=50%25")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "financial_year", "message": '"50%" is not a financial year; write it like 2014/15'}
    ]


def test_the_financial_year_schema_promises_exactly_the_years_the_api_reads():
    import re

    from mps_ict.api.fields import FINANCIAL_YEAR_SCHEMA
    from mps_ict.financial_years import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR, FinancialYear

    pattern = re.compile(FINANCIAL_YEAR_SCHEMA["pattern"])
    for start in range(FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR + 1):
        label = FinancialYear(start).label
        assert pattern.match(label) and pattern.match(label.replace("/", "-"))
    for refused in ("2014/16", "1989/90", "2101/02", "2014/15 ", "14/15", ""):
        assert not pattern.match(refused)


@pytest.mark.parametrize("amount", ["1e3", "1.", ".5", " 5", "5.001", "+5", 5, 5.0, True])
def test_an_amount_is_read_only_as_the_schema_writes_it(amount):
    from rest_framework.exceptions import ValidationError

    from mps_ict.api.fields import MoneyField

    with pytest.raises(ValidationError):
        MoneyField().run_validation(amount)


def test_an_amount_written_as_the_schema_says_is_read():
    from decimal import Decimal

    from mps_ict.api.fields import MoneyField

    assert MoneyField().run_validation("-1234.5") == Decimal("-1234.50")


@pytest.mark.django_db
def test_a_format_the_endpoint_does_not_answer_in_is_a_400_naming_it(api_client):
    response = api_client.get("/api/v1/me/?format=AAA")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["field"] == "format" and "csv, json, xlsx" in error["message"]
    assert api_client.get("/api/v1/me/?format=").json()["roles"] == ["api_consumer"]  # empty: not given


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=last", "page"),
        ("page=01", "page"),
        ("page_size=0", "page_size"),
        ("page_size=501", "page_size"),
        ("page_size=-1", "page_size"),
        ("page_size=all", "page_size"),  # every row is for exports
    ],
)
def test_a_page_or_page_size_out_of_range_is_a_400_naming_it(api_client, query, field):
    response = api_client.get(f"/api/v1/financial-years/?{query}")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]


@pytest.mark.django_db
def test_pages_within_range_and_every_row_for_an_export(api_client):
    years = "from=1990/91&to=2100/01"
    assert api_client.get(f"/api/v1/financial-years/?{years}&page=&page_size=").json()["results"][0]["label"] == (
        "1990/91"
    )
    assert len(api_client.get(f"/api/v1/financial-years/?{years}&page=3&page_size=50").json()["results"]) == 11
    export = api_client.get(f"/api/v1/financial-years/?{years}&page_size=all&format=csv")
    assert len(list(csv.reader(io.StringIO(export.content.decode())))) == 1 + 111


@pytest.mark.django_db
def test_one_end_of_a_financial_year_range_is_enough(api_client):
    def labels(query):
        return [year["label"] for year in api_client.get(f"/api/v1/financial-years/?{query}").json()["results"]]

    assert labels("to=2013/14") == ["2011/12", "2012/13", "2013/14"]
    # An end before the default start (2011/12), or a start after the default end, is the range.
    assert labels("to=2000/01") == ["2000/01"]
    assert labels("from=2090/91") == ["2090/91"]


@pytest.mark.django_db
def test_an_api_url_that_names_nothing_is_a_404_in_the_error_shape(api_client):
    response = api_client.get("/api/v1/savings/actuals/0.5/")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "errors": []}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/savings/initiatives/?cashable=null",
        "/api/v1/savings/initiatives/?inside_doi_budget=yes",
        "/api/v1/mobile/devices/?assigned=ture",
    ],
)
def test_a_yes_no_filter_takes_only_true_or_false(url, role_user):
    client = APIClient()
    client.force_login(role_user("admin"))
    response = client.get(url)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert url.endswith(f"{error['field']}={url.rsplit('=', 1)[1]}") and "true or false" in error["message"]
    assert client.get(url.rsplit("=", 1)[0] + "=false").status_code == 200
    assert client.get(url.rsplit("=", 1)[0] + "=").status_code == 200  # empty: no filter


def _openapi_operations():
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation


def test_every_operation_documents_the_errors_it_can_answer_in_the_one_error_shape():
    for path, method, operation in _openapi_operations():
        responses = operation["responses"]
        expected = {"400", "401", "403", "406"}
        if "{" in path or any(parameter["name"] == "page" for parameter in operation.get("parameters", [])):
            expected.add("404")
        if method in ("POST", "PUT", "PATCH"):
            expected.add("415")
        assert expected <= set(responses), f"{method} {path}: {sorted(responses)}"
        for code, response in responses.items():
            if code >= "400":
                assert response["description"], f"{method} {path} {code}"
                assert response["content"] == {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOutput"}}
                }, f"{method} {path} {code}"


def test_optional_query_parameters_say_an_empty_value_means_not_given():
    for path, method, operation in _openapi_operations():
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                assert parameter.get("allowEmptyValue") is True, f"{method} {path} {parameter['name']}"


def test_views_that_read_the_loaded_plan_or_a_frozen_copy_document_their_404():
    documented = {(method, path): set(operation["responses"]) for path, method, operation in _openapi_operations()}
    for operation in [
        ("GET", "/api/v1/savings/summary/"),
        ("GET", "/api/v1/savings/breakdown/"),
        ("POST", "/api/v1/savings/quarters/close/"),
        ("GET", "/api/v1/assembly/"),
    ]:
        assert "404" in documented[operation], operation


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"), [("from=2012-9", "from"), ("to=2013-02-15", "to"), ("from=0000-01", "from")]
)
def test_a_month_is_written_2012_09_and_nothing_else(api_client, query, field):
    response = api_client.get(f"/api/v1/mobile/benefits/?{query}")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]


@pytest.mark.django_db
def test_one_end_of_a_month_range_is_enough(api_client):
    assert api_client.get("/api/v1/mobile/benefits/?from=2200-01").status_code == 200
    assert api_client.get("/api/v1/mobile/benefits/?to=1999-01").status_code == 200


class _Body(Input):
    label = serializers.CharField()
    quarter = serializers.IntegerField(required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    confirmed = serializers.BooleanField(required=False)
    version = serializers.ChoiceField(choices=["full", "publication"], required=False)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": 0}, "label"),
        ({"label": "x", "quarter": "1"}, "quarter"),
        ({"label": "x", "quarter": True}, "quarter"),
        ({"label": "x", "amount": 1.5}, "amount"),
        ({"label": "x", "confirmed": "true"}, "confirmed"),
        ({"label": "x", "version": 1}, "version"),
        ({"label": ["x"]}, "label"),
    ],
)
def test_a_json_body_must_have_the_types_its_schema_gives(body, field):
    serializer = _Body(data=body)
    assert not serializer.is_valid()
    assert list(serializer.errors) == [field]


def test_a_json_body_of_the_right_types_and_a_form_of_text_are_read():
    from django.http import QueryDict

    assert _Body(data={"label": "x", "quarter": 1, "amount": "1.50", "confirmed": False, "version": "full"}).is_valid()
    assert _Body(data={"label": "x", "quarter": None}).is_valid()  # null is the field's business
    assert _Body(data=QueryDict("label=0&quarter=1&amount=1.5&confirmed=true")).is_valid()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/assembly/snapshots/", {"label": 0}, "label"),
        ("/api/v1/savings/quarters/close/", {"financial_year": "2014/15", "quarter": "1"}, "quarter"),
        ("/api/v1/savings/actuals/1/submit/", {"version": "1"}, "version"),
        ("/api/v1/portfolio/status-updates/", {"project": 1, "month": "2013-01-01", "dca": "green"}, "project"),
    ],
)
def test_the_api_refuses_a_json_body_of_the_wrong_types(role_user, url, body, field):
    client = APIClient()
    client.force_login(role_user("admin"))
    response = client.post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert [error["field"] for error in response.json()["errors"]] == [field]
