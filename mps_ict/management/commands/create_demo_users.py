"""Create one demo user per role and print how to sign in. Development only; safe to re-run."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from mps_ict.audit import audit_context
from mps_ict.roles import API_CONSUMER, ASSET_MANAGER, BOARD, FINANCE, PROGRAMME_MANAGER, ROLE_LABELS

# (username, full name, role or None for the administrator, password)
DEMO_USERS = [
    ("board", "Bola Adeyemi", BOARD, "board-Kestrel-2013"),
    ("finance", "Fiona Hart", FINANCE, "finance-Harrier-2013"),
    ("finance2", "Femi Okoro", FINANCE, "finance2-Merlin-2013"),
    ("pm", "Priya Mehta", PROGRAMME_MANAGER, "pm-Peregrine-2013"),
    ("pm2", "Paul Morgan", PROGRAMME_MANAGER, "pm2-Osprey-2013"),
    ("assets", "Asha Patel", ASSET_MANAGER, "assets-Buzzard-2013"),
    ("api", "Assembly API client", API_CONSUMER, "api-Goshawk-2013"),
    ("admin", "Ada Administrator", None, "admin-Falcon-2013"),
]


class Command(BaseCommand):
    help = "Create (or reset) one demo user per role and print their usernames and passwords."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo users are for development only: run with DEBUG=1.")
        User = get_user_model()
        rows = []
        with transaction.atomic(), audit_context(reason="Demo users created by create_demo_users"):
            for username, full_name, role, password in DEMO_USERS:
                first, _, last = full_name.partition(" ")
                user, _ = User.objects.get_or_create(username=username)
                user.first_name, user.last_name = first, last
                user.email = f"{username}@example.invalid"
                user.is_active = True
                user.is_staff = role is None
                user.is_superuser = role is None
                user.set_password(password)
                user.save()
                user.groups.set([Group.objects.get(name=role)] if role else [])
                token = ""
                if role == API_CONSUMER:
                    token = Token.objects.get_or_create(user=user)[0].key
                rows.append((username, password, ROLE_LABELS.get(role, "Administrator"), token))

        self.stdout.write("\nDemo users (development only) — sign in at http://127.0.0.1:8000/sign-in/\n")
        self.stdout.write(f"  {'username':<10} {'password':<22} role")
        for username, password, label, token in rows:
            self.stdout.write(f"  {username:<10} {password:<22} {label}")
            if token:
                self.stdout.write(f"  {'':<10} API token: {token}")
        self.stdout.write("")
