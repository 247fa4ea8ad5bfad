"""People on the public site and the API: roles have no page, merged slugs redirect, identifiers
are linked, and a private speaker's name is on no public surface."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from archive.importers import import_documents, read_content
from archive.models import Speaker, SpeakerKind, SpeakerRedirect
from archive.search import indexer
from archive.services import speakers_merge
from tests.api.helpers import make_curator, token_client
from tests.fixtures import PERES_EN, document, import_document

SECRET = "Zhang Xiaoming"
SECRET_ZH = "张晓明"
SECRET_ALIAS = "Xiaoming Z."
SECRET_SLUG = "zhang-xiaoming"


def peres_with_roles_and_a_private_asker(**changes: object) -> dict:
    speakers = [
        {
            "name": "Shimon Peres",
            "slug": "shimon-peres",
            "role": "President of Israel",
            "identifiers": {"wikidata": "Q11621"},
        },
        {
            "name": SECRET,
            "slug": SECRET_SLUG,
            "private": True,
            "names": {"zh-Hans": SECRET_ZH},
            "aliases": [SECRET_ALIAS],
        },
        {"name": "Q"},
        {"name": "MODERATOR"},
    ]
    turns = [
        {"speaker": "MODERATOR", "kind": "moderator", "text": "Welcome to the Weibo session."},
        {"speaker": SECRET, "kind": "question", "text": "What is the secret of Jewish wisdom?"},
        {"speaker": "Shimon Peres", "kind": "answer", "text": "Our secret is learning wisdom."},
        {"speaker": "Q", "kind": "question", "text": "Will you visit China again, wisdom aside?"},
        {"speaker": "Shimon Peres", "kind": "answer", "text": "I hope so.\nChina is a friend."},
    ]
    return document(PERES_EN, speakers=speakers, turns=turns, **changes)


class PeopleOnTheSiteTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        import_document(peres_with_roles_and_a_private_asker())
        import_document(peres_with_roles_and_a_private_asker(slug="second-session", title="Second session"))
        indexer.rebuild()  # inside a TestCase nothing commits: apply the outbox by hand

    def test_a_role_has_no_person_page_and_is_not_listed(self) -> None:
        roles = Speaker.objects.filter(kind=SpeakerKind.ROLE)
        self.assertEqual(roles.count(), 4)  # Q and MODERATOR of each transcript: never linked
        for role in roles:
            self.assertEqual(self.client.get(f"/speakers/{role.slug}/").status_code, 404)
        listing = self.client.get("/speakers/").content.decode()
        self.assertIn("Shimon Peres", listing)
        self.assertNotIn(">Q<", listing)
        self.assertNotIn("MODERATOR", listing)
        sitemap = self.client.get("/sitemap.xml").content.decode()
        for role in roles:
            self.assertNotIn(f"/speakers/{role.slug}/", sitemap)
        self.assertEqual(
            [s["name"] for s in self.client.get("/api/v1/speakers/").json()["results"]].count("Q"), 0
        )
        roles = self.client.get("/api/v1/speakers/", {"kind": "role"}).json()
        self.assertEqual({s["name"] for s in roles["results"]}, {"Q", "MODERATOR"})
        cast = self.client.get("/api/v1/speakers/", {"transcript": "second-session"}).json()
        self.assertEqual(cast["count"], 4)  # who speaks in it, roles included

    def test_a_role_is_shown_unlinked_on_the_transcript_page(self) -> None:
        page = self.client.get("/transcripts/peres-weibo-test/").content.decode()
        self.assertIn("<bdi>Q</bdi>", page)
        role = Speaker.objects.get(name="Q", appearances__transcript__slug="peres-weibo-test")
        self.assertNotIn(f"/speakers/{role.slug}/", page)
        self.assertIn("/speakers/shimon-peres/", page)

    def test_the_speaker_facet_holds_people_and_one_value_for_roles(self) -> None:
        response = self.client.get("/search/", {"q": "wisdom"})
        (facet,) = [f for f in response.context["facets"] if f["name"] == "speaker"]
        values = {value.value for value in facet["values"]}
        self.assertIn("shimon-peres", values)
        self.assertIn("_roles", values)
        labels = {value.label for value in facet["values"]}
        self.assertIn("Unnamed (questioners, moderators …)", labels)
        self.assertFalse(
            values & set(Speaker.objects.filter(kind=SpeakerKind.ROLE).values_list("slug", flat=True))
        )

    def test_identifiers_are_linked_on_the_page_and_returned_by_the_api(self) -> None:
        page = self.client.get("/speakers/shimon-peres/").content.decode()
        self.assertIn('href="https://www.wikidata.org/wiki/Q11621"', page)
        body = self.client.get("/api/v1/speakers/shimon-peres/").json()
        self.assertEqual(body["identifiers"], {"wikidata": "Q11621"})
        self.assertEqual(body["kind"], "person")


class MergeRedirectTests(TestCase):
    def test_a_merged_slug_redirects_on_pages_and_in_the_api(self) -> None:
        import_document(document(PERES_EN))
        other = Speaker.objects.create(slug="s-peres", name="S. Peres")
        speakers_merge(target=Speaker.objects.get(slug="shimon-peres"), others=[other])
        page = self.client.get("/speakers/s-peres/")
        self.assertEqual(page.status_code, 301)
        self.assertEqual(page["Location"], "/speakers/shimon-peres/")
        api = self.client.get("/api/v1/speakers/s-peres/")
        self.assertEqual(api.status_code, 301)
        self.assertTrue(api["Location"].endswith("/api/v1/speakers/shimon-peres/"))
        self.assertEqual(SpeakerRedirect.objects.get(old_slug="s-peres").speaker.slug, "shimon-peres")

    def test_an_import_by_a_merged_slug_links_to_the_kept_speaker(self) -> None:
        import_document(document(PERES_EN))
        other = Speaker.objects.create(slug="s-peres", name="S. Peres")
        speakers_merge(target=Speaker.objects.get(slug="shimon-peres"), others=[other])
        doc = document(PERES_EN, slug="later")
        doc["speakers"][0]["slug"] = "s-peres"
        import_document(doc)
        self.assertFalse(Speaker.objects.filter(slug="s-peres").exists())
        self.assertEqual(Speaker.objects.get(slug="shimon-peres").appearances.count(), 2)


class PrivateSpeakerEverywhereTests(TestCase):
    """A private speaker's name, other names and aliases are on no public surface."""

    private: Speaker

    @classmethod
    def setUpTestData(cls) -> None:
        import_document(peres_with_roles_and_a_private_asker())
        indexer.rebuild()
        cls.private = Speaker.objects.get(private=True)

    def public_surfaces(self) -> dict[str, str]:
        slug, pseudonym_slug = "peres-weibo-test", self.private.slug
        pages = {
            "home": "/",
            "transcript page": f"/transcripts/{slug}/",
            "speaker list": "/speakers/",
            "speaker page": f"/speakers/{pseudonym_slug}/",
            "search results and highlights": "/search/?q=wisdom",
            "citation": f"/transcripts/{slug}/cite/2/",
            "feed": "/feed/",
            "sitemap": "/sitemap.xml",
            "api transcript": f"/api/v1/transcripts/{slug}/",
            "api transcript list": "/api/v1/transcripts/",
            "api speakers": "/api/v1/speakers/",
            "api speaker": f"/api/v1/speakers/{pseudonym_slug}/",
            "api turns": f"/api/v1/transcripts/{slug}/turns/",
            "api turn list": "/api/v1/turns/",
            "api search": "/api/v1/search/?q=wisdom",
            "api bulk export": "/api/v1/export/",
        }
        for name in ("txt", "csv", "ndjson", "json"):
            pages[f"site export {name}"] = f"/transcripts/{slug}/export.{name}"
            pages[f"api export {name}"] = f"/api/v1/transcripts/{slug}/?format={name}"
        bodies: dict[str, str] = {}
        for surface, url in pages.items():
            response = self.client.get(url)
            self.assertIn(response.status_code, (200, 404), f"{surface}: {url}")
            content = response.getvalue()  # streamed or not
            bodies[surface] = content.decode()
        return bodies

    def test_the_name_is_absent_from_every_public_surface(self) -> None:
        bodies = self.public_surfaces()
        self.assertIn(self.private.pseudonym, bodies["transcript page"])
        self.assertIn(self.private.pseudonym, bodies["api transcript"])
        for surface, body in bodies.items():
            for secret in (SECRET, SECRET_ZH, SECRET_ALIAS, SECRET_SLUG, "Xiaoming"):
                with self.subTest(surface=surface, secret=secret):
                    self.assertNotIn(secret, body)
                    self.assertNotIn(json.dumps(secret)[1:-1], body)  # nor \\u-escaped in JSON

    def test_the_name_finds_nothing_for_the_public(self) -> None:
        for name in (SECRET, SECRET_ZH, SECRET_ALIAS):
            with self.subTest(name=name):
                self.assertEqual(
                    self.client.get("/speakers/", {"q": name}).context["page_obj"].paginator.count, 0
                )
                self.assertEqual(self.client.get("/search/", {"q": name}).context["hits"], [])
                self.assertEqual(
                    self.client.get("/search/", {"q": f"speaker:{name.split()[0]}"}).context["hits"], []
                )
                self.assertEqual(self.client.get("/api/v1/search/", {"q": name}).json()["count"], 0)
                self.assertEqual(self.client.get("/api/v1/speakers/", {"q": name}).json()["count"], 0)
        # The pseudonym finds them.
        pseudonym = self.private.pseudonym
        self.assertEqual(
            self.client.get("/speakers/", {"q": pseudonym}).context["page_obj"].paginator.count, 1
        )

    def test_the_old_slug_is_not_answered_publicly(self) -> None:
        self.assertEqual(self.client.get(f"/speakers/{SECRET_SLUG}/").status_code, 404)
        self.assertEqual(self.client.get(f"/api/v1/speakers/{SECRET_SLUG}/").status_code, 404)

    def test_curators_see_and_export_the_real_name(self) -> None:
        client = token_client(make_curator("curator"))
        self.assertIn(SECRET, client.get("/api/v1/transcripts/peres-weibo-test/").content.decode())
        speaker = client.get(f"/api/v1/speakers/{self.private.slug}/").json()
        self.assertEqual((speaker["name"], speaker["aliases"]), (SECRET, [SECRET_ALIAS]))
        bulk = client.get("/api/v1/export/")
        self.assertTrue(bulk.streaming)
        self.assertIn(SECRET, bulk.getvalue().decode())
        out = StringIO()
        call_command("export_transcripts", stdout=out)
        self.assertIn(SECRET, out.getvalue())
        public = StringIO()
        call_command("export_transcripts", "--public", stdout=public)
        self.assertNotIn(SECRET, public.getvalue())

    def test_the_pseudonym_is_stable(self) -> None:
        pseudonym = self.private.pseudonym
        import_document(peres_with_roles_and_a_private_asker())
        self.assertEqual(Speaker.objects.get(pk=self.private.pk).pseudonym, pseudonym)


