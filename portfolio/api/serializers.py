import re
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from mps_ict.api.fields import FinancialYearField, MoneyField
from mps_ict.api.serializers import Input
from mps_ict.marking import ProtectiveMarking
from portfolio.choices import Assessor, BenefitCategory, DcaRating, DcaScale, GateDecision, Priority, Stage
from portfolio.forms import WHAT_IF_FRACTION_PATTERN, WHAT_IF_PLACES, what_if_rate
from portfolio.models import Benefit, Milestone, Project, StatusUpdate

NON_NEGATIVE_MONEY = r"^\d{1,12}(?:\.\d{1,2})?$"


class CategorySlippageOutput(serializers.Serializer):
    category = serializers.CharField()
    planned = MoneyField()
    expected_slippage_rate = serializers.DecimalField(source="rate", max_digits=8, decimal_places=6)
    learned = serializers.BooleanField(help_text="From past years' planned against actual spend, else the assumption")
    delay_adjusted = MoneyField()


class OutturnOutput(serializers.Serializer):
    p10 = MoneyField()
    p50 = MoneyField()
    p80 = MoneyField()
    p90 = MoneyField()


PROBABILITY_SCHEMA = {
    "type": "string",
    "format": "decimal",
    "pattern": r"^(?:0\.\d{4}|1\.0000)$",
    "example": "0.4795",
    "nullable": True,
}


def probability(value: float | None) -> str | None:
    """A chance as a decimal string with four places, like the API's other fractions."""
    return None if value is None else str(Decimal(repr(value)).quantize(Decimal("0.0001")))


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
    # issue 16: the in-year outturn as a distribution (portfolio.outturn), from the view's context
    outturn = serializers.SerializerMethodField(
        help_text="Simulated in-year outturn of the live projects you may see (10,000 seeded draws; the same "
        "records give the same figures): P10, P50, P80 and P90, in pounds"
    )
    probability_over_budget = serializers.SerializerMethodField(
        help_text="Chance (0 to 1, four places) of spending more than the budget; null while projects are "
        "withheld from you"
    )
    probability_underspend = serializers.SerializerMethodField(
        help_text="Chance (0 to 1, four places) of spending less than the budget by more than "
        "underspend_threshold; null while projects are withheld from you"
    )
    underspend_threshold = serializers.SerializerMethodField(
        help_text="The underspend the probability counts beyond (£): as asked, else 5% of the budget"
    )

    mitigation_share = serializers.SerializerMethodField(
        help_text="The share of the Green Book optimism bias finance consider mitigated (0 to 1, four places), "
        "which sets the outturn's prior where a category has too little history"
    )

    def _outturn(self, position):
        return self.context.get("outturns", {}).get(position.financial_year.start_year)

    @extend_schema_field(OutturnOutput(allow_null=True))
    def get_outturn(self, position):
        found = self._outturn(position)
        return None if found is None else OutturnOutput(found).data

    @extend_schema_field(PROBABILITY_SCHEMA)
    def get_probability_over_budget(self, position):
        found = self._outturn(position)
        return None if found is None else probability(found.probability_over_budget)

    @extend_schema_field(PROBABILITY_SCHEMA)
    def get_probability_underspend(self, position):
        found = self._outturn(position)
        return None if found is None else probability(found.probability_underspend)

    @extend_schema_field(PROBABILITY_SCHEMA)
    def get_mitigation_share(self, position):
        found = self._outturn(position)
        return None if found is None else probability(found.mitigation_share)

    @extend_schema_field(MoneyField(allow_null=True))
    def get_underspend_threshold(self, position):
        found = self._outturn(position)
        return None if found is None else str(found.underspend_threshold)


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


@extend_schema_field({"type": "string", "format": "decimal", "pattern": NON_NEGATIVE_MONEY, "example": "10200000.00"})
class NonNegativeMoneyField(MoneyField):
    """Pounds, not below zero, as a decimal string: "10200000.00"."""

    default_error_messages = {"format": 'Write an amount in pounds of 0 or more like "1234.56", not {value!r}.'}

    def get_value(self, dictionary):
        """A query parameter given empty is one not given, as throughout the API (mps_ict.api.schema)."""
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "" and not self.required:
            return serializers.empty
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(NON_NEGATIVE_MONEY, data):
            self.fail("format", value=data)
        return super().to_internal_value(data)


