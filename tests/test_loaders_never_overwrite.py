"""`make setup` run again changes nothing anyone entered: the loaders insert what is missing and
leave every record that is there exactly as it is (DESIGN.md, "A system of record")."""

import io
import os
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command

from contracts import services as contracts
from contracts.models import Contract, ContractEvent
from mobile_assets import services as mobile
from mobile_assets.choices import DeviceStatus
from mobile_assets.models import Device, OrganisationalUnit, QualitativeBenefit
from mps_ict.financial_years import FinancialYear, Quarter
from portfolio import services as portfolio
from portfolio.models import Benefit, CapitalProgramme, Project, SpendProfileLine
from savings import services as savings
from savings.models import Initiative, PlanTarget

ROOT = Path(__file__).resolve().parents[1]
FY12, FY13 = FinancialYear(2012), FinancialYear(2013)
M = Decimal(1_000_000)
# the one table a load writes on purpose: today's computed position (no user enters it)
NOT_ENTERED = {"portfolio.portfoliosnapshot"}


def setup_commands() -> list[list[str]]:
    """The `manage.py` commands of the Makefile's `setup` target, in its order, with its variables."""
    makefile = (ROOT / "Makefile").read_text()
    target = re.search(r"^setup:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    commands = []
    for line in target.splitlines():
        line = line.strip().replace("$(HOST)", "127.0.0.1").replace("$(PORT)", "8000")
        if line.startswith("$(MANAGE) "):
            commands.append(line.removeprefix("$(MANAGE) ").split())
    return commands


def make_setup() -> str:
    """Run the Makefile's setup sequence through call_command; return what it printed."""
    out = io.StringIO()
    for name, *args in setup_commands():
        call_command(name, *args, stdout=out)
    return out.getvalue()


def everything() -> dict:
    """Every row of every table the areas and the accounts keep (values, and the audit history's
    row count), so a comparison finds any change a load made."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if model._meta.app_label not in {"savings", "portfolio", "mobile_assets", "contracts", "auth", "authtoken"}:
            continue
        if label in NOT_ENTERED or label == "auth.permission":
            continue
        if label.split(".")[1].startswith("historical"):
            rows[label] = model.objects.count()  # history is only ever added to
        else:
            rows[label] = list(model.objects.order_by("pk").values())
    return rows


@pytest.fixture
def loaded(db, settings):
    """Everything `make setup` loads, loaded as it loads it."""
    settings.DEBUG = True  # `make run` is a development run; the demo users need it
    make_setup()


def changes_users_make():
    """Records changed through the services of all three areas, as their owners would."""
    finance, finance2 = User.objects.get(username="finance"), User.objects.get(username="finance2")
    pm, assets = User.objects.get(username="pm"), User.objects.get(username="assets")

    # savings: an initiative's figures, and an actual entered, submitted and approved
    data_centres = Initiative.objects.select_related("category__plan").get(reference="SAV-DC")
    savings.initiative_update(
        initiative=data_centres, user=finance, reason="Supplier consultation", cost_now=17 * M, confidence="amber"
    )
    actual = savings.actual_save(
        row=savings.ActualInput(data_centres, Decimal("1000000.00"), Decimal("4000000.00")),
        quarter=Quarter(FinancialYear(2014), 1),
        user=finance,
    )
    savings.actuals_submit(actuals=[actual], user=finance)
    savings.actual_approve(actual=actual, user=finance2)

    # portfolio: the Capital Programme Budget, a reprofile and a status update with a new forecast
    portfolio.capital_programme_set(
        user=finance, financial_year=FY12, budget=206 * M, slippage_assumption=Decimal("0.0500"), reason="Board"
    )
    portfolio.reprofile_create(
        project=Project.objects.get(code="INF-01"),
        user=pm,
        amount=5 * M,
        from_year=FY12,
        to_year=FY13,
        reason="Second hall fit-out waits for the estates programme",
    )
    portfolio.status_update_submit(
        project=Project.objects.get(code="INF-02"),
        user=pm,
        month=date(2013, 2, 1),
        dca="amber",
        forecast_change=Decimal("2300000.00"),
    )

    # mobile: a device reported lost, another returned and issued to a different officer
    mobile.device_set_status(
        device=Device.objects.get(asset_tag="PDA-00001"), user=assets, status=DeviceStatus.LOST, on=date(2013, 4, 1)
    )
    moved = Device.objects.get(asset_tag="PDA-00002")
    mobile.device_return(device=moved, user=assets, ended=date(2013, 4, 2))
    mobile.device_assign(
        device=moved,
        user=assets,
        started=date(2013, 4, 3),
        collar_number="PC999",
        officer_unit=OrganisationalUnit.objects.exclude(pk=moved.unit_id).first(),
    )

    # contracts: GEN2's annual value, and its notice event moved and done
    gen2 = Contract.objects.get(reference="GEN2")
    contracts.contract_update(contract=gen2, user=finance, version=gen2.version, annual_value=Decimal("56000000.00"))
    notice = ContractEvent.objects.get(contract=gen2, seed_key="gen2-notice")
    contracts.event_update(event=notice, user=finance, version=notice.version, due=date(2015, 1, 31), status="done")

    # a demo user's own password and groups, and one switched off by an administrator
    finance.set_password("a-password-finance-chose")
    finance.save()
    pm2 = User.objects.get(username="pm2")
    pm2.groups.clear()
    pm2.is_active = False
    pm2.save()


def test_make_setup_run_again_changes_nothing_anyone_entered(loaded, settings):
    # Given everything loaded, and records changed through the services of all three areas
    changes_users_make()
    before = everything()

    # When the whole setup sequence runs again
    printed = make_setup()

    # Then nothing changed, and no audit history was written
    after = everything()
    changed = sorted(label for label in before if before[label] != after[label])
    assert changed == []
    assert CapitalProgramme.objects.get(financial_year=FY12).budget == 206 * M
    planned = dict(
        SpendProfileLine.objects.filter(project__code="INF-01", month=None).values_list("financial_year", "planned")
    )
    assert planned[FY12] == Decimal("35000000.00") and planned[FY13] == Decimal("5000000.00")
    assert Project.objects.get(code="INF-02").budget_forecast == Decimal("48300000.00")
    assert Initiative.objects.get(reference="SAV-DC").cost_now == 17 * M
    assert Device.objects.get(asset_tag="PDA-00001").status == DeviceStatus.LOST
    assert Device.objects.get(asset_tag="PDA-00002").assignments.get(ended=None).collar_number == "PC999"
    assert User.objects.get(username="finance").check_password("a-password-finance-chose")
    assert not User.objects.get(username="pm2").is_active
    assert Contract.objects.get(reference="GEN2").annual_value == Decimal("56000000.00")
    assert ContractEvent.objects.get(seed_key="gen2-notice").due == date(2015, 1, 31)

    # and each loader said what it left as it was
    for area in ("Savings plan", "Capital portfolio", "Mobile estate", "Contracts register"):
        assert f"{area}: Added nothing: every record was already there. Left as they are" in printed
    assert "0 added, 9 already there and left exactly as they are" in printed
    assert "http://127.0.0.1:8000/sign-in/" in printed


def test_a_seed_record_nobody_has_is_inserted_again_and_the_rest_left(loaded, settings):
    # Given records changed by users, and seed records that are missing (never loaded, or gone)
    changes_users_make()
    PlanTarget.objects.get(financial_year=FinancialYear(2015)).delete()
    benefits = Benefit.objects.filter(project__code="INF-01").count()
    Benefit.objects.filter(project__code="INF-01").first().delete()
    heading = QualitativeBenefit.objects.first().heading
    QualitativeBenefit.objects.filter(heading=heading).delete()
    User.objects.get(username="board").delete()

    # When the whole setup sequence runs again
    printed = make_setup()

    # Then what was missing is back as the source gives it, and the rest is as users left it
    assert PlanTarget.objects.get(financial_year=FinancialYear(2015)).cumulative_target == 60 * M
    assert Benefit.objects.filter(project__code="INF-01").count() == benefits
    assert QualitativeBenefit.objects.filter(heading=heading).exists()
    assert User.objects.get(username="board").check_password("board-Kestrel-2013")
    assert "Savings plan: Added 1 plan target." in printed
    assert "1 added, 8 already there" in printed
    assert CapitalProgramme.objects.get(financial_year=FY12).budget == 206 * M
    assert Initiative.objects.get(reference="SAV-DC").cost_now == 17 * M
    assert Device.objects.get(asset_tag="PDA-00001").status == DeviceStatus.LOST
    assert User.objects.get(username="finance").check_password("a-password-finance-chose")


def test_make_run_serves_and_prints_the_port_it_is_given():
    """`PORT=8080 make run` (dry run: the commands make would run) serves on 8080 and says so."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, env={**os.environ, "PORT": "8080"}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "Serving the MPS ICT Tracker on http://127.0.0.1:8080/" in result.stdout
    assert "create_demo_users --site-url http://127.0.0.1:8080" in result.stdout
    assert "runserver 127.0.0.1:8080" in result.stdout
