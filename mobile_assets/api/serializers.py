import re
from datetime import date

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mobile_assets import selectors
from mobile_assets.choices import BenefitRole
from mobile_assets.models import (
    BenefitRule,
    Capability,
    Device,
    DeviceModel,
    DeviceType,
    HourlyCost,
    OrganisationalUnit,
    RolloutPlanLine,
    TransactionType,
    UsageStatistic,
    Vehicle,
)
from mps_ict.api.fields import FinancialYearField, MoneyField, MonthField
from mps_ict.api.serializers import ImportInput, ImportPreviewOutput, Input


class DeviceTypeOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    total = serializers.IntegerField(help_text="Devices in the register")
    by_status = serializers.SerializerMethodField()
    capabilities = serializers.SerializerMethodField()
    reported_count = serializers.IntegerField(allow_null=True)
    vehicles_fitted = serializers.IntegerField(allow_null=True)
    supported_users = serializers.IntegerField(allow_null=True)

    def get_by_status(self, device_type) -> dict:
        return selectors.by_status(device_type)

    def get_capabilities(self, device_type) -> list[str]:
        return [capability.name for capability in device_type.capabilities.all()]


class DeviceOutput(serializers.ModelSerializer):
    type = serializers.CharField(source="model.device_type.code")
    model = serializers.CharField(source="model.__str__")
    unit = serializers.CharField(source="unit.code", default=None)
    assigned_to = serializers.SerializerMethodField()
    purchase_cost = MoneyField(allow_null=True)

    class Meta:
        model = Device
        fields = [
            "asset_tag",
            "serial_number",
            "type",
            "model",
            "status",
            "unit",
            "assigned_to",
            "purchase_date",
            "purchase_cost",
            "warranty_end",
            "is_illustrative",
        ]

    def get_assigned_to(self, device) -> str | None:
        current = getattr(device, "current_assignments", [])
        return current[0].holder if current else None


class RolloutOutput(serializers.Serializer):
    """A month of the rollout of a type: planned against deployed (counted from the register)."""

    device_type = serializers.CharField()
    device_type_code = serializers.CharField()
    month = serializers.DateField(help_text="First day of the month")
    planned = serializers.IntegerField(help_text="Devices planned (0 where the month has no plan line)")
    deployed = serializers.IntegerField(
        help_text="New devices of the type first issued in the month, counted from the register (never typed)"
    )
    planned_to_date = serializers.IntegerField()
    deployed_to_date = serializers.IntegerField()
    line_id = serializers.IntegerField(allow_null=True, help_text="The plan line, to change it; null if none")


class UsageOutput(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code")
    transaction_type = serializers.CharField(source="transaction_type.code")

    class Meta:
        model = UsageStatistic
        fields = ["month", "unit", "transaction_type", "count", "is_illustrative"]


class BenefitsInput(serializers.Serializer):
    from_ = MonthField(required=False, help_text="First month, e.g. 2012-09")
    to = MonthField(required=False, help_text="Last month, e.g. 2013-02")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs):
        # Without one end, the range runs from 2000 or to 2100, or to (from) the month given.
        start = attrs.get("from") or min(date(2000, 1, 1), attrs.get("to") or date(2000, 1, 1))
        end = attrs.get("to") or max(date(2100, 12, 1), start)
        if end < start:
            raise serializers.ValidationError({"to": "The end month is before the start month."})
        return {"from": start, "to": end}


class BenefitOutput(serializers.Serializer):
    role = serializers.CharField()
    label = serializers.CharField()
    hours = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount = MoneyField()
    source = serializers.CharField()


# --- Estate reference data: the asset manager's writes (issue 14 part 2) -------------------------------
# Records are named by their codes (a type, unit, capability or transaction) in inputs; every change
# gives back the version read (409 if stale); nothing is deleted: retire/ and reinstate/ instead.


MINUTES_PATTERN = r"^\d{1,5}(?:\.\d{1,2})?$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": MINUTES_PATTERN, "example": "7.50"})
class MinutesField(serializers.DecimalField):
    """Minutes saved per transaction as a decimal string, 0 or more: "7.50"."""

    default_error_messages = {"format": 'Write the minutes like "7.50" (a string), not {value!r}.'}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 7)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("help_text", "Minutes of the role's time one transaction saves")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(MINUTES_PATTERN, data):
            self.fail("format", value=data)
        return super().to_internal_value(data)


def _codes(model, many=False, **kwargs):
    if many:  # a JSON list of codes
        return serializers.ListField(child=_codes(model), **kwargs)
    return serializers.SlugRelatedField(slug_field="code", queryset=model.objects.all(), **kwargs)


def _reason():
    return serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


def _version():
    return serializers.IntegerField(min_value=1, help_text="The version you read; 409 if it changed since")


class ReferenceOutput(serializers.ModelSerializer):
    retired = serializers.SerializerMethodField(
        help_text="Retired: kept on the records that name it, no longer offered"
    )

    def get_retired(self, record) -> bool:
        return record.retired_at is not None


