"""Who may see and change what through the API.

Writing needs a curator (an active superuser or member of the `curators` group,
`archive.curators.is_curator`) who also holds the model permission for the method; a user
taken out of the group keeps their token but it only reads. Seeing drafts needs the
transcript view or change permission.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, PermissionsMixin
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from archive.curators import CURATORS_GROUP, is_curator
from archive.models import TranscriptStatus

# Either permission lets a user see drafts and transcripts in review.
SEE_UNPUBLISHED = ("archive.view_transcript", "archive.change_transcript")
WRITE_PERMISSIONS = {
    "POST": ["archive.add_transcript"],
    "PUT": ["archive.change_transcript"],
    "PATCH": ["archive.change_transcript"],
    "DELETE": ["archive.delete_transcript"],
}


def can_see_unpublished(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    assert isinstance(user, PermissionsMixin)  # the archive's users are django.contrib.auth users
    return any(user.has_perm(perm) for perm in SEE_UNPUBLISHED)


class ReadOpenWriteCurators(BasePermission):
    """Anyone reads; writing needs a signed-in curator with the model permission for the method."""

    message = "You need a curator's permissions to change transcripts."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        user: Any = request.user
        if not user or not user.is_authenticated:
            return False  # DRF answers 401 with WWW-Authenticate: Token
        if not is_curator(user):
            # Per request: DRF makes a new permission object for each one.
            self.message = (
                f"Only curators can write: user {user.get_username()!r} is not in the "
                f"{CURATORS_GROUP!r} group (or no longer), so this token can only read."
            )
            return False
        return bool(
            user.has_perms(WRITE_PERMISSIONS.get(request.method or "", ["archive.change_transcript"]))
        )


def visible_statuses(user: AbstractBaseUser | AnonymousUser | None) -> list[str]:
    """The transcript statuses this user may see: everything for curators, else published only."""
    return list(TranscriptStatus.values) if can_see_unpublished(user) else [TranscriptStatus.PUBLISHED]
