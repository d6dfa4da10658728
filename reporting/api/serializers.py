from rest_framework import serializers

from mps_ict.api.serializers import Input
from reporting.models import PackVersion


class PackInput(serializers.Serializer):
    version = serializers.ChoiceField(
        choices=PackVersion.choices,
        required=False,
        help_text="full or publication; without `view_restricted` the publication version is always given",
    )
    snapshot = serializers.IntegerField(required=False, min_value=1, help_text="A frozen copy's id")
    question = serializers.IntegerField(
        required=False, min_value=1, max_value=6, help_text="For ?format=csv: which question"
    )


class SnapshotOutput(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    version = serializers.CharField()
    frozen_at = serializers.DateTimeField()
    frozen_by = serializers.CharField(source="frozen_by.username")


class FreezeInput(Input):
    label = serializers.CharField(max_length=120)
    version = serializers.ChoiceField(choices=PackVersion.choices, required=False)
