"""The savings API: the plan summary, the breakdown by type or category, and the resources.

Views parse input and call selectors or services; no business rules live here.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from mps_ict.api.errors import ErrorOutput
from mps_ict.api.fields import FINANCIAL_YEAR_SCHEMA
from mps_ict.api.renderers import tabulate
from mps_ict.api.views import IMPORT_RESPONSES, ImportView
from mps_ict.as_at import moment
from mps_ict.conflicts import Conflict
from mps_ict.financial_years import FinancialYear, Quarter
from savings import io, selectors, services
from savings.api import serializers
from savings.filters import InitiativeFilter, QuarterlyActualFilter
from savings.models import Category, Initiative, PlanVersion, QuarterlyActual, SavingsPlan


def _current_plan() -> SavingsPlan:
    plan = selectors.plan_current()
    if plan is None:
        raise Http404("No savings plan is loaded.")
    return plan


def _records_asked_for(request, plan: SavingsPlan) -> tuple[selectors.PlanRecords, selectors.VersionShown]:
    """The plan's records now, `?as_at=` a past day or `?version=` as a version was taken (the same
    replay), and which version that is; a 404 if nothing was recorded by then."""
    params = serializers.PlanMomentInput(data=request.query_params, context={"plan": plan})
    params.is_valid(raise_exception=True)
    version = params.validated_data.get("version")
    records = selectors.records_at(version.taken_at if version else moment(params.validated_data.get("as_at")))
    if not records.recorded(plan):
        by = f"version {version.name}" if version else request.query_params.get("as_at", "then")
        raise NotFound(f"Nothing recorded yet: the savings plan had no figures by {by}.")
    return records, selectors.plan_version_shown(plan=plan, version=version, at=records.at)


class SummaryView(APIView):
    """The plan at a glance: totals, targets (each with the probability of reaching it and savings
    at risk at P80), realised and forecast, and each category."""

    export_filename = "savings-summary"

    @extend_schema(
        parameters=[serializers.PlanMomentInput],
        responses={200: serializers.SummaryOutput, 400: ErrorOutput, 404: ErrorOutput},
    )
    def get(self, request):
        plan = _current_plan()
        records, shown = _records_asked_for(request, plan)
        summary = selectors.plan_summary(plan=plan, user=request.user, records=records)
        simulated = selectors.savings_target_probabilities(plan=plan, user=request.user, records=records)
        context = {"plan_version": shown, "probabilities": {result.financial_year: result for result in simulated}}
        return Response(serializers.SummaryOutput(summary, context=context).data)

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
        rows.append(["plan version", data["plan_version"]["description"], *[""] * (len(headers) - 2)])
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
            serializers.PlanMomentInput,
        ],
        responses={200: serializers.BreakdownOutput(many=True), 400: ErrorOutput, 404: ErrorOutput},
    )
    def get(self, request):
        params = serializers.BreakdownInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        plan = _current_plan()
        records, shown = _records_asked_for(request, plan)
        rows = selectors.plan_breakdown(plan=plan, by=params.validated_data["by"], user=request.user, records=records)
        year = params.validated_data.get("financial_year")
        if year is not None:
            rows = [row for row in rows if row.financial_year == year]
        return Response(serializers.BreakdownOutput(rows, many=True, context={"plan_version": shown.version}).data)


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = SavingsPlan.objects.order_by("pk")
    serializer_class = serializers.PlanOutput
    export_filename = "savings-plans"

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)


# --- Categories and initiatives: read by every reader, maintained by finance (issue 13 part 2) ---

WRITE_RESPONSES = {400: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput}


def _category_in_use(slug: str) -> Category:
    """The category a request names by slug: one of the current plan's, in use."""
    category = selectors.categories_in_use(plan=_current_plan()).filter(slug=slug).first()
    if category is None:
        raise DjangoValidationError({"category": f"There is no category {slug!r} in use in the plan."})
    return category


class CategoryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The plan's categories (withdrawn ones too, flagged). Finance add, rename or move (the slug
    stays), withdraw and reinstate them."""

    queryset = Category.objects.order_by("plan", "position")
    serializer_class = serializers.CategoryOutput
    export_filename = "savings-categories"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.categories_visible_to(self.request.user).order_by("plan", "position")

    @extend_schema(
        request=serializers.CategoryCreateInput, responses={201: serializers.CategoryOutput, **WRITE_RESPONSES}
    )
    def create(self, request, *args, **kwargs):
        params = serializers.CategoryCreateInput(data=request.data)
        params.is_valid(raise_exception=True)
        category = services.category_create(plan=_current_plan(), user=request.user, **params.validated_data)
        return Response(serializers.CategoryOutput(category).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.CategoryPatchInput, responses={200: serializers.CategoryOutput, **WRITE_RESPONSES}
    )
    def partial_update(self, request, *args, **kwargs):
        params = serializers.CategoryPatchInput(data=request.data)
        params.is_valid(raise_exception=True)
        category = services.category_update(category=self.get_object(), user=request.user, **params.validated_data)
        return Response(serializers.CategoryOutput(category).data)

    @extend_schema(request=serializers.ReasonInput, responses={200: serializers.CategoryOutput, **WRITE_RESPONSES})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        params = serializers.ReasonInput(data=request.data)
        params.is_valid(raise_exception=True)
        category = services.category_withdraw(category=self.get_object(), user=request.user, **params.validated_data)
        return Response(serializers.CategoryOutput(category).data)

    @extend_schema(request=serializers.ReasonInput, responses={200: serializers.CategoryOutput, **WRITE_RESPONSES})
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        params = serializers.ReasonInput(data=request.data)
        params.is_valid(raise_exception=True)
        category = services.category_reinstate(category=self.get_object(), user=request.user, **params.validated_data)
        return Response(serializers.CategoryOutput(category).data)


class InitiativeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The plan's initiatives, withdrawn ones too (`withdrawn` says which; `?withdrawn=false` for
    those in the plan). Finance add and change them, re-phase them (profile/), withdraw and
    reinstate them; an initiative the caller may not see is a 404 for every one of these."""

    serializer_class = serializers.InitiativeOutput
    filterset_class = InitiativeFilter
    lookup_field = "reference"
    export_filename = "savings-initiatives"
    queryset = selectors.Initiative.objects.all()
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.initiative_list(user=self.request.user)

    def _output(self, initiative):
        return serializers.InitiativeOutput(
            selectors.initiative_list(user=self.request.user).get(pk=initiative.pk)
        ).data

    @extend_schema(
        request=serializers.InitiativeCreateInput, responses={201: serializers.InitiativeOutput, **WRITE_RESPONSES}
    )
    def create(self, request, *args, **kwargs):
        params = serializers.InitiativeCreateInput(data=request.data)
        params.is_valid(raise_exception=True)
        values = dict(params.validated_data)
        values["category"] = _category_in_use(values["category"])
        initiative = services.initiative_create(user=request.user, **values)
        return Response(self._output(initiative), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.InitiativePatchInput, responses={200: serializers.InitiativeOutput, **WRITE_RESPONSES}
    )
    def partial_update(self, request, *args, **kwargs):
        initiative = self.get_object()
        params = serializers.InitiativePatchInput(data=request.data)
        params.is_valid(raise_exception=True)
        values = dict(params.validated_data)
        if "category" in values:
            values["category"] = _category_in_use(values["category"])
        updated = services.initiative_update(initiative=initiative, user=request.user, **values)
        return Response(self._output(updated))

    @extend_schema(request=serializers.ReasonInput, responses={200: serializers.InitiativeOutput, **WRITE_RESPONSES})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, reference=None):
        params = serializers.ReasonInput(data=request.data)
        params.is_valid(raise_exception=True)
        initiative = services.initiative_withdraw(
            initiative=self.get_object(), user=request.user, **params.validated_data
        )
        return Response(self._output(initiative))

    @extend_schema(request=serializers.ReasonInput, responses={200: serializers.InitiativeOutput, **WRITE_RESPONSES})
    @action(detail=True, methods=["post"])
    def reinstate(self, request, reference=None):
        params = serializers.ReasonInput(data=request.data)
        params.is_valid(raise_exception=True)
        initiative = services.initiative_reinstate(
            initiative=self.get_object(), user=request.user, **params.validated_data
        )
        return Response(self._output(initiative))

    @extend_schema(request=serializers.ProfileInput, responses={200: serializers.ProfileOutput, **WRITE_RESPONSES})
    @action(detail=True, methods=["put"], parser_classes=[JSONParser])  # rows of years: JSON only
    def profile(self, request, reference=None):
        """Set the planned saving for years of the plan in one go (errors name the row:
        `profile[i].planned_saving`, or `profile[i].financial_year` for a year outside the plan)."""
        initiative = self.get_object()
        params = serializers.ProfileInput(data=request.data)
        params.is_valid(raise_exception=True)
        rows = params.validated_data["profile"]
        try:
            updated = services.initiative_rephase(
                initiative=initiative,
                user=request.user,
                profile={row["financial_year"]: row["planned_saving"] for row in rows},
                version=params.validated_data["version"],
                reason=params.validated_data["reason"],
            )
        except DjangoValidationError as refused:
            raise _profile_rows(refused, [row["financial_year"] for row in rows]) from refused
        return Response(serializers.ProfileOutput(updated).data)


