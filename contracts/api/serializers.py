from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.choices import EventKind, EventStatus, ProcurementRoute
from contracts.models import Contract, ContractEvent, Supplier
from contracts.selectors import contract_device_models, contract_figures, event_dependent_pounds
from mps_ict.api.fields import MoneyField
from mps_ict.api.serializers import Input
from mps_ict.marking import ProtectiveMarking

VERSION_HELP = "The version you read; 409 if it changed since"
REASON_HELP = "Kept in the history"
SHARE_HELP = 'A share of the value at award from 0 to 1, as a string: "0.5000" is 50%'


def _person(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


# --- outputs --------------------------------------------------------------------------------------


class SupplierOutput(serializers.ModelSerializer):
    contract_count = serializers.IntegerField(help_text="Its current contracts you may see")
    retired = serializers.SerializerMethodField()

    class Meta:
        model = Supplier
        fields = [
            "id",
            "name",
            "description",
            "contract_count",
            "source_facts",
            "is_illustrative",
            "retired",
            "retired_reason",
            "version",
        ]

    def get_retired(self, supplier) -> bool:
        return supplier.retired_at is not None


class ContractOutput(serializers.ModelSerializer):
    supplier = serializers.CharField(source="supplier.name")
    supplier_id = serializers.IntegerField()
    value = MoneyField()
    annual_value = MoneyField()
    modifications_value = MoneyField()
    modification_limit_share = serializers.DecimalField(max_digits=5, decimal_places=4)
    extensions_left = serializers.SerializerMethodField()
    maximum_end = serializers.SerializerMethodField()
    notice_by = serializers.SerializerMethodField(help_text="Notice must be given by this day to end it at `end`")
    modification_limit = serializers.SerializerMethodField(help_text="The limit share of the value at award (£)")
    headroom = serializers.SerializerMethodField(
        help_text="The modification limit less the modifications so far (£; negative: over it)"
    )
    may_still_be_modified = serializers.SerializerMethodField()
    retired = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "title",
            "supplier",
            "supplier_id",
            "description",
            "start",
            "end",
            "extension_months",
            "extensions_allowed",
            "extensions_used",
            "extensions_left",
            "maximum_end",
            "notice_months",
            "notice_by",
            "value",
            "annual_value",
            "procurement_route",
            "modification_limit_share",
            "modification_limit",
            "modifications_value",
            "headroom",
            "may_still_be_modified",
            "protective_marking",
            "source_facts",
            "is_illustrative",
            "retired",
            "retired_reason",
            "version",
        ]

    def _figures(self, contract):
        cache = self.context.setdefault("figures", {})
        if contract.pk not in cache:
            cache[contract.pk] = contract_figures(contract)
        return cache[contract.pk]

    def get_extensions_left(self, contract) -> int:
        return self._figures(contract).extensions_left

    def get_maximum_end(self, contract) -> str:
        return self._figures(contract).maximum_end.isoformat()

    def get_notice_by(self, contract) -> str:
        return self._figures(contract).notice_by.isoformat()

    def get_modification_limit(self, contract) -> str:
        return f"{self._figures(contract).modification_limit:.2f}"

    def get_headroom(self, contract) -> str:
        return f"{self._figures(contract).headroom:.2f}"

    def get_may_still_be_modified(self, contract) -> bool:
        return self._figures(contract).may_still_be_modified

    def get_retired(self, contract) -> bool:
        return contract.retired_at is not None


class DependentSavingsOutput(serializers.Serializer):
    by_year = serializers.DictField(
        child=serializers.CharField(),
        help_text='The pounds of each financial year ("2014/15") that depend on the event, as strings to the penny',
    )
    total = serializers.CharField(help_text="Their total (£)")


class EventOutput(serializers.ModelSerializer):
    contract = serializers.CharField(source="contract.reference")
    contract_id = serializers.IntegerField()
    supplier = serializers.CharField(source="contract.supplier.name")
    owner = serializers.CharField(source="owner.username", default=None, allow_null=True)
    owner_name = serializers.SerializerMethodField()
    retired = serializers.SerializerMethodField()
    initiatives = serializers.SerializerMethodField(
        help_text="The references of the savings initiatives you may see that depend on the event"
    )
    projects = serializers.SerializerMethodField(
        help_text="The codes of the capital projects you may see that depend on the event"
    )
    dependent_savings = serializers.SerializerMethodField(
        help_text="The part of those initiatives' planned saving that depends on the event (read-only: "
        "the links are set on the event's page)"
    )

    class Meta:
        model = ContractEvent
        fields = [
            "id",
            "contract",
            "contract_id",
            "supplier",
            "kind",
            "due",
            "owner",
            "owner_name",
            "status",
            "note",
            "initiatives",
            "projects",
            "dependent_savings",
            "source_facts",
            "is_illustrative",
            "retired",
            "retired_reason",
            "version",
        ]

    def get_owner_name(self, event) -> str | None:
        return _person(event.owner)

    def get_retired(self, event) -> bool:
        return event.retired_at is not None

    def get_initiatives(self, event) -> list[str]:
        return [initiative.reference for initiative in event.initiatives.all()]

    def get_projects(self, event) -> list[str]:
        return [project.code for project in event.projects.all()]

    @extend_schema_field(DependentSavingsOutput)
    def get_dependent_savings(self, event) -> dict:
        pounds = event_dependent_pounds(event)
        return {
            "by_year": {str(year): f"{amount:.2f}" for year, amount in pounds.by_year.items()},
            "total": f"{pounds.total:.2f}",
        }


