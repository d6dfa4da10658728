import django_filters
from django.db.models import Exists, OuterRef

from mps_ict.filters import FinancialYearFilter
from portfolio.choices import DcaRating, Stage
from portfolio.models import Benefit, Milestone, Project, SpendProfileLine, StatusUpdate


class ProjectFilter(django_filters.FilterSet):
    """Shared by the project list page and the API."""

    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    dca = django_filters.ChoiceFilter(choices=DcaRating.choices, field_name="latest_dca", help_text="Latest DCA rating")
    programme = django_filters.CharFilter(field_name="programme__name", lookup_expr="iexact")
    category = django_filters.CharFilter(field_name="category", lookup_expr="iexact")
    financial_year = FinancialYearFilter(method="filter_financial_year", help_text="Has planned spend in this year")

    class Meta:
        model = Project
        fields = ["stage", "dca", "programme", "category", "financial_year"]

    def filter_financial_year(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(
            Exists(SpendProfileLine.objects.filter(project=OuterRef("pk"), financial_year=value, planned__gt=0))
        )


class StatusUpdateFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__code")

    class Meta:
        model = StatusUpdate
        fields = ["project"]


def _govuk_widgets(form):
    for field in form.fields.values():
        kind = getattr(field.widget, "input_type", "") or ""
        field.widget.attrs["class"] = "govuk-select" if kind == "select" else "govuk-input"
    return form


class ProjectListFilter(ProjectFilter):
    @property
    def form(self):
        return _govuk_widgets(super().form)


# --- programme managers' project records (issue 14, part 1) ---


class BenefitFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__code", help_text="A project's code")
    retired = django_filters.BooleanFilter(
        field_name="retired_at", lookup_expr="isnull", exclude=True, help_text="true: retired only; false: current only"
    )

    class Meta:
        model = Benefit
        fields = ["project", "retired"]


class MilestoneFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__code", help_text="A project's code")

    class Meta:
        model = Milestone
        fields = ["project"]
