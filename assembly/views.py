"""Assembly response pack pages and downloads. Thin: pick the version the reader may see, call
a selector or service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assembly import io, selectors, services
from assembly.forms import CompareForm, FreezeForm
from assembly.models import PackVersion
from mps_ict.access import may_write
from mps_ict.forms import add_service_errors
from mps_ict.marking import can_view_restricted

QUESTION_NUMBERS = range(1, 7)


def _live(request):
    version = selectors.pack_version_for(request.user, request.GET.get("version"))
    return selectors.pack_build(user=request.user, version=version)


def _frozen(request, pk):
    return get_object_or_404(selectors.snapshots_visible_to(request.user), pk=pk)


def _context(request, pack, *, frozen=None, freeze_form=None):
    # one query for the table (newest 20) and the compare form; the packs themselves are not needed here
    snapshots = list(selectors.snapshots_visible_to(request.user).defer("content"))
    return {
        "pack": pack,
        "frozen": frozen,
        "facts": io.describe(pack, frozen),
        "can_view_restricted": can_view_restricted(request.user),
        "can_freeze": may_write(request.user, "assembly:freeze"),
        "freeze_form": freeze_form or FreezeForm(initial={"version": pack["version"]}),
        "snapshots": snapshots,
        "compare_form": CompareForm(snapshots=snapshots),
        "other_version": PackVersion.PUBLICATION if pack["version"] == PackVersion.FULL else PackVersion.FULL,
    }


def pack(request):
    return render(request, "assembly/pack.html", _context(request, _live(request)))


def snapshot(request, pk):
    frozen = _frozen(request, pk)
    return render(request, "assembly/pack.html", _context(request, frozen.content, frozen=frozen))


@require_POST
def freeze(request):
    form = FreezeForm(request.POST)
    if form.is_valid():
        try:
            frozen = services.pack_freeze(
                user=request.user, label=form.cleaned_data["label"], version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Frozen: “{frozen.label}”. Later edits do not change this copy.")
            return redirect("assembly:snapshot", pk=frozen.pk)
    version = selectors.pack_version_for(request.user, request.POST.get("version"))
    live = selectors.pack_build(user=request.user, version=version)
    return render(request, "assembly/pack.html", _context(request, live, freeze_form=form), status=400)


def _xlsx_response(pack, filename, *, frozen=None):
    response = HttpResponse(
        io.pack_xlsx(pack, frozen=frozen),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_response(pack, number, filename, *, frozen=None):
    if number not in QUESTION_NUMBERS:
        raise Http404("The Assembly asked six questions")
    response = HttpResponse(io.question_csv(pack, number, frozen=frozen), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def pack_xlsx(request):
    pack = _live(request)
    return _xlsx_response(pack, f"assembly-pack-{pack['version']}-{pack['generated_at'][:10]}.xlsx")


def question_csv(request, number):
    pack = _live(request)
    return _csv_response(pack, number, f"assembly-q{number}-{pack['version']}-{pack['generated_at'][:10]}.csv")


def snapshot_xlsx(request, pk):
    frozen = _frozen(request, pk)
    return _xlsx_response(
        frozen.content, f"assembly-pack-frozen-{frozen.pk}-{frozen.frozen_at:%Y-%m-%d}.xlsx", frozen=frozen
    )


def snapshot_csv(request, pk, number):
    frozen = _frozen(request, pk)
    return _csv_response(
        frozen.content, number, f"assembly-q{number}-frozen-{frozen.pk}-{frozen.frozen_at:%Y-%m-%d}.csv", frozen=frozen
    )


def compare(request):
    visible = selectors.snapshots_visible_to(request.user)
    form = CompareForm(request.GET or None, snapshots=visible)
    context = {"form": form, "changes": None}
    if form.is_valid():
        earlier = get_object_or_404(visible, pk=form.cleaned_data["earlier"])
        if form.cleaned_data["later"] == "live":
            later_pack = selectors.pack_build(user=request.user, version=earlier.version)
            later = None
        else:
            later = get_object_or_404(visible, pk=int(form.cleaned_data["later"]))
            later_pack = later.content
        context.update(
            earlier=earlier,
            later=later,
            later_pack=later_pack,
            versions_differ=earlier.content["version"] != later_pack["version"],
            changes=selectors.pack_compare(earlier.content, later_pack),
        )
    return render(request, "assembly/compare.html", context, status=400 if form.errors else 200)
