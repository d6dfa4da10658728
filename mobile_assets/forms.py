from django import forms

from mobile_assets import selectors
from mobile_assets.choices import BenefitRole, DeviceStatus
from mobile_assets.models import Capability, DeviceModel, DeviceType, OrganisationalUnit, TransactionType, Vehicle
from mps_ict.fields import FinancialYearFormField, MoneyFormField, MonthFormField
from mps_ict.forms import GovUKFormMixin, SpreadsheetForm


class AssignForm(GovUKFormMixin, forms.Form):
    collar_number = forms.CharField(
        label="Officer's collar number",
        required=False,
        max_length=20,
        help_text="For a device issued to an officer, for example PC1234",
    )
    officer_unit = forms.ModelChoiceField(
        label="Officer's borough or OCU",
        queryset=OrganisationalUnit.objects.filter(retired_at__isnull=True),
        required=False,
        empty_label="Choose a borough or OCU",
    )
    vehicle = forms.CharField(
        label="Or the vehicle's fleet number",
        required=False,
        max_length=20,
        help_text="For an in-vehicle terminal, for example MV00042",
    )
    started = forms.DateField(
        label="Issued on", help_text="For example, 29/04/2013", input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )

    def clean_vehicle(self):
        fleet_number = self.cleaned_data["vehicle"].strip().upper()
        if not fleet_number:
            return None
        try:
            return Vehicle.objects.get(fleet_number=fleet_number)
        except Vehicle.DoesNotExist as error:
            raise forms.ValidationError(f"There is no vehicle {fleet_number}.") from error


class ReturnForm(GovUKFormMixin, forms.Form):
    ended = forms.DateField(
        label="Returned on", help_text="For example, 29/04/2013", input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )


class StatusForm(GovUKFormMixin, forms.Form):
    status = forms.ChoiceField(
        label="Report the device as",
        choices=[
            (DeviceStatus.LOST, "Lost"),
            (DeviceStatus.STOLEN, "Stolen"),
            (DeviceStatus.IN_REPAIR, "In repair"),
            (DeviceStatus.RETIRED, "Retired"),
            (DeviceStatus.IN_STOCK, "Back in stock"),
        ],
    )
    on = forms.DateField(label="On", help_text="For example, 29/04/2013", input_formats=["%Y-%m-%d", "%d/%m/%Y"])


class UsageUploadForm(SpreadsheetForm):
    """A month's usage file (any workbook or CSV the import engine reads) and the month it is for."""

    month = MonthFormField(label="Month the figures are for", help_text="For example, 2013-03")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "Usage statistics (a workbook or CSV)")
        super().__init__(*args, **kwargs)
        self.fields["spreadsheet"].help_text = (
            "An Excel workbook (.xlsx or .xls) or a CSV file, at most 20 MB, with the columns Unit, Transaction "
            "type and Count (in any order; title rows above them and a Total row are fine, hidden sheets are not "
            "read). Uploading a month again replaces it; the file is checked and shown to you before anything is saved."
        )
        self.order_fields(["month", "spreadsheet", "sheet"])


class ConfirmForm(forms.Form):
    """Confirm a checked upload: the id of its preview, kept until it is confirmed (or for a day)."""

    preview_id = forms.UUIDField(widget=forms.HiddenInput)


class UsageConfirmForm(ConfirmForm):
    """Confirm a checked usage upload; an incomplete one needs its box ticked (issue 14 part 5)."""

    confirm_incomplete = forms.BooleanField(
        label="These are the month's figures, incomplete: save them anyway",
        required=False,
        help_text="The pages will say the month is incomplete until a complete file replaces it.",
    )


class DeviceUploadForm(SpreadsheetForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "Device register (a workbook or CSV)")
        super().__init__(*args, **kwargs)
        self.fields["spreadsheet"].help_text = (
            "An Excel workbook (.xlsx or .xls) or a CSV file, at most 20 MB. Columns: Asset tag, Serial number, "
            "Model, and optionally Status, Unit, Purchase date, Purchase cost, Warranty end, Collar number, "
            "Vehicle, Status date, in any order (title rows above them and a Total row are fine; hidden sheets "
            "are not read). Rows update the device with the same asset tag, or add it; a blank Status leaves a "
            "device's status as it is. Issued needs a Collar number (with the Unit) or a Vehicle; lost, stolen, "
            "retired or in stock ends the current issue. The file is checked and shown to you before anything is saved."
        )


# --- Estate reference data (issue 14 parts 2 and 3) ---------------------------------------------------
# One form per record; an add form asks for the fields that then stay (a code, a model's type, a
# fleet number), a change form leaves them out (`change=True`). `version` is the version read.


class ReferenceForm(GovUKFormMixin, forms.Form):
    fixed_on_change: tuple[str, ...] = ()

    def __init__(self, *args, change: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if change:
            for name in self.fixed_on_change:
                del self.fields[name]
        else:
            del self.fields["version"]
        for name, field in self.fields.items():  # a missing answer names its field
            if name != "version":
                verb = "Choose" if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) else "Enter"
                field.error_messages["required"] = f"{verb} the {field.label[0].lower()}{field.label[1:]}."


