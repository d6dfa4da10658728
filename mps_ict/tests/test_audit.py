from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from mps_ict.audit import audit_context, history_entries


@pytest.mark.django_db
def test_a_change_made_through_a_request_records_who_when_before_after_and_request_id(client, role_user):
    # Given an administrator and a user account
    admin = role_user("admin")
    account = role_user("board", first_name="Alex")
    client.force_login(admin)
    # When the administrator changes the account in the admin
    response = client.post(
        f"/admin/auth/user/{account.pk}/change/",
        {
            "username": account.username,
            "first_name": "Alexandra",
            "last_name": account.last_name,
            "email": account.email,
            "is_active": "on",
            "groups": [g.pk for g in account.groups.all()],
            "date_joined_0": account.date_joined.strftime("%d/%m/%Y"),
            "date_joined_1": account.date_joined.strftime("%H:%M:%S"),
        },
        HTTP_X_REQUEST_ID="upload-2013-04-29-001",
    )
    assert response.status_code == 302
    # Then the history names the administrator, the request and the before/after values
    latest = history_entries(account)[0]
    assert latest.who == admin.username and latest.action == "Changed"
    assert latest.request_id == "upload-2013-04-29-001"
    assert ("first_name", "Alex", "Alexandra") in [(c.field, c.before, c.after) for c in latest.changes]
    assert "First name" in {c.label for c in latest.changes}


@pytest.mark.django_db
def test_passwords_never_enter_the_history(role_user):
    user = role_user("finance")
    user.set_password("another-Long-password-1")
    user.save()
    history_model = User.history.model
    assert "password" not in {field.name for field in history_model._meta.fields}


@pytest.mark.django_db
def test_changes_outside_a_request_are_attributed_with_audit_context(role_user):
    admin = role_user("admin")
    account = role_user("asset_manager")
    with audit_context(user=admin, reason="Leaver: account closed"):
        account.is_active = False
        account.save()
    latest = history_entries(account)[0]
    assert (latest.who, latest.reason) == (admin.username, "Leaver: account closed")
    assert latest.request_id  # one id groups the changes of one command run
    assert [(c.field, c.before, c.after) for c in latest.changes] == [("is_active", True, False)]


@pytest.mark.django_db
def test_account_page_shows_the_history_panel(client, role_user):
    user = role_user("finance", first_name="Fiona")
    with audit_context(user=user, reason="Name corrected"):
        user.first_name = "Fionnuala"
        user.save()
    client.force_login(user)
    page = client.get("/account/").content.decode()
    assert "History" in page and "Name corrected" in page
    assert "Fiona" in page and "Fionnuala" in page


@pytest.mark.django_db
def test_history_panel_costs_a_constant_number_of_queries(role_user, django_assert_num_queries):
    user = role_user("board")
    for index in range(3):
        user.first_name = f"Name{index}"
        user.save()
    with django_assert_num_queries(1):
        few = history_entries(user)
    for index in range(30):
        user.first_name = f"Later{index}"
        user.save()
    with django_assert_num_queries(1):
        many = history_entries(user)
    assert len(few) == 5 and len(many) == 35


@pytest.mark.django_db
def test_a_record_loaded_from_a_source_takes_effect_on_the_source_date_and_later_changes_when_made():
    from datetime import date, timedelta

    from django.utils import timezone

    from mps_ict.as_at import end_of_day
    from mps_ict.audit import as_of, audit_context
    from savings.models import Initiative
    from savings.tests.factories import InitiativeFactory

    with audit_context(reason="Loaded from the briefing note", effective=date(2013, 4, 29)):
        initiative = InitiativeFactory(future_cost=Decimal("1000.00"))
    created = initiative.history.get()
    assert timezone.localtime(created.effective_at).date() == date(2013, 4, 29)  # when it took effect
    assert timezone.localtime(created.history_date).date() == timezone.localdate()  # when it was recorded
    # a change made today (even inside a loader's context) takes effect today
    with audit_context(reason="Loaded again", effective=date(2013, 4, 29)):
        initiative.future_cost = Decimal("500.00")
        initiative.save()
    changed = initiative.history.order_by("-history_id").first()
    assert timezone.localtime(changed.effective_at).date() == timezone.localdate()
    # replayed: nothing before the source, the source's figure after it, today's figure today
    assert not as_of(Initiative, end_of_day(date(2013, 4, 28))).filter(id=initiative.pk).exists()
    assert as_of(Initiative, end_of_day(date(2013, 4, 30))).get(id=initiative.pk).future_cost == Decimal("1000.00")
    yesterday = timezone.localdate() - timedelta(days=1)
    assert as_of(Initiative, end_of_day(yesterday)).get(id=initiative.pk).future_cost == Decimal("1000.00")
    assert as_of(Initiative, end_of_day(timezone.localdate())).get(id=initiative.pk).future_cost == Decimal("500.00")