class CapabilityOutput(ReferenceOutput):
    class Meta:
        model = Capability
        fields = ["id", "code", "name", "retired", "retired_at", "version"]


class CapabilityCreateInput(Input):
    code = serializers.CharField(max_length=40, help_text="Letters, numbers and hyphens; stays when renamed")
    name = serializers.CharField(max_length=120)
    reason = _reason()


class CapabilityPatchInput(Input):
    name = serializers.CharField(max_length=120, required=False)
    reason = _reason()
    version = _version()

    partial = property(lambda self: False, lambda self, value: None)  # the schema: version required


class DeviceTypeRecordOutput(ReferenceOutput):
    capabilities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = DeviceType
        fields = ["id", "code", "name", "description", "capabilities", "retired", "retired_at", "version"]


class DeviceTypeCreateInput(Input):
    code = serializers.CharField(max_length=40, help_text="Letters, numbers and hyphens; stays when renamed")
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    capabilities = _codes(Capability, many=True, required=False, default=list, help_text="Capability codes")
    reason = _reason()


class DeviceTypePatchInput(Input):
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    capabilities = _codes(Capability, many=True, required=False, help_text="Capability codes (replaces them)")
    reason = _reason()
    version = _version()

    partial = property(lambda self: False, lambda self, value: None)  # the schema: version required


class DeviceModelOutput(ReferenceOutput):
    device_type = serializers.CharField(source="device_type.code")
    capabilities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    contract = serializers.SerializerMethodField(
        help_text="The reference of the contract it is under; null when none is recorded (or you may not see it)"
    )

    class Meta:
        model = DeviceModel
        fields = [
            "id",
            "device_type",
            "manufacturer",
            "name",
            "capabilities",
            "contract",
            "is_illustrative",
            "retired",
            "retired_at",
            "version",
        ]

    def get_contract(self, device_model) -> str | None:
        # the contract as the selector fetched it: None where `user` may not see it
        return device_model.contract.reference if device_model.contract else None


def _contract_reference():
    return serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The reference of a contract in force, for example MOB-2012; null or blank for none",
    )


class DeviceModelCreateInput(Input):
    device_type = _codes(DeviceType, help_text="The device type's code")
    manufacturer = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=120)
    capabilities = _codes(Capability, many=True, required=False, default=list, help_text="Capability codes")
    contract = _contract_reference()
    reason = _reason()


class DeviceModelPatchInput(Input):
    manufacturer = serializers.CharField(max_length=80, required=False, allow_blank=True)
    name = serializers.CharField(max_length=120, required=False)
    capabilities = _codes(Capability, many=True, required=False, help_text="Capability codes (replaces them)")
    contract = _contract_reference()
    reason = _reason()
    version = _version()

    partial = property(lambda self: False, lambda self, value: None)  # the schema: version required


class UnitOutput(ReferenceOutput):
    class Meta:
        model = OrganisationalUnit
        fields = ["id", "code", "name", "retired", "retired_at", "version"]


class UnitCreateInput(Input):
    code = serializers.CharField(max_length=20, help_text="Letters, numbers and hyphens; stays when renamed")
    name = serializers.CharField(max_length=120)
    reason = _reason()


class UnitPatchInput(Input):
    name = serializers.CharField(max_length=120, required=False)
    reason = _reason()
    version = _version()

    partial = property(lambda self: False, lambda self, value: None)  # the schema: version required


class VehicleOutput(ReferenceOutput):
    unit = serializers.CharField(source="unit.code")

    class Meta:
        model = Vehicle
        fields = ["id", "fleet_number", "unit", "is_illustrative", "retired", "retired_at", "version"]


class VehicleCreateInput(Input):
    fleet_number = serializers.CharField(max_length=20)
    unit = _codes(OrganisationalUnit, help_text="The borough or OCU's code")
    reason = _reason()


class VehiclePatchInput(Input):
    unit = _codes(OrganisationalUnit, required=False, help_text="The borough or OCU's code")
    reason = _reason()
    version = _version()

    partial = property(lambda self: False, lambda self, value: None)  # the schema: version required


class RetireInput(Input):
    reason = serializers.CharField(help_text="Why; kept in the history")
    version = _version()


class ReinstateInput(Input):
    reason = _reason()
    version = _version()


class BenefitRuleOutput(serializers.ModelSerializer):
    transaction_type = serializers.CharField(source="transaction_type.code")

    class Meta:
        model = BenefitRule
        fields = ["id", "transaction_type", "role", "minutes_saved", "effective_from", "effective_to", "version"]


class BenefitRuleCreateInput(Input):
    """A rule from a month on: the rule in force then ends the month before (and keeps its months)."""

    transaction_type = _codes(TransactionType, help_text="The transaction's code")
    role = serializers.ChoiceField(choices=BenefitRole.choices)
    minutes_saved = MinutesField()
    effective_from = MonthField(help_text="The month it takes effect from, e.g. 2013-04")
    reason = _reason()


