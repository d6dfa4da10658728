import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mps_ict.conflicts import Conflict, StaleVersion
from mps_ict.financial_years import FinancialYear, Quarter
from mps_ict.imports import preview_keep
from savings import io as savings_io
from savings import services
from savings.choices import ActualStatus
from savings.models import Initiative, QuarterlyActual
from savings.tests.factories import QuarterlyActualFactory

Q1_2014 = Quarter(FinancialYear(2014), 1)


@pytest.fixture
def data_centres(mps_plan):
    return Initiative.objects.select_related("category__plan").get(reference="SAV-DC")  # plans £4m in 2014/15


def row(initiative, actual="1000000.00", forecast="4000000.00", commentary=""):
    return services.ActualInput(initiative, Decimal(actual), Decimal(forecast), commentary)


def test_save_submit_approve_by_a_colleague(data_centres, role_user):
    maker, checker = role_user("finance"), role_user("finance")
    actual = services.actual_save(row=row(data_centres), quarter=Q1_2014, user=maker)
    assert actual.status == ActualStatus.DRAFT and actual.version == 1
    services.actuals_submit(actuals=[actual], user=maker)
    approved = services.actual_approve(actual=actual, user=checker)
    assert approved.status == ActualStatus.APPROVED and approved.decided_by == checker
    # The history shows each step with who did it
    statuses = [(h.status, h.history_user) for h in approved.history.order_by("history_date")]
    assert statuses == [("draft", maker), ("submitted", maker), ("approved", checker)]


def test_nobody_approves_their_own_submission(data_centres, role_user):
    maker = role_user("finance")
    actual = services.actual_save(row=row(data_centres), quarter=Q1_2014, user=maker)
    services.actuals_submit(actuals=[actual], user=maker)
    with pytest.raises(ValidationError, match="colleague"):
        services.actual_approve(actual=actual, user=maker)


def test_only_finance_approves(data_centres, role_user):
    maker = role_user("finance")
    actual = services.actual_save(row=row(data_centres), quarter=Q1_2014, user=maker)
    services.actuals_submit(actuals=[actual], user=maker)
    with pytest.raises(PermissionDenied):
        services.actual_approve(actual=actual, user=role_user("board"))


def test_return_needs_a_reason_and_reopens_the_figures(data_centres, role_user):
    maker, checker = role_user("finance"), role_user("finance")
    actual = services.actual_save(row=row(data_centres), quarter=Q1_2014, user=maker)
    services.actuals_submit(actuals=[actual], user=maker)
    with pytest.raises(ValidationError):
        services.actual_return(actual=actual, user=checker, reason=" ")
    returned = services.actual_return(actual=actual, user=checker, reason="Q1 contract credit missing")
    assert returned.status == ActualStatus.RETURNED and returned.editable
    again = services.actual_update(
        actual=returned, user=maker, version=returned.version, actual_saving=Decimal("1200000.00")
    )
    assert again.status == ActualStatus.DRAFT and again.actual_saving == Decimal("1200000.00")


@pytest.mark.parametrize(
    ("actual", "forecast", "commentary", "field"),
    [
        ("-1.00", "4000000.00", "", "actual_saving"),
        ("1.00", "-4.00", "", "forecast_full_year"),
        ("1.00", "5000000.00", "", "commentary"),  # 25% above the £4m plan, unexplained
    ],
)
def test_bad_figures_are_refused_naming_the_field(data_centres, role_user, actual, forecast, commentary, field):
    with pytest.raises(ValidationError) as error:
        services.actual_save(
            row=row(data_centres, actual, forecast, commentary), quarter=Q1_2014, user=role_user("finance")
        )
    assert field in error.value.message_dict
    assert not QuarterlyActual.objects.exists()


def test_a_forecast_within_5_percent_needs_no_commentary_but_more_does(data_centres, role_user):
    user = role_user("finance")
    first = services.actual_save(row=row(data_centres, forecast="4200000.00"), quarter=Q1_2014, user=user)  # +5%
    with pytest.raises(ValidationError, match="Explain the forecast"):
        services.actual_update(actual=first, user=user, version=1, forecast_full_year=Decimal("4200000.01"))
    saved = services.actual_update(
        actual=first, user=user, version=1, forecast_full_year=Decimal("4200000.01"), commentary="Early exit from DC2"
    )
    assert saved.commentary == "Early exit from DC2"


def test_two_people_editing_the_same_actual_cannot_overwrite_each_other(data_centres, role_user):
    first, second = role_user("finance"), role_user("finance")
    actual = services.actual_save(row=row(data_centres), quarter=Q1_2014, user=first)
    # Both open version 1; the first saves, then the second tries to save over it
    services.actual_save(row=row(data_centres, actual="1100000.00"), quarter=Q1_2014, user=first, expected_version=1)
    with pytest.raises(ValidationError, match="Somebody else changed"):
        services.actual_save(
            row=row(data_centres, actual="900000.00"), quarter=Q1_2014, user=second, expected_version=1
        )
    actual.refresh_from_db()
    assert actual.actual_saving == Decimal("1100000.00")


