"""`create_api_token USERNAME`: a new API token for a curator, printed for scripts and deployment."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from archive.api.permissions import WRITE_PERMISSIONS


class Command(BaseCommand):
    help = "Create a new API token for USERNAME (replacing any old one) and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        username = options["username"]
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"no user {username!r}: create one with `manage.py createsuperuser`") from None
        if not user.is_active:
            raise CommandError(f"user {username!r} is inactive: a token would not work")
        with transaction.atomic():
            Token.objects.filter(user=user).delete()  # one token per user: the old one stops working
            token = Token.objects.create(user=user)
        missing = sorted({p for perms in WRITE_PERMISSIONS.values() for p in perms if not user.has_perm(p)})
        if missing:
            self.stderr.write(
                f"note: {username} lacks {', '.join(missing)}; the token can read drafts only with "
                "archive.view_transcript and can write only with those permissions."
            )
        self.stdout.write(token.key)
