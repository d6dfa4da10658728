from datetime import date

from rest_framework import serializers

from mobile_assets import selectors
from mobile_assets.models import Device, UsageStatistic
from mps_ict.api.fields import MoneyField, MonthField


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
