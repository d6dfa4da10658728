"""Create the missing demo users (one per role) and print how to sign in. Development only.

Re-running never resets anyone: a demo user that exists keeps its password, groups, active flag
and details exactly as they are."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from mps_ict.audit import audit_context
from mps_ict.roles import (
    API_CONSUMER,
    ASSET_MANAGER,
    BOARD,
    FINANCE,
    PORTFOLIO_OFFICE,
    PROGRAMME_MANAGER,
    ROLE_LABELS,
)

# (username, full name, role or None for the administrator, password)
DEMO_USERS = [
    ("board", "Bola Adeyemi", BOARD, "board-Kestrel-2013"),
    ("finance", "Fiona Hart", FINANCE, "finance-Harrier-2013"),
    ("finance2", "Femi Okoro", FINANCE, "finance2-Merlin-2013"),
    ("pm", "Priya Mehta", PROGRAMME_MANAGER, "pm-Peregrine-2013"),
    ("pm2", "Paul Morgan", PROGRAMME_MANAGER, "pm2-Osprey-2013"),
    ("office", "Olu Bankole", PORTFOLIO_OFFICE, "office-Kite-2013"),
    ("assets", "Asha Patel", ASSET_MANAGER, "assets-Buzzard-2013"),
    ("api", "Assembly API client", API_CONSUMER, "api-Goshawk-2013"),
    ("admin", "Ada Administrator", None, "admin-Falcon-2013"),
]


class Command(BaseCommand):
    help = (
        "Create the missing demo users, one per role, and print their usernames and passwords; "
        "existing users are left exactly as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url", default="http://127.0.0.1:8000", help="Where to sign in, as printed (make run passes its own)"
        )

    def handle(self, *args, site_url, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users are for development only: run with DEBUG=1.")
        User = get_user_model()
        rows = []
        with transaction.atomic(), audit_context(reason="Demo users created by create_demo_users"):
            existing = set(
                User.objects.filter(username__in=[row[0] for row in DEMO_USERS]).values_list("username", flat=True)
            )
            for username, full_name, role, password in DEMO_USERS:
                label = ROLE_LABELS.get(role, "Administrator")
                if username in existing:
                    token = Token.objects.filter(user__username=username).values_list("key", flat=True).first()
                    rows.append((username, password, label, token or "", False))
                    continue
                first, _, last = full_name.partition(" ")
                user = User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.invalid",
                    is_active=True,
                    is_staff=role is None,
                    is_superuser=role is None,
                )
                user.set_password(password)
                user.save()
                if role:
                    user.groups.set([Group.objects.get(name=role)])
                token = Token.objects.create(user=user).key if role == API_CONSUMER else ""
                rows.append((username, password, label, token, True))

        added = sum(1 for *_, created in rows if created)
        self.stdout.write(
            f"\nDemo users (development only): {added} added, {len(rows) - added} already there and left exactly "
            f"as they are (a password, group or active flag is never reset: an existing user's password is the "
            f"one below unless someone changed it). Sign in at {site_url.rstrip('/')}/sign-in/\n"
        )
        self.stdout.write(f"  {'username':<10} {'password':<22} {'role':<28} this run")
        for username, password, label, token, created in rows:
            self.stdout.write(f"  {username:<10} {password:<22} {label:<28} {'added' if created else 'already there'}")
            if token:
                self.stdout.write(f"  {'':<10} API token: {token}")
        self.stdout.write("")
