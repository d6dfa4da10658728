from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from mps_ict.api.pagination import PageNumberPagination
from mps_ict.api.serializers import AsAtInput, as_at_moment
from portfolio import selectors, services
from portfolio.api import serializers
from portfolio.filters import ProjectFilter, StatusUpdateFilter
from portfolio.models import Project, StatusUpdate


class CapitalProgrammeListView(APIView):
    """Each year's Capital Programme Budget against the managed projects, allowing for expected slippage."""

    pagination_class = PageNumberPagination
    export_filename = "capital-programmes"

    @extend_schema(
        parameters=[serializers.WhatIfInput, AsAtInput],
        responses=serializers.CapitalProgrammeOutput(many=True),
    )
    def get(self, request):
        params = serializers.WhatIfInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        what_if = params.validated_data.get("slippage_rate")
        records = selectors.records_at(as_at_moment(request))
        positions = selectors.capital_programme_positions(user=request.user, what_if_rate=what_if, records=records)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(positions, request, view=self)
        return paginator.get_paginated_response(serializers.CapitalProgrammeOutput(page, many=True).data)


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ProjectOutput
    filterset_class = ProjectFilter
    lookup_field = "code"
    export_filename = "projects"
    queryset = Project.objects.all()

    def get_queryset(self):
        return selectors.project_list(user=self.request.user)


class StatusUpdateViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Monthly status updates. The project's programme manager files them."""

    queryset = StatusUpdate.objects.all()
    serializer_class = serializers.StatusUpdateOutput
    filterset_class = StatusUpdateFilter
    export_filename = "status-updates"

    def get_queryset(self):
        return (
            StatusUpdate.objects.visible_to(self.request.user)
            .select_related("project", "submitted_by")
            .order_by("-month", "project__code")
        )

    @extend_schema(request=serializers.StatusUpdateInput, responses=serializers.StatusUpdateOutput)
    def create(self, request, *args, **kwargs):
        params = serializers.StatusUpdateInput(data=request.data)
        params.fields["project"].queryset = Project.objects.visible_to(request.user)
        params.is_valid(raise_exception=True)
        update = services.status_update_submit(user=request.user, **params.validated_data)
        return Response(serializers.StatusUpdateOutput(update).data, status=status.HTTP_201_CREATED)
