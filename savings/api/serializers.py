from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mps_ict.api.fields import FinancialYearField, MoneyField
from mps_ict.api.serializers import AsAtInput, ImportInput, Input
from mps_ict.audit import person
from mps_ict.financial_years import Quarter
from mps_ict.marking import ProtectiveMarking
from savings.choices import Confidence, DeliveryStatus, SavingsType
from savings.models import Category, Initiative, PlanTarget, QuarterlyActual, SavingsPlan
from savings.selectors import plan_version_find


class RealisedRangeOutput(serializers.Serializer):
    """The range of the saving realised in a target year (savings.probability): Pxx is the saving
    reached or exceeded in xx% of the simulation's draws, so p90 <= p80 <= p50 <= p10."""

    p10 = MoneyField(help_text="Reached in 10% of draws: the optimistic end")
    p50 = MoneyField(help_text="Reached in half the draws: the median")
    p80 = MoneyField(help_text="Reached in 80% of draws: the saving the plan is 80% confident of")
    p90 = MoneyField(help_text="Reached in 90% of draws: the cautious end")


PROBABILITY = serializers.DecimalField(
    max_digits=5,
    decimal_places=4,
    allow_null=True,
    help_text="The probability (0 to 1, as a decimal string like every fraction the API gives) that the "
    "saving realised in the year reaches the target, from a simulation of each initiative's profile, "
    "delivery confidence and record of approved actuals against profile (see the README's method); "
    "null: not simulated",
)
AT_RISK_P80 = MoneyField(
    allow_null=True,
    help_text="Savings at risk at P80: the target less the saving the plan is 80% confident of "
    "realising (realised_range.p80), nothing if that reaches the target; null: not simulated",
)


class RiskInitiativeOutput(serializers.Serializer):
    """An initiative carrying the risk to a target (savings.probability): ranked by expected shortfall."""

    reference = serializers.CharField()
    description = serializers.CharField()
    expected_shortfall = MoneyField(
        help_text="How far the initiative's saving falls short of its plan for the year in the draws where "
        "the target is missed, averaged over all draws (with the plan equal to the target, the initiatives' "
        "figures add up to the plan's expected shortfall)"
    )


TOP_RISKS = RiskInitiativeOutput(
    many=True,
    allow_null=True,
    help_text="The initiatives carrying the most risk to the target (up to five), largest expected shortfall "
    "first; only initiatives you may see; null: not simulated",
)


class TargetOutput(serializers.Serializer):
    """A target, with how likely it is to be reached (issue 16) when the view gives the simulation's
    figures in the context (`probabilities`: financial year → savings.probability.TargetProbability)."""

    financial_year = FinancialYearField()
    cumulative_target = MoneyField(source="target")
    probability_met = serializers.SerializerMethodField()
    at_risk_p80 = serializers.SerializerMethodField()
    realised_range = serializers.SerializerMethodField()
    top_risks = serializers.SerializerMethodField()

    def _simulated(self, year):
        return (self.context.get("probabilities") or {}).get(year.financial_year)

    @extend_schema_field(PROBABILITY)
    def get_probability_met(self, year) -> str | None:
        result = self._simulated(year)
        return None if result is None else PROBABILITY.to_representation(result.probability_met)

    @extend_schema_field(AT_RISK_P80)
    def get_at_risk_p80(self, year) -> str | None:
        result = self._simulated(year)
        return None if result is None else AT_RISK_P80.to_representation(result.at_risk_p80)

    @extend_schema_field(
        RealisedRangeOutput(allow_null=True, help_text="The range of the saving realised; null: not simulated")
    )
    def get_realised_range(self, year):
        result = self._simulated(year)
        return None if result is None else RealisedRangeOutput(result).data

    @extend_schema_field(TOP_RISKS)
    def get_top_risks(self, year):
        result = self._simulated(year)
        return None if result is None else RiskInitiativeOutput(result.top_risks, many=True).data


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


# Which version of the plan figures are (plan versions, issue 13 part 3; the rest of it is below)


class PlanVersionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    dated = serializers.DateField(help_text="The date the version is known by")
    taken_at = serializers.DateTimeField(help_text="The moment whose plan it is, read back from the audit trail")
    taken_by = serializers.SerializerMethodField(help_text="Who took it (full name, else username); null: loaded")
    note = serializers.CharField()

    def get_taken_by(self, version) -> str | None:
        return person(version.taken_by) if version.taken_by_id else None


class PlanVersionShownOutput(serializers.Serializer):
    """Which version of the plan the figures are."""

    version = PlanVersionOutput(allow_null=True, help_text="The version shown (?version=); null: not a version")
    latest_version = PlanVersionOutput(
        source="latest", allow_null=True, help_text="The plan's last version by then (for a version: of all)"
    )
    description = serializers.CharField(help_text="Which plan the figures are, in words")


class SummaryOutput(serializers.Serializer):
    plan = serializers.CharField(source="plan.name")
    financial_year = FinancialYearField(source="reporting_year.financial_year", allow_null=True)
    cost_now = MoneyField()
    future_cost = MoneyField()
    baseline_reduction = MoneyField()
    targets = TargetOutput(
        many=True,
        help_text="The targets, each with the probability of reaching it, savings at risk at P80, the range "
        "of the saving realised and the initiatives carrying the most risk (issue 16); empty while anything is "
        "withheld from you",
    )
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
    plan_version = serializers.SerializerMethodField(help_text="Which version of the plan the figures are")

    @extend_schema_field(PlanVersionShownOutput)
    def get_plan_version(self, summary):
        return PlanVersionShownOutput(self.context["plan_version"]).data


class BreakdownOutput(serializers.Serializer):
    financial_year = FinancialYearField()
    group = serializers.CharField()
    group_key = serializers.CharField(help_text="The savings type code or category name")
    planned = MoneyField()
    realised = MoneyField()
    plan_version = serializers.SerializerMethodField(
        help_text="The name of the plan version the figures are (?version=); null: the plan as it stands (or as at)"
    )

    def get_plan_version(self, row) -> str | None:
        version = self.context.get("plan_version")
        return version.name if version else None


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
    withdrawn = serializers.SerializerMethodField(help_text="Withdrawn from the plan (its page and history stay)")

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "position", "plan", "withdrawn", "withdrawn_at", "withdrawn_reason", "version"]
        extra_kwargs = {"version": {"help_text": "Give it back to change or withdraw the category; 409 if stale"}}

    def get_withdrawn(self, category) -> bool:
        return category.withdrawn_at is not None


class InitiativeOutput(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name")
    category_slug = serializers.CharField(source="category.slug")
    cost_now = MoneyField()
    future_cost = MoneyField()
    baseline_reduction = MoneyField(source="baseline_reduction_value")
    stated_reduction = MoneyField(allow_null=True)
    investment_needed = MoneyField(allow_null=True)
    discrepancy = serializers.BooleanField()
    withdrawn = serializers.SerializerMethodField(
        help_text="Withdrawn from the plan: its figures are in no total (its record and history stay)"
    )
    withdrawn_by = serializers.CharField(source="withdrawn_by.username", default=None, allow_null=True)

    class Meta:
        model = Initiative
        extra_kwargs = {
            "version": {"help_text": "Give it back to change, re-phase, withdraw or reinstate; 409 if stale"}
        }
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
            "withdrawn",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawn_reason",
            "version",
        ]

    def get_withdrawn(self, initiative) -> bool:
        return initiative.withdrawn_at is not None


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
            "revision",
            "corrects",
            "correction_reason",
        ]
        extra_kwargs = {
            "revision": {"help_text": "1 for the quarter's first figures; each correction is the next revision"},
            "corrects": {"help_text": "The id of the approved revision this one corrects; null for first figures"},
            "correction_reason": {"help_text": "Why the approved figures are corrected (corrections only)"},
        }


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


# --- Corrections of approved actuals and each figure's trail (issue 13 part 4) --------------------


class CorrectionInput(Input):
    """A correction of approved figures: why, the figures as they should be, and the version of the
    approved figures you read."""

    reason = serializers.CharField(help_text="Why the approved figures are corrected; kept in the trail")
    actual_saving = MoneyField()
    forecast_full_year = MoneyField()
    commentary = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        min_value=1, help_text="The version of the approved figures you read; 409 if they changed since"
    )


