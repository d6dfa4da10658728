"""The reporting floor's pages: the board overview, and the Assembly response pack with its
downloads. Thin: read the request, call a selector or service, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mobile_assets import charts as mobile_charts
from mps_ict.access import may_write
from mps_ict.as_at import as_at_from
from mps_ict.downloads import csv_attachment, xlsx_attachment
from mps_ict.forms import add_service_errors
from mps_ict.marking import can_view_restricted
from portfolio import charts as portfolio_charts
from portfolio import outturn as portfolio_outturn
from reporting import assembly, io, selectors, services
from reporting.forms import AlertWindowForm, CompareForm, FreezeForm
from reporting.models import PackVersion
from savings import charts as savings_charts

QUESTION_NUMBERS = range(1, 7)


def home(request):
    """The board overview: where savings, the portfolio and the mobile estate stand, now or as at
    a past date."""
    form, as_at = as_at_from(request)
    window_form = AlertWindowForm(
        request.GET if "window" in request.GET else None, default=settings.CONTRACT_ALERT_WINDOW
    )
    overview = selectors.board_overview(user=request.user, as_at=as_at, alert_window=window_form.chosen())
    savings, portfolio, mobile = overview.savings, overview.portfolio, overview.mobile
    outturn_rows = [portfolio_outturn.range_row(overview.portfolio_outturn)] if overview.portfolio_outturn else []
    return render(
        request,
        "reporting/home.html",
        {
            "form": form,
            "window_form": window_form,
            # the window asked for, kept when the "as at" form is sent
            "window_asked": window_form.chosen()
            if window_form.is_bound and window_form.cleaned_data.get("window")
            else None,
            "overview": overview,
            "can_view_restricted": can_view_restricted(request.user),
            "savings_chart": savings_charts.trajectory(savings) if savings and savings.years else None,
            "dca_chart": portfolio_charts.dca_distribution(portfolio.dca) if portfolio else None,
            "devices_chart": mobile_charts.devices_by_type(mobile.types) if mobile else None,
            "savings_ranges_chart": savings_charts.target_ranges(overview.savings_chances)
            if overview.savings_chances and overview.savings_chances.targets
            else None,
            "outturn_rows": outturn_rows,
            "outturn_sentences": portfolio_outturn.sentences(overview.portfolio_outturn) if outturn_rows else [],
            "outturn_chart": portfolio_charts.outturn(outturn_rows) if outturn_rows else None,
        },
    )


def _live(request):
    """The pack as it stands, or `?as_at=` the end of a past day; in the version the reader may see."""
    version = assembly.pack_version_for(request.user, request.GET.get("version"))
    _, as_at = as_at_from(request)
    return assembly.pack_build(user=request.user, version=version, as_at=as_at)


def _file_date(pack: dict) -> str:
    """The day a live pack's file names carry: the day it stood at, or the day it was built."""
    return pack.get("as_at") or pack["generated_at"][:10]


def _frozen(request, pk):
    return get_object_or_404(assembly.snapshots_visible_to(request.user), pk=pk)


def _context(request, pack, *, frozen=None, freeze_form=None):
    # one query for the table (newest 20) and the compare form; the packs themselves are not needed here
    snapshots = list(assembly.snapshots_visible_to(request.user).defer("content"))
    as_at_form, as_at = as_at_from(request)
    return {
        "pack": pack,
        "as_at": None if frozen else as_at,
        "as_at_form": as_at_form,
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
    return render(request, "reporting/pack.html", _context(request, _live(request)))


def snapshot(request, pk):
    frozen = _frozen(request, pk)
    return render(request, "reporting/pack.html", _context(request, frozen.content, frozen=frozen))


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
    version = assembly.pack_version_for(request.user, request.POST.get("version"))
    live = assembly.pack_build(user=request.user, version=version)
    return render(request, "reporting/pack.html", _context(request, live, freeze_form=form), status=400)


def _xlsx_response(pack, filename, *, frozen=None):
    return xlsx_attachment(io.pack_xlsx(pack, frozen=frozen), filename)


def _csv_response(pack, number, filename, *, frozen=None):
    if number not in QUESTION_NUMBERS:
        raise Http404("The Assembly asked six questions")
    return csv_attachment(io.question_csv(pack, number, frozen=frozen), filename)


def pack_xlsx(request):
    pack = _live(request)
    return _xlsx_response(pack, f"assembly-pack-{pack['version']}-{_file_date(pack)}.xlsx")


def question_csv(request, number):
    pack = _live(request)
    return _csv_response(pack, number, f"assembly-q{number}-{pack['version']}-{_file_date(pack)}.csv")


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
    visible = assembly.snapshots_visible_to(request.user)
    form = CompareForm(request.GET or None, snapshots=visible)
    context = {"form": form, "changes": None}
    if form.is_valid():
        earlier = get_object_or_404(visible, pk=form.cleaned_data["earlier"])
        if form.cleaned_data["later"] == "live":
            later_pack = assembly.pack_build(user=request.user, version=earlier.version)
            later = None
        else:
            later = get_object_or_404(visible, pk=int(form.cleaned_data["later"]))
            later_pack = later.content
        context.update(
            earlier=earlier,
            later=later,
            later_pack=later_pack,
            versions_differ=earlier.content["version"] != later_pack["version"],
            changes=assembly.pack_compare(earlier.content, later_pack),
        )
    return render(request, "reporting/compare.html", context, status=400 if form.errors else 200)
