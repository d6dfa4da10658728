from rest_framework import serializers

from mps_ict.api.fields import FinancialYearField, MoneyField
from mps_ict.api.serializers import Input
from savings.models import Category, Initiative, QuarterlyActual, SavingsPlan


class TargetOutput(serializers.Serializer):
    financial_year = FinancialYearField()
    cumulative_target = MoneyField(source="target")


class YearOutput(serializers.Serializer):
    financial_year = FinancialYearField()
    planned = MoneyField()
    target = MoneyField(allow_null=True)
    realised = MoneyField()
    forecast = MoneyField()
    gap = MoneyField()
    rag = serializers.CharField()
    quarters_reported = serializers.IntegerField()


class CategoryPositionOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    cost_now = MoneyField()
    future_cost = MoneyField()
    baseline_reduction = MoneyField()
    stated_reduction = MoneyField(allow_null=True)
    stated_reduction_printed = serializers.CharField(help_text="The stated reduction as printed when not a number")
    discrepancy = serializers.BooleanField()


class SummaryOutput(serializers.Serializer):
    plan = serializers.CharField(source="plan.name")
    financial_year = FinancialYearField(source="reporting_year.financial_year", allow_null=True)
    cost_now = MoneyField()
    future_cost = MoneyField()
    baseline_reduction = MoneyField()
    targets = TargetOutput(many=True)
    realised_to_date = MoneyField()
    forecast = MoneyField()
    gap = MoneyField(source="reporting_year.gap", allow_null=True)
    rag = serializers.CharField(source="reporting_year.rag", allow_null=True)
    costs_outside_doi = MoneyField(source="plan.costs_outside_doi")
    costs_outside_doi_in_scope = MoneyField(source="plan.costs_outside_doi_in_scope")
    years = YearOutput(many=True)
    categories = CategoryPositionOutput(many=True)
    withheld = serializers.IntegerField(
        help_text="Initiatives left out: OFFICIAL-SENSITIVE, and you lack view_restricted. While any are, "
        "the figures cover the published initiatives only and no target is given (targets: empty)"
    )
    withheld_sentence = serializers.CharField(help_text="What the figures leave out, in words (empty if nothing)")
    as_at = serializers.DateField(
        allow_null=True, help_text="The day whose end the figures stood at (?as_at=); null: as they stand now"
    )


class BreakdownOutput(serializers.Serializer):
    financial_year = FinancialYearField()
    group = serializers.CharField()
    group_key = serializers.CharField(help_text="The savings type code or category name")
    planned = MoneyField()
    realised = MoneyField()


class BreakdownInput(serializers.Serializer):
    by = serializers.ChoiceField(choices=["savings_type", "category"], default="savings_type")
    financial_year = FinancialYearField(required=False)


WHOLE_PLAN = "; null while initiatives are withheld from you (it would disclose them beside the published ones)"


class PlanOutput(serializers.ModelSerializer):
    baseline_year = FinancialYearField()
    target_year = FinancialYearField()
    baseline_cost = MoneyField(source="published_baseline_cost", allow_null=True, help_text="£ a year" + WHOLE_PLAN)
    target_cost = MoneyField(source="published_target_cost", allow_null=True, help_text="£ a year" + WHOLE_PLAN)
    target_reduction = MoneyField(source="published_target_reduction", allow_null=True, help_text="£" + WHOLE_PLAN)
    withheld = serializers.IntegerField(help_text="Initiatives withheld from you (OFFICIAL-SENSITIVE)")
    costs_outside_doi = MoneyField()
    costs_outside_doi_in_scope = MoneyField()

    class Meta:
        model = SavingsPlan
        fields = [
            "id",
            "name",
            "baseline_year",
            "target_year",
            "baseline_cost",
            "target_cost",
            "target_reduction",
            "costs_outside_doi",
            "costs_outside_doi_in_scope",
            "source",
            "withheld",
        ]


