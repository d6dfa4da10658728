"""The register's API: suppliers, contracts and events. Read by every reader (a contract marked
OFFICIAL-SENSITIVE, and its events, only with `view_restricted`: to anyone else it is a 404 like a
contract that never existed, and it is in no list or file); written by finance and the portfolio
office through the same services as the pages. Lists come as CSV and XLSX too (`?format=`)."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from contracts import selectors, services
from contracts.api import serializers
from contracts.filters import ContractFilter, EventFilter, SupplierFilter
from contracts.models import Contract, ContractEvent, Supplier
from mps_ict.api.errors import ErrorOutput

WRITE_RESPONSES = {400: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput}


class SupplierViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Suppliers, with how many of their current contracts you may see. Finance and the portfolio
    office add, change (PATCH, from the version read) and retire them (retire/)."""

    serializer_class = serializers.SupplierOutput
    filterset_class = SupplierFilter
    export_filename = "suppliers"
    queryset = Supplier.objects.all()
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser]

    def get_queryset(self):
        return selectors.supplier_list(user=self.request.user)

    def _output(self, supplier):
        return serializers.SupplierOutput(self.get_queryset().get(pk=supplier.pk)).data

    @extend_schema(
        request=serializers.SupplierCreateInput, responses={201: serializers.SupplierOutput, **WRITE_RESPONSES}
    )
    def create(self, request, *args, **kwargs):
        params = serializers.SupplierCreateInput(data=request.data)
        params.is_valid(raise_exception=True)
        supplier = services.supplier_create(user=request.user, **params.validated_data)
        return Response(self._output(supplier), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.SupplierPatchInput, responses={200: serializers.SupplierOutput, **WRITE_RESPONSES}
    )
    def partial_update(self, request, *args, **kwargs):
        supplier = self.get_object()
        params = serializers.SupplierPatchInput(data=request.data)
        params.is_valid(raise_exception=True)
        updated = services.supplier_update(supplier=supplier, user=request.user, **params.validated_data)
        return Response(self._output(updated))

    @extend_schema(
        request=serializers.ContractRecordRetireInput, responses={200: serializers.SupplierOutput, **WRITE_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        supplier = self.get_object()
        params = serializers.ContractRecordRetireInput(data=request.data)
        params.is_valid(raise_exception=True)
        retired = services.supplier_retire(supplier=supplier, user=request.user, **params.validated_data)
        return Response(self._output(retired))


class ContractViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Contracts with their derived figures (extensions left, maximum end, notice date, the
    modification limit and the headroom under it). Filter by `supplier` (id), by end date
    (`end_after`, `end_before`) and by what depends on them (`initiative=<reference>`,
    `project=<code>`: those with a live event it depends on). Finance and the portfolio office add, change and retire them."""

    serializer_class = serializers.ContractOutput
    filterset_class = ContractFilter
    export_filename = "contracts"
    queryset = Contract.objects.all()
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser]

    def get_queryset(self):
        return selectors.contract_list(user=self.request.user)

    def _output(self, contract):
        return serializers.ContractOutput(self.get_queryset().get(pk=contract.pk)).data

    @extend_schema(responses=serializers.ContractDetailOutput)
    def retrieve(self, request, *args, **kwargs):
        """The contract, with the device models under it (issue 17 part 2)."""
        return Response(serializers.ContractDetailOutput(self.get_object()).data)

    @extend_schema(
        request=serializers.ContractCreateInput, responses={201: serializers.ContractOutput, **WRITE_RESPONSES}
    )
    def create(self, request, *args, **kwargs):
        params = serializers.ContractCreateInput(data=request.data)
        params.is_valid(raise_exception=True)
        contract = services.contract_create(user=request.user, **params.validated_data)
        return Response(self._output(contract), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.ContractPatchInput, responses={200: serializers.ContractOutput, **WRITE_RESPONSES}
    )
    def partial_update(self, request, *args, **kwargs):
        contract = self.get_object()
        params = serializers.ContractPatchInput(data=request.data)
        params.is_valid(raise_exception=True)
        updated = services.contract_update(contract=contract, user=request.user, **params.validated_data)
        return Response(self._output(updated))

    @extend_schema(
        request=serializers.ContractRecordRetireInput, responses={200: serializers.ContractOutput, **WRITE_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        contract = self.get_object()
        params = serializers.ContractRecordRetireInput(data=request.data)
        params.is_valid(raise_exception=True)
        retired = services.contract_retire(contract=contract, user=request.user, **params.validated_data)
        return Response(self._output(retired))


class EventViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Contract events by date (`?contract=<reference>`, `?supplier=<id>`, `kind`, `status`,
    `due_after`, `due_before`; `?initiative=<reference>`, `?project=<code>`, `?has_dependents=`),
    each with the savings initiatives and projects you may see that depend on it and the pounds of
    each year that depend on it. Finance and the portfolio office add, change and retire them, and
    say what depends on them (PATCH `initiatives` by reference, `projects` by code); a change of
    date or status is kept in the event's history, a change of what depends on it in the trails
    of the event and of each initiative or project."""

    serializer_class = serializers.EventOutput
    filterset_class = EventFilter
    export_filename = "contract-events"
    queryset = ContractEvent.objects.all()
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser]

    def get_queryset(self):
        return selectors.event_list_with_dependents(user=self.request.user)

    def _output(self, event):
        return serializers.EventOutput(self.get_queryset().get(pk=event.pk)).data

    @extend_schema(request=serializers.EventCreateInput, responses={201: serializers.EventOutput, **WRITE_RESPONSES})
    def create(self, request, *args, **kwargs):
        params = serializers.EventCreateInput(data=request.data)
        params.fields["contract"].queryset = Contract.objects.visible_to(request.user)
        params.is_valid(raise_exception=True)
        event = services.event_create(user=request.user, **params.validated_data)
        return Response(self._output(event), status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.EventPatchInput, responses={200: serializers.EventOutput, **WRITE_RESPONSES})
    def partial_update(self, request, *args, **kwargs):
        """Change the event and, with `initiatives` or `projects`, what depends on it (both from
        the version read, together or not at all)."""
        event = self.get_object()
        initiatives, projects = selectors.dependents_linkable(user=request.user)
        params = serializers.EventPatchInput(
            data=request.data, context={"initiatives": initiatives, "projects": projects}
        )
        params.is_valid(raise_exception=True)
        values = dict(params.validated_data)
        dependents = {name: values.pop(name) for name in ("initiatives", "projects") if name in values}
        with transaction.atomic():
            updated = event
            if not dependents or set(values) - {"version", "reason"}:
                updated = services.event_update(event=event, user=request.user, **values)
            if dependents:
                linked_initiatives, linked_projects = selectors.event_dependents(user=request.user, event=updated)
                updated = services.event_dependents_set(
                    event=updated,
                    user=request.user,
                    initiatives=dependents.get("initiatives", linked_initiatives),
                    projects=dependents.get("projects", linked_projects),
                    version=updated.version if updated is not event else values["version"],
                    reason=values["reason"],
                )
        return Response(self._output(updated))

    @extend_schema(
        request=serializers.ContractRecordRetireInput, responses={200: serializers.EventOutput, **WRITE_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        event = self.get_object()
        params = serializers.ContractRecordRetireInput(data=request.data)
        params.is_valid(raise_exception=True)
        retired = services.event_retire(event=event, user=request.user, **params.validated_data)
        return Response(self._output(retired))
