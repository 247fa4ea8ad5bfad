"""Every public page answers, links to the others, and never shows a draft."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from archive.models import Speaker, Topic, Transcript
from tests.fixtures import build_archive

DRAFT_SLUGS = ["secret-draft-briefing", "mfa-briefing-2026-06-10-zh-review"]


class PublicPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()

    def test_the_home_page_shows_holdings_by_language_and_a_search_box(self) -> None:
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'action="/search/"')
        # Six published transcripts; the draft and the one in review are not counted.
        self.assertEqual(response.context["overview"]["transcripts"], 6)
        languages = {row["language"]: row["transcripts"] for row in response.context["overview"]["languages"]}
        self.assertEqual(languages, {"en": 1, "zh-Hans": 1, "he": 2, "ar": 1, "es": 1})
        self.assertContains(response, 'href="/transcripts/?language=he"')
        self.assertContains(response, reverse("speaker-detail", kwargs={"slug": "lin-jian"}))
        self.assertContains(response, reverse("topic-detail", kwargs={"slug": "diplomacy"}))

    def test_the_home_page_of_an_empty_archive_says_so(self) -> None:
        Transcript.objects.all().delete()
        response = self.client.get("/")
        self.assertContains(response, "The archive is empty")

    def test_the_transcript_list_filters_by_language_and_year(self) -> None:
        response = self.client.get("/transcripts/", {"language": "he"})
        slugs = {t.slug for t in response.context["page_obj"]}
        self.assertEqual(slugs, {"mfa-briefing-2026-06-10-he", "knesset-arrangements-committee"})
        response = self.client.get("/transcripts/", {"year": "2020"})
        self.assertEqual([t.slug for t in response.context["page_obj"]], ["mananera-2020-02-03"])

    def test_the_transcript_list_filters_by_topic_and_speaker(self) -> None:
        response = self.client.get("/transcripts/", {"topic": "diplomacy"})
        self.assertEqual(
            {t.slug for t in response.context["page_obj"]}, {"mfa-briefing-2026-06-10", "press-conference-ar"}
        )
        response = self.client.get("/transcripts/", {"speaker": "yoav-kish"})
        self.assertEqual([t.slug for t in response.context["page_obj"]], ["knesset-arrangements-committee"])

    def test_the_transcript_list_explains_an_empty_result(self) -> None:
        response = self.client.get("/transcripts/", {"q": "nothing like this"})
        self.assertContains(response, "No published transcript matches these filters.")
        self.assertContains(response, 'href="/transcripts/"')

    def test_the_transcript_list_is_paginated(self) -> None:
        response = self.client.get("/transcripts/")
        self.assertEqual(response.context["page_obj"].paginator.per_page, 25)
        response = self.client.get("/transcripts/", {"page": "999"})  # past the end: the last page
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["page_obj"].number, 1)

    def test_lists_link_to_the_next_page(self) -> None:
        for n in range(70):
            Topic.objects.create(slug=f"extra-{n:02}", labels={"en": f"Extra {n}"}).transcripts.add(
                Transcript.objects.get(slug="mananera-2020-02-03")
            )
        response = self.client.get("/topics/", {"sort": "slug"})
        self.assertContains(response, 'rel="next" href="?sort=slug&amp;page=2"')
        second = self.client.get("/topics/", {"sort": "slug", "page": "2"})
        self.assertContains(second, 'rel="prev" href="?sort=slug"')

    def test_the_speaker_list_finds_a_speaker_by_a_name_in_another_script(self) -> None:
        response = self.client.get("/speakers/", {"q": "林剑"})
        self.assertEqual([s.slug for s in response.context["page_obj"]], ["lin-jian"])
        response = self.client.get("/speakers/", {"q": "nobody at all"})
        self.assertContains(response, "No speaker is called")

    def test_the_speaker_page_shows_names_in_every_script_answers_and_topics(self) -> None:
        response = self.client.get("/speakers/lin-jian/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<dd lang="zh-Hans" dir="ltr">林剑</dd>', html=True)
        self.assertContains(response, '<dd lang="he" dir="rtl">לין ג&#x27;יאן</dd>', html=True)
        self.assertEqual(response.context["kind"], "answer")
        # Two answers: their Chinese and Hebrew translations are the same words, listed once.
        self.assertEqual(response.context["turns"].paginator.count, 2)
        self.assertContains(response, "/transcripts/mfa-briefing-2026-06-10/#turn-3")
        self.assertIn("diplomacy", [t.slug for t in response.context["topics"]])
        # Searching within their turns goes to the search page, filtered on them.
        self.assertContains(response, '<input type="hidden" name="speaker" value="lin-jian">', html=True)

    def test_someone_heard_only_in_a_translation_still_has_their_turns_listed(self) -> None:
        # 林剑's Chinese-only alias: a speaker the translation alone knows.
        from archive.models import Speaker, Turn

        only_zh = Speaker.objects.create(slug="zh-only", name="发言人")
        Turn.objects.filter(transcript__slug="mfa-briefing-2026-06-10-zh", position=3).update(speaker=only_zh)
        response = self.client.get("/speakers/zh-only/")
        self.assertEqual([t.position for t in response.context["turns"]], [3])

    def test_the_speaker_page_switches_between_kinds_of_turn(self) -> None:
        response = self.client.get("/speakers/lin-jian/", {"kind": "statement"})
        self.assertEqual(response.context["kind"], "statement")
        self.assertEqual(response.context["turns"].paginator.count, 1)

    def test_the_topic_page_lists_transcripts_and_turns(self) -> None:
        response = self.client.get("/topics/middle-east/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual([t.slug for t in response.context["transcripts"]], ["mfa-briefing-2026-06-10"])
        self.assertEqual([t.position for t in response.context["turns"]], [5])
        self.assertContains(response, "/transcripts/mfa-briefing-2026-06-10/#turn-5")

    def test_the_topic_list_matches_labels_in_any_language(self) -> None:
        response = self.client.get("/topics/", {"q": "外交"})
        self.assertEqual([t.slug for t in response.context["page_obj"]], ["diplomacy"])

    def test_unknown_addresses_are_not_found(self) -> None:
        for url in ["/transcripts/nope/", "/speakers/nope/", "/topics/nope/", "/transcripts/nope/cite/1/"]:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.get("/transcripts/mananera-2020-02-03/cite/99/").status_code, 404)
        self.assertEqual(self.client.get("/transcripts/mananera-2020-02-03/export.docx").status_code, 404)

    def test_unicode_slugs_work(self) -> None:
        transcript = Transcript.objects.get(slug="press-conference-ar")
        transcript.slug = "مؤتمر-صحفي"
        transcript.save()
        url = transcript.get_absolute_url()
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.get(url + "cite/1/").status_code, 200)


class DraftsArePrivateTests(TestCase):
    """Drafts and transcripts in review: 404 everywhere, and no trace on any list."""

    @classmethod
    def setUpTestData(cls) -> None:
        build_archive()

    def test_a_draft_transcript_is_not_found_on_each_of_its_pages(self) -> None:
        for slug in DRAFT_SLUGS:
            for url in [
                f"/transcripts/{slug}/",
                f"/transcripts/{slug}/cite/1/",
                f"/transcripts/{slug}/export.json",
                f"/transcripts/{slug}/export.ndjson",
            ]:
                self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_a_speaker_or_topic_known_only_from_drafts_is_not_found(self) -> None:
        self.assertTrue(Speaker.objects.filter(slug="hidden-person").exists())
        self.assertEqual(self.client.get("/speakers/hidden-person/").status_code, 404)
        self.assertTrue(Topic.objects.filter(slug="draft-only-topic").exists())
        self.assertEqual(self.client.get("/topics/draft-only-topic/").status_code, 404)

    def test_no_list_feed_or_sitemap_mentions_a_draft(self) -> None:
        for url in [
            "/",
            "/transcripts/",
            "/transcripts/?language=en",
            "/speakers/",
            "/topics/",
            "/speakers/lin-jian/",
            "/speakers/xinhua/",
            "/topics/diplomacy/",
            "/transcripts/mfa-briefing-2026-06-10/",
            "/feed/",
            "/sitemap.xml",
        ]:
            content = self.client.get(url).content.decode()
            for secret in ["secret-draft-briefing", "Unreleased draft", "hidden-person", "draft-only-topic"]:
                self.assertNotIn(secret, content, url)
            self.assertNotIn("zh-review", content, url)
            self.assertNotIn("审校中", content, url)

    def test_a_draft_version_is_not_offered_side_by_side(self) -> None:
        response = self.client.get(
            "/transcripts/mfa-briefing-2026-06-10/", {"compare": "mfa-briefing-2026-06-10-zh-review"}
        )
        self.assertEqual(response.status_code, 404)

    def test_publishing_a_draft_makes_it_appear(self) -> None:
        Transcript.objects.filter(slug="secret-draft-briefing").update(status="published")
        self.assertEqual(self.client.get("/transcripts/secret-draft-briefing/").status_code, 200)
        self.assertEqual(self.client.get("/speakers/hidden-person/").status_code, 200)
