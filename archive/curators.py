"""The `curators` group: exactly the permissions curation in the admin needs.

Curators view, add, change and delete transcripts, their turns, recordings and speaker
appearances, speakers and topics, and read the redaction log and the audit trail;
nothing else (no users, groups or log entries).
The data migration creates the group; a `post_migrate` handler keeps its
permissions exact when models or their permissions change later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps.registry import Apps

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

CURATORS_GROUP = "curators"
CURATED_MODELS = ("transcript", "turn", "appearance", "recording", "speaker", "topic")
ACTIONS = ("view", "add", "change", "delete")
# Read-only records of curation: the redaction log.
VIEWED_MODELS = ("redaction",)


def is_curator(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """An active superuser or an active member of the curators group: who may write through the API."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    groups: Any = getattr(user, "groups", None)
    return groups is not None and groups.filter(name=CURATORS_GROUP).exists()


def curator_permission_codenames() -> list[str]:
    return [
        *(f"{action}_{model}" for model in CURATED_MODELS for action in ACTIONS),
        *(f"view_{model}" for model in VIEWED_MODELS),
    ]


def sync_curators_group(apps: Apps, using: str = "default") -> None:
    """Create the group if missing and set its permissions to exactly the curated ones."""
    group_model: Any = apps.get_model("auth", "Group")
    permission_model: Any = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.using(using).get_or_create(name=CURATORS_GROUP)
    permissions = permission_model.objects.using(using).filter(
        content_type__app_label="archive", codename__in=curator_permission_codenames()
    )
    group.permissions.set(permissions)


def on_post_migrate(sender: Any, using: str = "default", apps: Apps | None = None, **kwargs: Any) -> None:
    """Runs after `migrate` for the archive app, after auth created its models' permissions."""
    if apps is None or getattr(sender, "label", None) != "archive":
        return
    try:
        apps.get_model("auth", "Group")
    except LookupError:  # migrating back to before auth existed
        return
    sync_curators_group(apps, using)
