from rest_framework import serializers

from mobile_assets.api.serializers import UsageCoverageOutput
from mps_ict.api.fields import FinancialYearField, MoneyField
from mps_ict.api.serializers import AsAtInput, Input
from reporting.models import PackVersion
from savings.api.serializers import PlanVersionShownOutput, YearOutput


class PackInput(AsAtInput):
    """The pack's query: which version, a frozen copy or `as_at` a past day (not both), and for a
    CSV which question."""

    version = serializers.ChoiceField(
        choices=PackVersion.choices,
        required=False,
        help_text="full or publication; without `view_restricted` the publication version is always given",
    )
    snapshot = serializers.IntegerField(required=False, min_value=1, help_text="A frozen copy's id")
    question = serializers.IntegerField(
        required=False, min_value=1, max_value=6, help_text="For ?format=csv: which question"
    )

    def validate(self, data):
        if "as_at" in data and "snapshot" in data:
            raise serializers.ValidationError(
                {"as_at": ["A frozen copy stands as it was frozen: ask for one or the other"]}
            )
        return data


class SnapshotOutput(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    version = serializers.CharField()
    frozen_at = serializers.DateTimeField()
    frozen_by = serializers.CharField(source="frozen_by.username")


class FreezeInput(Input):
    label = serializers.CharField(max_length=120)
    version = serializers.ChoiceField(choices=PackVersion.choices, required=False)


class SavingsHeadlineOutput(serializers.Serializer):
    reporting_year = YearOutput(source="year", allow_null=True)
    years = YearOutput(many=True)
    withheld = serializers.IntegerField()
    last_updated = serializers.DateTimeField(allow_null=True)
    plan_version = PlanVersionShownOutput(help_text="Which version of the plan the figures are")


class DcaCountOutput(serializers.Serializer):
    rating = serializers.CharField()
    label = serializers.CharField()
    projects = serializers.IntegerField()

    def to_representation(self, instance):
        rating, label, count = instance
        return {"rating": rating, "label": label, "projects": count}


class PortfolioHeadlineOutput(serializers.Serializer):
    financial_year = FinancialYearField()
    budget = MoneyField()
    managed_total = MoneyField()
    over_programming = MoneyField(allow_null=True)
    expected_slippage_rate = serializers.DecimalField(max_digits=9, decimal_places=6)
    delay_adjusted_forecast = MoneyField()
    headroom = MoneyField(allow_null=True)
    dca = DcaCountOutput(many=True)
    withheld = serializers.IntegerField()
    last_updated = serializers.DateTimeField(allow_null=True)


class DeviceTypeCountOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    in_register = serializers.IntegerField()
    issued = serializers.IntegerField()
    reported_count = serializers.IntegerField(allow_null=True)


class MobileHeadlineOutput(serializers.Serializer):
    types = DeviceTypeCountOutput(many=True)
    devices_total = serializers.IntegerField()
    rollout_planned = serializers.IntegerField()
    rollout_deployed = serializers.IntegerField()
    benefits_start = serializers.DateField(allow_null=True)
    benefits_end = serializers.DateField(allow_null=True)
    benefits_reported = MoneyField(allow_null=True)
    benefits_computed = MoneyField(allow_null=True)
    latest_month = serializers.DateField(allow_null=True, help_text="The last month with computed benefits")
    latest_month_amount = MoneyField(allow_null=True, help_text="Its computed benefits, all roles")
    incomplete_months = UsageCoverageOutput(many=True, help_text="Months whose usage is incomplete")
    last_updated = serializers.DateTimeField(allow_null=True)


class OverviewOutput(serializers.Serializer):
    as_at = serializers.DateField(allow_null=True, help_text="The day whose end the figures stood at; null: now")
    savings = SavingsHeadlineOutput(allow_null=True, help_text="Null: no savings plan (recorded by then)")
    portfolio = PortfolioHeadlineOutput(allow_null=True, help_text="Null: no capital programme (recorded by then)")
    mobile = MobileHeadlineOutput(allow_null=True, help_text="Null: no mobile estate (recorded by then)")
