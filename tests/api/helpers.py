"""Helpers of the API tests: users with and without curator permissions, and token clients."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.test import TestCase, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from archive.curators import CURATORS_GROUP
from archive.importers import collect_files, import_documents, read_files
from tests.fixtures import CORPUS


def make_user(username: str, *permissions: str) -> User:
    user = User.objects.create_user(username=username, password="not-used-here")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="archive", codename__in=permissions)
    )
    return User.objects.get(pk=user.pk)  # fresh: permission caches are per instance


def make_curator(username: str) -> User:
    """A member of the curators group: the API lets only curators write."""
    user = User.objects.create_user(username=username, password="not-used-here")
    user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    return User.objects.get(pk=user.pk)


def token_client(user: User) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def import_sample() -> int:
    """The whole corpus sample, as the import command reads it; the number of documents imported.

    Documents the database refuses are left out here (the import tests report them), so the
    API's checks run on everything that did import."""
    report = import_documents(read_files(collect_files([CORPUS / "sample"])))
    assert report.documents > 300, report.summary()
    return report.documents


def without_throttling() -> override_settings:
    """For tests that make hundreds of requests on purpose (round trips, fuzzing)."""
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}})


class ApiTestCase(TestCase):
    """Each test starts with empty throttle counters (they live in the cache)."""

    client_class = APIClient

    def setUp(self) -> None:
        super().setUp()
        cache.clear()
        self.curator = make_curator("curator")
        self.curator_client = token_client(self.curator)

    def results(self, url: str, client: Any = None, **params: Any) -> list[dict[str, Any]]:
        response = (client or self.client).get(url, params)
        self.assertEqual(response.status_code, 200, response.content[:500])
        return list(response.json()["results"])