class CapitalProgrammeInput(WhatIfInput):
    underspend_threshold = NonNegativeMoneyField(
        required=False,
        help_text="The underspend (£) beyond which probability_underspend counts a simulated year; "
        "default 5% of each year's budget",
    )


class ProjectOutput(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.name")
    programme_manager = serializers.CharField(
        source="programme_manager.username", default=None, allow_null=True, help_text="Null until one is assigned"
    )
    budget_baseline = MoneyField()
    budget_forecast = MoneyField()
    latest_dca = serializers.CharField(allow_null=True)
    current_sro = serializers.CharField(allow_null=True)
    sro_count = serializers.IntegerField()
    version = serializers.IntegerField(
        allow_null=True, help_text="Its latest history id: give it back to PATCH it (portfolio office)"
    )

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
            "version",
        ]


class StatusUpdateOutput(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code")
    forecast_change = MoneyField()
    submitted_by = serializers.CharField(source="submitted_by.username")
    amended_by = serializers.CharField(
        source="amended_by.username", default=None, allow_null=True, help_text="Null until amended"
    )

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
            "amended_by",
            "amended_at",
            "amendment_reason",
            "version",
        ]


class StatusUpdateInput(Input):
    project = serializers.SlugRelatedField(slug_field="code", queryset=Project.objects.all())
    month = serializers.DateField(help_text="Any day in the month reported on, e.g. 2013-01-01")
    dca = serializers.ChoiceField(choices=DcaRating.choices)
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    milestones = serializers.CharField(required=False, allow_blank=True, default="")
    risks = serializers.CharField(required=False, allow_blank=True, default="")
    forecast_change = MoneyField(required=False, default=0)


# --- Programme managers' project records (issue 14, part 1) ---------------------------------------

VERSION_HELP = "The version you read; 409 if it changed since"


