from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.selectors import alert_window
from mobile_assets.api.serializers import UsageCoverageOutput
from mps_ict.api.fields import FinancialYearField, MoneyField
from mps_ict.api.serializers import AsAtInput, Input
from portfolio import outturn
from portfolio.api.serializers import PROBABILITY_SCHEMA, probability
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


class OutturnRangeOutput(serializers.Serializer):
    """The headline year's simulated in-year outturn, as the overview page states it (issue 16)."""

    financial_year = FinancialYearField()
    budget = MoneyField()
    p10 = MoneyField()
    p50 = MoneyField()
    p80 = MoneyField()
    p90 = MoneyField()
    probability_over_budget = serializers.SerializerMethodField(
        help_text="Chance (0 to 1) of spending more than the budget; null while projects are withheld from you"
    )
    sentences = serializers.SerializerMethodField(help_text="The range in plain words, as the page says it")

    @extend_schema_field(PROBABILITY_SCHEMA)
    def get_probability_over_budget(self, distribution):
        return probability(distribution.probability_over_budget)

    def get_sentences(self, distribution) -> list[str]:
        return outturn.sentences(distribution)


class TargetChanceOutput(serializers.Serializer):
    """How likely a savings target is, as the overview page states it (issue 16): the saving realised
    in the target year as a range (P90 reached in 90% of simulated years, P10 in 10%)."""

    financial_year = FinancialYearField()
    target = MoneyField(source="range_row.reference")
    p10 = MoneyField(source="range_row.p10")
    p50 = MoneyField(source="range_row.p50")
    p80 = MoneyField(source="range_row.p80")
    p90 = MoneyField(source="range_row.p90")
    probability_met = serializers.DecimalField(
        source="range_row.probability", max_digits=5, decimal_places=4, help_text="Chance (0 to 1) of reaching it"
    )
    sentence = serializers.CharField(help_text="The chance in plain words, as the page says it")


class OverviewInput(AsAtInput):
    """The overview's query: `as_at` a past day, and the window the contract alerts cover."""

    window = serializers.RegexField(
        # "quarter" or 1 to 366: said in the schema, so a client (and the contract test) knows
        r"^(quarter|[1-9]|[1-9][0-9]|[12][0-9][0-9]|3[0-5][0-9]|36[0-6])$",
        required=False,
        error_messages={"invalid": 'The window must be "quarter" or a number of days from 1 to 366'},
        help_text='How far ahead the contract decisions due are listed: "quarter" (to the end of the UK '
        "financial quarter) or a number of days from 1 to 366; without it, the service's setting "
        "(CONTRACT_ALERT_WINDOW)",
    )

    def validate_window(self, value):
        try:
            return alert_window(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error


class DueEventOutput(serializers.Serializer):
    event = serializers.IntegerField(source="event_id")
    contract = serializers.IntegerField(source="contract_id")
    reference = serializers.CharField(help_text="The contract's reference")
    title = serializers.CharField(help_text="The contract's title")
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    due = serializers.DateField()
    owner = serializers.CharField(help_text="The owner's name; empty for none")
    days_left = serializers.IntegerField(help_text="Days from the day counted from; negative: past its date")


class ContractAlertsOutput(serializers.Serializer):
    """The contract decisions due, as the overview page lists them (issue 17 part 3)."""

    window = serializers.CharField(help_text='"quarter" or the number of days')
    start = serializers.DateField(help_text="The day counted from: today, or the as_at day")
    end = serializers.DateField()
    label = serializers.CharField()
    due = DueEventOutput(many=True, help_text="Planned events of live contracts due from start to end")
    overdue = DueEventOutput(many=True, help_text="Planned events of live contracts past their date")
    withheld = serializers.IntegerField(help_text="Events of marked contracts withheld from you")


class OverviewOutput(serializers.Serializer):
    as_at = serializers.DateField(allow_null=True, help_text="The day whose end the figures stood at; null: now")
    savings = SavingsHeadlineOutput(allow_null=True, help_text="Null: no savings plan (recorded by then)")
    portfolio = PortfolioHeadlineOutput(allow_null=True, help_text="Null: no capital programme (recorded by then)")
    mobile = MobileHeadlineOutput(allow_null=True, help_text="Null: no mobile estate (recorded by then)")
    portfolio_outturn = OutturnRangeOutput(
        allow_null=True, help_text="The portfolio headline year's outturn as a range; null: no capital programme"
    )
    savings_chances = serializers.SerializerMethodField(
        help_text="How likely each savings target you are given is; empty while targets are withheld from you"
    )
    contract_alerts = ContractAlertsOutput(
        allow_null=True,
        help_text="The contract decisions due in the window and those past their date, with the events as they "
        "stand now; null if you may not read the contracts register",
    )

    @extend_schema_field(TargetChanceOutput(many=True))
    def get_savings_chances(self, overview):
        chances = overview.savings_chances
        return TargetChanceOutput(chances.targets if chances else [], many=True).data
