import django_filters
from django.db.models import Q

from mobile_assets.choices import DeviceStatus
from mobile_assets.models import Device, DeviceModel, UsageStatistic, Vehicle


class DeviceFilter(django_filters.FilterSet):
    """Shared by the register page and the API."""

    q = django_filters.CharFilter(method="search", label="Asset tag, serial or collar number")
    type = django_filters.CharFilter(field_name="model__device_type__code", label="Device type")
    status = django_filters.ChoiceFilter(choices=DeviceStatus.choices)
    unit = django_filters.CharFilter(field_name="unit__code", label="Borough or OCU")
    assigned = django_filters.BooleanFilter(method="filter_assigned", label="Assigned now")

    class Meta:
        model = Device
        fields = ["q", "type", "status", "unit", "assigned"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(asset_tag__iexact=value)
            | Q(serial_number__iexact=value)
            | Q(assignments__ended__isnull=True, assignments__collar_number__iexact=value)
            | Q(asset_tag__istartswith=value)
        ).distinct()

    def filter_assigned(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status=DeviceStatus.ISSUED) if value else queryset.exclude(status=DeviceStatus.ISSUED)


class UsageFilter(django_filters.FilterSet):
    month = django_filters.DateFilter(field_name="month")
    unit = django_filters.CharFilter(field_name="unit__code")
    transaction_type = django_filters.CharFilter(field_name="transaction_type__code")

    class Meta:
        model = UsageStatistic
        fields = ["month", "unit", "transaction_type"]


class VehicleFilter(django_filters.FilterSet):
    """The vehicles list: by fleet number (or its start), borough or OCU, and whether retired."""

    q = django_filters.CharFilter(field_name="fleet_number", lookup_expr="istartswith", label="Fleet number")
    unit = django_filters.CharFilter(field_name="unit__code", label="Borough or OCU")
    retired = django_filters.BooleanFilter(field_name="retired_at", lookup_expr="isnull", exclude=True, label="Retired")

    class Meta:
        model = Vehicle
        fields = ["q", "unit", "retired"]


class DeviceModelFilter(django_filters.FilterSet):
    """The API's device models: `?contract=<reference>` gives those under the contract, if the
    reader may see it (a withheld contract's reference finds nothing, as an unknown one does)."""

    contract = django_filters.CharFilter(method="under_contract", label="Contract reference")

    class Meta:
        model = DeviceModel
        fields = ["contract"]

    def under_contract(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        contracts = DeviceModel.contract.field.related_model.objects.visible_to(getattr(self.request, "user", None))
        return queryset.filter(contract__in=contracts.filter(reference__iexact=value))