# --- inputs ---------------------------------------------------------------------------------------


class SupplierCreateInput(Input):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text=REASON_HELP)


class SupplierPatchInput(Input):
    name = serializers.CharField(required=False, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text=REASON_HELP)
    version = serializers.IntegerField(min_value=0, help_text=VERSION_HELP)

    partial = property(lambda self: False, lambda self, value: None)


class ContractRecordRetireInput(Input):
    reason = serializers.CharField(help_text="Why it is retired: kept in the history")
    version = serializers.IntegerField(min_value=0, help_text=VERSION_HELP)


class ContractFieldsInput(Input):
    """A contract's fields; `supplier` by name."""

    reference = serializers.CharField(max_length=30)
    title = serializers.CharField(max_length=200)
    supplier = serializers.SlugRelatedField(
        slug_field="name", queryset=Supplier.objects.filter(retired_at__isnull=True), help_text="The supplier's name"
    )
    description = serializers.CharField(required=False, allow_blank=True)
    start = serializers.DateField()
    end = serializers.DateField()
    extension_months = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    extensions_allowed = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    extensions_used = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    notice_months = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    value = MoneyField()
    annual_value = MoneyField()
    procurement_route = serializers.ChoiceField(choices=ProcurementRoute.choices, required=False)
    modification_limit_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=0, max_value=1, required=False, help_text=SHARE_HELP
    )
    modifications_value = MoneyField(required=False)
    protective_marking = serializers.ChoiceField(choices=ProtectiveMarking.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text=REASON_HELP)


class ContractCreateInput(ContractFieldsInput):
    pass


class ContractPatchInput(ContractFieldsInput):
    version = serializers.IntegerField(min_value=0, help_text=VERSION_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False

    partial = property(lambda self: False, lambda self, value: None)


class EventCreateInput(Input):
    contract = serializers.SlugRelatedField(
        slug_field="reference", queryset=Contract.objects.none(), help_text="The contract's reference"
    )
    kind = serializers.ChoiceField(choices=EventKind.choices)
    due = serializers.DateField()
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A username",
    )
    status = serializers.ChoiceField(choices=EventStatus.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text=REASON_HELP)


class EventPatchInput(Input):
    kind = serializers.ChoiceField(choices=EventKind.choices, required=False)
    due = serializers.DateField(required=False)
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A username",
    )
    status = serializers.ChoiceField(choices=EventStatus.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    initiatives = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="All the savings initiatives (references) that depend on the event, replacing those "
        "you may see (one withheld from you stays linked)",
    )
    projects = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        help_text="All the capital projects (codes) that depend on the event, as `initiatives`",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text=REASON_HELP)
    version = serializers.IntegerField(min_value=0, help_text=VERSION_HELP)

    partial = property(lambda self: False, lambda self, value: None)

    def _records(self, references: list[str], field: str, name_field: str, what: str) -> list:
        """The records named, among those the writer may name (the context's `field` queryset):
        one withheld from the writer is refused as one that does not exist."""
        named = list(dict.fromkeys(references))
        found = {
            getattr(record, name_field): record for record in self.context[field].filter(**{f"{name_field}__in": named})
        }
        missing = [reference for reference in named if reference not in found]
        if missing:
            raise serializers.ValidationError(f"No {what} {', '.join(missing)}.")
        return [found[reference] for reference in named]

    def validate_initiatives(self, references):
        return self._records(references, "initiatives", "reference", "savings initiative")

    def validate_projects(self, references):
        return self._records(references, "projects", "code", "project")


class ContractDetailOutput(ContractOutput):
    """A contract as GET /contracts/<id>/ gives it: with the device models under it (issue 17 part 2)."""

    device_models = serializers.SerializerMethodField(help_text="The device models under it, by name")

    class Meta(ContractOutput.Meta):
        fields = [*ContractOutput.Meta.fields, "device_models"]

    def get_device_models(self, contract) -> list[str]:
        return [str(model) for model in contract_device_models(contract=contract)]
