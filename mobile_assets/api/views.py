from datetime import date

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from mobile_assets import io, selectors, services
from mobile_assets.api import serializers
from mobile_assets.filters import DeviceFilter, DeviceModelFilter, UsageFilter
from mobile_assets.models import (
    BenefitRule,
    Capability,
    Device,
    DeviceModel,
    DeviceType,
    HourlyCost,
    OrganisationalUnit,
    RolloutPlanLine,
    UsageStatistic,
    Vehicle,
)
from mps_ict.api.errors import ErrorOutput
from mps_ict.api.serializers import AsAtInput, as_at_moment
from mps_ict.api.views import IMPORT_RESPONSES, ImportView


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


# --- Estate reference data: the asset manager's writes (issue 14 parts 2 and 3) -----------------------
# The same services as the pages: 400 naming the field, 403 for a reader, 409 for a stale version or
# a record that already exists. Nothing is deleted: retire/ and reinstate/ instead.

WRITE_RESPONSES = {400: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput}


class _ReferenceWrites:
    """create (POST on the list) and partial_update (PATCH on a record) through a service; each
    subclass names its serializers and services."""

    output: type
    create_input: type
    patch_input: type
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create_record(self, user, data):
        raise NotImplementedError

    def update_record(self, record, user, data):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        params = self.create_input(data=request.data)
        params.is_valid(raise_exception=True)
        record = self.create_record(request.user, params.validated_data)
        return Response(self.output(record).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        params = self.patch_input(data=request.data)
        params.is_valid(raise_exception=True)
        record = self.update_record(self.get_object(), request.user, params.validated_data)
        return Response(self.output(record).data)


class _Retirable:
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        params = serializers.RetireInput(data=request.data)
        params.is_valid(raise_exception=True)
        record = services.reference_retire(record=self.get_object(), user=request.user, **params.validated_data)
        return Response(self.output(record).data)

    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        params = serializers.ReinstateInput(data=request.data)
        params.is_valid(raise_exception=True)
        record = services.reference_reinstate(record=self.get_object(), user=request.user, **params.validated_data)
        return Response(self.output(record).data)


def _write_schema(output, create_input, patch_input, retirable=True):
    views = {
        "create": extend_schema(request=create_input, responses={201: output, **WRITE_RESPONSES}),
        "partial_update": extend_schema(request=patch_input, responses={200: output, **WRITE_RESPONSES}),
    }
    if retirable:
        views["retire"] = extend_schema(request=serializers.RetireInput, responses={200: output, **WRITE_RESPONSES})
        views["reinstate"] = extend_schema(
            request=serializers.ReinstateInput, responses={200: output, **WRITE_RESPONSES}
        )
    return extend_schema_view(**views)


@_write_schema(serializers.CapabilityOutput, serializers.CapabilityCreateInput, serializers.CapabilityPatchInput)
class CapabilityViewSet(_ReferenceWrites, _Retirable, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Capabilities (retired ones too, flagged). The mobile team add, rename, retire and reinstate them."""

    queryset = Capability.objects.order_by("name")
    serializer_class = output = serializers.CapabilityOutput
    create_input, patch_input = serializers.CapabilityCreateInput, serializers.CapabilityPatchInput
    export_filename = "capabilities"

    def create_record(self, user, data):
        return services.capability_create(user=user, **data)

    def update_record(self, record, user, data):
        return services.capability_update(capability=record, user=user, **data)


@_write_schema(serializers.DeviceTypeRecordOutput, serializers.DeviceTypeCreateInput, serializers.DeviceTypePatchInput)
class DeviceTypeRecordViewSet(_ReferenceWrites, _Retirable, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Device types as records (retired ones too, flagged): the mobile team add, change, retire and
    reinstate them. Their device counts are GET /device-types/."""

    queryset = DeviceType.objects.prefetch_related("capabilities").order_by("name")
    serializer_class = output = serializers.DeviceTypeRecordOutput
    create_input, patch_input = serializers.DeviceTypeCreateInput, serializers.DeviceTypePatchInput
    export_filename = "device-type-records"

    def create_record(self, user, data):
        return services.device_type_create(user=user, **data)

    def update_record(self, record, user, data):
        return services.device_type_update(device_type=record, user=user, **data)


@_write_schema(serializers.DeviceModelOutput, serializers.DeviceModelCreateInput, serializers.DeviceModelPatchInput)
class DeviceModelViewSet(_ReferenceWrites, _Retirable, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Device models (retired ones too, flagged): a model added here is accepted by the register.
    `contract` is the reference of the contract it is under (null: none recorded, or one you may
    not see); filter with `?contract=<reference>`."""

    queryset = DeviceModel.objects.all()
    serializer_class = output = serializers.DeviceModelOutput
    filterset_class = DeviceModelFilter
    create_input, patch_input = serializers.DeviceModelCreateInput, serializers.DeviceModelPatchInput
    export_filename = "device-models"

    def get_queryset(self):
        return selectors.device_model_list(user=self.request.user)

    def _with_contract(self, user, data):
        if "contract" in data:
            data = {**data, "contract": services.contract_by_reference(user=user, reference=data["contract"])}
        return data

    def create_record(self, user, data):
        record = services.device_model_create(user=user, **self._with_contract(user, data))
        return self.get_queryset().get(pk=record.pk)

    def update_record(self, record, user, data):
        record = services.device_model_update(device_model=record, user=user, **self._with_contract(user, data))
        return self.get_queryset().get(pk=record.pk)


@_write_schema(serializers.UnitOutput, serializers.UnitCreateInput, serializers.UnitPatchInput)
class UnitViewSet(_ReferenceWrites, _Retirable, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Boroughs and OCUs (retired ones too, flagged)."""

    queryset = OrganisationalUnit.objects.order_by("name")
    serializer_class = output = serializers.UnitOutput
    create_input, patch_input = serializers.UnitCreateInput, serializers.UnitPatchInput
    export_filename = "units"

    def create_record(self, user, data):
        return services.unit_create(user=user, **data)

    def update_record(self, record, user, data):
        return services.unit_update(unit=record, user=user, **data)


@_write_schema(serializers.VehicleOutput, serializers.VehicleCreateInput, serializers.VehiclePatchInput)
class VehicleViewSet(_ReferenceWrites, _Retirable, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Vehicles terminals are fitted to (retired ones too, flagged)."""

    queryset = Vehicle.objects.select_related("unit").order_by("fleet_number")
    serializer_class = output = serializers.VehicleOutput
    create_input, patch_input = serializers.VehicleCreateInput, serializers.VehiclePatchInput
    export_filename = "vehicles"

    def create_record(self, user, data):
        return services.vehicle_create(user=user, **data)

    def update_record(self, record, user, data):
        return services.vehicle_update(vehicle=record, user=user, **data)


@_write_schema(
    serializers.BenefitRuleOutput,
    serializers.BenefitRuleCreateInput,
    serializers.BenefitRulePatchInput,
    retirable=False,
)
class BenefitRuleViewSet(_ReferenceWrites, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Benefit rules, effective-dated. POST sets a rule from a month (the one in force ends the month
    before, keeping its months); PATCH corrects a rule's minutes. The months touched are recomputed."""

    queryset = BenefitRule.objects.select_related("transaction_type").order_by(
        "transaction_type__code", "role", "effective_from"
    )
    serializer_class = output = serializers.BenefitRuleOutput
    create_input, patch_input = serializers.BenefitRuleCreateInput, serializers.BenefitRulePatchInput
    export_filename = "benefit-rules"

    def create_record(self, user, data):
        return services.benefit_rule_set(user=user, **data)

    def update_record(self, record, user, data):
        return services.benefit_rule_update(rule=record, user=user, **data)


@_write_schema(
    serializers.HourlyCostOutput, serializers.HourlyCostCreateInput, serializers.HourlyCostPatchInput, retirable=False
)
class HourlyCostViewSet(_ReferenceWrites, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """What an hour of each role costs per financial year; a change recomputes the year's months."""

    queryset = HourlyCost.objects.order_by("financial_year", "role")
    serializer_class = output = serializers.HourlyCostOutput
    create_input, patch_input = serializers.HourlyCostCreateInput, serializers.HourlyCostPatchInput
    export_filename = "hourly-costs"

    def create_record(self, user, data):
        return services.hourly_cost_set(user=user, **data)

    def update_record(self, record, user, data):
        return services.hourly_cost_set(user=user, role=record.role, financial_year=record.financial_year, **data)


@_write_schema(
    serializers.RolloutLineOutput,
    serializers.RolloutLineCreateInput,
    serializers.RolloutLinePatchInput,
    retirable=False,
)
class RolloutLineViewSet(_ReferenceWrites, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The rollout plan's lines (devices of a type planned for a month). What was deployed is not
    typed: GET /rollout/ counts it from the register."""

    queryset = RolloutPlanLine.objects.select_related("device_type").order_by("month", "device_type__code")
    serializer_class = output = serializers.RolloutLineOutput
    create_input, patch_input = serializers.RolloutLineCreateInput, serializers.RolloutLinePatchInput
    export_filename = "rollout-plan"

    def create_record(self, user, data):
        return services.rollout_line_set(user=user, **data)

    def update_record(self, record, user, data):
        return services.rollout_line_set(user=user, device_type=record.device_type, month=record.month, **data)


# --- Usage uploads with their completeness (issue 14 part 5) ------------------------------------------


class UsageUploadView(APIView):
    """Replace a month's usage with the rows given (the upload page's service, all or nothing). Rows
    that lack a unit or transaction type the last complete month had are refused (400 on
    `confirm_incomplete`, naming what is missing) unless `confirm_incomplete` is true."""

    @extend_schema(
        request=serializers.UsageUploadInput,
        responses={201: serializers.UsageUploadOutput, 400: ErrorOutput, 403: ErrorOutput},
    )
    def post(self, request):
        params = serializers.UsageUploadInput(data=request.data)
        params.is_valid(raise_exception=True)
        month = params.validated_data["month"]
        rows = services.usage_rows_from_names(rows=params.validated_data["rows"])
        saved = services.usage_replace_month(
            month=month,
            rows=rows,
            user=request.user,
            reason=f"Usage upload for {month:%B %Y} (API)",
            confirm_incomplete=params.validated_data["confirm_incomplete"],
        )
        coverage = selectors.usage_upload_coverage(
            month=month,
            units={row.unit.name for row in rows},
            transaction_types={row.transaction_type.name for row in rows},
        )
        output = {"month": month, "saved": saved, "coverage": coverage}
        return Response(serializers.UsageUploadOutput(output).data, status=status.HTTP_201_CREATED)


# --- Uploads through the import engine, as the pages take them (issue 15) ----------------------------


class DevicesImportView(ImportView):
    """The device register from a workbook or CSV, read as its upload page reads it: with
    dry_run=true the preview (the sheet and header row read, each device as it would be and as it
    is, every error by row and column); without it, written all or nothing; with the preview_id of
    a dry run, exactly that preview, or nothing if a device changed since (409 naming the row, the
    new value and who changed it). A change of status goes through the device page's rules."""

    input_serializer = serializers.DevicesImportInput

    def preview(self, request, params):
        return io.devices_preview(upload=params["file"], user=request.user, sheet=params.get("sheet") or None)

    def confirm(self, request, params, preview_id) -> int:
        created, updated = services.devices_confirm(
            preview_id=preview_id, user=request.user, reason="Device register upload (API)"
        )
        return created + updated

    @extend_schema(request={"multipart/form-data": serializers.DevicesImportInput}, responses=IMPORT_RESPONSES)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class UsageImportView(ImportView):
    """A month's usage from a workbook or CSV, read as its upload page reads it: with dry_run=true
    the preview (each unit and transaction type's count beside the count held, what the month would
    cover and the figures held that the file lacks); without it, the month replaced all or nothing;
    with the preview_id of a dry run, exactly that preview, or nothing if the month's usage was
    replaced since (409). A file lacking a unit or transaction type of the last complete month is
    saved only with confirm_incomplete=true (else 400 naming confirm_incomplete)."""

    input_serializer = serializers.UsageImportInput
    _preview = None

    def preview(self, request, params):
        self._preview = io.usage_preview(
            upload=params["file"], month=params["month"], user=request.user, sheet=params.get("sheet") or None
        )
        return self._preview

    def confirm(self, request, params, preview_id) -> int:
        kept = io.kept_preview(preview_id=preview_id, kind=io.USAGE_KIND, user=request.user)
        if kept is not None and params.get("month") and kept.scope != params["month"].isoformat():
            raise ValidationError(
                {"month": f"The preview is for {date.fromisoformat(kept.scope):%B %Y}, not {params['month']:%B %Y}."}
            )
        return services.usage_confirm(
            preview_id=preview_id,
            user=request.user,
            confirm_incomplete=params["confirm_incomplete"],
            reason="Usage upload (API)",
        )

    @extend_schema(
        request={"multipart/form-data": serializers.UsageImportInput},
        responses=IMPORT_RESPONSES | {200: serializers.UsageImportOutput, 201: serializers.UsageImportOutput},
    )
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if self._preview is not None and "rows" in response.data:  # the preview's coverage beside its rows
            extra = serializers.UsageImportOutput(self._preview).data
            response.data.update({key: extra[key] for key in ("coverage", "removed") if key in extra})
        return response
