"""The `curators` group: exactly what curation needs, and a curator can do all of it but no more."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission, User
from django.test import TestCase
from django.urls import reverse

from archive.curators import CURATORS_GROUP, sync_curators_group
from tests.admin.helpers import CuratorTestCase


class CuratorsGroupTests(TestCase):
    def test_the_migration_gives_the_group_exactly_the_curation_permissions(self) -> None:
        group = Group.objects.get(name=CURATORS_GROUP)
        perms = sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
        expected = [
            *(
                f"archive.{action}_{model}"
                for model in ("transcript", "turn", "appearance", "recording", "speaker", "topic")
                for action in ("view", "add", "change", "delete")
            ),
            "archive.view_redaction",
        ]
        self.assertEqual(perms, sorted(expected))

    def test_syncing_removes_a_permission_given_by_hand_and_restores_a_missing_one(self) -> None:
        from django.apps import apps

        group = Group.objects.get(name=CURATORS_GROUP)
        group.permissions.add(Permission.objects.get(codename="change_user"))
        group.permissions.remove(Permission.objects.get(codename="delete_turn"))
        sync_curators_group(apps)
        codenames = set(group.permissions.values_list("codename", flat=True))
        self.assertNotIn("change_user", codenames)
        self.assertIn("delete_turn", codenames)


class CuratorReachTests(CuratorTestCase):
    def test_a_curator_reaches_every_curation_page(self) -> None:
        for name in ("transcript", "speaker", "topic"):
            for view in ("changelist", "add"):
                url = reverse(f"admin:archive_{name}_{view}")
                self.assertEqual(self.client.get(url).status_code, 200, url)
        self.assertEqual(self.client.get(reverse("admin:archive_transcript_import")).status_code, 200)

    def test_a_curator_cannot_reach_users_or_groups(self) -> None:
        for url in (reverse("admin:auth_user_changelist"), reverse("admin:auth_group_changelist")):
            self.assertEqual(self.client.get(url).status_code, 403, url)
        self.assertNotContains(self.client.get(reverse("admin:index")), reverse("admin:auth_user_changelist"))

    def test_staff_without_the_group_cannot_import(self) -> None:
        self.client.force_login(User.objects.create_user("visitor", password="x", is_staff=True))
        self.assertEqual(self.client.get(reverse("admin:archive_transcript_import")).status_code, 403)
        self.assertEqual(self.client.get(reverse("admin:archive_transcript_changelist")).status_code, 403)

    def test_a_curator_can_use_every_autocomplete_box_of_the_change_page(self) -> None:
        for model, field in [
            ("turn", "speaker"),
            ("turn", "topics"),
            ("appearance", "speaker"),
            ("transcript", "translation_of"),
            ("transcript", "topics"),
            ("topic", "parent"),
        ]:
            response = self.client.get(
                reverse("admin:autocomplete"),
                {"app_label": "archive", "model_name": model, "field_name": field},
            )
            self.assertEqual(response.status_code, 200, (model, field))