def test_closing_a_quarter_needs_everything_approved_then_locks_it(data_centres, role_user, mps_plan):
    maker, checker = role_user("finance"), role_user("finance")
    actual = services.actual_save(row=row(data_centres), quarter=Q1_2014, user=maker)
    with pytest.raises(ValidationError, match="not yet approved: SAV-DC"):
        services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=checker)
    services.actuals_submit(actuals=[actual], user=maker)
    services.actual_approve(actual=actual, user=checker)
    services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=checker)
    actual.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        services.actual_update(actual=actual, user=maker, version=actual.version, actual_saving=Decimal(1))
    other = Initiative.objects.get(reference="SAV-NET")
    with pytest.raises(ValidationError, match="closed"):
        services.actual_save(row=row(other, forecast="5000000.00"), quarter=Q1_2014, user=maker)
    with pytest.raises(ValidationError, match="already closed"):
        services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=checker)


def test_only_finance_close_a_quarter(data_centres, role_user, mps_plan):
    maker, checker = role_user("finance"), role_user("finance")
    actual = services.actual_save(row=row(data_centres), quarter=Q1_2014, user=maker)
    services.actuals_submit(actuals=[actual], user=maker)
    services.actual_approve(actual=actual, user=checker)
    for role in ("board", "programme_manager", "api_consumer"):
        with pytest.raises(PermissionDenied):
            services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=role_user(role))
    assert not services.quarter_is_closed(plan=mps_plan, quarter=Q1_2014)


def test_a_refusal_to_close_names_only_the_figures_the_closer_may_see(data_centres, role_user, mps_plan):
    from django.contrib.auth.models import Permission

    from mps_ict.marking import ProtectiveMarking
    from mps_ict.tests.factories import UserFactory

    maker = role_user("finance")
    network = Initiative.objects.get(reference="SAV-NET")
    network.protective_marking = ProtectiveMarking.OFFICIAL_SENSITIVE
    network.save()
    services.actual_save(row=row(data_centres), quarter=Q1_2014, user=maker)
    services.actual_save(row=row(network, forecast="5000000.00"), quarter=Q1_2014, user=maker)
    # a closer who may close quarters but not see OFFICIAL-SENSITIVE records
    closer = UserFactory()
    closer.user_permissions.add(Permission.objects.get(codename="change_quarterclosure"))
    with pytest.raises(ValidationError) as refused:
        services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=closer)
    message = refused.value.message_dict["quarter"][0]
    assert "SAV-DC" in message and "1 more you may not see" in message
    assert "SAV-NET" not in message
    with pytest.raises(ValidationError, match="SAV-DC, SAV-NET"):
        services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=role_user("finance"))


def test_updating_an_initiative_is_audited_and_refreshes_the_summary(mps_plan, role_user):
    from savings.selectors import plan_summary

    user = role_user("finance")
    assert plan_summary(plan=mps_plan).cost_now == Decimal("200000000.00")
    initiative = Initiative.objects.get(reference="SAV-DC")
    services.initiative_update(initiative=initiative, user=user, cost_now=Decimal("17000000.00"), reason="Revalidated")
    assert plan_summary(plan=mps_plan).cost_now == Decimal("201000000.00")
    latest = initiative.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.cost_now) == (
        user,
        "Revalidated",
        Decimal("17000000.00"),
    )
    with pytest.raises(ValidationError):
        services.initiative_update(initiative=initiative, user=user, reference="HACKED")


def test_an_update_must_name_the_version_it_started_from(data_centres, role_user):
    first, second = role_user("finance"), role_user("finance")
    actual = services.actual_save(row=row(data_centres), quarter=Q1_2014, user=first)
    # Without a version: refused, naming it (not a conflict: the caller must say)
    with pytest.raises(ValidationError) as missing:
        services.actual_update(actual=actual, user=second, version=None, actual_saving=Decimal(2))
    assert not isinstance(missing.value, StaleVersion) and "version" in missing.value.message_dict
    # Both read version 1; the first saves, the second's version is stale: a conflict
    services.actual_update(actual=actual, user=first, version=1, actual_saving=Decimal("1100000.00"))
    with pytest.raises(StaleVersion, match="Somebody else changed these figures"):
        services.actual_update(actual=actual, user=second, version=1, actual_saving=Decimal("900000.00"))
    actual.refresh_from_db()
    assert (actual.actual_saving, actual.version, actual.entered_by) == (Decimal("1100000.00"), 2, first)


def test_an_update_keeps_the_figures_it_is_not_given(data_centres, role_user):
    user = role_user("finance")
    actual = services.actual_save(row=row(data_centres, commentary="Started"), quarter=Q1_2014, user=user)
    updated = services.actual_update(actual=actual, user=user, version=1, actual_saving=Decimal("5.00"))
    assert (updated.actual_saving, updated.forecast_full_year, updated.commentary) == (
        Decimal("5.00"),
        Decimal("4000000.00"),
        "Started",
    )