class ProjectBenefitOutput(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code")
    full_year_value = MoneyField(allow_null=True)
    retired = serializers.SerializerMethodField()

    class Meta:
        model = Benefit
        fields = [
            "id",
            "project",
            "category",
            "is_disbenefit",
            "description",
            "beneficiary",
            "responsible_officer",
            "measure",
            "baseline",
            "target",
            "full_year_value",
            "timescale",
            "realisation_start",
            "realisation_end",
            "protective_marking",
            "retired",
            "retired_at",
            "retired_reason",
            "version",
        ]

    def get_retired(self, benefit) -> bool:
        return benefit.retired_at is not None


class BenefitCreateInput(Input):
    """POST: a benefit (or dis-benefit) in the register of a project you manage."""

    project = serializers.SlugRelatedField(slug_field="code", queryset=Project.objects.all(), help_text="Its code")
    category = serializers.ChoiceField(choices=BenefitCategory.choices)
    is_disbenefit = serializers.BooleanField(required=False, default=False)
    description = serializers.CharField()
    beneficiary = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    responsible_officer = serializers.CharField(max_length=120)
    measure = serializers.CharField(max_length=200)
    baseline = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    target = serializers.CharField(max_length=200)
    full_year_value = MoneyField(required=False, allow_null=True, default=None)
    timescale = serializers.CharField(max_length=120)
    realisation_start = serializers.DateField(required=False, allow_null=True, default=None)
    realisation_end = serializers.DateField(required=False, allow_null=True, default=None)
    protective_marking = serializers.ChoiceField(
        choices=ProtectiveMarking.choices, required=False, default=ProtectiveMarking.OFFICIAL
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


class BenefitPatchInput(Input):
    """PATCH: the fields to change, from the version you read; a field not given keeps its value.
    `version` is required, so this is never DRF's `partial` mode (which would waive it)."""

    category = serializers.ChoiceField(choices=BenefitCategory.choices, required=False)
    is_disbenefit = serializers.BooleanField(required=False)
    description = serializers.CharField(required=False)
    beneficiary = serializers.CharField(required=False, allow_blank=True, max_length=200)
    responsible_officer = serializers.CharField(required=False, max_length=120)
    measure = serializers.CharField(required=False, max_length=200)
    baseline = serializers.CharField(required=False, allow_blank=True, max_length=200)
    target = serializers.CharField(required=False, max_length=200)
    full_year_value = MoneyField(required=False, allow_null=True)
    timescale = serializers.CharField(required=False, max_length=120)
    realisation_start = serializers.DateField(required=False, allow_null=True)
    realisation_end = serializers.DateField(required=False, allow_null=True)
    protective_marking = serializers.ChoiceField(choices=ProtectiveMarking.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)

    partial = property(lambda self: False, lambda self, value: None)


class BenefitRetireInput(Input):
    """Retire a benefit: why (kept on it and in the history), from the version you read."""

    reason = serializers.CharField(help_text="Why it leaves the register")
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class MilestoneOutput(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code")
    slippage_days = serializers.IntegerField(help_text="Forecast (or achieved) date less the baseline date, in days")
    state = serializers.CharField(help_text="Achieved, Late or On track")

    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "name",
            "baseline_date",
            "forecast_date",
            "achieved_date",
            "position",
            "slippage_days",
            "state",
            "version",
        ]


class MilestoneCreateInput(Input):
    """POST: a milestone of a project you manage; its forecast is its baseline date unless given."""

    project = serializers.SlugRelatedField(slug_field="code", queryset=Project.objects.all(), help_text="Its code")
    name = serializers.CharField(max_length=200)
    baseline_date = serializers.DateField()
    forecast_date = serializers.DateField(required=False, allow_null=True, default=None)
    achieved_date = serializers.DateField(required=False, allow_null=True, default=None)
    position = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


class MilestonePatchInput(Input):
    """PATCH: new dates (a forecast, the day achieved), name or position, from the version you read."""

    name = serializers.CharField(required=False, max_length=200)
    baseline_date = serializers.DateField(required=False)
    forecast_date = serializers.DateField(required=False)
    achieved_date = serializers.DateField(required=False, allow_null=True)
    position = serializers.IntegerField(required=False, min_value=0)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)

    partial = property(lambda self: False, lambda self, value: None)


class StatusUpdateAmendInput(Input):
    """PATCH: amend the current reporting month's update, with why, from the version you read. Its
    first version stays in its history."""

    dca = serializers.ChoiceField(choices=DcaRating.choices, required=False)
    narrative = serializers.CharField(required=False, allow_blank=True)
    milestones = serializers.CharField(required=False, allow_blank=True)
    risks = serializers.CharField(required=False, allow_blank=True)
    forecast_change = MoneyField(required=False, help_text="The corrected change to the whole-life forecast (£)")
    reason = serializers.CharField(help_text="Why it is amended; kept with the update")
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)

    partial = property(lambda self: False, lambda self, value: None)


# --- The portfolio office: programmes, projects, SROs, gates, assessments (issue 14, part 1) -------
# `version` of a programme or project is its latest audit-history id (services.record_version):
# give the one you read with a PATCH (or the project's with PUT enables/); 409 if it moved on.

OFFICE_VERSION_HELP = "The version you read (its latest history id); 409 if it changed since"


class ProgrammeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    project_count = serializers.IntegerField(help_text="Projects in it you may see")
    version = serializers.IntegerField(help_text="Give it back to PATCH")


class ProgrammeCreateInput(Input):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


