from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mps_ict.api.fields import FinancialYearField, MoneyField
from mps_ict.api.serializers import Input
from portfolio.choices import DcaRating
from portfolio.forms import WHAT_IF_FRACTION_PATTERN, WHAT_IF_PLACES, what_if_rate
from portfolio.models import Project, StatusUpdate


class CategorySlippageOutput(serializers.Serializer):
    category = serializers.CharField()
    planned = MoneyField()
    expected_slippage_rate = serializers.DecimalField(source="rate", max_digits=8, decimal_places=6)
    learned = serializers.BooleanField(help_text="From past years' planned against actual spend, else the assumption")
    delay_adjusted = MoneyField()


class CapitalProgrammeOutput(serializers.Serializer):
    financial_year = FinancialYearField()
    budget = MoneyField()
    managed_total = MoneyField(help_text="Planned in-year spend of the live projects you may see")
    over_programming = MoneyField(
        allow_null=True, help_text="Managed total less budget; null while projects are withheld from you"
    )
    expected_slippage_rate = serializers.DecimalField(max_digits=8, decimal_places=6)
    delay_adjusted_forecast = MoneyField()
    headroom = MoneyField(
        allow_null=True, help_text="Budget less the delay-adjusted forecast; null while projects are withheld from you"
    )
    withheld = serializers.IntegerField(
        help_text="Projects left out of these figures: marked OFFICIAL-SENSITIVE, and you lack view_restricted"
    )
    withheld_sentence = serializers.CharField(help_text="What the figures leave out, in words (empty if nothing)")
    slippage_assumption = serializers.DecimalField(max_digits=5, decimal_places=4)
    what_if_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    categories = CategorySlippageOutput(many=True)


@extend_schema_field({"type": "string", "pattern": WHAT_IF_FRACTION_PATTERN, "example": "0.08"})
class WhatIfRateField(serializers.Field):
    """The what-if slippage rate as a fraction, read as the dashboard reads its percentage."""

    default_error_messages = {"invalid": "{message}"}

    def to_internal_value(self, data):
        try:
            return what_if_rate(data, percent=False)
        except ValueError as error:
            self.fail("invalid", message=str(error))

    def to_representation(self, value):
        return str(value)


class WhatIfInput(serializers.Serializer):
    slippage_rate = WhatIfRateField(
        required=False,
        help_text=f"What-if: one rate for every category instead of the learned ones, 0 to 1 with up to "
        f"{WHAT_IF_PLACES} decimal places (0.05 = 5%)",
    )


class ProjectOutput(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.name")
    programme_manager = serializers.CharField(source="programme_manager.username", default=None)
    budget_baseline = MoneyField()
    budget_forecast = MoneyField()
    latest_dca = serializers.CharField(allow_null=True)
    current_sro = serializers.CharField(allow_null=True)
    sro_count = serializers.IntegerField()

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "programme",
            "category",
            "description",
            "programme_manager",
            "stage",
            "priority",
            "budget_baseline",
            "budget_forecast",
            "latest_dca",
            "current_sro",
            "sro_count",
            "protective_marking",
            "is_illustrative",
        ]


class StatusUpdateOutput(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code")
    forecast_change = MoneyField()
    submitted_by = serializers.CharField(source="submitted_by.username")

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "project",
            "month",
            "dca",
            "narrative",
            "milestones",
            "risks",
            "forecast_change",
            "submitted_by",
            "submitted_at",
        ]


class StatusUpdateInput(Input):
    project = serializers.SlugRelatedField(slug_field="code", queryset=Project.objects.all())
    month = serializers.DateField(help_text="Any day in the month reported on, e.g. 2013-01-01")
    dca = serializers.ChoiceField(choices=DcaRating.choices)
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    milestones = serializers.CharField(required=False, allow_blank=True, default="")
    risks = serializers.CharField(required=False, allow_blank=True, default="")
    forecast_change = MoneyField(required=False, default=0)