class BadInputTests(TestCase):
    def import_json(self, doc: dict, **options: object) -> object:
        return import_documents(read_content(json.dumps(doc).encode(), "weibo.json"), **options)  # type: ignore[arg-type]

    def test_an_unknown_key_is_reported_with_the_closest_known_key(self) -> None:
        doc = document(PERES_EN)
        doc["speakers"][1]["privat"] = True
        report = self.import_json(doc)
        self.assertEqual(report.rejected, 0)  # type: ignore[attr-defined]
        (warning,) = report.warnings  # type: ignore[attr-defined]
        text = str(warning)
        for part in ("weibo.json", "peres-weibo-test", "speakers[1].privat", "'private'"):
            self.assertIn(part, text)

    def test_strict_makes_an_unknown_key_an_error(self) -> None:
        doc = document(PERES_EN, titel="Typo")
        report = self.import_json(doc, strict=True)
        self.assertEqual(report.rejected, 1)  # type: ignore[attr-defined]
        self.assertIn("'title'", str(report.errors[0]))  # type: ignore[attr-defined]
        self.assertFalse(Speaker.objects.exists())

    def test_the_command_warns_and_strict_rejects(self) -> None:
        import tempfile
        from pathlib import Path

        from django.core.management.base import CommandError

        doc = document(PERES_EN)
        doc["speakers"][1]["privat"] = True
        folder = Path(tempfile.mkdtemp())
        (folder / "weibo.json").write_text(json.dumps(doc), "utf-8")
        err = StringIO()
        call_command("import_transcripts", str(folder), stdout=StringIO(), stderr=err)
        self.assertIn("did you mean 'private'", err.getvalue())
        with self.assertRaises(CommandError):
            call_command("import_transcripts", "--strict", str(folder), stdout=StringIO(), stderr=StringIO())

    def test_a_private_speaker_of_a_draft_stays_private_when_published(self) -> None:
        draft = peres_with_roles_and_a_private_asker(status="draft")
        import_document(draft)
        published = peres_with_roles_and_a_private_asker()
        del published["speakers"][1]["private"]  # the published version does not say it again
        import_document(published)
        speaker = (
            Speaker.objects.get(names__icontains=SECRET_ZH) if False else Speaker.objects.get(name=SECRET)
        )
        self.assertTrue(speaker.private)
        self.assertNotIn(SECRET, self.client.get("/transcripts/peres-weibo-test/").content.decode())