def _profile_rows(refused: DjangoValidationError, years: list) -> DjangoValidationError:
    """The service names a year ("profile.2014/15"); the request, the row ("profile[0].planned_saving",
    or "profile[0].financial_year" for a year outside the plan). The same kind of refusal."""
    position = {str(year): index for index, year in enumerate(years)}
    errors = {}
    for key, messages in refused.message_dict.items():
        year = key.removeprefix("profile.")
        if key.startswith("profile.") and year in position:
            field = "financial_year" if any("outside" in message for message in messages) else "planned_saving"
            key = f"profile[{position[year]}].{field}"
        errors.setdefault(key, []).extend(messages)
    return type(refused)(errors)


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
            .select_related("initiative__category__plan", "entered_by", "submitted_by", "decided_by")
            .order_by("financial_year", "quarter", "initiative__reference", "revision")
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

    @extend_schema(
        request=serializers.CorrectionInput,
        responses={
            201: serializers.ActualOutput,
            400: ErrorOutput,
            403: ErrorOutput,
            404: ErrorOutput,
            409: ErrorOutput,
        },
        description="Propose a correction of approved figures: a new revision (a draft, with the reason) that "
        "is submitted, and approved by a colleague, like any figures; its approval supersedes these. Only "
        "approved figures, in an open quarter; 409 if a correction of them is already open or they changed.",
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        params = serializers.CorrectionInput(data=request.data)
        params.is_valid(raise_exception=True)
        values = params.validated_data
        correction = services.actual_correct(
            actual=self.get_object(),
            user=request.user,
            reason=values["reason"],
            actual_saving=values["actual_saving"],
            forecast_full_year=values["forecast_full_year"],
            commentary=values["commentary"],
            expected_version=values["version"],
        )
        return Response(serializers.ActualOutput(correction).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.DiscardInput,
        responses={204: None, 400: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput},
        description="Discard a correction that is a draft or was returned, with a reason: the approved figures "
        "stay in force; the trail keeps the correction and the reason.",
    )
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        params = serializers.DiscardInput(data=request.data)
        params.is_valid(raise_exception=True)
        services.actual_correction_discard(
            actual=self.get_object(),
            user=request.user,
            reason=params.validated_data["reason"],
            expected_version=params.validated_data.get("version"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={200: serializers.TrailEntryOutput(many=True), 404: ErrorOutput},
        description="The trail of this actual's initiative and quarter, newest first: every revision's steps "
        "(entered, changed, submitted, returned, approved; corrections proposed, approved, returned, discarded) "
        "and the quarter's closings and reopenings, who (by name), when, why, before and after in pounds.",
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def trail(self, request, pk=None):
        actual = self.get_object()
        entries = selectors.actual_trail(
            plan=actual.initiative.category.plan, initiative=actual.initiative, quarter=actual.period
        )
        return Response(serializers.TrailEntryOutput(entries, many=True).data)

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


# --- The plan's interim targets (issue 13 part 2) ------------------------------------------------


TARGET_YEAR = OpenApiParameter(
    "financial_year", FINANCIAL_YEAR_SCHEMA, OpenApiParameter.PATH, description="The target's year, e.g. 2014-15"
)


@extend_schema_view(retrieve=extend_schema(parameters=[TARGET_YEAR]))
class TargetViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """The plan's interim targets by year ("2014-15" in the URL). Whole-plan figures: given only to
    a reader from whom no initiative is withheld (else the list is empty). Finance set, change and
    remove them (with a reason)."""

    serializer_class = serializers.PlanTargetOutput
    lookup_field = "financial_year"
    lookup_value_regex = r"[^/]+"
    export_filename = "savings-targets"
    queryset = selectors.PlanTarget.objects.all()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.targets_given_to(plan=_current_plan(), user=self.request.user)

    def get_object(self):
        try:
            year = FinancialYear.parse(self.kwargs["financial_year"])
        except ValueError as error:
            raise NotFound(str(error)) from error
        target = self.get_queryset().filter(financial_year=year).first()
        if target is None:
            raise NotFound(f"The plan has no target for {year}.")
        return target

    @extend_schema(
        request=serializers.TargetCreateInput, responses={201: serializers.PlanTargetOutput, **WRITE_RESPONSES}
    )
    def create(self, request, *args, **kwargs):
        params = serializers.TargetCreateInput(data=request.data)
        params.is_valid(raise_exception=True)
        target = services.target_set(plan=_current_plan(), user=request.user, **params.validated_data)
        return Response(serializers.PlanTargetOutput(target).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[TARGET_YEAR],
        request=serializers.TargetPatchInput,
        responses={200: serializers.PlanTargetOutput, **WRITE_RESPONSES},
    )
    def partial_update(self, request, *args, **kwargs):
        target = self.get_object()
        params = serializers.TargetPatchInput(data=request.data)
        params.is_valid(raise_exception=True)
        values = params.validated_data
        updated = services.target_set(
            plan=target.plan,
            financial_year=target.financial_year,
            cumulative_target=values.get("cumulative_target", target.cumulative_target),
            source=values.get("source"),
            version=values["version"],
            user=request.user,
            reason=values["reason"],
        )
        return Response(serializers.PlanTargetOutput(updated).data)

    @extend_schema(parameters=[TARGET_YEAR, serializers.TargetRemoveInput], responses={204: None, **WRITE_RESPONSES})
    def destroy(self, request, *args, **kwargs):
        """Remove the target: `?reason=` (why, kept in the history) and `?version=` (the one you read)."""
        target = self.get_object()
        params = serializers.TargetRemoveInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        services.target_remove(target=target, user=request.user, **params.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Plan versions (issue 13 part 3) --------------------------------------------------------------


class PlanVersionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The savings plan's versions: named, dated moments of the plan, read back from the audit
    trail. Finance take one (POST: the plan as it stands now) and rename it or change its note
    (PATCH); versions are never deleted. `compare/` sets two side by side."""

    serializer_class = serializers.PlanVersionOutput
    export_filename = "savings-plan-versions"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = PlanVersion.objects.all()

    def get_queryset(self):
        plan = selectors.plan_current()
        return selectors.plan_versions(plan=plan) if plan else PlanVersion.objects.none()

    @extend_schema(
        request=serializers.PlanVersionTakeInput,
        responses={201: serializers.PlanVersionOutput, 400: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput},
        description="Take the plan as it stands now as a version, named uniquely and dated today or earlier.",
    )
    def create(self, request, *args, **kwargs):
        params = serializers.PlanVersionTakeInput(data=request.data)
        params.is_valid(raise_exception=True)
        version = services.plan_version_take(plan=_current_plan(), user=request.user, **params.validated_data)
        return Response(serializers.PlanVersionOutput(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.PlanVersionChangeInput,
        responses={200: serializers.PlanVersionOutput, 400: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput},
        description="Rename a version or change its note; what it is a version of never changes.",
    )
    def partial_update(self, request, *args, **kwargs):
        version = self.get_object()
        params = serializers.PlanVersionChangeInput(data=request.data)
        params.is_valid(raise_exception=True)
        updated = services.plan_version_update(version=version, user=request.user, **params.validated_data)
        return Response(serializers.PlanVersionOutput(updated).data)

    @extend_schema(
        parameters=[serializers.VersionCompareInput],
        responses={200: serializers.PlanComparisonOutput, 400: ErrorOutput, 404: ErrorOutput},
        description="Two moments of the plan side by side, the earlier first: each initiative you may see "
        "(added, withdrawn, changed or unchanged, with its planned saving per year in each and the "
        "difference), the planned saving by savings type per year, and the changes recorded between them "
        "with who made them and why.",
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def compare(self, request):
        plan = _current_plan()
        params = serializers.VersionCompareInput(data=request.query_params, context={"plan": plan})
        params.is_valid(raise_exception=True)
        comparison = selectors.plan_compare(plan=plan, user=request.user, **params.validated_data)
        return Response(serializers.PlanComparisonOutput(comparison).data)

    def export_table(self, data):
        """`?format=csv|xlsx`: the comparison as one table (a row per initiative and year, per
        savings type and year, and per change); the list as every list is."""
        if self.action != "compare":
            return tabulate(data)
        headers = ["table", "initiative", "status", "savings_type", "financial_year", "before", "after", "difference"]
        headers += ["when", "who", "change", "reason"]
        blank = ["", "", "", ""]
        rows = [
            [
                "initiative",
                i["reference"],
                i["status"],
                (i["after"] or i["before"])["savings_type"],
                y["financial_year"],
                y["before"],
                y["after"],
                y["difference"],
                *blank,
            ]
            for i in data["initiatives"]
            for y in i["years"]
        ]
        rows += [
            [
                "savings type",
                "",
                "",
                t["savings_type"] or "total",
                t["financial_year"],
                t["before"],
                t["after"],
                t["difference"],
                *blank,
            ]
            for t in [*data["by_savings_type"], *data["totals"]]
        ]
        rows += [
            [
                "change",
                c["reference"],
                "",
                "",
                "",
                "",
                "",
                "",
                c["when"],
                c["who"],
                "; ".join(c["changes"]),
                c["reason"],
            ]
            for c in data["changes"]
        ]
        return headers, rows


class ActualsImportView(ImportView):
    """A quarter's actuals from a workbook or CSV, read as the upload page reads it: with
    dry_run=true the preview (the sheet and header row read, each row's figures as interpreted and
    what they replace, every error by row and column); without it, written as drafts all or
    nothing; with the preview_id of a dry run, exactly that preview, or nothing if a row changed
    since (409 naming the row, the new figures and who changed them)."""

    input_serializer = serializers.ActualsImportInput

    def _quarter(self, params) -> Quarter:
        plan, quarter = _current_plan(), params["quarter"]
        if quarter.financial_year not in selectors.plan_year_range(plan=plan):
            raise DjangoValidationError({"quarter": f"{quarter} is outside the plan's years."})
        return quarter

    def preview(self, request, params):
        return io.actuals_preview(
            upload=params["file"],
            plan=_current_plan(),
            quarter=self._quarter(params),
            user=request.user,
            sheet=params.get("sheet") or None,
        )

    def confirm(self, request, params, preview_id) -> int:
        quarter = self._quarter(params)
        return services.actuals_confirm(
            preview_id=preview_id,
            plan=_current_plan(),
            quarter=quarter,
            user=request.user,
            reason=f"Spreadsheet upload for {quarter} (API)",
        )

    @extend_schema(request={"multipart/form-data": serializers.ActualsImportInput}, responses=IMPORT_RESPONSES)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class InitiativesImportView(ImportView):
    """The plan's initiatives and their phasing from a workbook or CSV, as the upload page reads it:
    each row's changes (a blank cell changes nothing) and new initiatives for new references. With
    dry_run=true the preview; without it, written all or nothing; with the preview_id of a dry run,
    exactly that preview, or nothing if an initiative changed since (409)."""

    input_serializer = serializers.InitiativesImportInput

    def preview(self, request, params):
        return io.initiatives_preview(
            upload=params["file"], plan=_current_plan(), user=request.user, sheet=params.get("sheet") or None
        )

    def confirm(self, request, params, preview_id) -> int:
        return services.initiatives_confirm(
            preview_id=preview_id, plan=_current_plan(), user=request.user, reason="Initiatives upload (API)"
        )

    @extend_schema(request={"multipart/form-data": serializers.InitiativesImportInput}, responses=IMPORT_RESPONSES)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
