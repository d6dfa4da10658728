from django import forms

from mobile_assets.choices import DeviceStatus
from mobile_assets.models import OrganisationalUnit, Vehicle
from mps_ict.fields import MonthFormField
from mps_ict.forms import GovUKFormMixin


class AssignForm(GovUKFormMixin, forms.Form):
    collar_number = forms.CharField(
        label="Officer's collar number",
        required=False,
        max_length=20,
        help_text="For a device issued to an officer, for example PC1234",
    )
    officer_unit = forms.ModelChoiceField(
        label="Officer's borough or OCU",
        queryset=OrganisationalUnit.objects.all(),
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


class UsageUploadForm(GovUKFormMixin, forms.Form):
    month = MonthFormField(label="Month the figures are for", help_text="For example, 2013-03")
    spreadsheet = forms.FileField(
        label="Usage statistics (.csv or .xlsx)",
        help_text="Columns: unit, transaction type, count. Uploading a month again replaces it.",
    )

    def clean_spreadsheet(self):
        upload = self.cleaned_data["spreadsheet"]
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 10 MB.")
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return upload


class DeviceUploadForm(GovUKFormMixin, forms.Form):
    spreadsheet = forms.FileField(
        label="Device register (.csv or .xlsx)",
        help_text="Columns: Asset tag, Serial number, Model, and optionally Status, Unit, Purchase date, "
        "Purchase cost, Warranty end. Rows update devices with the same asset tag.",
    )

    def clean_spreadsheet(self):
        upload = self.cleaned_data["spreadsheet"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 20 MB.")
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return upload
