"""/api/v1/assembly/: the Assembly response pack as JSON (or ?format=xlsx, ?format=csv&question=N),
and its frozen copies."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, renderers, status
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from mps_ict.api.errors import ErrorOutput
from mps_ict.downloads import CSV_CHARSET, CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, content_disposition
from reporting import assembly, io, selectors, services
from reporting.api import serializers


def _is_pack(data, renderer_context) -> bool:
    """Errors (anything but a pack) are answered as JSON, in the API's one error shape."""
    if isinstance(data, dict) and "questions" in data:
        return True
    renderer_context["response"]["Content-Type"] = "application/json"
    return False


class PackXLSXRenderer(renderers.BaseRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not _is_pack(data, renderer_context):
            return renderers.JSONRenderer().render(data)
        renderer_context["response"]["Content-Disposition"] = content_disposition("assembly-pack.xlsx")
        return io.pack_xlsx(data)


class PackCSVRenderer(renderers.BaseRenderer):
    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = CSV_CHARSET

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not _is_pack(data, renderer_context):
            return renderers.JSONRenderer().render(data)
        number = renderer_context["view"].csv_question
        renderer_context["response"]["Content-Disposition"] = content_disposition(f"assembly-q{number}.csv")
        return io.question_csv(data, number).encode(self.charset)


class AssemblyPackView(APIView):
    """The pack as the data stands (or a frozen copy, ?snapshot=id). A caller without
    `view_restricted` only ever gets the publication version, whatever it asks for."""

    renderer_classes = [renderers.JSONRenderer, PackXLSXRenderer, PackCSVRenderer]
    csv_question = None

    @extend_schema(parameters=[serializers.PackInput], responses={200: OpenApiTypes.OBJECT, 404: ErrorOutput})
    def get(self, request):
        params = serializers.PackInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        if request.accepted_renderer.format == "csv":
            if "question" not in params.validated_data:
                raise exceptions.ValidationError({"question": ["Say which question to export, 1 to 6 (?question=6)"]})
            self.csv_question = params.validated_data["question"]
        if "snapshot" in params.validated_data:
            frozen = get_object_or_404(
                assembly.snapshots_visible_to(request.user), pk=params.validated_data["snapshot"]
            )
            pack = {**frozen.content, "snapshot": serializers.SnapshotOutput(frozen).data}
        else:
            version = assembly.pack_version_for(request.user, params.validated_data.get("version"))
            pack = assembly.pack_build(user=request.user, version=version, as_at=params.validated_data.get("as_at"))
        return Response(pack)


class AssemblySnapshotListView(APIView):
    """Frozen copies of the pack the caller may read (GET), or freeze the pack now (POST, finance)."""

    @extend_schema(responses=serializers.SnapshotOutput(many=True))
    def get(self, request):
        return Response(serializers.SnapshotOutput(assembly.snapshots_visible_to(request.user), many=True).data)

    @extend_schema(request=serializers.FreezeInput, responses={201: serializers.SnapshotOutput})
    def post(self, request):
        data = serializers.FreezeInput(data=request.data)
        data.is_valid(raise_exception=True)
        frozen = services.pack_freeze(
            user=request.user, label=data.validated_data["label"], version=data.validated_data.get("version")
        )
        return Response(serializers.SnapshotOutput(frozen).data, status=status.HTTP_201_CREATED)


class OverviewView(APIView):
    """The board overview's headline figures for the three areas, as they stand or `?as_at=` the
    end of a past day: the same figures, read the same way, as the overview page; and the contract
    decisions due (`?window=`) for a caller who may read the contract events."""

    @extend_schema(parameters=[serializers.OverviewInput], responses={200: serializers.OverviewOutput})
    def get(self, request):
        params = serializers.OverviewInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        overview = selectors.board_overview(
            user=request.user,
            as_at=params.validated_data.get("as_at"),
            alert_window=params.validated_data.get("window"),
        )
        return Response(serializers.OverviewOutput(overview).data)
