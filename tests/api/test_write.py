"""The write API: token authentication, curators' permissions, the importer's validation and messages."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from archive.importers import import_documents
from archive.importers.base import RawDocument
from archive.models import Transcript, TranscriptStatus, Turn
from tests.api.helpers import ApiTestCase, make_user, token_client
from tests.fixtures import PERES_ZH, document, import_document

URL = "/api/v1/transcripts/"


def importer_error(data: Any) -> str:
    """The message the import command gives for this document (source named like the API's)."""
    report = import_documents([RawDocument("request body", data=data)])
    return str(report.errors[0])


class AuthenticationTests(ApiTestCase):
    def test_anonymous_clients_can_never_write(self) -> None:
        import_document(document())
        detail = f"{URL}peres-weibo-test/"
        for method, url in [("post", URL), ("put", detail), ("patch", detail), ("delete", detail)]:
            response = getattr(self.client, method)(url, {"status": "draft"}, format="json")
            self.assertEqual(response.status_code, 401, method)
            self.assertEqual(response["WWW-Authenticate"], "Token")
        self.assertEqual(Transcript.objects.get().status, TranscriptStatus.PUBLISHED)

    def test_a_bad_token_is_401(self) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        self.assertEqual(client.post(URL, document(), format="json").status_code, 401)

    def test_a_user_without_curator_permissions_is_403(self) -> None:
        reader = token_client(make_user("reader"))
        self.assertEqual(reader.post(URL, document(), format="json").status_code, 403)
        editor = token_client(make_user("editor", "change_transcript"))  # may change, not add
        self.assertEqual(editor.post(URL, document(), format="json").status_code, 403)
        self.assertFalse(Transcript.objects.exists())

    def test_create_api_token_prints_a_new_working_token(self) -> None:
        out = StringIO()
        call_command("create_api_token", "curator", stdout=out, stderr=StringIO())
        key = out.getvalue().strip()
        self.assertEqual(Token.objects.get(user=self.curator).key, key)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        self.assertEqual(client.post(URL, document(), format="json").status_code, 201)
        # A second call replaces the token: the old one stops working.
        call_command("create_api_token", "curator", stdout=StringIO(), stderr=StringIO())
        self.assertEqual(
            client.patch(f"{URL}peres-weibo-test/", {"status": "draft"}, format="json").status_code, 401
        )

    def test_tokens_are_managed_in_the_admin(self) -> None:
        from django.contrib.auth.models import User

        admin = User.objects.create_superuser("boss", "boss@example.org", "pw-not-used")
        self.client.force_login(admin)
        Token.objects.create(user=admin)
        response = self.client.get("/admin/authtoken/tokenproxy/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "boss")

    def test_create_api_token_refuses_an_unknown_user(self) -> None:
        with self.assertRaisesMessage(CommandError, "no user 'ghost'"):
            call_command("create_api_token", "ghost", stdout=StringIO())


class CreateTests(ApiTestCase):
    def test_post_creates_and_returns_the_document(self) -> None:
        response = self.curator_client.post(URL, document(), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response["Location"], "http://testserver/api/v1/transcripts/peres-weibo-test/")
        self.assertEqual(response.json()["turns"][1]["reply_to"], 1)
        self.assertEqual(Turn.objects.count(), 4)

    def test_a_bad_document_gets_the_importers_message_and_key(self) -> None:
        bad = document()
        bad["turns"][2]["speaker"] = "Nobody"
        response = self.curator_client.post(URL, bad, format="json")
        self.assertEqual(response.status_code, 400)
        body = response.json()
        self.assertEqual(body["key"], "turns[2].speaker")
        self.assertEqual(body["detail"], importer_error(bad))
        self.assertIn("'Nobody' is not in the document's speakers list", body["message"])
        self.assertFalse(Transcript.objects.exists())

    def test_missing_keys_and_wrong_types_are_400_naming_the_key(self) -> None:
        cases = [
            (document(title=None), "title"),
            (document(language="english!"), "language"),
            (document(turns=[]), "turns"),
            (document(status="secret"), "status"),
            (document(date="10/04/2014"), "date"),
        ]
        for data, key in cases:
            response = self.curator_client.post(URL, data, format="json")
            self.assertEqual(response.status_code, 400, key)
            self.assertEqual(response.json()["key"], key)
        response = self.curator_client.post(URL, [document()], format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("must be a JSON object", response.json()["detail"])

    def test_malformed_json_is_400(self) -> None:
        response = self.curator_client.post(URL, "{not json", content_type="application/json")
        self.assertEqual(response.status_code, 400)

    def test_post_on_an_existing_slug_is_a_conflict(self) -> None:
        import_document(document())
        response = self.curator_client.post(URL, document(title="Another"), format="json")
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json()["key"], "slug")
        self.assertEqual(Transcript.objects.get().title, "Shimon Peres answers Weibo users")

    def test_a_document_without_slug_gets_one_from_date_and_title(self) -> None:
        response = self.curator_client.post(URL, document(slug=None), format="json")
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["slug"], "2014-04-10-shimon-peres-answers-weibo-users")


class ReplaceStatusDeleteTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(document())
        self.detail = f"{URL}peres-weibo-test/"

    def test_put_replaces_the_transcript(self) -> None:
        changed = document(title="New title", turns=document()["turns"][:2])
        response = self.curator_client.put(self.detail, changed, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["title"], "New title")
        self.assertEqual(Transcript.objects.get().turns.count(), 2)

    def test_put_without_slug_takes_the_urls_and_creates_when_absent(self) -> None:
        response = self.curator_client.put(f"{URL}peres-zh/", document(PERES_ZH, slug=None), format="json")
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["slug"], "peres-zh")

    def test_put_with_another_slug_is_400(self) -> None:
        response = self.curator_client.put(self.detail, document(slug="elsewhere"), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["key"], "slug")

    def test_put_validates_like_the_importer(self) -> None:
        bad = document()
        bad["turns"][1]["reply_to"] = 9
        response = self.curator_client.put(self.detail, bad, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["key"], "turns[1].reply_to")
        self.assertEqual(response.json()["detail"], importer_error(bad))
        self.assertEqual(Transcript.objects.get().turns.count(), 4)  # untouched

    def test_patch_changes_the_status(self) -> None:
        response = self.curator_client.patch(self.detail, {"status": "review"}, format="json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "review")
        self.assertEqual(Transcript.objects.get().status, TranscriptStatus.REVIEW)
        # Now anonymous clients cannot see it; the curator still can.
        self.assertEqual(self.client.get(self.detail).status_code, 404)
        self.assertEqual(self.curator_client.get(self.detail).status_code, 200)

    def test_patch_refuses_other_keys_and_bad_statuses(self) -> None:
        response = self.curator_client.patch(self.detail, {"title": "x"}, format="json")
        self.assertEqual((response.status_code, response.json()["key"]), (400, "status"))
        response = self.curator_client.patch(self.detail, {"status": "review", "title": "x"}, format="json")
        self.assertEqual((response.status_code, response.json()["key"]), (400, "title"))
        response = self.curator_client.patch(self.detail, {"status": "gone"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("'gone' is not one of draft, review, published", response.json()["detail"])
        self.assertEqual(Transcript.objects.get().status, TranscriptStatus.PUBLISHED)

    def test_delete_removes_the_transcript_and_its_turns(self) -> None:
        self.assertEqual(self.curator_client.delete(self.detail).status_code, 204)
        self.assertFalse(Transcript.objects.exists())
        self.assertFalse(Turn.objects.exists())
        self.assertEqual(self.curator_client.delete(self.detail).status_code, 404)


class ThrottleTests(ApiTestCase):
    def rates(self, **rates: str | None) -> Any:
        from django.conf import settings

        return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates})

    def test_anonymous_reads_are_throttled_at_the_configured_rate(self) -> None:
        with self.rates(anon="3/minute", write="100/minute"):
            codes = [self.client.get(URL).status_code for _ in range(4)]
            self.assertEqual(codes, [200, 200, 200, 429])
            self.assertEqual(self.curator_client.get(URL).status_code, 200)  # signed in: not "anon"

    def test_writes_are_throttled_per_user(self) -> None:
        cache.clear()
        with self.rates(anon="100/minute", write="2/minute"):
            codes = [
                self.curator_client.post(URL, document(slug=f"t-{i}"), format="json").status_code
                for i in range(3)
            ]
            self.assertEqual(codes, [201, 201, 429])
            self.assertEqual(self.curator_client.get(URL).status_code, 200)  # reads are not writes

    def test_an_empty_rate_switches_a_throttle_off(self) -> None:
        with self.rates(anon=None, write=None):
            self.assertEqual({self.client.get(URL).status_code for _ in range(5)}, {200})
