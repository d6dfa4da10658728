from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from mobile_assets import selectors
from mobile_assets.api import serializers
from mobile_assets.filters import DeviceFilter, UsageFilter
from mobile_assets.models import Device, RolloutPlanLine, UsageStatistic
from mps_ict.api.serializers import AsAtInput, as_at_moment


class DeviceTypeListView(APIView):
    """Each device type: devices by status, capabilities, and vehicles and users where reported."""

    export_filename = "device-types"

    @extend_schema(parameters=[AsAtInput], responses=serializers.DeviceTypeOutput(many=True))
    def get(self, request):
        records = selectors.records_at(as_at_moment(request))
        return Response(serializers.DeviceTypeOutput(selectors.device_types_with_counts(records), many=True).data)


class DeviceListView(generics.ListAPIView):
    """The device register. Filters: type, status, unit, assigned, q (asset tag, serial or collar)."""

    serializer_class = serializers.DeviceOutput
    filterset_class = DeviceFilter
    queryset = Device.objects.all()
    export_filename = "devices"

    def get_queryset(self):
        return selectors.device_list()


class RolloutListView(generics.ListAPIView):
    """The rollout plan month by month per type, planned against deployed (counted from the
    register: new devices of the type first issued in the month), in the month and to date."""

    serializer_class = serializers.RolloutOutput
    queryset = RolloutPlanLine.objects.all()
    export_filename = "rollout"

    def get_queryset(self):
        return selectors.rollout_progress()


class UsageListView(generics.ListAPIView):
    serializer_class = serializers.UsageOutput
    filterset_class = UsageFilter
    queryset = UsageStatistic.objects.all()
    export_filename = "usage"

    def get_queryset(self):
        return UsageStatistic.objects.select_related("unit", "transaction_type").order_by("month", "unit__code")


class BenefitsView(APIView):
    """Hours and £ of non-cashable savings per role, reported and computed, over a range of months."""

    export_filename = "mobile-benefits"

    @extend_schema(
        parameters=[serializers.BenefitsInput],
        responses=serializers.BenefitOutput(many=True),
    )
    def get(self, request):
        params = serializers.BenefitsInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = selectors.benefits(start=params.validated_data["from"], end=params.validated_data["to"])
        return Response(serializers.BenefitOutput(rows, many=True).data)
