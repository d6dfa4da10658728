from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from mps_ict.api.errors import ErrorOutput
from mps_ict.api.pagination import PageNumberPagination
from mps_ict.api.serializers import AsAtInput, as_at_moment
from portfolio import selectors, services
from portfolio.api import serializers
from portfolio.filters import BenefitFilter, MilestoneFilter, ProjectFilter, StatusUpdateFilter
from portfolio.models import Benefit, Milestone, Programme, Project, StatusUpdate

# the refusals a write may meet, in the API's one error shape (issue 14's write endpoints)
WRITE_RESPONSES = {400: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput}


class CapitalProgrammeListView(APIView):
    """Each year's Capital Programme Budget against the managed projects, allowing for expected slippage."""

    pagination_class = PageNumberPagination
    export_filename = "capital-programmes"

    @extend_schema(
        parameters=[serializers.CapitalProgrammeInput, AsAtInput],
        responses=serializers.CapitalProgrammeOutput(many=True),
        description="Each year's position, and its in-year outturn as a distribution (issue 16): P10 to P90 "
        "from 10,000 seeded draws of each live project's slippage (from its category's past planned-against-"
        "actual spend, or a prior from HM Treasury Green Book supplementary guidance on optimism bias where "
        "history is thin; projects of a category move together), the chance of overspending the budget and of "
        "underspending it by more than underspend_threshold. A what-if slippage_rate re-centres every category "
        "on that rate.",
    )
    def get(self, request):
        params = serializers.CapitalProgrammeInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        what_if = params.validated_data.get("slippage_rate")
        threshold = params.validated_data.get("underspend_threshold")
        records = selectors.records_at(as_at_moment(request))
        positions = selectors.capital_programme_positions(user=request.user, what_if_rate=what_if, records=records)
        outturns = selectors.capital_programme_outturns(
            user=request.user, what_if_rate=what_if, underspend_threshold=threshold, records=records
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(positions, request, view=self)
        output = serializers.CapitalProgrammeOutput(page, many=True, context={"outturns": outturns})
        return paginator.get_paginated_response(output.data)


# the refusals a portfolio office write may meet, in the API's one error shape (issue 14, part 1)
OFFICE_RESPONSES = {400: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput}


class ProjectViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Projects, as far as the marking lets you see them (one withheld from you is a 404 for every
    operation). The portfolio office add and change them (retire by stage), record SRO changes,
    request and decide gates, record independent assessments and set the savings they enable."""

    serializer_class = serializers.ProjectOutput
    filterset_class = ProjectFilter
    lookup_field = "code"
    export_filename = "projects"
    queryset = Project.objects.all()
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.project_list(user=self.request.user)

    # --- the portfolio office (issue 14, part 1): the same services as the pages

    def _output(self, project):
        return serializers.ProjectOutput(self.get_queryset().get(pk=project.pk)).data

    @staticmethod
    def _references(values: dict) -> dict:
        """The programme (by name) and programme manager (by username) a request names."""
        if "programme" in values:
            programme = Programme.objects.filter(name__iexact=values["programme"]).first()
            if programme is None:
                raise DjangoValidationError({"programme": f"There is no programme called {values['programme']!r}."})
            values["programme"] = programme
        if values.get("programme_manager") is not None:
            username = values["programme_manager"]
            manager = get_user_model().objects.filter(username=username).first()
            if manager is None:
                raise DjangoValidationError({"programme_manager": f"There is no user {username!r}."})
            values["programme_manager"] = manager
        return values

    @extend_schema(
        request=serializers.ProjectCreateInput, responses={201: serializers.ProjectOutput, **OFFICE_RESPONSES}
    )
    def create(self, request, *args, **kwargs):
        params = serializers.ProjectCreateInput(data=request.data)
        params.is_valid(raise_exception=True)
        project = services.project_create(user=request.user, **self._references(dict(params.validated_data)))
        return Response(self._output(project), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.ProjectPatchInput, responses={200: serializers.ProjectOutput, **OFFICE_RESPONSES}
    )
    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        params = serializers.ProjectPatchInput(data=request.data)
        params.is_valid(raise_exception=True)
        updated = services.project_update(
            project=project, user=request.user, **self._references(dict(params.validated_data))
        )
        return Response(self._output(updated))

    @extend_schema(
        request=serializers.SroChangeInput, responses={201: serializers.SroAssignmentOutput, **OFFICE_RESPONSES}
    )
    @action(detail=True, methods=["post"], url_path="sro-changes", url_name="sro-changes")
    def sro_changes(self, request, code=None):
        """A new SRO from a date: the current one's assignment ends the day before."""
        project = self.get_object()
        params = serializers.SroChangeInput(data=request.data)
        params.is_valid(raise_exception=True)
        assignment = services.sro_change(project=project, user=request.user, **params.validated_data)
        return Response(serializers.SroAssignmentOutput(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.GateRequestInput, responses={201: serializers.GateOutput, **OFFICE_RESPONSES})
    @action(detail=True, methods=["post"], url_path="gates", url_name="gates")
    def gates(self, request, code=None):
        """Request an approval gate: it waits for a decision."""
        project = self.get_object()
        params = serializers.GateRequestInput(data=request.data)
        params.is_valid(raise_exception=True)
        gate = services.gate_request(project=project, user=request.user, **params.validated_data)
        return Response(serializers.GateOutput(gate).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.GateDecideInput, responses={200: serializers.GateOutput, **OFFICE_RESPONSES})
    @action(detail=True, methods=["post"], url_path=r"gates/(?P<gate_id>[0-9]+)/decide", url_name="gate-decide")
    def gate_decide(self, request, code=None, gate_id=None):
        """Record a gate's decision and its date (not before the request)."""
        project = self.get_object()
        gate = selectors.project_gates(project=project).filter(pk=gate_id).first()
        if gate is None:
            raise NotFound(f"{project.code} has no gate {gate_id}.")
        params = serializers.GateDecideInput(data=request.data)
        params.is_valid(raise_exception=True)
        decided = services.gate_decide(gate=gate, user=request.user, **params.validated_data)
        return Response(serializers.GateOutput(decided).data)

    @extend_schema(
        request=serializers.AssessmentInput, responses={201: serializers.AssessmentOutput, **OFFICE_RESPONSES}
    )
    @action(detail=True, methods=["post"], url_path="assessments", url_name="assessments")
    def assessments(self, request, code=None):
        """Record an independent Delivery Confidence Assessment, on either scale."""
        project = self.get_object()
        params = serializers.AssessmentInput(data=request.data)
        params.is_valid(raise_exception=True)
        assessment = services.assessment_record(project=project, user=request.user, **params.validated_data)
        return Response(serializers.AssessmentOutput(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.EnablesInput, responses={200: serializers.EnablesOutput, **OFFICE_RESPONSES})
    @action(detail=True, methods=["put"], url_path="enables", url_name="enables")
    def enables(self, request, code=None):
        """Set every savings initiative the project enables (by reference), from the project's
        version you read."""
        project = self.get_object()
        params = serializers.EnablesInput(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        Initiative = Project._meta.get_field("enables").related_model
        wanted = list(Initiative.objects.visible_to(request.user).filter(reference__in=data["initiatives"]))
        unknown = sorted(set(data["initiatives"]) - {i.reference for i in wanted})
        if unknown:
            raise DjangoValidationError({"initiatives": f"No savings initiative {', '.join(unknown)}."})
        saved = services.project_enables_set(
            project=project, user=request.user, initiatives=wanted, version=data["version"], reason=data["reason"]
        )
        references = saved.enables.visible_to(request.user).order_by("reference").values_list("reference", flat=True)
        return Response(
            {"project": saved.code, "initiatives": list(references), "version": services.record_version(saved)}
        )


class StatusUpdateViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Monthly status updates. The project's programme manager files them, and amends the current
    month's (PATCH)."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    queryset = StatusUpdate.objects.all()
    serializer_class = serializers.StatusUpdateOutput
    filterset_class = StatusUpdateFilter
    export_filename = "status-updates"
    parser_classes = [JSONParser]  # JSON only: a form cannot tell an amount left empty from one left out

    def get_queryset(self):
        return (
            StatusUpdate.objects.visible_to(self.request.user)
            .select_related("project", "submitted_by", "amended_by")
            .order_by("-month", "project__code")
        )

    @extend_schema(request=serializers.StatusUpdateInput, responses=serializers.StatusUpdateOutput)
    def create(self, request, *args, **kwargs):
        params = serializers.StatusUpdateInput(data=request.data)
        params.fields["project"].queryset = Project.objects.visible_to(request.user)
        params.is_valid(raise_exception=True)
        update = services.status_update_submit(user=request.user, **params.validated_data)
        return Response(serializers.StatusUpdateOutput(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.StatusUpdateAmendInput,
        responses={200: serializers.StatusUpdateOutput, **WRITE_RESPONSES},
    )
    def partial_update(self, request, *args, **kwargs):
        """Amend the current reporting month's update (issue 14): its programme manager, with a
        reason, from the version read; the first version stays in its history."""
        update = self.get_object()
        params = serializers.StatusUpdateAmendInput(data=request.data)
        params.is_valid(raise_exception=True)
        amended = services.status_update_amend(update=update, user=request.user, **params.validated_data)
        return Response(serializers.StatusUpdateOutput(amended).data)


# --- Programme managers' project records (issue 14, part 1) ---------------------------------------
# Read by every reader (as far as the marking lets them: a benefit or milestone of a project they
# may not see is a 404, never listed); written by the project's programme manager, through the
# same services as the pages (which refuse another programme manager: 403).


class BenefitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Projects' benefits registers (`?project=<code>`), retired benefits too (`retired` says which).
    The project's programme manager adds and changes them, and retires them (retire/)."""

    serializer_class = serializers.ProjectBenefitOutput
    filterset_class = BenefitFilter
    export_filename = "benefits"
    queryset = Benefit.objects.all()
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser]  # JSON only: a form cannot say null for an empty date or value

    def get_queryset(self):
        return Benefit.objects.visible_to(self.request.user).select_related("project").order_by("project__code", "pk")

    def _output(self, benefit):
        return serializers.ProjectBenefitOutput(self.get_queryset().get(pk=benefit.pk)).data

    @extend_schema(
        request=serializers.BenefitCreateInput, responses={201: serializers.ProjectBenefitOutput, **WRITE_RESPONSES}
    )
    def create(self, request, *args, **kwargs):
        params = serializers.BenefitCreateInput(data=request.data)
        params.fields["project"].queryset = Project.objects.visible_to(request.user)
        params.is_valid(raise_exception=True)
        benefit = services.benefit_create(user=request.user, **params.validated_data)
        return Response(self._output(benefit), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.BenefitPatchInput, responses={200: serializers.ProjectBenefitOutput, **WRITE_RESPONSES}
    )
    def partial_update(self, request, *args, **kwargs):
        benefit = self.get_object()
        params = serializers.BenefitPatchInput(data=request.data)
        params.is_valid(raise_exception=True)
        updated = services.benefit_update(benefit=benefit, user=request.user, **params.validated_data)
        return Response(self._output(updated))

    @extend_schema(
        request=serializers.BenefitRetireInput, responses={200: serializers.ProjectBenefitOutput, **WRITE_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        benefit = self.get_object()
        params = serializers.BenefitRetireInput(data=request.data)
        params.is_valid(raise_exception=True)
        retired = services.benefit_retire(benefit=benefit, user=request.user, **params.validated_data)
        return Response(self._output(retired))


class MilestoneViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Projects' milestones (`?project=<code>`): baseline, forecast and achieved dates and slippage.
    The project's programme manager adds and changes them."""

    serializer_class = serializers.MilestoneOutput
    filterset_class = MilestoneFilter
    export_filename = "milestones"
    queryset = Milestone.objects.all()
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser]  # JSON only: a form cannot say null for an empty date or value

    def get_queryset(self):
        return (
            Milestone.objects.visible_to(self.request.user)
            .select_related("project")
            .order_by("project__code", "position", "baseline_date", "pk")
        )

    def _output(self, milestone):
        return serializers.MilestoneOutput(self.get_queryset().get(pk=milestone.pk)).data

    @extend_schema(
        request=serializers.MilestoneCreateInput, responses={201: serializers.MilestoneOutput, **WRITE_RESPONSES}
    )
    def create(self, request, *args, **kwargs):
        params = serializers.MilestoneCreateInput(data=request.data)
        params.fields["project"].queryset = Project.objects.visible_to(request.user)
        params.is_valid(raise_exception=True)
        milestone = services.milestone_create(user=request.user, **params.validated_data)
        return Response(self._output(milestone), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.MilestonePatchInput, responses={200: serializers.MilestoneOutput, **WRITE_RESPONSES}
    )
    def partial_update(self, request, *args, **kwargs):
        milestone = self.get_object()
        params = serializers.MilestonePatchInput(data=request.data)
        params.is_valid(raise_exception=True)
        updated = services.milestone_update(milestone=milestone, user=request.user, **params.validated_data)
        return Response(self._output(updated))


# --- The portfolio office: programmes (issue 14, part 1) ----------------------------------------


class ProgrammeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Programmes, with how many of their projects you may see. The portfolio office add them and
    change them (PATCH, from the version read)."""

    serializer_class = serializers.ProgrammeOutput
    export_filename = "programmes"
    queryset = Programme.objects.all()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.programmes(user=self.request.user).annotate(
            version=Subquery(
                Programme.history.model.objects.filter(id=OuterRef("pk"))
                .order_by("-history_id")
                .values("history_id")[:1]
            )
        )

    def _output(self, programme):
        return serializers.ProgrammeOutput(self.get_queryset().get(pk=programme.pk)).data

    @extend_schema(
        request=serializers.ProgrammeCreateInput, responses={201: serializers.ProgrammeOutput, **OFFICE_RESPONSES}
    )
    def create(self, request, *args, **kwargs):
        params = serializers.ProgrammeCreateInput(data=request.data)
        params.is_valid(raise_exception=True)
        programme = services.programme_create(user=request.user, **params.validated_data)
        return Response(self._output(programme), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.ProgrammePatchInput, responses={200: serializers.ProgrammeOutput, **OFFICE_RESPONSES}
    )
    def partial_update(self, request, *args, **kwargs):
        programme = self.get_object()
        params = serializers.ProgrammePatchInput(data=request.data)
        params.is_valid(raise_exception=True)
        updated = services.programme_update(programme=programme, user=request.user, **params.validated_data)
        return Response(self._output(updated))