class DiscardInput(ReviewedVersionInput):
    reason = serializers.CharField(help_text="Why the correction is discarded; kept in the trail")


class TrailChangeOutput(serializers.Serializer):
    label = serializers.CharField(help_text="The figure, e.g. Actual saving in the quarter")
    before = serializers.CharField(help_text='In pounds for money ("£1,000.00"); empty for nothing')
    after = serializers.CharField(help_text='In pounds for money ("£1,000.00"); empty for nothing')


class TrailEntryOutput(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField(help_text="The person's full name, else their username; system for none")
    what = serializers.CharField(help_text="What happened, in words, e.g. Correction approved (revision 2)")
    reason = serializers.CharField(help_text="Why (a return, correction, discard or reopening); may be empty")
    changes = TrailChangeOutput(many=True)


# --- Finance maintain the plan: initiatives, phasing, categories, targets (issue 13 part 2) -------

MARKINGS = ProtectiveMarking.choices


class InitiativeCreateInput(Input):
    """POST: a new initiative of the plan, in a category in use. It has no phasing until its
    profile is PUT."""

    reference = serializers.SlugField(max_length=40, help_text="Short and unique, e.g. SAV-DC2")
    category = serializers.CharField(help_text="The slug of a category in use, e.g. data-centres")
    description = serializers.CharField()
    owner = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    cost_now = MoneyField(help_text="Running cost a year now (£)")
    future_cost = MoneyField(help_text="Running cost a year once delivered (£)")
    stated_reduction = MoneyField(
        required=False, allow_null=True, default=None, help_text="A reduction a document states (£), if any"
    )
    savings_type = serializers.ChoiceField(choices=SavingsType.choices)
    cashable = serializers.BooleanField(required=False, default=True)
    investment_needed = MoneyField(required=False, allow_null=True, default=None, help_text="Invest-to-save (£)")
    investment_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    inside_doi_budget = serializers.BooleanField(required=False, default=True)
    delivery_status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False, default="not_started")
    confidence = serializers.ChoiceField(choices=Confidence.choices, required=False, default="")
    dependencies = serializers.CharField(required=False, allow_blank=True, default="")
    protective_marking = serializers.ChoiceField(choices=MARKINGS, required=False, default=ProtectiveMarking.OFFICIAL)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