def test_creating_figures_that_exist_is_a_conflict_and_changes_nothing(data_centres, role_user):
    user = role_user("finance")
    actual = services.actual_create(row=row(data_centres), quarter=Q1_2014, user=user)
    with pytest.raises(services.ActualExists, match="SAV-DC 2014/15 Q1 already exists") as exists:
        services.actual_create(row=row(data_centres, actual="7.00"), quarter=Q1_2014, user=role_user("finance"))
    assert isinstance(exists.value, Conflict) and exists.value.actual == actual
    actual.refresh_from_db()
    assert (actual.actual_saving, actual.version) == (Decimal("1000000.00"), 1)


def test_a_form_started_blank_cannot_overwrite_figures_entered_meanwhile(data_centres, role_user):
    services.actual_save(row=row(data_centres), quarter=Q1_2014, user=role_user("finance"))
    with pytest.raises(StaleVersion, match="Somebody else entered these figures"):
        services.actual_save(
            row=row(data_centres, actual="3.00"), quarter=Q1_2014, user=role_user("finance"), expected_version=None
        )


def test_an_upload_still_updates_the_drafts_it_names(data_centres, role_user):
    user = role_user("finance")
    services.actual_save(row=row(data_centres), quarter=Q1_2014, user=user)
    upload = io.BytesIO(
        f"Ref,Actual,Forecast\n{data_centres.reference},8.00,{row(data_centres).forecast_full_year}".encode()
    )
    upload.name = "actuals.csv"
    preview = savings_io.actuals_preview(upload=upload, plan=data_centres.category.plan, quarter=Q1_2014, user=user)
    assert [(r.key, r.change) for r in preview.rows] == [(data_centres.reference, "changed")]
    kept = preview_keep(preview, user=user)
    assert (
        services.actuals_confirm(preview_id=kept.id, plan=data_centres.category.plan, quarter=Q1_2014, user=user) == 1
    )
    actual = QuarterlyActual.objects.get(initiative=data_centres)
    assert (actual.actual_saving, actual.version) == (Decimal("8.00"), 2)


def test_nobody_who_edited_in_the_round_approves_or_returns_it(data_centres, role_user):
    a, b, c = role_user("finance"), role_user("finance"), role_user("finance")
    # Given A enters the figures, then B edits and submits them
    actual = services.actual_save(row=row(data_centres), quarter=Q1_2014, user=a)
    actual = services.actual_update(actual=actual, user=b, version=1, actual_saving=Decimal("1100000.00"))
    services.actuals_submit(actuals=[actual], user=b)
    # Then neither A (who edited in this round) nor B may decide; C may
    for maker in (a, b):
        with pytest.raises(ValidationError, match="you entered or edited it in this round") as refused:
            services.actual_approve(actual=actual, user=maker)
        assert "decided_by" in refused.value.message_dict
        with pytest.raises(ValidationError, match="you entered or edited it in this round"):
            services.actual_return(actual=actual, user=maker, reason="Looks wrong")
    assert services.actual_approve(actual=actual, user=c).status == ActualStatus.APPROVED


def test_a_return_starts_a_new_round(data_centres, role_user):
    a, c = role_user("finance"), role_user("finance")
    actual = services.actual_save(row=row(data_centres), quarter=Q1_2014, user=a)
    services.actuals_submit(actuals=[actual], user=a)
    returned = services.actual_return(actual=actual, user=c, reason="Q1 credit missing")
    # A corrects and resubmits: C, who returned it and edited nothing, may now approve
    corrected = services.actual_update(actual=returned, user=a, version=returned.version, actual_saving=Decimal(2))
    services.actuals_submit(actuals=[corrected], user=a)
    assert services.actual_round_makers(corrected) == {a.pk}
    assert services.actual_approve(actual=corrected, user=c).status == ActualStatus.APPROVED


def test_a_returner_who_then_edits_is_a_maker_of_the_new_round(data_centres, role_user):
    a, b, c = role_user("finance"), role_user("finance"), role_user("finance")
    actual = services.actual_save(row=row(data_centres), quarter=Q1_2014, user=a)
    services.actuals_submit(actuals=[actual], user=a)
    returned = services.actual_return(actual=actual, user=c, reason="Q1 credit missing")
    # C fixes the figures themselves and B submits them: C may no longer approve
    fixed = services.actual_update(actual=returned, user=c, version=returned.version, actual_saving=Decimal(2))
    services.actuals_submit(actuals=[fixed], user=b)
    with pytest.raises(ValidationError, match="colleague"):
        services.actual_approve(actual=fixed, user=c)
    # A worked on the figures in the first round only, so A may approve this one
    assert services.actual_approve(actual=fixed, user=a).decided_by == a


def test_figures_without_history_fall_back_to_who_entered_and_submitted_them(data_centres, role_user):
    maker, submitter, checker = role_user("finance"), role_user("finance"), role_user("finance")
    actual = QuarterlyActualFactory(
        initiative=data_centres, status=ActualStatus.SUBMITTED, entered_by=maker, submitted_by=submitter
    )
    actual.history.all().delete()
    for user in (maker, submitter):
        with pytest.raises(ValidationError, match="colleague"):
            services.actual_approve(actual=actual, user=user)
    assert services.actual_approve(actual=actual, user=checker).status == ActualStatus.APPROVED