def _capabilities_field():
    return forms.ModelMultipleChoiceField(
        label="What it can do",
        queryset=Capability.objects.filter(retired_at__isnull=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _reason_field():
    return forms.CharField(label="Why are you making this change?", required=False, widget=forms.TextInput())


def _version_field():
    return forms.IntegerField(widget=forms.HiddenInput, required=True, error_messages={"required": "Reload the page."})


class CapabilityForm(ReferenceForm):
    fixed_on_change = ("code",)
    code = forms.SlugField(
        label="Code", max_length=40, help_text="Letters, numbers and hyphens, for example fingerprint"
    )
    name = forms.CharField(label="Name", max_length=120, help_text="For example, Fingerprint identification")
    reason = _reason_field()
    version = _version_field()


class DeviceTypeForm(ReferenceForm):
    fixed_on_change = ("code",)
    code = forms.SlugField(
        label="Code", max_length=40, help_text="Letters, numbers and hyphens, for example fingerprint-reader"
    )
    name = forms.CharField(label="Name", max_length=120, help_text="For example, Mobile fingerprint reader")
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    capabilities = _capabilities_field()
    reason = _reason_field()
    version = _version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capabilities"] = _capabilities_field()


class DeviceModelForm(ReferenceForm):
    fixed_on_change = ("device_type",)
    device_type = forms.ModelChoiceField(
        label="Device type", queryset=DeviceType.objects.none(), empty_label="Choose a device type"
    )
    manufacturer = forms.CharField(
        label="Manufacturer", max_length=80, required=False, help_text="For example, Samsung"
    )
    name = forms.CharField(label="Model", max_length=120, help_text="For example, Galaxy S4")
    contract = forms.ModelChoiceField(
        label="Contract",
        queryset=DeviceModel.objects.none(),
        required=False,
        empty_label="None recorded",
        help_text="The contract its devices are bought or serviced under",
    )
    capabilities = _capabilities_field()
    reason = _reason_field()
    version = _version_field()

    def __init__(self, *args, user, current_contract=None, **kwargs):
        """`user` sees the contracts in force they may see, and the model's own (`current_contract`)
        if retired since; a model under a contract `user` may not see keeps it: no field for it."""
        super().__init__(*args, **kwargs)
        self.fields["capabilities"] = _capabilities_field()
        if "device_type" in self.fields:
            self.fields["device_type"].queryset = DeviceType.objects.filter(retired_at__isnull=True).order_by("name")
        choices = selectors.contract_choices(user=user)
        if current_contract is not None:
            current = type(current_contract).objects.visible_to(user).filter(pk=current_contract.pk)
            if not current.exists():
                del self.fields["contract"]
                return
            choices = (choices | current).order_by("reference")
        self.fields["contract"].queryset = choices
        self.fields["contract"].error_messages["invalid_choice"] = (
            "Choose a contract in force from the list, or None recorded."
        )


class UnitForm(ReferenceForm):
    fixed_on_change = ("code",)
    code = forms.SlugField(label="Code", max_length=20, help_text="Letters, numbers and hyphens, for example city")
    name = forms.CharField(label="Name", max_length=120, help_text="For example, Westminster")
    reason = _reason_field()
    version = _version_field()


class VehicleForm(ReferenceForm):
    fixed_on_change = ("fleet_number",)
    fleet_number = forms.CharField(label="Fleet number", max_length=20, help_text="For example, MV01500")
    unit = forms.ModelChoiceField(
        label="Borough or OCU", queryset=OrganisationalUnit.objects.none(), empty_label="Choose a borough or OCU"
    )
    reason = _reason_field()
    version = _version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrganisationalUnit.objects.filter(retired_at__isnull=True).order_by("name")


class RetireForm(GovUKFormMixin, forms.Form):
    reason = forms.CharField(label="Why?", required=False, widget=forms.TextInput())
    version = _version_field()


class BenefitRuleForm(ReferenceForm):
    """A new rule from a month (add), or a correction of a rule's minutes (change)."""

    fixed_on_change = ("transaction_type", "role", "effective_from")
    transaction_type = forms.ModelChoiceField(
        label="Transaction", queryset=TransactionType.objects.none(), empty_label="Choose a transaction"
    )
    role = forms.ChoiceField(label="Whose time it saves", choices=[("", "Choose whose time"), *BenefitRole.choices])
    minutes_saved = forms.DecimalField(
        label="Minutes saved per transaction", min_value=0, max_digits=7, decimal_places=2, help_text="For example, 7.5"
    )
    effective_from = MonthFormField(
        label="From the month", help_text="For example, 2013-04. Earlier months keep the rule they had."
    )
    reason = _reason_field()
    version = _version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "transaction_type" in self.fields:
            self.fields["transaction_type"].queryset = TransactionType.objects.order_by("name")


class HourlyCostForm(ReferenceForm):
    fixed_on_change = ("role", "financial_year")
    role = forms.ChoiceField(label="Role", choices=[("", "Choose a role"), *BenefitRole.choices])
    financial_year = FinancialYearFormField(label="Financial year", max_length=7, help_text="For example, 2013/14")
    cost = MoneyFormField(label="Cost of an hour (£)", help_text="For example, 22.50")
    basis = forms.CharField(label="Basis", max_length=300, required=False, help_text="Where the figure comes from")
    reason = _reason_field()
    version = _version_field()


class RolloutLineForm(ReferenceForm):
    fixed_on_change = ("device_type", "month")
    device_type = forms.ModelChoiceField(
        label="Device type", queryset=DeviceType.objects.none(), empty_label="Choose a device type"
    )
    month = MonthFormField(label="Month", help_text="For example, 2014-04")
    planned = forms.IntegerField(label="Devices planned", min_value=0, help_text="For example, 1250")
    reason = _reason_field()
    version = _version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "device_type" in self.fields:
            self.fields["device_type"].queryset = DeviceType.objects.filter(retired_at__isnull=True).order_by("name")
