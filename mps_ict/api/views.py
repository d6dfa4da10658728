"""API endpoints shared by every app: who am I, and the financial-year calendar."""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from mps_ict.api.errors import ErrorOutput
from mps_ict.api.fields import FinancialYearField
from mps_ict.api.pagination import PageNumberPagination
from mps_ict.api.serializers import ImportPreviewOutput
from mps_ict.financial_years import FinancialYear
from mps_ict.imports import ImportRejected, preview_keep
from mps_ict.marking import can_view_restricted
from mps_ict.roles import role_label, roles_of

API_ENDPOINTS = [
    ("me", "api:me"),
    ("overview", "api:overview"),
    ("financial_years", "api:financial-years"),
    ("savings_summary", "api:savings-summary"),
    ("savings_breakdown", "api:savings-breakdown"),
    ("capital_programmes", "api:capital-programme-list"),
    ("device_types", "api:device-type-list"),
    ("mobile_benefits", "api:mobile-benefits"),
    ("contracts", "api:contracts-contract-list"),
    ("contract_events", "api:contracts-event-list"),
    ("suppliers", "api:contracts-supplier-list"),
    ("assembly", "api:assembly"),
]


class ApiRootView(APIView):
    """The endpoints this API offers."""

    @extend_schema(responses=inline_serializer("ApiRoot", fields={"endpoints": serializers.DictField()}))
    def get(self, request):
        endpoints = {}
        for name, url_name in API_ENDPOINTS:
            try:
                endpoints[name] = request.build_absolute_uri(reverse(url_name))
            except NoReverseMatch:
                continue  # that part of the API is not installed yet
        endpoints["schema"] = request.build_absolute_uri(reverse("api-schema"))
        endpoints["docs"] = request.build_absolute_uri(reverse("api-docs"))
        return Response({"endpoints": endpoints})


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    role_label = serializers.CharField()
    can_view_restricted = serializers.BooleanField()


class MeView(APIView):
    """The signed-in user (or the token's owner), their roles and whether they see restricted data."""

    @extend_schema(responses=MeOutput)
    def get(self, request):
        user = request.user
        return Response(
            MeOutput(
                {
                    "username": user.get_username(),
                    "name": user.get_full_name(),
                    "roles": roles_of(user),
                    "role_label": role_label(user),
                    "can_view_restricted": can_view_restricted(user),
                }
            ).data
        )


class FinancialYearRangeInput(serializers.Serializer):
    from_ = FinancialYearField(required=False, help_text="First year, e.g. 2011/12")
    to = FinancialYearField(required=False, help_text="Last year, e.g. 2015/16")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs):
        # Without one end, the range runs from 2011/12 or to next year, or to (from) the year given.
        first = attrs.get("from") or min(FinancialYear(2011), attrs.get("to") or FinancialYear(2011))
        last = attrs.get("to") or max(FinancialYear.current().next(), first)
        if first > last:
            raise serializers.ValidationError({"to": f"{last} is before {first}; give the later year in 'to'."})
        return {"from": first, "to": last}


class QuarterOutput(serializers.Serializer):
    label = serializers.CharField()
    number = serializers.IntegerField()
    months = serializers.CharField(source="months_label")
    start = serializers.DateField()
    end = serializers.DateField()


class FinancialYearOutput(serializers.Serializer):
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    quarters = QuarterOutput(many=True)


class FinancialYearListView(APIView):
    """UK financial years (April–March) and their quarters, from 2011/12 to next year by default."""

    pagination_class = PageNumberPagination
    export_filename = "financial-years"

    @extend_schema(parameters=[FinancialYearRangeInput], responses=FinancialYearOutput(many=True))
    def get(self, request):
        params = FinancialYearRangeInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        years = list(FinancialYear.range(params.validated_data["from"], params.validated_data["to"]))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(years, request, view=self)
        return paginator.get_paginated_response(FinancialYearOutput(page, many=True).data)


class ImportConfirmOutput(serializers.Serializer):
    committed = serializers.BooleanField(default=True)
    saved = serializers.IntegerField(help_text="Records written")


IMPORT_RESPONSES = {
    200: ImportPreviewOutput,
    201: ImportPreviewOutput,  # or ImportConfirmOutput, for a preview_id confirmed
    400: ErrorOutput,
    403: ErrorOutput,
    409: ErrorOutput,
}


class ImportView(APIView):
    """An upload through the API, as the page takes it: POST the file with dry_run=true for the
    preview (200: what was read, each row with its interpreted values and what it replaces, every
    error with its row and column); POST the file alone to check and write it at once (201), or
    the preview_id of a dry run to write exactly that preview (409 if a row changed since). Errors
    of a write are 400 (409 when records changed after the preview) in the API's error shape, each
    with its row. A subclass says what it reads (`preview`) and how a kept preview is written
    (`confirm`)."""

    parser_classes = [MultiPartParser, FormParser]
    input_serializer = None  # an ImportInput with the upload's own fields (the quarter, the month...)

    def preview(self, request, params: dict):
        raise NotImplementedError

    def confirm(self, request, params: dict, preview_id) -> int:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        params = self.input_serializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if data.get("preview_id"):
            saved = self.confirm(request, data, data["preview_id"])
            return Response(ImportConfirmOutput({"saved": saved}).data, status=status.HTTP_201_CREATED)
        preview = self.preview(request, data)
        if data["dry_run"]:
            if not preview.errors:
                preview_keep(preview, user=request.user)
            return Response(ImportPreviewOutput(preview).data)
        if preview.errors:
            raise ImportRejected(preview.errors)
        preview_keep(preview, user=request.user)
        saved = self.confirm(request, data, preview.id)
        answer = ImportPreviewOutput(preview).data | {"committed": True, "saved": saved}
        return Response(answer, status=status.HTTP_201_CREATED)
