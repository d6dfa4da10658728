"""Finance maintain the savings plan: initiatives (add, change, withdraw, reinstate), their phasing,
categories and interim targets, through the services, the pages and the API (issue 13 part 2)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from mps_ict.as_at import moment
from mps_ict.conflicts import Conflict, StaleVersion
from mps_ict.financial_years import FinancialYear, Quarter
from mps_ict.marking import ProtectiveMarking
from reporting.assembly import budgeted_savings_by_type
from savings import selectors, services
from savings.models import Category, Initiative, PlanTarget, SavingsProfile

Y13, Y14, Y15 = FinancialYear(2013), FinancialYear(2014), FinancialYear(2015)
Q1_2014 = Quarter(Y14, 1)
M = Decimal(1_000_000)


@pytest.fixture
def finance(role_user):
    return role_user("finance", username="fin", first_name="Fiona", last_name="Finch")


def _create(plan, user, **fields):
    values = {
        "category": Category.objects.get(plan=plan, slug="data-centres"),
        "reference": "SAV-DC2",
        "description": "Second data centre consolidation",
        "cost_now": Decimal("3000000.00"),
        "future_cost": Decimal("1000000.00"),
        "savings_type": "reduced_contract_costs",
        "user": user,
    }
    return services.initiative_create(**(values | fields))


def _totals(plan, user, records=None):
    """What the plan's readers see: the summary, its years, the breakdown and the pack's Q6."""
    records = records or selectors.PlanRecords.live()
    summary = selectors.plan_summary_compute(plan=plan, user=user, records=records)
    years = {year.financial_year: year.planned for year in summary.years}
    breakdown = selectors.plan_breakdown_compute(plan=plan, by="category", user=user, records=records)
    q6 = selectors.savings_by_type(plan=plan, years=(Y14, Y15), user=user, records=records)
    return {
        "cost_now": summary.cost_now,
        "reduction": summary.baseline_reduction,
        "planned": years,
        "breakdown": {y: sum(r.planned for r in breakdown if r.financial_year == y) for y in (Y14, Y15)},
        "q6": q6.planned_total,
        "categories": len(summary.categories),
    }


SEED = {
    "cost_now": Decimal("200000000.00"),
    "reduction": Decimal("60000000.00"),
    "planned_14": Decimal("42000000.00"),
    "planned_15": Decimal("60000000.00"),
}


# --- initiative_create / initiative_update --------------------------------------------------------


def test_finance_add_an_initiative_with_every_field(mps_plan, finance):
    initiative = _create(
        mps_plan,
        finance,
        owner="Head of Hosting",
        stated_reduction=Decimal("2000000.00"),
        cashable=False,
        investment_needed=Decimal("500000.00"),
        investment_note="Migration costs",
        inside_doi_budget=False,
        delivery_status="in_progress",
        confidence="amber",
        dependencies="EU procurement rules",
        protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
        reason="After supplier consultation",
    )
    initiative.refresh_from_db()
    assert (initiative.owner, initiative.cashable, initiative.inside_doi_budget) == ("Head of Hosting", False, False)
    assert initiative.stated_reduction_text == "-2" and not initiative.discrepancy
    assert initiative.savings_type_is_assumed is False and initiative.version == 1
    created = initiative.history.get()
    assert (created.history_user, created.history_change_reason) == (finance, "After supplier consultation")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reference": "SAV-DC"}, "reference"),
        ({"reference": "not a slug!"}, "reference"),
        ({"cost_now": Decimal("-1.00")}, "cost_now"),
        ({"investment_needed": Decimal("-5.00")}, "investment_needed"),
        ({"savings_type": "magic"}, "savings_type"),
        ({"description": "  "}, "description"),
    ],
)
def test_a_bad_initiative_is_refused_naming_the_field(mps_plan, finance, fields, field):
    with pytest.raises(ValidationError) as refused:
        _create(mps_plan, finance, **fields)
    assert field in refused.value.message_dict
    assert not Initiative.objects.filter(description="Second data centre consolidation").exists()


def test_no_initiative_goes_into_a_withdrawn_category(mps_plan, finance):
    category = services.category_create(plan=mps_plan, name="Printing", user=finance)
    services.category_withdraw(category=category, user=finance, version=1, reason="Merged into Desktop")
    with pytest.raises(ValidationError) as refused:
        _create(mps_plan, finance, category=Category.objects.get(pk=category.pk))
    assert "Printing is withdrawn" in refused.value.message_dict["category"][0]


def test_update_changes_the_fields_and_moves_the_version_on(mps_plan, finance):
    dc = Initiative.objects.get(reference="SAV-DC")
    network = Category.objects.get(plan=mps_plan, slug="network")
    updated = services.initiative_update(
        initiative=dc,
        user=finance,
        version=1,
        reason="Revalidated with the supplier",
        category=network,
        savings_type="reduced_contract_costs",
        stated_reduction=Decimal("7500000.00"),
        owner="  Director of Infrastructure ",
    )
    assert (updated.category, updated.owner, updated.version) == (network, "Director of Infrastructure", 2)
    assert updated.stated_reduction_text == "-7.5" and updated.savings_type_is_assumed is False
    assert dc.history.latest().history_change_reason == "Revalidated with the supplier"
    # the same form sent again changes nothing, and writes nothing
    again = services.initiative_update(initiative=updated, user=finance, version=2, owner="Director of Infrastructure")
    assert again.version == 2 and dc.history.count() == 2


def test_a_stale_update_is_a_conflict_and_writes_nothing(mps_plan, finance):
    dc = Initiative.objects.get(reference="SAV-DC")
    services.initiative_update(initiative=dc, user=finance, version=1, owner="Colleague")
    with pytest.raises(StaleVersion, match="Somebody else changed initiative SAV-DC while you were editing"):
        services.initiative_update(initiative=dc, user=finance, version=1, owner="Me")
    assert Initiative.objects.get(reference="SAV-DC").owner == "Colleague"


def test_update_still_refuses_what_cannot_be_changed(mps_plan, finance):
    with pytest.raises(ValidationError) as refused:
        services.initiative_update(initiative=Initiative.objects.get(reference="SAV-DC"), user=finance, reference="X")
    assert "reference" in refused.value.message_dict


# --- withdraw / reinstate ---------------------------------------------------------------------------


def test_withdrawn_figures_leave_every_total_and_come_back_on_reinstatement(mps_plan, finance):
    dc = Initiative.objects.get(reference="SAV-DC")  # £16m now, £8m after; 4m in 2014/15, 8m in 2015/16
    before = _totals(mps_plan, finance)
    assert (before["cost_now"], before["reduction"]) == (SEED["cost_now"], SEED["reduction"])
    assert before["planned"][Y14] == before["breakdown"][Y14] == before["q6"][Y14] == SEED["planned_14"]
    assert before["planned"][Y15] == before["breakdown"][Y15] == before["q6"][Y15] == SEED["planned_15"]

    withdrawn = services.initiative_withdraw(initiative=dc, user=finance, version=1, reason="Estate plan dropped")
    assert (withdrawn.withdrawn_by, withdrawn.withdrawn_reason, withdrawn.version) == (
        finance,
        "Estate plan dropped",
        2,
    )
    after = _totals(mps_plan, finance)
    assert (after["cost_now"], after["reduction"]) == (SEED["cost_now"] - 16 * M, SEED["reduction"] - 8 * M)
    for figures in ("planned", "breakdown", "q6"):
        assert after[figures][Y14] == SEED["planned_14"] - 4 * M
        assert after[figures][Y15] == SEED["planned_15"] - 8 * M
    assert after["categories"] == before["categories"]  # Data Centres is still a category in use, at £0
    # the cached figures refresh too
    assert selectors.plan_summary(plan=mps_plan, user=finance).baseline_reduction == SEED["reduction"] - 8 * M

    services.initiative_reinstate(initiative=dc, user=finance, version=2, reason="Estate plan back on")
    assert _totals(mps_plan, finance) == before
    reasons = list(dc.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons[-2:] == ["Estate plan dropped", "Estate plan back on"]


def test_as_at_before_the_withdrawal_still_counts_it(mps_plan, finance):
    services.initiative_withdraw(
        initiative=Initiative.objects.get(reference="SAV-DC"), user=finance, version=1, reason="Dropped"
    )
    earlier = selectors.records_at(moment(date(2020, 1, 1)))  # after the briefing note, before today
    then = _totals(mps_plan, finance, records=earlier)
    assert (then["cost_now"], then["reduction"]) == (SEED["cost_now"], SEED["reduction"])
    assert then["planned"][Y14] == then["breakdown"][Y14] == then["q6"][Y14] == SEED["planned_14"]
    today = selectors.records_at(timezone.now())
    assert _totals(mps_plan, finance, records=today)["reduction"] == SEED["reduction"] - 8 * M
    # and the Assembly pack's question 6: without it now, with it as at the earlier day
    assert budgeted_savings_by_type(today, reader=finance).tables[0].total["planned_2014"] == 38 * M
    assert budgeted_savings_by_type(earlier, reader=finance).tables[0].total["planned_2014"] == 42 * M


def test_withdrawal_needs_a_reason_and_no_submitted_or_approved_actuals(mps_plan, finance, role_user):
    dc = Initiative.objects.get(reference="SAV-DC")
    with pytest.raises(ValidationError) as refused:
        services.initiative_withdraw(initiative=dc, user=finance, version=1, reason="  ")
    assert "reason" in refused.value.message_dict
    actual = services.actual_save(
        row=services.ActualInput(dc, Decimal("1000000.00"), Decimal("4000000.00")), quarter=Q1_2014, user=finance
    )
    # a draft does not stop it ...
    services.actuals_submit(actuals=[actual], user=finance)
    # ... figures sent for approval do, naming why and what to do instead
    with pytest.raises(ValidationError) as refused:
        services.initiative_withdraw(initiative=dc, user=finance, version=1, reason="Dropped")
    message = refused.value.message_dict["initiative"][0]
    assert "2014/15 Q1" in message and "set its delivery status to Stopped instead" in message
    assert Initiative.objects.get(reference="SAV-DC").withdrawn_at is None


def test_withdrawal_is_never_a_deletion_and_twice_is_a_conflict(mps_plan, finance):
    dc = Initiative.objects.get(reference="SAV-DC")
    services.initiative_withdraw(initiative=dc, user=finance, version=1, reason="Dropped")
    assert Initiative.objects.filter(reference="SAV-DC").exists()
    assert SavingsProfile.objects.filter(initiative=dc).count() == 3
    with pytest.raises(StaleVersion):
        services.initiative_withdraw(initiative=dc, user=finance, version=1, reason="Dropped again")
    with pytest.raises(Conflict, match="already withdrawn"):
        services.initiative_withdraw(initiative=dc, user=finance, version=2, reason="Dropped again")
    with pytest.raises(Conflict, match="is not withdrawn"):
        services.initiative_reinstate(
            initiative=Initiative.objects.get(reference="SAV-NET"), user=finance, version=1, reason="Why"
        )


def test_withdrawn_initiatives_leave_the_reminder_and_the_quarter_rows_unless_they_have_figures(mps_plan, finance):
    dc, net = Initiative.objects.get(reference="SAV-DC"), Initiative.objects.get(reference="SAV-NET")
    services.actual_save(
        row=services.ActualInput(net, Decimal("1.00"), Decimal("5000000.00")), quarter=Q1_2014, user=finance
    )
    services.initiative_withdraw(initiative=dc, user=finance, version=1, reason="Dropped")
    services.initiative_withdraw(initiative=net, user=finance, version=1, reason="Dropped")
    missing = services._initiatives_without_submitted_actual(plan=mps_plan, quarter=Q1_2014)
    references = set(missing.values_list("reference", flat=True))
    assert "SAV-DC" not in references and "SAV-NET" not in references  # no figures can be entered for them
    rows = {row.initiative.reference for row in selectors.quarter_rows(plan=mps_plan, quarter=Q1_2014, user=finance)}
    assert "SAV-DC" not in rows and "SAV-NET" in rows and len(rows) == 10  # NET's draft left in Q1 is shown
    # and neither can be given figures, nor the draft left be submitted, until reinstated
    for initiative in (dc, net):
        with pytest.raises(ValidationError, match="withdrawn from the plan: reinstate it"):
            services.actual_save(
                row=services.ActualInput(Initiative.objects.get(pk=initiative.pk), Decimal("2.00"), Decimal("1.00")),
                quarter=Q1_2014,
                user=finance,
                expected_version=1 if initiative == net else None,
            )
    left = selectors.actual_working(initiative=net, quarter=Q1_2014)
    with pytest.raises(ValidationError, match="withdrawn from the plan"):
        services.actuals_submit(actuals=[left], user=finance)
    # and a withdrawn initiative is no risk to the plan
    services.initiative_update(initiative=Initiative.objects.get(reference="SAV-CC"), user=finance, confidence="red")
    services.initiative_withdraw(
        initiative=Initiative.objects.get(reference="SAV-CC"), user=finance, version=2, reason="Dropped"
    )
    assert not selectors.initiatives_at_risk(user=finance).exists()


# --- initiative_rephase -------------------------------------------------------------------------------


def test_rephase_sets_the_years_in_one_go(mps_plan, finance):
    dc = Initiative.objects.get(reference="SAV-DC")  # 0, 4m, 8m
    updated = services.initiative_rephase(
        initiative=dc,
        user=finance,
        version=1,
        reason="After supplier consultation",
        profile={Y13: None, Y14: Decimal("5000000.00"), Y15: Decimal("8000000.00")},
    )
    assert updated.version == 2
    rows = dict(SavingsProfile.objects.filter(initiative=dc).values_list("financial_year", "planned_saving"))
    assert rows == {Y14: Decimal("5000000.00"), Y15: Decimal("8000000.00")}  # blank 2013/14: no row
    fourteen = SavingsProfile.objects.get(initiative=dc, financial_year=Y14)
    assert fourteen.is_assumed is False
    assert fourteen.history.latest().history_change_reason == "After supplier consultation"
    assert SavingsProfile.objects.get(initiative=dc, financial_year=Y15).history.count() == 1  # unchanged: untouched
    assert SavingsProfile.history.filter(initiative_id=dc.pk, history_type="-").get().history_user == finance
    assert _totals(mps_plan, finance)["planned"][Y14] == SEED["planned_14"] + M


def test_rephase_refuses_negative_and_years_outside_the_plan_naming_the_year(mps_plan, finance):
    dc = Initiative.objects.get(reference="SAV-DC")
    with pytest.raises(ValidationError) as refused:
        services.initiative_rephase(
            initiative=dc,
            user=finance,
            version=1,
            profile={Y14: Decimal("-1.00"), FinancialYear(2016): Decimal("1.00"), Y15: Decimal("9.00")},
        )
    errors = refused.value.message_dict
    assert errors["profile.2014/15"] == ["The planned saving for 2014/15 must not be negative."]
    assert "2016/17 is outside the plan's years (2013/14 to 2015/16)" in errors["profile.2016/17"][0]
    assert SavingsProfile.objects.get(initiative=dc, financial_year=Y15).planned_saving == 8 * M
    with pytest.raises(StaleVersion):
        services.initiative_rephase(initiative=dc, user=finance, version=7, profile={Y14: M})


def test_the_phasing_page_shows_the_rest_of_the_plan_against_the_targets(mps_plan, finance):
    years = selectors.initiative_phasing(initiative=Initiative.objects.get(reference="SAV-DC"), user=finance)
    fourteen = next(year for year in years if year.financial_year == Y14)
    assert (fourteen.planned, fourteen.others, fourteen.target) == (4 * M, 38 * M, 42 * M)
    assert fourteen.against_target(4 * M) == "On target" and fourteen.against_target(3 * M) == "£1,000,000 short"
    assert [year.financial_year for year in years] == [Y13, Y14, Y15]


# --- categories -----------------------------------------------------------------------------------


def test_categories_are_added_renamed_moved_and_withdrawn(mps_plan, finance):
    category = services.category_create(plan=mps_plan, name="  Printing   and Post ", user=finance)
    assert (category.name, category.slug, category.position) == ("Printing and Post", "printing-and-post", 12)
    renamed = services.category_update(category=category, user=finance, version=1, name="Print", position=3)
    assert (renamed.name, renamed.slug, renamed.position, renamed.version) == ("Print", "printing-and-post", 3, 2)
    with pytest.raises(ValidationError, match="already has a category called network"):
        services.category_update(category=category, user=finance, version=2, name="network")
    with pytest.raises(ValidationError, match="already has a category called Network"):
        services.category_create(plan=mps_plan, name="Network", user=finance)
    with pytest.raises(StaleVersion):
        services.category_update(category=category, user=finance, version=1, name="Printing")
    withdrawn = services.category_withdraw(category=category, user=finance, version=2, reason="Merged")
    assert withdrawn.withdrawn_at is not None and withdrawn.withdrawn_reason == "Merged"
    assert "Print" not in {c.name for c in selectors.plan_summary_compute(plan=mps_plan, user=finance).categories}
    services.category_reinstate(category=category, user=finance, version=3, reason="Split out again")
    assert Category.objects.get(pk=category.pk).withdrawn_at is None


def test_a_category_is_withdrawn_only_once_its_initiatives_are(mps_plan, finance):
    data_centres = Category.objects.get(plan=mps_plan, slug="data-centres")
    with pytest.raises(ValidationError) as refused:
        services.category_withdraw(category=data_centres, user=finance, version=1, reason="Gone")
    assert "still has initiatives in the plan (1)" in refused.value.message_dict["category"][0]
    dc = Initiative.objects.get(reference="SAV-DC")
    services.initiative_withdraw(initiative=dc, user=finance, version=1, reason="Gone")
    services.category_withdraw(category=data_centres, user=finance, version=1, reason="Gone")
    # its initiative cannot come back into a withdrawn category
    with pytest.raises(ValidationError, match="reinstate the category"):
        services.initiative_reinstate(initiative=dc, user=finance, version=2, reason="Back")


def test_the_loader_still_finds_a_renamed_category_by_its_slug(mps_plan, finance):
    from django.core.management import call_command

    network = Category.objects.get(plan=mps_plan, slug="network")
    services.category_update(category=network, user=finance, version=1, name="Networks and PSN")
    call_command("load_mps_baseline", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Category.objects.filter(plan=mps_plan).count() == 11
    assert Category.objects.get(pk=network.pk).name == "Networks and PSN"


# --- targets --------------------------------------------------------------------------------------


def test_targets_are_set_changed_and_removed_with_their_trail(mps_plan, finance):
    target = services.target_set(
        plan=mps_plan, financial_year=Y13, cumulative_target=Decimal("10000000.00"), user=finance, reason="New"
    )
    assert target.version == 1
    with pytest.raises(StaleVersion, match="already has a target"):
        services.target_set(plan=mps_plan, financial_year=Y13, cumulative_target=M, user=finance)
    changed = services.target_set(
        plan=mps_plan, financial_year=Y13, cumulative_target=Decimal("12000000.00"), version=1, user=finance
    )
    assert changed.version == 2
    with pytest.raises(StaleVersion):
        services.target_set(plan=mps_plan, financial_year=Y13, cumulative_target=M, version=1, user=finance)
    assert selectors.plan_targets(plan=mps_plan, user=finance)[Y13] == Decimal("12000000.00")
    with pytest.raises(ValidationError) as refused:
        services.target_remove(target=changed, user=finance, version=2, reason="")
    assert "reason" in refused.value.message_dict
    services.target_remove(target=changed, user=finance, version=2, reason="No 2013/14 target after all")
    assert not PlanTarget.objects.filter(plan=mps_plan, financial_year=Y13).exists()
    trail = selectors.targets_history(plan=mps_plan)
    assert trail[0].action == "Removed the target for 2013/14" and trail[0].reason == "No 2013/14 target after all"
    assert trail[1].changes[0].before == Decimal("10000000.00") and trail[1].changes[0].after == Decimal("12000000.00")


@pytest.mark.parametrize(
    ("year", "amount", "field"),
    [(FinancialYear(2016), M, "financial_year"), (Y13, Decimal("-1.00"), "cumulative_target")],
)
def test_a_bad_target_is_refused_naming_the_field(mps_plan, finance, year, amount, field):
    with pytest.raises(ValidationError) as refused:
        services.target_set(plan=mps_plan, financial_year=year, cumulative_target=amount, user=finance)
    assert field in refused.value.message_dict


# --- pages ------------------------------------------------------------------------------------------

INITIATIVE_FORM = {
    "reference": "SAV-DC2",
    "category": "",
    "description": "Second data centre consolidation",
    "owner": "Head of Hosting",
    "cost_now": "£3,000,000.00",
    "future_cost": "1,000,000",
    "stated_reduction": "",
    "savings_type": "reduced_contract_costs",
    "cashable": "yes",
    "investment_needed": "",
    "investment_note": "",
    "inside_doi_budget": "no",
    "delivery_status": "not_started",
    "confidence": "",
    "dependencies": "",
    "protective_marking": "OFFICIAL",
    "reason": "After supplier consultation",
}


def test_finance_add_an_initiative_from_the_category_page(mps_plan, finance, client):
    client.force_login(finance)
    page = client.get("/savings/categories/data-centres/").content.decode()
    assert 'href="/savings/initiatives/add/?category=data-centres"' in page
    form = client.get("/savings/initiatives/add/?category=data-centres").content.decode()
    data_centres = Category.objects.get(plan=mps_plan, slug="data-centres")
    assert f'<option value="{data_centres.pk}" selected>' in form
    response = client.post(
        "/savings/initiatives/add/", INITIATIVE_FORM | {"category": data_centres.pk, "cost_now": "3,000,000.00"}
    )
    assert response.status_code == 302 and response["Location"] == "/savings/initiatives/SAV-DC2/"
    created = Initiative.objects.get(reference="SAV-DC2")
    assert (created.cost_now, created.future_cost, created.inside_doi_budget) == (3 * M, M, False)


def test_the_form_names_every_bad_field_and_writes_nothing(mps_plan, finance, client):
    client.force_login(finance)
    data = INITIATIVE_FORM | {"reference": "SAV-DC", "cost_now": "lots", "category": ""}
    response = client.post("/savings/initiatives/add/", data)
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert 'href="#id_cost_now"' in page and 'href="#id_category"' in page
    assert not Initiative.objects.filter(description="Second data centre consolidation").exists()
    # a service refusal lands on its field too
    category = Category.objects.get(plan=mps_plan, slug="network").pk
    page = client.post("/savings/initiatives/add/", INITIATIVE_FORM | {"reference": "SAV-DC", "category": category})
    assert "An initiative SAV-DC already exists: choose another reference." in page.content.decode()


def test_change_takes_the_version_read_and_says_when_somebody_changed_it(mps_plan, finance, client):
    client.force_login(finance)
    dc = Initiative.objects.get(reference="SAV-DC")
    form = client.get("/savings/initiatives/SAV-DC/change/").content.decode()
    assert 'name="version" value="1"' in form and 'name="reference"' not in form
    data = INITIATIVE_FORM | {"category": dc.category_id, "version": "1", "owner": "Me"}
    data.pop("reference")
    services.initiative_update(initiative=dc, user=finance, owner="A colleague")
    page = client.post("/savings/initiatives/SAV-DC/change/", data).content.decode()
    assert "Somebody else changed initiative SAV-DC while you were editing" in page
    assert Initiative.objects.get(reference="SAV-DC").owner == "A colleague"
    response = client.post("/savings/initiatives/SAV-DC/change/", data | {"version": "2"})
    assert response.status_code == 302 and Initiative.objects.get(reference="SAV-DC").owner == "Me"


def test_withdraw_and_reinstate_from_the_initiative_page(mps_plan, finance, client):
    client.force_login(finance)
    assert "Withdraw" in client.get("/savings/initiatives/SAV-DC/").content.decode()
    page = client.post("/savings/initiatives/SAV-DC/withdraw/", {"version": "1", "reason": ""}).content.decode()
    assert "There is a problem" in page and "Say why it is being withdrawn." in page
    client.post("/savings/initiatives/SAV-DC/withdraw/", {"version": "1", "reason": "Estate plan dropped"})
    page = client.get("/savings/initiatives/SAV-DC/").content.decode()
    today = timezone.localdate()
    assert f"Withdrawn on {today:%-d %B %Y} by Fiona Finch: Estate plan dropped" in page
    assert 'action="/savings/initiatives/SAV-DC/reinstate/"' in page
    category = client.get("/savings/categories/data-centres/").content.decode()
    assert 'data-testid="withdrawn-initiatives"' in category and "Estate plan dropped" in category
    client.post("/savings/initiatives/SAV-DC/reinstate/", {"version": "2", "reason": "Back on"})
    assert Initiative.objects.get(reference="SAV-DC").withdrawn_at is None


def test_the_phasing_page_checks_totals_without_javascript_and_saves(mps_plan, finance, client):
    client.force_login(finance)
    page = client.get("/savings/initiatives/SAV-DC/phasing/").content.decode()
    assert 'data-others="38000000.00"' in page and 'data-target="42000000.00"' in page
    assert "js/phasing.js" in page
    typed = {"year-2013": "", "year-2014": "3,000,000.00", "year-2015": "8000000", "version": "1", "check": "1"}
    page = client.post("/savings/initiatives/SAV-DC/phasing/", typed).content.decode()
    assert "Nothing is saved yet" in page and "£41,000,000" in page and "£1,000,000 short" in page
    assert SavingsProfile.objects.get(initiative__reference="SAV-DC", financial_year=Y14).planned_saving == 4 * M
    bad = client.post("/savings/initiatives/SAV-DC/phasing/", typed | {"year-2014": "-5"}).content.decode()
    assert "There is a problem" in bad and "The planned saving for 2014/15 must not be negative." in bad
    del typed["check"]
    response = client.post("/savings/initiatives/SAV-DC/phasing/", typed | {"reason": "Supplier said so"})
    assert response.status_code == 302
    assert SavingsProfile.objects.get(initiative__reference="SAV-DC", financial_year=Y14).planned_saving == 3 * M
    # the initiative's page shows the re-phasing in its trail, year by year, with the reason
    history = selectors.initiative_history(initiative=Initiative.objects.get(reference="SAV-DC"))
    changed = [entry for entry in history if entry.action.startswith(("Changed the", "Removed the"))]
    assert {entry.action for entry in changed} == {
        "Changed the planned saving for 2014/15",
        "Removed the planned saving for 2013/14",
    }
    assert all(entry.reason == "Supplier said so" and entry.who == "fin" for entry in changed)
    page = client.get("/savings/initiatives/SAV-DC/").content.decode()
    assert "Changed the planned saving for 2014/15" in page and "Supplier said so" in page


def test_categories_and_targets_pages(mps_plan, finance, client):
    client.force_login(finance)
    response = client.post("/savings/categories/add/", {"name": "Printing", "position": "", "reason": "New"})
    assert response["Location"] == "/savings/categories/printing/"
    response = client.post("/savings/categories/printing/change/", {"name": "Print", "position": "2", "version": "1"})
    assert Category.objects.get(slug="printing").name == "Print"
    response = client.post("/savings/categories/printing/withdraw/", {"version": "2", "reason": "Merged"})
    assert Category.objects.get(slug="printing").withdrawn_reason == "Merged"
    page = client.get("/savings/targets/").content.decode()
    assert "£42,000,000" in page and '<option value="2013/14">' in page
    client.post("/savings/targets/", {"financial_year": "2013/14", "cumulative_target": "10,000,000", "reason": "x"})
    form = client.get("/savings/targets/2013/").content.decode()
    assert 'name="version" value="1"' in form and 'name="remove-version" value="1"' in form
    client.post(
        "/savings/targets/2013/", {"financial_year": "2013/14", "cumulative_target": "twelve million", "version": "1"}
    )
    # not an amount: refused
    assert PlanTarget.objects.get(financial_year=Y13).cumulative_target == Decimal("10000000.00")
    client.post("/savings/targets/2013/remove/", {"remove-version": "1", "remove-reason": "Not needed"})
    assert not PlanTarget.objects.filter(financial_year=Y13).exists()
    assert "Removed the target for 2013/14" in client.get("/savings/targets/").content.decode()


@pytest.mark.parametrize("role", ["board", "programme_manager", "api_consumer", "asset_manager"])
def test_only_finance_is_offered_or_allowed_the_changes(mps_plan, role_user, client, role):
    client.force_login(role_user(role))
    for url in ("/savings/", "/savings/initiatives/SAV-DC/", "/savings/categories/data-centres/"):
        page = client.get(url).content.decode()
        assert "/add/" not in page and "/change/" not in page and "/withdraw/" not in page
    for url in (
        "/savings/initiatives/add/",
        "/savings/initiatives/SAV-DC/change/",
        "/savings/initiatives/SAV-DC/phasing/",
        "/savings/initiatives/SAV-DC/withdraw/",
        "/savings/categories/add/",
        "/savings/targets/",
        "/savings/targets/2014/remove/",
    ):
        assert client.post(url, {"reason": "x", "version": "1"}).status_code == 403
    assert Initiative.objects.get(reference="SAV-DC").version == 1


def test_the_overview_offers_finance_the_maintenance_links(mps_plan, finance, client):
    client.force_login(finance)
    page = client.get("/savings/").content.decode()
    assert 'data-testid="maintain-plan"' in page and 'href="/savings/targets/"' in page


def _grow(plan, finance, count: int) -> None:
    """More initiatives, each phased over the plan's years."""
    for index in range(count):
        initiative = _create(plan, finance, reference=f"SAV-X{index}")
        services.initiative_rephase(initiative=initiative, user=finance, version=1, profile={Y14: M, Y15: M})


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # session, user, roles (3); plan, categories in use; the form's category choices
        ("/savings/initiatives/add/", 6),
        # and the initiative with its profile and projects, its history and its phasing's (two queries)
        ("/savings/initiatives/SAV-DC/change/", 13),
        # the initiative, its profile, the rest of the plan by year, the targets, the two histories
        ("/savings/initiatives/SAV-DC/phasing/", 14),
        # its page, with the phasing in its trail and the contract events it depends on
        ("/savings/initiatives/SAV-DC/", 13),
        ("/savings/categories/data-centres/", 10),
        ("/savings/targets/", 7),
        ("/savings/initiatives/SAV-DC/withdraw/", 11),
        ("/savings/categories/data-centres/change/", 9),
        ("/savings/categories/add/", 5),
        ("/savings/targets/2014/", 7),
    ],
)
def test_the_maintenance_pages_cost_the_same_queries_at_two_sizes(
    mps_plan, finance, client, django_assert_num_queries, url, queries
):
    client.force_login(finance)
    client.get(url)  # the session and the user's groups are warm for both counts
    with django_assert_num_queries(queries) as small:
        assert client.get(url).status_code == 200
    _grow(mps_plan, finance, 6)
    services.target_set(plan=mps_plan, financial_year=Y13, cumulative_target=M, user=finance)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


