"""Curators and people: turning speakers into roles and back, privacy, likely duplicates, and
the data migration that split role labels per transcript."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase
from django.urls import reverse

from archive.duplicates import find_duplicates
from archive.models import Speaker, SpeakerKind
from tests.admin.helpers import CuratorTestCase
from tests.admin.test_import import upload
from tests.fixtures import PERES_EN, document, import_document

CHANGELIST = reverse("admin:archive_speaker_changelist")


def briefing(slug: str, official: str, asker: str = "Q", title: str = "Press Briefing") -> dict:
    return document(
        PERES_EN,
        slug=slug,
        title=title,
        speakers=[{"name": official}, {"name": asker}],
        turns=[
            {"speaker": asker, "kind": "question", "text": "Any news today?"},
            {"speaker": official, "kind": "answer", "text": "Not today."},
        ],
    )


class RoleAndPrivacyActionTests(CuratorTestCase):
    def act(self, action: str, *speakers: Speaker) -> None:
        response = self.client.post(
            CHANGELIST, {"action": action, "_selected_action": [s.pk for s in speakers]}
        )
        self.assertEqual(response.status_code, 302)

    def test_a_curator_turns_a_speaker_into_a_role_and_back(self) -> None:
        import_document(briefing("one", "MS. PSAKI", asker="Audience voice"))
        voice = Speaker.objects.get(name="Audience voice")
        self.assertEqual(voice.kind, SpeakerKind.PERSON)
        self.act("make_role", voice)
        voice.refresh_from_db()
        self.assertEqual(voice.kind, SpeakerKind.ROLE)
        self.assertEqual(self.client.get(f"/speakers/{voice.slug}/").status_code, 404)
        import_document(briefing("one", "MS. PSAKI", asker="Audience voice"))  # a re-import keeps it so
        self.assertEqual(list(Speaker.objects.filter(name="Audience voice")), [voice])
        voice.refresh_from_db()
        self.assertEqual(voice.kind, SpeakerKind.ROLE)
        self.act("make_person", voice)
        voice.refresh_from_db()
        self.assertEqual(voice.kind, SpeakerKind.PERSON)

    def test_making_a_speaker_private_gives_a_pseudonym_and_hides_the_old_slug(self) -> None:
        import_document(briefing("one", "MS. PSAKI", asker="Jane Citizen"))
        citizen = Speaker.objects.get(name="Jane Citizen")
        old_slug = citizen.slug
        self.act("make_private", citizen)
        citizen.refresh_from_db()
        self.assertTrue(citizen.private)
        self.assertTrue(citizen.pseudonym)
        self.assertNotEqual(citizen.slug, old_slug)
        self.assertEqual(self.client.get(f"/speakers/{old_slug}/").status_code, 404)
        self.assertNotIn("Jane Citizen", self.client.get("/transcripts/one/").content.decode())

    def test_the_import_form_reports_an_unknown_key(self) -> None:
        doc = document(PERES_EN)
        doc["speakers"][1]["privat"] = True
        response = self.client.post(
            reverse("admin:archive_transcript_import"), {"upload": [upload("weibo.json", doc)]}
        )
        self.assertContains(response, "did you mean &#x27;private&#x27;?")
        self.assertContains(response, "speakers[1].privat")

    def test_the_duplicates_page_lists_pairs_with_their_evidence(self) -> None:
        import_document(briefing("one", "MS. PSAKI", title="Press Briefing by Press Secretary Jen Psaki"))
        import_document(briefing("two", "ROSA ICELA RODRÍGUEZ VELÁZQUEZ"))
        import_document(briefing("three", "ROSA ICELA RODRÍGUEZ"))
        page = self.client.get(reverse("admin:archive_speaker_duplicates")).content.decode()
        self.assertIn("ROSA ICELA RODRÍGUEZ VELÁZQUEZ", page)
        self.assertIn("Jen Psaki", page)
        self.assertIn("Select both to merge", page)
        self.assertIn("Likely duplicates", self.client.get(CHANGELIST).content.decode())


class DuplicatesCommandTests(CuratorTestCase):
    def test_json_lists_a_same_name_pair_and_a_fuller_name_from_titles(self) -> None:
        import_document(briefing("one", "MS. PSAKI", title="Press Briefing by Press Secretary Jen Psaki"))
        # Two spellings kept apart by an archive imported before names were matched without accents.
        Speaker.objects.create(slug="casaubon", name="MARCELO EBRARD CASAUBON")
        Speaker.objects.create(slug="casaubon-2", name="MARCELO EBRARD CASAUBÓN")
        out = StringIO()
        call_command("speaker_duplicates", "--format", "json", stdout=out, stderr=StringIO())
        found = json.loads(out.getvalue())
        pairs = {(s["speaker"]["name"], s["other"]["name"]): s for s in found}
        same = pairs[("MARCELO EBRARD CASAUBON", "MARCELO EBRARD CASAUBÓN")]
        self.assertTrue(same["same_name"])
        self.assertEqual(same["similarity"], 1.0)
        fuller = pairs[("MS. PSAKI", "Jen Psaki")]
        self.assertIsNone(fuller["other"]["slug"])
        self.assertFalse(fuller["same_name"])
        self.assertIn("title", fuller["evidence"][0])

    def test_roles_are_never_suggested(self) -> None:
        import_document(briefing("one", "MS. PSAKI"))
        import_document(briefing("two", "MS. PSAKI"))
        self.assertEqual([s for s in find_duplicates() if "Q" in (s.speaker["name"], s.other["name"])], [])


class RoleMigrationTests(TransactionTestCase):
    """The data migration splits a label linked across transcripts, and undoes it."""

    after = [("archive", "0006_role_speakers_per_transcript")]

    def before(self) -> list[tuple[str, str]]:
        """Every migration of the archive but this one and what comes after it (other branches of
        the graph add columns its historical models must know)."""
        graph = MigrationExecutor(connection).loader.graph
        later = set(graph.backwards_plan(self.after[0]))  # it and everything that depends on it
        kept = {node for node in graph.nodes if node[0] == "archive" and node not in later}
        return [n for n in kept if not any(c.key in kept for c in graph.node_map[n].children)]

    def test_it_splits_a_label_per_transcript_and_back(self) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate(self.before())
        apps = executor.loader.project_state(self.before()).apps
        Speaker_ = apps.get_model("archive", "Speaker")
        Transcript_ = apps.get_model("archive", "Transcript")
        Appearance_ = apps.get_model("archive", "Appearance")
        Turn_ = apps.get_model("archive", "Turn")
        q = Speaker_.objects.create(slug="q", name="Q")
        peres = Speaker_.objects.create(slug="peres", name="Shimon Peres")
        for slug in ("one", "two"):
            transcript = Transcript_.objects.create(slug=slug, title=slug, language="en")
            Appearance_.objects.create(transcript=transcript, speaker=q, name="Q", position=1)
            Appearance_.objects.create(transcript=transcript, speaker=peres, name="Shimon Peres", position=2)
            Turn_.objects.create(transcript=transcript, position=1, speaker=q, kind="question", text="?")
        executor = MigrationExecutor(connection)
        executor.migrate(self.after)
        apps = executor.loader.project_state(self.after).apps
        roles = apps.get_model("archive", "Speaker").objects.filter(kind="role")
        self.assertEqual(roles.count(), 2)
        self.assertEqual(apps.get_model("archive", "Speaker").objects.get(slug="peres").kind, "person")
        executor = MigrationExecutor(connection)
        executor.migrate(self.before())
        apps = executor.loader.project_state(self.before()).apps
        speakers = apps.get_model("archive", "Speaker").objects
        self.assertEqual(speakers.filter(name="Q").count(), 1)
        self.assertEqual(speakers.get(name="Q").turns.count(), 2)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
