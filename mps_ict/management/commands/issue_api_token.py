"""Issue (or show, or rotate) the API token of a user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print the API token of USERNAME, creating one if needed; --rotate replaces it."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="Revoke the old token and issue a new one.")

    def handle(self, *args, username, rotate, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(
                f'No user "{username}". Create the user first (Django admin or createsuperuser).'
            ) from error
        if not user.is_active:
            raise CommandError(f'User "{username}" is inactive; an inactive user cannot use a token.')
        with transaction.atomic():
            if rotate:
                Token.objects.filter(user=user).delete()
            token, created = Token.objects.get_or_create(user=user)
        verb = "Issued" if created else "Existing"
        self.stderr.write(f"{verb} token for {username}:")
        self.stdout.write(token.key)