# --- the API ----------------------------------------------------------------------------------------


@pytest.fixture
def api(role_user):
    def client_for(user_or_role):
        client = APIClient()
        client.force_authenticate(role_user(user_or_role) if isinstance(user_or_role, str) else user_or_role)
        return client

    return client_for


NEW_INITIATIVE = {
    "reference": "SAV-DC2",
    "category": "data-centres",
    "description": "Second data centre consolidation",
    "cost_now": "3000000.00",
    "future_cost": "1000000.00",
    "savings_type": "reduced_contract_costs",
    "reason": "After supplier consultation",
}


def test_api_finance_add_change_rephase_withdraw_and_reinstate(mps_plan, finance, api):
    client = api(finance)
    created = client.post("/api/v1/savings/initiatives/", NEW_INITIATIVE, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["reference"], body["version"], body["withdrawn"], body["savings_type_is_assumed"]) == (
        "SAV-DC2",
        1,
        False,
        False,
    )
    url = "/api/v1/savings/initiatives/SAV-DC2/"
    changed = client.patch(
        url, {"owner": "Head of Hosting", "stated_reduction": "2000000.00", "version": 1}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["stated_reduction_text"] == "-2"
    stale = client.patch(url, {"owner": "Me", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["errors"][0]["field"] == "version"
    assert client.patch(url, {"owner": "Me"}, format="json").json()["errors"] == [
        {"field": "version", "message": "This field is required."}
    ]
    profile = {
        "profile": [
            {"financial_year": "2014/15", "planned_saving": "1000000.00"},
            {"financial_year": "2015/16", "planned_saving": "2000000.00"},
        ],
        "version": 2,
    }
    phased = client.put(url + "profile/", profile, format="json")
    assert phased.status_code == 200 and phased.json()["profile"] == [
        {"financial_year": "2014/15", "planned_saving": "1000000.00", "is_assumed": False},
        {"financial_year": "2015/16", "planned_saving": "2000000.00", "is_assumed": False},
    ]
    assert client.get("/api/v1/savings/summary/").json()["years"][1]["planned"] == "43000000.00"
    withdrawn = client.post(url + "withdraw/", {"reason": "Not needed", "version": 3}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_by"] == "fin"
    assert client.get("/api/v1/savings/summary/").json()["years"][1]["planned"] == "42000000.00"
    listed = client.get("/api/v1/savings/initiatives/?withdrawn=true").json()
    assert [row["reference"] for row in listed["results"]] == ["SAV-DC2"]
    assert client.get("/api/v1/savings/initiatives/?withdrawn=false").json()["count"] == 11
    assert client.get("/api/v1/savings/initiatives/").json()["count"] == 12
    reinstated = client.post(url + "reinstate/", {"reason": "Back", "version": 4}, format="json")
    assert reinstated.status_code == 200 and reinstated.json()["withdrawn"] is False


def test_api_errors_name_the_field_and_row(mps_plan, finance, api):
    client = api(finance)
    bad = client.post(
        "/api/v1/savings/initiatives/", NEW_INITIATIVE | {"category": "nope", "cost_now": 5}, format="json"
    )
    assert bad.status_code == 400
    assert {error["field"] for error in bad.json()["errors"]} == {"cost_now"}
    bad = client.post("/api/v1/savings/initiatives/", NEW_INITIATIVE | {"category": "nope"}, format="json")
    assert bad.json()["errors"] == [{"field": "category", "message": "There is no category 'nope' in use in the plan."}]
    profile = {
        "profile": [
            {"financial_year": "2014/15", "planned_saving": "1.00"},
            {"financial_year": "2016/17", "planned_saving": "1.00"},
            {"financial_year": "2015/16", "planned_saving": "-1.00"},
        ],
        "version": 1,
    }
    refused = client.put("/api/v1/savings/initiatives/SAV-DC/profile/", profile, format="json")
    assert refused.status_code == 400
    assert {error["field"] for error in refused.json()["errors"]} == {
        "profile[1].financial_year",
        "profile[2].planned_saving",
    }
    withdraw = client.post("/api/v1/savings/initiatives/SAV-DC/withdraw/", {"version": 1, "reason": ""}, format="json")
    assert withdraw.status_code == 400 and withdraw.json()["errors"][0]["field"] == "reason"


def test_api_categories_and_targets(mps_plan, finance, api):
    client = api(finance)
    created = client.post("/api/v1/savings/categories/", {"name": "Printing"}, format="json")
    assert created.status_code == 201 and created.json()["slug"] == "printing"
    url = f"/api/v1/savings/categories/{created.json()['id']}/"
    renamed = client.patch(url, {"name": "Print", "version": 1}, format="json")
    assert renamed.json()["name"] == "Print" and renamed.json()["slug"] == "printing"
    withdrawn = client.post(url + "withdraw/", {"reason": "Merged", "version": 2}, format="json")
    assert withdrawn.json()["withdrawn"] is True
    assert client.get("/api/v1/savings/targets/").json()["results"] == [
        {"financial_year": "2014/15", "cumulative_target": "42000000.00", "source": SOURCE, "version": 1},
        {"financial_year": "2015/16", "cumulative_target": "60000000.00", "source": SOURCE, "version": 1},
    ]
    added = client.post(
        "/api/v1/savings/targets/", {"financial_year": "2013/14", "cumulative_target": "1.00"}, format="json"
    )
    assert added.status_code == 201
    twice = client.post(
        "/api/v1/savings/targets/", {"financial_year": "2013/14", "cumulative_target": "1.00"}, format="json"
    )
    assert twice.status_code == 409
    patched = client.patch(
        "/api/v1/savings/targets/2013-14/", {"cumulative_target": "2.00", "version": 1}, format="json"
    )
    assert patched.json()["cumulative_target"] == "2.00" and patched.json()["version"] == 2
    assert client.delete("/api/v1/savings/targets/2013-14/?version=2").status_code == 400  # no reason
    assert client.delete("/api/v1/savings/targets/2013-14/?version=1&reason=x").status_code == 409
    assert client.delete("/api/v1/savings/targets/2013-14/?version=2&reason=Not%20needed").status_code == 204
    assert client.get("/api/v1/savings/targets/2013-14/").status_code == 404


SOURCE = "MPS budget submission (Appendix 1, question 6)"


@pytest.mark.parametrize("role", ["board", "programme_manager", "api_consumer"])
def test_api_readers_cannot_write(mps_plan, api, role):
    client = api(role)
    assert client.post("/api/v1/savings/initiatives/", NEW_INITIATIVE, format="json").status_code == 403
    assert client.patch("/api/v1/savings/initiatives/SAV-DC/", {"version": 1}, format="json").status_code == 403
    assert client.put("/api/v1/savings/initiatives/SAV-DC/profile/", {}, format="json").status_code == 403
    assert client.post("/api/v1/savings/categories/", {"name": "X"}, format="json").status_code == 403
    assert client.delete("/api/v1/savings/targets/2014-15/?version=1&reason=x").status_code == 403
    assert client.get("/api/v1/savings/initiatives/SAV-DC/").status_code == 200


def test_an_official_sensitive_initiative_is_a_404_on_the_edit_endpoints_too(mps_plan, finance, role_user, api):
    from django.contrib.auth.models import Group, Permission

    services.initiative_update(
        initiative=Initiative.objects.get(reference="SAV-DC"),
        user=finance,
        protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
    )
    # the API consumer reads it as missing, and may not write at all (the same 403 as for any reference)
    consumer = api("api_consumer")
    assert consumer.get("/api/v1/savings/initiatives/SAV-DC/").status_code == 404
    assert consumer.post("/api/v1/savings/initiatives/SAV-DC/withdraw/", {}, format="json").status_code == 403
    assert consumer.post("/api/v1/savings/initiatives/NOPE/withdraw/", {}, format="json").status_code == 403
    # a writer without view_restricted finds no such initiative on every edit endpoint
    writer = role_user("finance")
    Group.objects.get(name="finance").permissions.remove(Permission.objects.get(codename="view_restricted"))
    client = api(writer)
    url = "/api/v1/savings/initiatives/SAV-DC/"
    assert client.patch(url, {"owner": "x", "version": 2}, format="json").status_code == 404
    assert client.put(url + "profile/", {"profile": [], "version": 2}, format="json").status_code == 404
    assert client.post(url + "withdraw/", {"reason": "x", "version": 2}, format="json").status_code == 404
    assert client.post(url + "reinstate/", {"reason": "x", "version": 2}, format="json").status_code == 404
    assert Initiative.objects.get(reference="SAV-DC").owner == ""


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/savings/initiatives/", 2),  # the count, one joined select
        ("/api/v1/savings/categories/", 2),
        ("/api/v1/savings/targets/", 3),  # the plan, the count, the select
    ],
)
def test_the_api_lists_cost_the_same_queries_at_two_sizes(
    mps_plan, finance, api, django_assert_num_queries, url, queries
):
    client = api(finance)
    client.get(url)
    with django_assert_num_queries(queries) as small:
        assert client.get(url).status_code == 200
    _grow(mps_plan, finance, 6)
    services.category_create(plan=mps_plan, name="Printing", user=finance)
    services.target_set(plan=mps_plan, financial_year=Y13, cumulative_target=M, user=finance)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_change_without_the_version_read_is_refused(mps_plan, finance, client):
    client.force_login(finance)
    dc = Initiative.objects.get(reference="SAV-DC")
    data = INITIATIVE_FORM | {"category": dc.category_id, "owner": "Me"}
    data.pop("reference")
    assert client.post("/savings/initiatives/SAV-DC/change/", data).status_code == 200
    assert Initiative.objects.get(reference="SAV-DC").owner == ""


def test_a_withdrawn_initiatives_phasing_page_keeps_it_out_of_the_totals(mps_plan, finance, client):
    services.initiative_withdraw(
        initiative=Initiative.objects.get(reference="SAV-DC"), user=finance, version=1, reason="Dropped"
    )
    client.force_login(finance)
    page = client.get("/savings/initiatives/SAV-DC/phasing/").content.decode()
    assert 'data-counts="no"' in page and "It is withdrawn" in page
    assert "£38,000,000" in page and "£4,000,000 short" in page  # 2014/15 without its £4m


def test_a_draft_left_by_a_withdrawn_initiative_does_not_hold_its_quarter_open(mps_plan, finance, role_user):
    checker = role_user("finance")
    dc, net = Initiative.objects.get(reference="SAV-DC"), Initiative.objects.get(reference="SAV-NET")
    approved = services.actual_save(
        row=services.ActualInput(dc, Decimal("1.00"), Decimal("4000000.00")), quarter=Q1_2014, user=finance
    )
    services.actuals_submit(actuals=[approved], user=finance)
    services.actual_approve(actual=approved, user=checker)
    services.actual_save(
        row=services.ActualInput(net, Decimal("1.00"), Decimal("5000000.00")), quarter=Q1_2014, user=finance
    )
    with pytest.raises(ValidationError, match="not yet approved: SAV-NET"):
        services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=checker)
    services.initiative_withdraw(initiative=net, user=finance, version=1, reason="Dropped")
    assert services.quarter_close(plan=mps_plan, quarter=Q1_2014, user=checker).closed
