"""A draft never changes what the public sees of a person: its names, aliases and roles wait
for its publication."""

from __future__ import annotations

from typing import Any

from archive.exporters.qa_archive import transcript_document
from archive.models import Speaker, TranscriptStatus
from archive.selectors import transcripts_for_export
from archive.services import transcripts_set_status
from tests.api.helpers import ApiTestCase
from tests.fixtures import PERES_EN, document, import_document

NEW_ALIAS = "Draftonly Peres"
NEW_SCRIPT = "شمعون بيريز"


def draft_naming_peres() -> dict[str, Any]:
    return document(
        slug="peres-draft",
        status="draft",
        speakers=[
            {
                "name": "Shimon Peres",
                "slug": "shimon-peres",
                "role": "Draft-only role",
                "names": {"ar": NEW_SCRIPT},
                "aliases": [NEW_ALIAS],
            },
            {"name": "Weibo user", "role": "audience"},
        ],
    )


class DraftSpeakerDataTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(document())  # published: Shimon Peres is public

    def public_views(self, slug: str) -> dict[str, str]:
        return {
            "page": self.client.get(f"/speakers/{slug}/").content.decode(),
            "api": self.client.get(f"/api/v1/speakers/{slug}/").content.decode(),
        }

    def found_by_search(self, slug: str, name: str) -> dict[str, bool]:
        api = [s["slug"] for s in self.client.get("/api/v1/speakers/", {"q": name}).json()["results"]]
        page = self.client.get("/speakers/", {"q": name}).content.decode()
        return {"api": slug in api, "page": f'href="/speakers/{slug}/"' in page}

    def test_a_drafts_new_alias_and_name_in_another_script_stay_private_until_it_is_published(self) -> None:
        draft = import_document(draft_naming_peres())
        for view, content in self.public_views("shimon-peres").items():
            with self.subTest(view):
                self.assertNotIn(NEW_ALIAS, content)
                self.assertNotIn(NEW_SCRIPT, content)
        for name in (NEW_ALIAS, NEW_SCRIPT):
            self.assertEqual(self.found_by_search("shimon-peres", name), {"api": False, "page": False}, name)
        peres = Speaker.objects.get(slug="shimon-peres")
        self.assertNotIn(NEW_ALIAS, peres.aliases)
        self.assertEqual(peres.role, PERES_EN["speakers"][0]["role"])

        transcripts_set_status([draft], TranscriptStatus.PUBLISHED)
        views = self.public_views("shimon-peres")
        self.assertIn(NEW_ALIAS, views["api"])
        self.assertIn(NEW_SCRIPT, views["api"])
        self.assertEqual(self.found_by_search("shimon-peres", NEW_ALIAS), {"api": True, "page": True})
        self.assertEqual(Speaker.objects.get(slug="shimon-peres").role, PERES_EN["speakers"][0]["role"])

    def test_a_speaker_a_draft_created_shows_none_of_the_drafts_role_or_aliases_once_named_in_public(
        self,
    ) -> None:
        secret = {
            "name": "Jane Roe",
            "slug": "jane-roe",
            "role": "Secret informant",
            "aliases": ["J. R. Hidden"],
        }
        import_document(
            document(
                slug="roe-draft",
                status="draft",
                speakers=[secret, {"name": "Weibo user"}],
                turns=[{"speaker": "Jane Roe", "kind": "statement", "text": "Off the record."}],
            )
        )
        import_document(
            document(
                slug="roe-public",
                speakers=[{"name": "Jane Roe", "slug": "jane-roe"}],
                turns=[{"speaker": "Jane Roe", "kind": "statement", "text": "On the record."}],
            )
        )
        for view, content in self.public_views("jane-roe").items():
            with self.subTest(view):
                self.assertNotIn("Secret informant", content)
                self.assertNotIn("J. R. Hidden", content)
        self.assertEqual(self.found_by_search("jane-roe", "Hidden"), {"api": False, "page": False})
        self.assertEqual(self.found_by_search("jane-roe", "Jane"), {"api": True, "page": True})
        self.assertEqual(self.client.get("/api/v1/speakers/jane-roe/").status_code, 200)

    def test_the_drafts_own_export_still_carries_its_names_for_a_round_trip(self) -> None:
        import_document(draft_naming_peres())
        exported = transcript_document(
            transcripts_for_export(slugs=["peres-draft"], include_drafts=True).get()
        )
        peres = exported["speakers"][0]
        self.assertIn(NEW_ALIAS, peres["aliases"])
        self.assertEqual(peres["names"]["ar"], NEW_SCRIPT)
        self.assertEqual(peres["role"], "Draft-only role")

    def test_publishing_through_the_api_teaches_the_speaker(self) -> None:
        import_document(draft_naming_peres())
        response = self.curator_client.patch(
            "/api/v1/transcripts/peres-draft/", {"status": "published"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content[:300])
        self.assertIn(NEW_ALIAS, Speaker.objects.get(slug="shimon-peres").aliases)

    def test_an_entry_named_by_an_earlier_entrys_new_alias_is_the_same_person_draft_or_not(self) -> None:
        for status in ("draft", "published"):
            with self.subTest(status=status):
                doc = document(
                    slug=f"two-names-{status}",
                    status=status,
                    speakers=[
                        {"name": "Shimon Peres", "slug": "shimon-peres", "aliases": [f"SP {status}"]},
                        {"name": f"SP {status}"},
                        {"name": "Weibo user"},
                    ],
                    turns=[
                        {"speaker": "Shimon Peres", "kind": "statement", "text": "One."},
                        {"speaker": f"SP {status}", "kind": "statement", "text": "Two."},
                    ],
                )
                transcript = import_document(doc)
                speakers = set(transcript.turns.values_list("speaker__slug", flat=True))
                self.assertEqual(speakers, {"shimon-peres"})