class BenefitRulePatchInput(Input):
    """Correct a rule's minutes over its own months."""

    minutes_saved = MinutesField()
    reason = _reason()
    version = _version()

    partial = property(lambda self: False, lambda self, value: None)  # the schema: version required


class HourlyCostOutput(serializers.ModelSerializer):
    financial_year = FinancialYearField()
    cost = MoneyField()

    class Meta:
        model = HourlyCost
        fields = ["id", "role", "financial_year", "cost", "basis", "version"]


class HourlyCostCreateInput(Input):
    role = serializers.ChoiceField(choices=BenefitRole.choices)
    financial_year = FinancialYearField()
    cost = MoneyField(help_text='Pounds an hour, e.g. "22.50"')
    basis = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    reason = _reason()


class HourlyCostPatchInput(Input):
    cost = MoneyField(help_text='Pounds an hour, e.g. "22.50"')
    basis = serializers.CharField(max_length=300, required=False, allow_blank=True)
    reason = _reason()
    version = _version()

    partial = property(lambda self: False, lambda self, value: None)  # the schema: version required


class RolloutLineOutput(serializers.ModelSerializer):
    device_type = serializers.CharField(source="device_type.code")

    class Meta:
        model = RolloutPlanLine
        fields = ["id", "device_type", "month", "planned", "is_illustrative", "version"]


class RolloutLineCreateInput(Input):
    device_type = _codes(DeviceType, help_text="The device type's code")
    month = MonthField(help_text="The month, e.g. 2014-04")
    planned = serializers.IntegerField(min_value=0, max_value=1_000_000)
    reason = _reason()


class RolloutLinePatchInput(Input):
    planned = serializers.IntegerField(min_value=0, max_value=1_000_000)
    reason = _reason()
    version = _version()

    partial = property(lambda self: False, lambda self, value: None)  # the schema: version required


# --- Usage uploads with their completeness (issue 14 part 5) ------------------------------------------


class UsageCoverageOutput(serializers.Serializer):
    """What a month's usage covers against the last complete month before it (what it lacks)."""

    month = serializers.DateField()
    compared_with = serializers.DateField(allow_null=True, help_text="The last complete month before it")
    units = serializers.IntegerField()
    transaction_types = serializers.IntegerField()
    expected_units = serializers.IntegerField(help_text="Units of the month compared with")
    expected_types = serializers.IntegerField(help_text="Transaction types of the month compared with")
    missing_units = serializers.ListField(child=serializers.CharField())
    missing_types = serializers.ListField(child=serializers.CharField())
    incomplete = serializers.BooleanField()


class UsageRowInput(Input):
    """One figure: how many transactions of a type a unit made in the month."""

    unit = serializers.CharField(max_length=120, help_text="A borough or OCU, by code or name")
    transaction_type = serializers.CharField(max_length=120, help_text="By code or name")
    count = serializers.IntegerField(min_value=0, max_value=2_000_000_000)


class UsageUploadInput(Input):
    """A month's usage, replacing any held for it; at least one row, each unit and type once."""

    month = MonthField(help_text="The month the figures are for, e.g. 2013-03; its figures are replaced")
    rows = UsageRowInput(many=True, allow_empty=False, max_length=100_000)
    confirm_incomplete = serializers.BooleanField(
        default=False,
        help_text="Required (true) when the rows lack a unit or transaction type the last complete month "
        "had: the month is then saved, and reported, as incomplete",
    )


class UsageUploadOutput(serializers.Serializer):
    month = MonthField()
    saved = serializers.IntegerField(help_text="Usage figures saved for the month")
    coverage = UsageCoverageOutput()


# --- Uploads through the import engine (issue 15) ----------------------------------------------------


class DevicesImportInput(ImportInput):
    """A device register file (multipart), as the register's upload page takes it."""


class UsageImportInput(ImportInput):
    """A month's usage file (multipart), as the usage upload page takes it."""

    month = MonthField(
        required=False,
        help_text="The month the figures are for, e.g. 2013-03; its figures are replaced. Required with the file",
    )
    confirm_incomplete = serializers.BooleanField(
        default=False,
        help_text="Required (true) to save a file that lacks a unit or transaction type the last complete month "
        "had: the month is then saved, and reported, as incomplete",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("file") and not attrs.get("month"):
            raise serializers.ValidationError({"month": "Give the month the figures are for, like 2013-03."})
        return attrs


class UsageImportOutput(ImportPreviewOutput):
    """The usage upload's preview, with what the month would cover (INCOMPLETE when it lacks a unit or
    transaction type of the last complete month) and the figures held now that the file lacks."""

    coverage = UsageCoverageOutput(source="notes.coverage", required=False)
    removed = serializers.ListField(
        source="notes.removed",
        child=serializers.CharField(),
        required=False,
        help_text="Figures held now for the month that the file does not have: saving removes them",
    )
