"""The figure cache: cached per app, marked stale by the audit trail (and by the writers that keep
no history), only once the writes commit.

Most tests here are transactional (`django_db(transaction=True)`): what is under test happens when
a transaction commits or rolls back, which the ordinary test transaction never does.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from mobile_assets import services as mobile_services
from mobile_assets.models import Device, DeviceModel, DeviceType, OrganisationalUnit, TransactionType
from mps_ict.figures_cache import cached_figure, figures_changed
from mps_ict.marking import SENSITIVE
from mps_ict.tests.factories import UserFactory
from portfolio import services as portfolio_services
from portfolio.models import Project
from portfolio.tests.factories import CapitalProgrammeFactory, ProjectFactory, SpendProfileLineFactory
from savings import services as savings_services
from savings.models import Initiative
from savings.selectors import plan_summary
from savings.tests.factories import InitiativeFactory

SAVINGS, PORTFOLIO, MOBILE = Initiative._meta.app_label, Project._meta.app_label, Device._meta.app_label

STOPPED_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens here: a stopped Redis
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


class Figures:
    """One cached figure per app, counting how often each is computed."""

    def __init__(self):
        self.computed = {SAVINGS: 0, PORTFOLIO: 0, MOBILE: 0}

    def read(self) -> None:
        for app_label in self.computed:
            cached_figure(app_label, ("figure",), lambda app_label=app_label: self._compute(app_label))

    def _compute(self, app_label: str) -> int:
        self.computed[app_label] += 1
        return self.computed[app_label]

    def recomputed_by(self, write) -> set[str]:
        """The apps whose figure `write` marked stale: read every figure (cached), write, read again."""
        self.read()
        before = dict(self.computed)
        self.read()
        assert self.computed == before, "the figures should be served from the cache before the write"
        write()
        self.read()
        return {app_label for app_label, count in self.computed.items() if count != before[app_label]}


def _device() -> Device:
    device_type = DeviceType.objects.create(code="pda", name="PDA")
    model = DeviceModel.objects.create(device_type=device_type, name="PDA model")
    return Device.objects.create(asset_tag="PDA-00001", serial_number="SN-1", model=model)


@pytest.mark.django_db(transaction=True)
def test_a_figure_is_computed_once_until_its_app_changes():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cached_figure(SAVINGS, ("x",), compute) == 1
    assert cached_figure(SAVINGS, ("x",), compute) == 1
    figures_changed(SAVINGS)
    assert cached_figure(SAVINGS, ("x",), compute) == 2
    assert cached_figure(SAVINGS, ("x",), compute) == 2  # cached again
    assert cached_figure(PORTFOLIO, ("x",), compute) == 3  # apps are separate


@pytest.mark.django_db(transaction=True)
def test_a_transaction_reads_its_own_writes_and_the_commit_invalidates():
    values = iter(range(100))
    before = cached_figure(SAVINGS, (), lambda: next(values))
    with transaction.atomic():
        figures_changed(SAVINGS)
        inside = cached_figure(SAVINGS, (), lambda: next(values))
        assert inside != before, "the transaction reads its own write"
        assert cached_figure(SAVINGS, (), lambda: next(values)) == inside, "and caches it for itself"
        figures_changed(SAVINGS)
        later = cached_figure(SAVINGS, (), lambda: next(values))
        assert later != inside, "a later write in the transaction is read afresh too"
    after = cached_figure(SAVINGS, (), lambda: next(values))
    assert after not in (before, inside, later), "after the commit nothing cached before or inside is served"
    assert cached_figure(SAVINGS, (), lambda: next(values)) == after


@pytest.mark.django_db(transaction=True)
def test_an_audited_service_write_marks_its_app_stale_and_no_other():
    initiative = InitiativeFactory()
    ProjectFactory()
    _device()
    finance = UserFactory(role="finance")

    recomputed = Figures().recomputed_by(
        lambda: savings_services.initiative_update(initiative=initiative, user=finance, cost_now=Decimal("900000.00"))
    )

    assert recomputed == {SAVINGS}


@pytest.mark.django_db(transaction=True)
def test_a_plain_save_of_an_audited_record_marks_its_app_stale():
    # Given a project, as a shell or a loader would change it, outside any service
    project = ProjectFactory()

    def mark():
        project.protective_marking = SENSITIVE
        project.save()

    assert Figures().recomputed_by(mark) == {PORTFOLIO}


@pytest.mark.django_db(transaction=True)
def test_a_plain_save_refreshes_a_real_figure():
    initiative = InitiativeFactory(cost_now=Decimal("1000000.00"))
    plan = initiative.category.plan
    assert plan_summary(plan=plan).cost_now == Decimal("1000000.00")

    initiative.cost_now = Decimal("1250000.00")
    initiative.save()

    assert plan_summary(plan=plan).cost_now == Decimal("1250000.00")


@pytest.mark.django_db(transaction=True)
def test_an_audited_delete_marks_its_app_stale():
    device = _device()
    assert Figures().recomputed_by(device.delete) == {MOBILE}


@pytest.mark.django_db(transaction=True)
def test_taking_a_snapshot_marks_the_portfolio_stale():
    # Snapshots keep no history, so snapshot_take says so itself
    CapitalProgrammeFactory()
    SpendProfileLineFactory()

    recomputed = Figures().recomputed_by(lambda: portfolio_services.snapshot_take(taken_on=date(2013, 3, 1)))

    assert recomputed == {PORTFOLIO}


@pytest.mark.django_db(transaction=True)
def test_replacing_a_months_usage_marks_the_estate_stale():
    # Usage statistics keep no history, so usage_replace_month says so itself (the roll-up it
    # queues after the commit does too: the figure is checked inside the transaction, before it)
    row = mobile_services.UsageRow(
        row=2,
        unit=OrganisationalUnit.objects.create(code="lambeth", name="Lambeth"),
        transaction_type=TransactionType.objects.create(code="pnc-check", name="PNC check"),
        count=1000,
    )
    figures = Figures()
    figures.read()
    read_before = dict(figures.computed)

    with transaction.atomic():
        mobile_services.usage_replace_month(month=date(2012, 9, 1), rows=[row], user=UserFactory(role="admin"))
        figures.read()
        assert figures.computed[MOBILE] == read_before[MOBILE] + 1, "the uncommitted usage is read afresh"

    figures.read()
    assert figures.computed == {**read_before, MOBILE: read_before[MOBILE] + 2}


@pytest.mark.django_db(transaction=True)
def test_the_benefit_rollup_marks_the_estate_stale():
    # bulk_create_with_history and bulk_update_with_history record history but send no signal
    recomputed = Figures().recomputed_by(
        lambda: mobile_services.benefit_rollup(start=date(2012, 9, 1), end=date(2012, 9, 1))
    )
    assert recomputed == {MOBILE}


@pytest.mark.django_db(transaction=True)
def test_a_write_rolled_back_leaves_no_stale_figure():
    initiative = InitiativeFactory(cost_now=Decimal("1000000.00"))
    plan, finance = initiative.category.plan, UserFactory(role="finance")
    assert plan_summary(plan=plan).cost_now == Decimal("1000000.00")

    # When a write is read inside its transaction, which then rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        savings_services.initiative_update(initiative=initiative, user=finance, cost_now=Decimal("5.00"))
        assert plan_summary(plan=plan).cost_now == Decimal("5.00")
        raise RuntimeError("something later in the transaction fails")

    # Then the figure is what the database holds, not what the rolled-back write gave
    assert plan_summary(plan=plan).cost_now == Decimal("1000000.00")


@pytest.mark.django_db(transaction=True)
def test_a_write_rolled_back_to_a_savepoint_still_refreshes_after_the_commit_of_the_rest():
    initiative = InitiativeFactory(cost_now=Decimal("1000000.00"))
    plan, finance = initiative.category.plan, UserFactory(role="finance")
    assert plan_summary(plan=plan).cost_now == Decimal("1000000.00")

    with transaction.atomic():
        savings_services.initiative_update(initiative=initiative, user=finance, cost_now=Decimal("1100000.00"))
        assert plan_summary(plan=plan).cost_now == Decimal("1100000.00")
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint
            savings_services.initiative_update(initiative=initiative, user=finance, cost_now=Decimal("5.00"))
            assert plan_summary(plan=plan).cost_now == Decimal("5.00")
            raise RuntimeError("the inner write fails")
        assert plan_summary(plan=plan).cost_now == Decimal("1100000.00")

    assert plan_summary(plan=plan).cost_now == Decimal("1100000.00")


@override_settings(CACHES=STOPPED_REDIS)
@pytest.mark.django_db(transaction=True)
def test_a_stopped_cache_means_figures_are_computed_not_an_error():
    assert cached_figure(SAVINGS, ("x",), lambda: "fresh") == "fresh"
    figures_changed(SAVINGS)  # does not raise either
    initiative = InitiativeFactory()
    initiative.cost_now = Decimal("1.00")
    initiative.save()  # nor does an audited write, committed
    assert plan_summary(plan=initiative.category.plan).cost_now == Decimal("1.00")
    with pytest.raises(Exception):  # noqa: B017 - proves the cache really is unreachable
        cache.get("anything")
