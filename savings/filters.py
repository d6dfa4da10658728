import django_filters
from django.db.models import Q

from mps_ict.filters import FinancialYearFilter
from savings.choices import ActualStatus, Confidence, DeliveryStatus, SavingsType
from savings.models import Initiative, QuarterlyActual


class InitiativeFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__slug", help_text="Category slug, e.g. data-centres")
    savings_type = django_filters.ChoiceFilter(choices=SavingsType.choices)
    delivery_status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    confidence = django_filters.ChoiceFilter(choices=Confidence.choices)
    withdrawn = django_filters.BooleanFilter(
        field_name="withdrawn_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: only those withdrawn from the plan; false: only those in it; leave out for both",
    )

    class Meta:
        model = Initiative
        fields = [
            "category",
            "savings_type",
            "delivery_status",
            "confidence",
            "cashable",
            "inside_doi_budget",
            "withdrawn",
        ]


class QuarterlyActualFilter(django_filters.FilterSet):
    financial_year = FinancialYearFilter(help_text="e.g. 2014/15")
    quarter = django_filters.ChoiceFilter(choices=[(n, f"Q{n}") for n in (1, 2, 3, 4)])
    status = django_filters.ChoiceFilter(choices=ActualStatus.choices)
    initiative = django_filters.CharFilter(field_name="initiative__reference")
    category = django_filters.CharFilter(field_name="initiative__category__slug")
    current = django_filters.BooleanFilter(
        method="filter_current",
        help_text="true: only each quarter's figures in force (approved) and open ones (draft, submitted or "
        "returned, a correction included); false: only superseded revisions",
    )

    class Meta:
        model = QuarterlyActual
        fields = ["financial_year", "quarter", "status", "initiative", "category", "current"]

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        superseded = Q(status=ActualStatus.SUPERSEDED)
        return queryset.exclude(superseded) if value else queryset.filter(superseded)