class InitiativePatchInput(Input):
    """PATCH: the fields to change, from the version you read; a field not given keeps its value.
    `reference` is the URL's and never changes. `version` is required, so this is never DRF's
    `partial` mode (which would waive it)."""

    category = serializers.CharField(required=False, help_text="The slug of a category in use")
    description = serializers.CharField(required=False)
    owner = serializers.CharField(required=False, allow_blank=True, max_length=120)
    cost_now = MoneyField(required=False)
    future_cost = MoneyField(required=False)
    stated_reduction = MoneyField(required=False, allow_null=True)
    savings_type = serializers.ChoiceField(choices=SavingsType.choices, required=False)
    cashable = serializers.BooleanField(required=False)
    investment_needed = MoneyField(required=False, allow_null=True)
    investment_note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    inside_doi_budget = serializers.BooleanField(required=False)
    delivery_status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)
    confidence = serializers.ChoiceField(choices=Confidence.choices, required=False)
    dependencies = serializers.CharField(required=False, allow_blank=True)
    protective_marking = serializers.ChoiceField(choices=MARKINGS, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")
    version = serializers.IntegerField(min_value=1, help_text="The version you read; 409 if it changed since")

    partial = property(lambda self: False, lambda self, value: None)


class ReasonInput(Input):
    """Withdraw, reinstate or remove: why (kept in the history), from the version you read."""

    reason = serializers.CharField(help_text="Why; kept in the history")
    version = serializers.IntegerField(min_value=1, help_text="The version you read; 409 if it changed since")


class ProfileYearInput(Input):
    financial_year = FinancialYearField()
    planned_saving = MoneyField(allow_null=True, help_text="The year's saving against the baseline (£); null: none")


class ProfileInput(Input):
    """PUT: the initiative's planned saving for years of the plan, in one go. A year given as null
    plans no saving (its row goes); a year not given is left as it is."""

    profile = ProfileYearInput(many=True, help_text="Each year at most once")
    version = serializers.IntegerField(min_value=1, help_text="The initiative's version you read; 409 if stale")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")

    def validate_profile(self, rows):
        years = [row["financial_year"] for row in rows]
        twice = sorted({str(year) for year in years if years.count(year) > 1})
        if twice:
            raise serializers.ValidationError(f"Give each year once: {', '.join(twice)} given more than once.")
        return rows


class ProfileRowOutput(serializers.Serializer):
    financial_year = FinancialYearField()
    planned_saving = MoneyField()
    is_assumed = serializers.BooleanField(help_text="An assumption (the seed's phasing), not a figure finance set")


class ProfileOutput(serializers.Serializer):
    reference = serializers.CharField()
    version = serializers.IntegerField()
    profile = ProfileRowOutput(many=True, source="profile.all")


class CategoryCreateInput(Input):
    name = serializers.CharField(max_length=120)
    position = serializers.IntegerField(min_value=0, required=False, help_text="Where it comes in lists; default last")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


class CategoryPatchInput(Input):
    """PATCH: rename or move (the slug stays), from the version you read."""

    name = serializers.CharField(max_length=120, required=False)
    position = serializers.IntegerField(min_value=0, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")
    version = serializers.IntegerField(min_value=1, help_text="The version you read; 409 if it changed since")

    partial = property(lambda self: False, lambda self, value: None)


class PlanTargetOutput(serializers.ModelSerializer):
    financial_year = FinancialYearField()
    cumulative_target = MoneyField()

    class Meta:
        model = PlanTarget
        fields = ["financial_year", "cumulative_target", "source", "version"]


class TargetCreateInput(Input):
    financial_year = FinancialYearField(help_text="A year of the plan without a target")
    cumulative_target = MoneyField(help_text="Saving a year against the baseline due by then (£)")
    source = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


class TargetPatchInput(Input):
    cumulative_target = MoneyField(required=False)
    source = serializers.CharField(required=False, allow_blank=True, max_length=300)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")
    version = serializers.IntegerField(min_value=1, help_text="The version you read; 409 if it changed since")

    partial = property(lambda self: False, lambda self, value: None)


class TargetRemoveInput(serializers.Serializer):
    """DELETE's query: why, and the version you read."""

    reason = serializers.CharField(help_text="Why the target is removed; kept in the history")
    version = serializers.IntegerField(min_value=1, help_text="The version you read; 409 if it changed since")


# --- Plan versions (issue 13 part 3) --------------------------------------------------------------

LARGEST_ID = 2**31 - 1


class PlanVersionTakeInput(Input):
    """POST: take the plan as it stands now as a named, dated version."""

    name = serializers.CharField(max_length=200, help_text="Unique among the plan's versions (in any case)")
    dated = serializers.DateField(input_formats=["iso-8601"], help_text="The date it is known by: today or earlier")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PlanVersionChangeInput(Input):
    """PATCH: rename a version or change its note; what it is a version of never changes."""

    name = serializers.CharField(max_length=200, required=False, help_text="Unique among the plan's versions")
    note = serializers.CharField(required=False, allow_blank=True)


class PlanMomentInput(AsAtInput):
    """`?version=<id>` (the plan as that version was taken) or `?as_at=` (a past day), not both."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=LARGEST_ID,
        help_text="Show the plan as this version of it was taken (see /api/v1/savings/versions/); not with as_at",
    )

    def validate_version(self, pk):
        version = plan_version_find(plan=self.context["plan"], pk=pk)
        if version is None:
            raise serializers.ValidationError(f"There is no version {pk} of the plan.")
        return version

    def validate(self, attrs):
        if "version" in attrs and attrs.get("as_at") is not None:
            raise serializers.ValidationError({"version": "Give either version or as_at, not both."})
        return attrs


class VersionCompareInput(serializers.Serializer):
    """`?from=<version id>&to=<version id or now>`; the earlier of the two is always shown first."""

    to = serializers.RegexField(
        r"^(?:now|[1-9][0-9]{0,8})$",
        required=False,
        default="now",
        help_text="A version's id, or now (the default): the plan as it stands",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField(min_value=1, max_value=LARGEST_ID, help_text="A version's id")
        return fields

    def _version(self, pk):
        return plan_version_find(plan=self.context["plan"], pk=pk)

    def validate(self, attrs):
        errors = {}
        earlier = self._version(attrs["from"])
        if earlier is None:
            errors["from"] = f"There is no version {attrs['from']} of the plan."
        later = None if attrs["to"] == "now" else self._version(attrs["to"])
        if attrs["to"] != "now" and later is None:
            errors["to"] = f"There is no version {attrs['to']} of the plan: give a version's id, or now."
        if errors:
            raise serializers.ValidationError(errors)
        return {"before": earlier, "after": later}


class PlanMomentOutput(serializers.Serializer):
    version = PlanVersionOutput(allow_null=True, help_text="null: the plan as it stands now")
    label = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True, help_text="The moment; null: now")


class InitiativeAtOutput(serializers.Serializer):
    category = serializers.CharField()
    description = serializers.CharField()
    baseline_reduction = MoneyField()
    savings_type = serializers.CharField()
    savings_type_label = serializers.CharField()


class YearDifferenceOutput(serializers.Serializer):
    financial_year = FinancialYearField()
    before = MoneyField(allow_null=True, help_text="null: the initiative is not in the earlier plan")
    after = MoneyField(allow_null=True, help_text="null: the initiative is not in the later plan")
    difference = MoneyField()


class InitiativeComparisonOutput(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=["added", "withdrawn", "changed", "unchanged"])
    before = InitiativeAtOutput(allow_null=True, help_text="null: not in the earlier plan (added since)")
    after = InitiativeAtOutput(allow_null=True, help_text="null: not in the later plan (withdrawn)")
    baseline_reduction_difference = MoneyField()
    years = YearDifferenceOutput(many=True, help_text="Planned saving per year against the baseline")


class TypeYearComparisonOutput(serializers.Serializer):
    savings_type = serializers.CharField(help_text="The savings type's code; empty for the total of every type")
    label = serializers.CharField()
    financial_year = FinancialYearField()
    before = MoneyField()
    after = MoneyField()
    difference = MoneyField()


class PlanChangeOutput(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField(help_text="Full name, else username; system for a load")
    reason = serializers.CharField(help_text="Why, as recorded with the change (may be empty)")
    subject = serializers.CharField()
    reference = serializers.CharField(help_text="The initiative's reference; empty for a target")
    changes = serializers.ListField(child=serializers.CharField(), help_text="What moved, in words")


class PlanComparisonOutput(serializers.Serializer):
    plan = serializers.CharField(source="plan.name")
    earlier = PlanMomentOutput(source="before")
    later = PlanMomentOutput(source="after")
    years = serializers.ListField(child=FinancialYearField())
    initiatives = InitiativeComparisonOutput(many=True, help_text="Every initiative the reader may see in either")
    unchanged = serializers.IntegerField(help_text="How many of them are unchanged")
    by_savings_type = TypeYearComparisonOutput(source="by_type", many=True)
    totals = TypeYearComparisonOutput(many=True, help_text="Every type's planned saving per year")
    changes = PlanChangeOutput(many=True, help_text="The changes recorded between the two, oldest first")
    withheld = serializers.IntegerField(help_text="Initiatives withheld from you (OFFICIAL-SENSITIVE): left out")
    withheld_sentence = serializers.CharField()


class ActualsImportInput(ImportInput):
    """An upload of a quarter's actuals (multipart), as the quarter's upload page takes it."""

    quarter = serializers.CharField(max_length=20, help_text="The quarter the figures are for, like 2014/15 Q2")

    def validate_quarter(self, value):
        try:
            return Quarter.parse(value)
        except ValueError as error:
            raise serializers.ValidationError(f'"{value}" is not a quarter; write it like 2014/15 Q2.') from error


class InitiativesImportInput(ImportInput):
    """An upload of the plan's initiatives and their phasing (multipart), as the page takes it."""
