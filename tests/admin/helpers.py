"""Helpers for the admin tests: a logged-in curator, big generated transcripts, form data from a page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from archive.curators import CURATORS_GROUP
from archive.models import Transcript
from tests.fixtures import import_document, long_document

if TYPE_CHECKING:
    # What the test client returns: django-stubs names it, Django itself has no such class.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


def import_long(slug: str, turns: int) -> Transcript:
    """A sitting with many speakers (20 listed) and `turns` turns, for the admin's paging and query counts."""
    return import_document(long_document(turns, slug=slug, members=19))


class CuratorTestCase(TestCase):
    """Logged in as a staff user whose only permissions come from the `curators` group."""

    user: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.user = User.objects.create_user("curator", password="x", is_staff=True)
        cls.user.groups.add(Group.objects.get(name=CURATORS_GROUP))

    def setUp(self) -> None:
        self.client.force_login(self.user)

    def count_queries(self, url: str) -> tuple[int, TestResponse]:
        """Queries of a GET in steady state (after a first GET has filled per-process caches)."""
        self.client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
        return len(queries), response


def page_form_data(response: TestResponse) -> dict[str, Any]:
    """The POST data a browser would send back unchanged from an admin change page."""
    context: Any = response.context
    data: dict[str, Any] = {}
    forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
                continue
            data[bound.html_name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data
