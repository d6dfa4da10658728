from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mps_ict.financial_years import FinancialYear, Quarter
from savings import services
from savings.choices import ActualStatus
from savings.models import Initiative, QuarterlyActual

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
    again = services.actual_save(row=row(data_centres, actual="1200000.00"), quarter=Q1_2014, user=maker)
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
    services.actual_save(row=row(data_centres, forecast="4200000.00"), quarter=Q1_2014, user=user)  # +5% exactly
    with pytest.raises(ValidationError):
        services.actual_save(row=row(data_centres, forecast="4200000.01"), quarter=Q1_2014, user=user)
    saved = services.actual_save(
        row=row(data_centres, forecast="4200000.01", commentary="Early exit from DC2"), quarter=Q1_2014, user=user
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
    with pytest.raises(ValidationError, match="closed"):
        services.actual_save(row=row(data_centres), quarter=Q1_2014, user=maker)
    other = Initiative.objects.get(reference="SAV-NET")
    with pytest.raises(ValidationError, match="closed"):
        services.actual_save(row=row(other, forecast="5000000.00"), quarter=Q1_2014, user=maker)
    with pytest.raises(ValidationError, match="already closed"):
        services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=checker)


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
