"""The savings API: the plan summary, the breakdown by type or category, and the resources.

Views parse input and call selectors or services; no business rules live here.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from mps_ict.api.errors import ErrorOutput
from mps_ict.api.fields import FINANCIAL_YEAR_SCHEMA
from mps_ict.api.serializers import AsAtInput, as_at_moment
from mps_ict.conflicts import Conflict
from mps_ict.financial_years import Quarter
from savings import selectors, services
from savings.api import serializers
from savings.filters import InitiativeFilter, QuarterlyActualFilter
from savings.models import Category, Initiative, QuarterlyActual, SavingsPlan


def _current_plan() -> SavingsPlan:
    plan = selectors.plan_current()
    if plan is None:
        raise Http404("No savings plan is loaded.")
    return plan


def _records_asked_for(request, plan: SavingsPlan) -> selectors.PlanRecords:
    """The plan's records now or `?as_at=` a past day; a 404 if nothing was recorded by then."""
    records = selectors.records_at(as_at_moment(request))
    if not records.recorded(plan):
        raise NotFound(f"Nothing recorded yet: the savings plan had no figures by {request.query_params['as_at']}.")
    return records


class SummaryView(APIView):
    """The plan at a glance: totals, targets, realised and forecast, and each category."""

    export_filename = "savings-summary"

    @extend_schema(parameters=[AsAtInput], responses={200: serializers.SummaryOutput, 404: ErrorOutput})
    def get(self, request):
        plan = _current_plan()
        summary = selectors.plan_summary(plan=plan, user=request.user, records=_records_asked_for(request, plan))
        return Response(serializers.SummaryOutput(summary).data)

    def export_table(self, data):
        headers = [
            "row",
            "name",
            "financial_year",
            "cost_now",
            "future_cost",
            "baseline_reduction",
            "stated_reduction",
            "discrepancy",
            "target",
            "planned",
            "realised",
            "forecast",
        ]
        rows = [
            [
                "category",
                c["name"],
                "",
                c["cost_now"],
                c["future_cost"],
                c["baseline_reduction"],
                c["stated_reduction"] or c["stated_reduction_printed"],
                c["discrepancy"],
                "",
                "",
                "",
                "",
            ]
            for c in data["categories"]
        ]
        rows.append(
            [
                "total",
                data["plan"],
                "",
                data["cost_now"],
                data["future_cost"],
                data["baseline_reduction"],
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
        rows += [
            [
                "year",
                "",
                y["financial_year"],
                "",
                "",
                "",
                "",
                "",
                y["target"],
                y["planned"],
                y["realised"],
                y["forecast"],
            ]
            for y in data["years"]
        ]
        return headers, rows


class BreakdownView(APIView):
    """Planned and realised saving per savings type (or category) per financial year.

    `planned` is that year's saving against the baseline, not the increment on the year before.
    """

    export_filename = "savings-breakdown"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "by", str, enum=["savings_type", "category"], description="Group by (default savings_type)"
            ),
            OpenApiParameter("financial_year", FINANCIAL_YEAR_SCHEMA, description="Only this year, e.g. 2014/15"),
            AsAtInput,
        ],
        responses={200: serializers.BreakdownOutput(many=True), 404: ErrorOutput},
    )
    def get(self, request):
        params = serializers.BreakdownInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        plan = _current_plan()
        rows = selectors.plan_breakdown(
            plan=plan, by=params.validated_data["by"], user=request.user, records=_records_asked_for(request, plan)
        )
        year = params.validated_data.get("financial_year")
        if year is not None:
            rows = [row for row in rows if row.financial_year == year]
        return Response(serializers.BreakdownOutput(rows, many=True).data)


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = SavingsPlan.objects.order_by("pk")
    serializer_class = serializers.PlanOutput
    export_filename = "savings-plans"

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.order_by("plan", "position")
    serializer_class = serializers.CategoryOutput
    export_filename = "savings-categories"

    def get_queryset(self):
        return selectors.categories_visible_to(self.request.user).order_by("plan", "position")


class InitiativeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.InitiativeOutput
    filterset_class = InitiativeFilter
    lookup_field = "reference"
    export_filename = "savings-initiatives"
    queryset = selectors.Initiative.objects.all()

    def get_queryset(self):
        return selectors.initiative_list(user=self.request.user)


UPDATE_RESPONSES = {
    200: serializers.ActualOutput,
    400: ErrorOutput,
    403: ErrorOutput,
    404: ErrorOutput,
    409: ErrorOutput,
}


class ActualViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Quarterly actuals. Finance create and update drafts; submit, approve and return are actions."""

    queryset = QuarterlyActual.objects.all()
    serializer_class = serializers.ActualOutput
    filterset_class = QuarterlyActualFilter
    export_filename = "savings-actuals"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return (
            QuarterlyActual.objects.visible_to(self.request.user)
            .select_related("initiative", "entered_by", "submitted_by", "decided_by")
            .order_by("financial_year", "quarter", "initiative__reference")
        )

    @extend_schema(
        request=serializers.ActualCreateInput,
        responses={201: serializers.ActualOutput, 400: ErrorOutput, 403: ErrorOutput, 409: ErrorOutput},
        description="A new draft actual. If the initiative already has one for the quarter, 409: update that.",
    )
    def create(self, request, *args, **kwargs):
        params = serializers.ActualCreateInput(data=request.data)
        params.fields["initiative"].queryset = Initiative.objects.visible_to(request.user)
        params.is_valid(raise_exception=True)
        values = params.validated_data
        row = services.ActualInput(
            values["initiative"], values["actual_saving"], values["forecast_full_year"], values["commentary"]
        )
        try:
            actual = services.actual_create(
                row=row, quarter=Quarter(values["financial_year"], values["quarter"]), user=request.user
            )
        except services.ActualExists as exists:
            url = reverse("api:savings-actual-detail", args=[exists.actual.pk])
            raise Conflict(f"{exists.actual} already exists; update it at {url} with its version.") from exists
        return Response(serializers.ActualOutput(actual).data, status=status.HTTP_201_CREATED)

    def _update(self, request, params_class):
        """PUT and PATCH change the actual the URL names, and only its figures."""
        actual = self.get_object()
        params = params_class(data=request.data, context={"actual": actual})
        params.is_valid(raise_exception=True)
        values = params.validated_data
        updated = services.actual_update(
            actual=actual,
            user=request.user,
            version=values["version"],
            actual_saving=values.get("actual_saving"),
            forecast_full_year=values.get("forecast_full_year"),
            commentary=values.get("commentary"),
        )
        return Response(serializers.ActualOutput(updated).data)

    @extend_schema(request=serializers.ActualUpdateInput, responses=UPDATE_RESPONSES)
    def update(self, request, *args, **kwargs):
        return self._update(request, serializers.ActualUpdateInput)

    @extend_schema(request=serializers.ActualPatchInput, responses=UPDATE_RESPONSES)
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, serializers.ActualPatchInput)

    @extend_schema(request=serializers.ReviewedVersionInput, responses=UPDATE_RESPONSES)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        params = serializers.ReviewedVersionInput(data=request.data)
        params.is_valid(raise_exception=True)
        version = params.validated_data.get("version")
        actual = self.get_object()
        services.actuals_submit(
            actuals=[actual], user=request.user, versions={actual.pk: version} if version is not None else None
        )
        actual.refresh_from_db()
        return Response(serializers.ActualOutput(actual).data)

    @extend_schema(request=serializers.ReviewedVersionInput, responses=UPDATE_RESPONSES)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        params = serializers.ReviewedVersionInput(data=request.data)
        params.is_valid(raise_exception=True)
        actual = services.actual_approve(
            actual=self.get_object(), user=request.user, expected_version=params.validated_data.get("version")
        )
        return Response(serializers.ActualOutput(actual).data)

    @extend_schema(request=serializers.ReturnInput, responses=UPDATE_RESPONSES)
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_changes(self, request, pk=None):
        params = serializers.ReturnInput(data=request.data)
        params.is_valid(raise_exception=True)
        actual = services.actual_return(
            actual=self.get_object(),
            user=request.user,
            reason=params.validated_data["reason"],
            expected_version=params.validated_data.get("version"),
        )
        return Response(serializers.ActualOutput(actual).data)


class QuarterCloseView(APIView):
    """Close a quarter (finance): every actual in it must be approved; it is then locked."""

    @extend_schema(
        request=serializers.QuarterCloseInput,
        responses={
            201: serializers.QuarterCloseInput,
            400: ErrorOutput,
            403: ErrorOutput,
            404: ErrorOutput,
            409: ErrorOutput,
        },
    )
    def post(self, request):
        params = serializers.QuarterCloseInput(data=request.data)
        params.is_valid(raise_exception=True)
        quarter = Quarter(params.validated_data["financial_year"], params.validated_data["quarter"])
        services.quarter_close(plan=_current_plan(), quarter=quarter, user=request.user)
        return Response(params.data, status=status.HTTP_201_CREATED)


class QuarterReopenView(APIView):
    """Reopen a closed quarter (finance): only a user other than the one who closed it, with a
    reason; its figures can then be changed and approved again, and it is closed again with
    quarters/close/."""

    @extend_schema(
        request=serializers.QuarterReopenInput,
        responses={
            200: serializers.QuarterReopenOutput,
            400: ErrorOutput,
            403: ErrorOutput,
            404: ErrorOutput,
        },
    )
    def post(self, request):
        params = serializers.QuarterReopenInput(data=request.data)
        params.is_valid(raise_exception=True)
        quarter = Quarter(params.validated_data["financial_year"], params.validated_data["quarter"])
        closure = services.quarter_reopen(
            plan=_current_plan(), quarter=quarter, user=request.user, reason=params.validated_data["reason"]
        )
        return Response(serializers.QuarterReopenOutput(closure).data)


class QuarterDecideView(APIView):
    """Approve and return many submitted figures of a quarter at once (finance), each from the
    version you reviewed. Maker-checker applies to every row; every refusal names its row
    (`decisions[i].field`), and then nothing is recorded. A stale version is a 409."""

    @extend_schema(
        request=serializers.QuarterDecideInput,
        responses={
            200: serializers.QuarterDecideOutput,
            400: ErrorOutput,
            403: ErrorOutput,
            404: ErrorOutput,
            409: ErrorOutput,
        },
    )
    def post(self, request):
        params = serializers.QuarterDecideInput(data=request.data)
        params.is_valid(raise_exception=True)
        values = params.validated_data
        quarter = Quarter(values["financial_year"], values["quarter"])
        decisions = values["decisions"]
        try:
            decided = services.actuals_decide(
                plan=_current_plan(),
                quarter=quarter,
                user=request.user,
                approve={d["initiative"]: d["version"] for d in decisions if d["decision"] == "approve"},
                returns={d["initiative"]: (d["version"], d["reason"]) for d in decisions if d["decision"] == "return"},
            )
        except DjangoValidationError as refused:
            raise _by_position(refused, [d["initiative"] for d in decisions]) from refused
        return Response(
            serializers.QuarterDecideOutput(
                {
                    "financial_year": values["financial_year"],
                    "quarter": values["quarter"],
                    "approved": decided.approved,
                    "returned": decided.returned,
                }
            ).data
        )


def _by_position(refused: DjangoValidationError, references: list[str]) -> DjangoValidationError:
    """The service names a row by its initiative ("SAV-DC.reason"); the request by its place in
    `decisions` ("decisions[0].reason"). The same refusal (and the same kind: a conflict stays one)."""
    position = {reference: index for index, reference in enumerate(references)}
    errors = {}
    for key, messages in refused.message_dict.items():
        reference, _, field = key.partition(".")
        name = f"decisions[{position[reference]}].{field}" if field and reference in position else key
        errors.setdefault(name, []).extend(messages)
    return type(refused)(errors)