class CategoryOutput(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug", "position", "plan"]


class InitiativeOutput(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name")
    category_slug = serializers.CharField(source="category.slug")
    cost_now = MoneyField()
    future_cost = MoneyField()
    baseline_reduction = MoneyField(source="baseline_reduction_value")
    stated_reduction = MoneyField(allow_null=True)
    investment_needed = MoneyField(allow_null=True)
    discrepancy = serializers.BooleanField()

    class Meta:
        model = Initiative
        fields = [
            "reference",
            "category",
            "category_slug",
            "description",
            "owner",
            "cost_now",
            "future_cost",
            "baseline_reduction",
            "stated_reduction",
            "stated_reduction_text",
            "discrepancy",
            "savings_type",
            "savings_type_is_assumed",
            "cashable",
            "investment_needed",
            "investment_note",
            "inside_doi_budget",
            "delivery_status",
            "confidence",
            "dependencies",
            "protective_marking",
        ]


class ActualOutput(serializers.ModelSerializer):
    initiative = serializers.CharField(source="initiative.reference")
    financial_year = FinancialYearField()
    actual_saving = MoneyField()
    forecast_full_year = MoneyField()
    entered_by = serializers.CharField(source="entered_by.username", default=None)
    submitted_by = serializers.CharField(source="submitted_by.username", default=None)
    decided_by = serializers.CharField(source="decided_by.username", default=None)

    class Meta:
        model = QuarterlyActual
        fields = [
            "id",
            "initiative",
            "financial_year",
            "quarter",
            "actual_saving",
            "forecast_full_year",
            "commentary",
            "status",
            "entered_by",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "return_reason",
            "version",
        ]


class ActualCreateInput(Input):
    """POST: a new actual, named by initiative and quarter. These are all a caller may set."""

    initiative = serializers.SlugRelatedField(slug_field="reference", queryset=Initiative.objects.all())
    financial_year = FinancialYearField()
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    actual_saving = MoneyField()
    forecast_full_year = MoneyField()
    commentary = serializers.CharField(required=False, allow_blank=True, default="")


class ActualUpdateInput(Input):
    """PUT: new figures for the actual the URL names, from the version you read.

    `initiative`, `financial_year` and `quarter` may be repeated but must be the URL's: an update
    never moves to another record. A field not given keeps its value.
    """

    initiative = serializers.CharField(required=False, help_text="If given, the reference of the URL's actual")
    financial_year = FinancialYearField(required=False, help_text="If given, the URL's actual's year")
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False, help_text="If given, the URL's")
    actual_saving = MoneyField()
    forecast_full_year = MoneyField()
    commentary = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(
        min_value=1, help_text="The version you read and edited; 409 if somebody else changed it since"
    )

    def validate(self, attrs):
        actual = self.context["actual"]
        url_names = {
            "initiative": (actual.initiative.reference, attrs.get("initiative")),
            "financial_year": (actual.financial_year, attrs.get("financial_year")),
            "quarter": (actual.quarter, attrs.get("quarter")),
        }
        shown = {"initiative": str, "financial_year": str, "quarter": lambda number: f"Q{number}"}
        errors = {
            field: f"The URL names {actual.initiative.reference} {actual.period}; this body names "
            f"{shown[field](given)}. An update changes only the record its URL names."
            for field, (expected, given) in url_names.items()
            if field in attrs and given != expected
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ActualPatchInput(ActualUpdateInput):
    """PATCH: as PUT, but the figures are optional; a field not given keeps its value.

    `version` stays required, so this is never DRF's `partial` mode, which would waive it (and
    drf-spectacular would drop it from the schema's required list): `partial` is always False.
    """

    actual_saving = MoneyField(required=False)
    forecast_full_year = MoneyField(required=False)

    partial = property(lambda self: False, lambda self, value: None)


class ReviewedVersionInput(Input):
    """Submit or approve: optionally, the version you reviewed, so the step applies to those figures."""

    version = serializers.IntegerField(
        min_value=1, required=False, help_text="The version you reviewed; 409 if the figures changed since"
    )


class ReturnInput(ReviewedVersionInput):
    reason = serializers.CharField()


class QuarterCloseInput(Input):
    financial_year = FinancialYearField()
    quarter = serializers.IntegerField(min_value=1, max_value=4)


class QuarterReopenInput(QuarterCloseInput):
    reason = serializers.CharField(help_text="Why the quarter is reopened; kept in its history")


class QuarterReopenOutput(serializers.Serializer):
    financial_year = FinancialYearField()
    quarter = serializers.IntegerField()
    closed = serializers.BooleanField(help_text="False: reopened, its figures can be changed again")
    closed_by = serializers.CharField(source="closed_by.username")
    closed_at = serializers.DateTimeField()
    reopened_by = serializers.CharField(source="reopened_by.username")
    reopened_at = serializers.DateTimeField()
    reopen_reason = serializers.CharField()


class DecisionInput(Input):
    """One submitted figure of the quarter and the checker's decision on it."""

    initiative = serializers.CharField(help_text="The initiative's reference, e.g. SAV-DC")
    version = serializers.IntegerField(min_value=1, help_text="The version you reviewed; 409 if it changed since")
    decision = serializers.ChoiceField(choices=["approve", "return"])
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why it is returned: needed to return"
    )


class QuarterDecideInput(QuarterCloseInput):
    decisions = DecisionInput(many=True, allow_empty=False, help_text="Each initiative at most once")

    def validate_decisions(self, decisions):
        references = [decision["initiative"] for decision in decisions]
        twice = sorted({reference for reference in references if references.count(reference) > 1})
        if twice:
            raise serializers.ValidationError(f"Decide each initiative once: {', '.join(twice)} given more than once.")
        return decisions


class QuarterDecideOutput(serializers.Serializer):
    financial_year = FinancialYearField()
    quarter = serializers.IntegerField()
    approved = serializers.IntegerField(help_text="How many figures were approved")
    returned = serializers.IntegerField(help_text="How many figures were returned to their makers")
