"""`create_api_token USERNAME`: a new API token for a curator, printed for scripts and deployment."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from archive.api.permissions import WRITE_PERMISSIONS
from archive.curators import CURATORS_GROUP, is_curator


class Command(BaseCommand):
    help = (
        "Create a new API token for USERNAME (replacing any old one) and print it. The user must be a "
        f"curator (superuser or in the {CURATORS_GROUP!r} group) unless --allow-non-curator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--allow-non-curator",
            action="store_true",
            help="make a token for a user who is not a curator: it reads, it cannot write",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        username = options["username"]
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"no user {username!r}: create one with `manage.py createsuperuser`") from None
        if not user.is_active:
            raise CommandError(f"user {username!r} is inactive: a token would not work")
        curator = is_curator(user)
        if not curator and not options["allow_non_curator"]:
            raise CommandError(
                f"user {username!r} is not a curator: the API lets only superusers and members of the "
                f"{CURATORS_GROUP!r} group write. Add them to the group in /admin/auth/user/, or pass "
                "--allow-non-curator for a token that can only read."
            )
        with transaction.atomic():
            Token.objects.filter(user=user).delete()  # one token per user: the old one stops working
            token = Token.objects.create(user=user)
        if not curator:
            self.stderr.write(f"note: {username} is not a curator; the token reads and cannot write.")
        else:
            perms = {p for perms in WRITE_PERMISSIONS.values() for p in perms}
            missing = sorted(p for p in perms if not user.has_perm(p))
            if missing:
                self.stderr.write(f"note: {username} lacks {', '.join(missing)}; writes needing it get 403.")
        self.stdout.write(token.key)
