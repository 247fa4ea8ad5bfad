"""API tokens write only for curators: superusers and active members of the curators group."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from archive.curators import CURATORS_GROUP
from archive.models import Transcript, TranscriptStatus
from tests.api.helpers import ApiTestCase, make_user, token_client
from tests.fixtures import document, import_document

URL = "/api/v1/transcripts/"
DETAIL = f"{URL}peres-weibo-test/"


def create_token(*args: str) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


class TokenScopeTests(ApiTestCase):
    def test_a_member_of_the_curators_group_writes(self) -> None:
        self.assertEqual(self.curator_client.post(URL, document(), format="json").status_code, 201)
        self.assertEqual(self.curator_client.delete(DETAIL).status_code, 204)

    def test_a_superuser_writes(self) -> None:
        boss = token_client(User.objects.create_superuser("boss", password="not-used-here"))
        self.assertEqual(boss.post(URL, document(), format="json").status_code, 201)

    def test_model_permissions_without_the_group_do_not_write(self) -> None:
        # Every transcript permission, granted one by one, but not a curator.
        outsider = make_user(
            "outsider", "view_transcript", "add_transcript", "change_transcript", "delete_transcript"
        )
        client = token_client(outsider)
        response = client.post(URL, document(), format="json")
        self.assertEqual(response.status_code, 403)
        self.assertIn("Only curators can write", response.json()["detail"])
        self.assertFalse(Transcript.objects.exists())
        # Their permissions still let them read drafts: that is reading, not writing.
        import_document(document(status="draft"))
        self.assertEqual(client.get(DETAIL).status_code, 200)

    def test_a_curator_taken_out_of_the_group_can_no_longer_write_but_still_reads(self) -> None:
        import_document(document())
        self.assertEqual(
            self.curator_client.patch(DETAIL, {"status": "review"}, format="json").status_code, 200
        )
        self.curator.groups.remove(Group.objects.get(name=CURATORS_GROUP))
        for method, url, body in [
            ("post", URL, document(slug="another")),
            ("put", DETAIL, document()),
            ("patch", DETAIL, {"status": "published"}),
            ("delete", DETAIL, None),
        ]:
            with self.subTest(method=method):
                response = getattr(self.curator_client, method)(url, body, format="json")
                self.assertEqual(response.status_code, 403)
                self.assertEqual(
                    response.json()["detail"],
                    "Only curators can write: user 'curator' is not in the 'curators' group "
                    "(or no longer), so this token can only read.",
                )
        self.assertEqual(Transcript.objects.get().status, TranscriptStatus.REVIEW)
        self.assertFalse(Transcript.objects.filter(slug="another").exists())
        # Public data still reads with the same token; the transcript in review is now hidden.
        self.assertEqual(self.curator_client.get(URL).status_code, 200)
        self.assertEqual(self.curator_client.get(DETAIL).status_code, 404)
        Transcript.objects.update(status=TranscriptStatus.PUBLISHED)
        self.assertEqual(self.curator_client.get(DETAIL).status_code, 200)

    def test_a_deactivated_curators_token_is_refused(self) -> None:
        User.objects.filter(pk=self.curator.pk).update(is_active=False)
        self.assertEqual(self.curator_client.post(URL, document(), format="json").status_code, 401)
        self.assertFalse(Transcript.objects.exists())


class CreateApiTokenTests(ApiTestCase):
    def test_it_prints_a_working_token_for_a_curator(self) -> None:
        key = create_token("curator")
        self.assertEqual(Token.objects.get(user=self.curator).key, key)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        self.assertEqual(client.post(URL, document(), format="json").status_code, 201)

    def test_it_refuses_a_user_who_is_not_a_curator(self) -> None:
        make_user("reader", "view_transcript", "add_transcript", "change_transcript")
        with self.assertRaisesMessage(CommandError, "user 'reader' is not a curator") as raised:
            call_command("create_api_token", "reader", stdout=StringIO(), stderr=StringIO())
        self.assertIn("--allow-non-curator", str(raised.exception))
        self.assertEqual(raised.exception.returncode, 1)  # manage.py exits with it
        self.assertFalse(Token.objects.filter(user__username="reader").exists())

    def test_with_the_flag_a_non_curator_gets_a_token_that_only_reads(self) -> None:
        make_user("reader")
        err = StringIO()
        out = StringIO()
        call_command("create_api_token", "reader", "--allow-non-curator", stdout=out, stderr=err)
        self.assertIn("cannot write", err.getvalue())
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
        import_document(document())
        self.assertEqual(client.get(DETAIL).status_code, 200)
        self.assertEqual(client.patch(DETAIL, {"status": "draft"}, format="json").status_code, 403)

    def test_it_refuses_an_inactive_user(self) -> None:
        User.objects.filter(pk=self.curator.pk).update(is_active=False)
        with self.assertRaisesMessage(CommandError, "inactive"):
            create_token("curator")