class ProgrammePatchInput(Input):
    name = serializers.CharField(required=False, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")
    version = serializers.IntegerField(min_value=0, help_text=OFFICE_VERSION_HELP)

    partial = property(lambda self: False, lambda self, value: None)


class ProjectCreateInput(Input):
    """POST: a new project. `programme` by name, `programme_manager` by username (a programme
    manager); with `sro_name` and `sro_started`, its first SRO too."""

    code = serializers.SlugField(max_length=30)
    name = serializers.CharField(max_length=200)
    programme = serializers.CharField(help_text="The programme's name")
    category = serializers.CharField(max_length=60)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    stage = serializers.ChoiceField(choices=Stage.choices, required=False, default=Stage.PROPOSED)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default=Priority.MEDIUM)
    budget_baseline = MoneyField(help_text="Whole-life budget at approval (£)")
    budget_forecast = MoneyField(required=False, allow_null=True, default=None, help_text="Defaults to the baseline")
    programme_manager = serializers.CharField(
        required=False, allow_null=True, default=None, help_text="Username of a programme manager"
    )
    protective_marking = serializers.ChoiceField(
        choices=ProtectiveMarking.choices, required=False, default=ProtectiveMarking.OFFICIAL
    )
    sro_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    sro_role_title = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    sro_started = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


class ProjectPatchInput(Input):
    """PATCH: the fields to change, from the version you read. Retire a project by its stage
    (closed or cancelled); it is never deleted."""

    code = serializers.SlugField(required=False, max_length=30)
    name = serializers.CharField(required=False, max_length=200)
    programme = serializers.CharField(required=False, help_text="The programme's name")
    category = serializers.CharField(required=False, max_length=60)
    description = serializers.CharField(required=False, allow_blank=True)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    budget_baseline = MoneyField(required=False)
    budget_forecast = MoneyField(required=False)
    programme_manager = serializers.CharField(required=False, allow_null=True, help_text="Username; null for none")
    protective_marking = serializers.ChoiceField(choices=ProtectiveMarking.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")
    version = serializers.IntegerField(min_value=0, help_text=OFFICE_VERSION_HELP)

    partial = property(lambda self: False, lambda self, value: None)


class SroChangeInput(Input):
    name = serializers.CharField(max_length=120, help_text="The new SRO")
    role_title = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    started = serializers.DateField(help_text="From this day; the current SRO's assignment ends the day before")
    replaces = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="The current SRO as you read it (empty for none): 409 if another change was recorded since",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


class SroAssignmentOutput(serializers.Serializer):
    project = serializers.CharField(source="project.code")
    name = serializers.CharField()
    role_title = serializers.CharField()
    started = serializers.DateField()
    ended = serializers.DateField(allow_null=True)


class GateRequestInput(Input):
    name = serializers.CharField(max_length=120, help_text="e.g. Full business case")
    requested = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


class GateDecideInput(Input):
    decision = serializers.ChoiceField(choices=[c for c in GateDecision.choices if c[0] != GateDecision.PENDING])
    decided = serializers.DateField(help_text="Not before the request, not in the future")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


class GateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.CharField(source="project.code")
    name = serializers.CharField()
    requested = serializers.DateField()
    decided = serializers.DateField(allow_null=True)
    decision = serializers.ChoiceField(choices=GateDecision.choices)
    lead_time_days = serializers.IntegerField(allow_null=True, help_text="Days from request to decision")


class AssessmentInput(Input):
    """An independent Delivery Confidence Assessment (the SRO's own come with the status updates)."""

    assessed_on = serializers.DateField()
    scale = serializers.ChoiceField(choices=DcaScale.choices)
    rating = serializers.ChoiceField(
        choices=DcaRating.choices, help_text="Green, amber or red on the three-point scale"
    )
    assessor_name = serializers.CharField(max_length=120, help_text="A person or a review team")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


class AssessmentOutput(serializers.Serializer):
    project = serializers.CharField(source="project.code")
    assessed_on = serializers.DateField()
    scale = serializers.ChoiceField(choices=DcaScale.choices)
    rating = serializers.ChoiceField(choices=DcaRating.choices)
    assessor = serializers.ChoiceField(choices=Assessor.choices)
    assessor_name = serializers.CharField()
    note = serializers.CharField()


class EnablesInput(Input):
    initiatives = serializers.ListField(
        child=serializers.SlugField(), help_text="References of every savings initiative the project enables"
    )
    version = serializers.IntegerField(min_value=0, help_text=OFFICE_VERSION_HELP)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept in the history")


class EnablesOutput(serializers.Serializer):
    project = serializers.CharField()
    initiatives = serializers.ListField(child=serializers.CharField(), help_text="Those you may see")
    version = serializers.IntegerField()
