"""Curating transcripts in the admin, as a curator: list, filters, search, change page, bulk actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import connection
from django.db.models.signals import m2m_changed, post_save
from django.http import HttpResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from archive.admin.turns import TURNS_PER_PAGE
from archive.importers import import_documents, read_files
from archive.models import Speaker, Topic, Transcript, TranscriptStatus, Turn
from tests.admin.helpers import CuratorTestCase, import_long, page_form_data
from tests.fixtures import CORPUS, PERES_EN, PERES_ZH, document, import_document, needs_corpus

CHANGELIST = reverse("admin:archive_transcript_changelist")

# Stands in for the public site's routes in the test that checks "View on site".
urlpatterns = [
    path("admin/", admin.site.urls),
    path("transcripts/<str:slug>/", lambda request, slug: HttpResponse(slug), name="transcript-detail"),
]


def change_url(transcript: Transcript) -> str:
    return reverse("admin:archive_transcript_change", args=[transcript.pk])


class ChangelistTests(CuratorTestCase):
    peres: Transcript
    peres_zh: Transcript
    draft: Transcript

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.peres = import_document(PERES_EN)
        cls.peres_zh = import_document(PERES_ZH)
        cls.draft = import_document(
            document(slug="budget-hearing", title="Budget hearing", status="draft", topics=["budget"])
        )

    def listed(self, query: str = "") -> list[str]:
        response = self.client.get(CHANGELIST + query)
        self.assertEqual(response.status_code, 200)
        return sorted(t.slug for t in response.context["cl"].result_list)

    def test_it_lists_transcripts_with_turn_counts_and_the_original_of_a_translation(self) -> None:
        response = self.client.get(CHANGELIST)
        self.assertContains(response, "Shimon Peres answers Weibo users")
        counts = {t.slug: t.turn_count for t in response.context["cl"].result_list}
        self.assertEqual(counts, {"peres-weibo-test": 4, "peres-weibo-test-zh": 2, "budget-hearing": 4})
        self.assertContains(
            response, f'<a href="{change_url(self.peres)}">Shimon Peres answers Weibo users</a>'
        )

    def test_the_list_costs_the_same_queries_for_few_or_many_transcripts(self) -> None:
        few, _ = self.count_queries(CHANGELIST)
        for n in range(10):
            import_document(document(slug=f"extra-{n}", title=f"Extra {n}"))
        many, _ = self.count_queries(CHANGELIST)
        self.assertEqual(few, many)

    def test_it_filters_by_status_language_and_translation(self) -> None:
        self.assertEqual(self.listed("?status__exact=draft"), ["budget-hearing"])
        self.assertEqual(self.listed("?language=zh-Hans"), ["peres-weibo-test-zh"])
        self.assertEqual(self.listed("?translation=translation"), ["peres-weibo-test-zh"])
        self.assertEqual(self.listed("?translation=original"), ["budget-hearing", "peres-weibo-test"])

    def test_it_filters_by_speaker_and_topic(self) -> None:
        peres = Speaker.objects.get(slug="shimon-peres")
        self.assertEqual(
            self.listed(f"?speaker={peres.pk}"), ["budget-hearing", "peres-weibo-test", "peres-weibo-test-zh"]
        )
        budget = Topic.objects.get(slug="budget")
        self.assertEqual(self.listed(f"?topic={budget.pk}"), ["budget-hearing"])
        self.assertEqual(self.listed(f"?topic={budget.pk}&speaker={peres.pk}"), ["budget-hearing"])

    def test_an_unknown_speaker_in_the_filter_is_an_error_not_a_crash(self) -> None:
        response = self.client.get(CHANGELIST + "?speaker=99999")
        self.assertEqual(response.status_code, 302)
        self.assertIn("e=1", response["Location"])

    def test_the_speaker_filter_renders_only_the_chosen_speaker_not_every_speaker(self) -> None:
        Speaker.objects.bulk_create(Speaker(slug=f"member-{n}", name=f"Member {n}") for n in range(300))
        peres = Speaker.objects.get(slug="shimon-peres")
        response = self.client.get(CHANGELIST + f"?speaker={peres.pk}")
        self.assertNotContains(response, "Member 17")
        self.assertContains(response, f'<option value="{peres.pk}" selected>Shimon Peres</option>', html=True)
        self.assertContains(response, 'data-field-name="speakers"')

    def test_the_speaker_search_box_finds_a_speaker_by_a_name_in_another_script(self) -> None:
        response = self.client.get(
            reverse("admin:autocomplete"),
            {"app_label": "archive", "model_name": "transcript", "field_name": "speakers", "term": "שמעון"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual([r["text"] for r in response.json()["results"]], ["Shimon Peres"])

    def test_search_matches_title_slug_and_event(self) -> None:
        self.assertEqual(self.listed("?q=budget"), ["budget-hearing"])
        self.assertEqual(self.listed("?q=佩雷斯"), ["peres-weibo-test-zh"])
        self.assertEqual(self.listed("?q=Weibo+live"), ["budget-hearing", "peres-weibo-test"])

    def test_the_list_links_to_the_import_form(self) -> None:
        self.assertContains(self.client.get(CHANGELIST), reverse("admin:archive_transcript_import"))

    def test_an_empty_archive_shows_an_empty_list(self) -> None:
        Transcript.objects.all().delete()
        response = self.client.get(CHANGELIST)
        self.assertContains(response, "0 transcripts")


class ChangePageTests(CuratorTestCase):
    def test_the_change_page_shows_speakers_and_turns_in_order(self) -> None:
        transcript = import_document(PERES_EN)
        response = self.client.get(change_url(transcript))
        self.assertEqual(response.status_code, 200)
        turn_forms = response.context["inline_admin_formsets"][1].formset.forms
        self.assertEqual([f.instance.position for f in turn_forms], [1, 2, 3, 4])
        self.assertEqual(turn_forms[1]["reply_to_position"].value(), 1)
        self.assertContains(response, "What is the secret of Jewish wisdom?")
        self.assertContains(
            response,
            '<option value="{}" selected>Weibo user</option>'.format(
                Speaker.objects.get(name="Weibo user").pk
            ),
            html=True,
        )
        appearance_forms = response.context["inline_admin_formsets"][0].formset.forms
        self.assertEqual([f.instance.name for f in appearance_forms], ["Shimon Peres", "Weibo user"])

    def test_reply_to_is_a_position_not_a_select_of_every_turn(self) -> None:
        transcript = import_document(PERES_EN)
        import_long("other-sitting", 50)
        response = self.client.get(change_url(transcript))
        self.assertNotContains(response, "other-sitting #")
        self.assertContains(response, 'name="turns-1-reply_to_position"')

    def test_the_query_count_does_not_grow_with_turns_speakers_or_topics(self) -> None:
        small = import_long("small-sitting", 12)
        big = import_long("big-sitting", 2 * TURNS_PER_PAGE + 40)
        small_count, _ = self.count_queries(change_url(small))
        big_count, response = self.count_queries(change_url(big))
        self.assertEqual(small_count, big_count)
        self.assertLessEqual(big_count, 15)
        self.assertEqual(len(response.context["inline_admin_formsets"][1].formset.forms), TURNS_PER_PAGE)

    def test_turns_are_paged_and_each_page_starts_where_the_last_ended(self) -> None:
        big = import_long("big-sitting", TURNS_PER_PAGE + 30)
        response = self.client.get(change_url(big) + "?turns_page=2")
        forms = response.context["inline_admin_formsets"][1].formset.forms
        self.assertEqual(
            [f.instance.position for f in forms], list(range(TURNS_PER_PAGE + 1, TURNS_PER_PAGE + 31))
        )
        self.assertContains(
            response, f"Turns {TURNS_PER_PAGE + 1}–{TURNS_PER_PAGE + 30} of {TURNS_PER_PAGE + 30}"
        )
        self.assertContains(response, 'href="?turns_page=1#turns-group"')

    def test_a_curator_edits_a_turn_and_its_reply_on_a_later_page(self) -> None:
        big = import_long("big-sitting", 2 * TURNS_PER_PAGE + 30)  # page 2 is full: > 1,000 fields
        url = change_url(big) + "?turns_page=2"
        data = page_form_data(self.client.get(url))
        # The first row of page 2 is turn 101.
        data["turns-0-text"] = "Corrected text."
        data["turns-0-reply_to_position"] = "3"
        data["_continue"] = "1"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.context and response.context["errors"])
        self.assertIn("turns_page=2", response["Location"])
        turn = Turn.objects.get(transcript=big, position=TURNS_PER_PAGE + 1)
        self.assertEqual(turn.text, "Corrected text.")
        self.assertEqual(turn.reply_to, Turn.objects.get(transcript=big, position=3))
        self.assertEqual(Turn.objects.filter(transcript=big).count(), 2 * TURNS_PER_PAGE + 30)

    def test_saving_a_full_page_with_one_edit_costs_a_bounded_number_of_queries(self) -> None:
        big = import_long("big-sitting", TURNS_PER_PAGE + 10)
        url = change_url(big)
        data = page_form_data(self.client.get(url))
        data["turns-42-text"] = "Edited."
        saved: list[int] = []

        def receiver(sender: Any, instance: Turn, **kwargs: Any) -> None:
            saved.append(instance.position)

        post_save.connect(receiver, sender=Turn)
        try:
            with CaptureQueriesContext(connection) as queries:
                response = self.client.post(url, data)
        finally:
            post_save.disconnect(receiver, sender=Turn)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(saved, [43])
        self.assertEqual(Turn.objects.get(transcript=big, position=43).text, "Edited.")
        self.assertLessEqual(len(queries), 40)

    def test_moving_a_turn_onto_a_taken_position_is_refused(self) -> None:
        transcript = import_document(PERES_EN)
        url = change_url(transcript)
        data = page_form_data(self.client.get(url))
        data["turns-3-position"] = "2"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Turn #2 already exists: move it to a free position first.")
        self.assertEqual(list(transcript.turns.values_list("position", flat=True)), [1, 2, 3, 4])

    def test_listing_a_speaker_twice_is_refused(self) -> None:
        transcript = import_document(PERES_EN)
        url = change_url(transcript)
        data = page_form_data(self.client.get(url))
        data["appearances-1-speaker"] = data["appearances-0-speaker"]
        response = self.client.post(url, data)
        self.assertContains(response, "Shimon Peres is already listed in this transcript.")
        data = page_form_data(self.client.get(url))
        data["appearances-1-name"] = "Shimon Peres"
        response = self.client.post(url, data)
        self.assertContains(response, "Another speaker of this transcript is already called “Shimon Peres”.")

    def test_a_reply_to_a_missing_position_is_a_form_error(self) -> None:
        transcript = import_document(PERES_EN)
        url = change_url(transcript)
        data = page_form_data(self.client.get(url))
        data["turns-1-reply_to_position"] = "40"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This transcript has no turn #40.")

    def test_a_curator_adds_a_turn_at_the_next_position(self) -> None:
        transcript = import_document(PERES_EN)
        url = change_url(transcript)
        response = self.client.get(url)
        empty = response.context["inline_admin_formsets"][1].formset.empty_form
        self.assertEqual(empty["position"].value(), 5)
        data = page_form_data(response)
        peres = Speaker.objects.get(slug="shimon-peres")
        data.update(
            {
                "turns-TOTAL_FORMS": "5",
                "turns-4-position": "5",
                "turns-4-speaker": str(peres.pk),
                "turns-4-kind": "statement",
                "turns-4-text": "Thank you.",
                "turns-4-transcript": str(transcript.pk),
            }
        )
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(transcript.turns.get(position=5).text, "Thank you.")

    def test_choosing_the_original_fills_in_its_slug(self) -> None:
        original = import_document(PERES_EN)
        translation = import_document(document(PERES_ZH, translation_of=None))
        url = change_url(translation)
        data = page_form_data(self.client.get(url))
        data["translation_of"] = str(original.pk)
        self.assertEqual(self.client.post(url, data).status_code, 302)
        translation.refresh_from_db()
        self.assertEqual(translation.translation_of_slug, "peres-weibo-test")

    def test_deleting_a_long_transcript_confirms_in_one_line_then_deletes_it_all(self) -> None:
        big = import_long("big-sitting", 300)
        url = reverse("admin:archive_transcript_delete", args=[big.pk])
        queries, page = self.count_queries(url)
        self.assertLessEqual(queries, 12)
        self.assertContains(page, "Transcript: Question time with 300 turns (300 turns, 20 speakers listed)")
        self.assertNotContains(page, "big-sitting #1")
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 302)
        self.assertFalse(Transcript.objects.exists())
        self.assertFalse(Turn.objects.exists())

    @override_settings(ROOT_URLCONF=__name__)
    def test_once_the_public_site_has_transcript_pages_the_change_page_links_there(self) -> None:
        transcript = import_document(PERES_EN)
        response = self.client.get(change_url(transcript))
        self.assertContains(response, 'href="/transcripts/peres-weibo-test/"')
        self.assertContains(response, 'href="/transcripts/peres-weibo-test/#turn-2"')

    def test_the_change_page_links_to_the_public_transcript_page(self) -> None:
        transcript = import_document(PERES_EN)
        response = self.client.get(change_url(transcript))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "View on site")


class BulkActionTests(CuratorTestCase):
    first: Transcript
    second: Transcript
    third: Transcript

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.first = import_document(document(slug="first", status="draft"))
        cls.second = import_document(document(slug="second", status="review"))
        cls.third = import_document(document(slug="third", status="published"))

    def act(self, action: str, *transcripts: Transcript, **extra: Any) -> Any:
        data = {"action": action, "_selected_action": [str(t.pk) for t in transcripts], **extra}
        return self.client.post(CHANGELIST, data)

    def statuses(self) -> dict[str, str]:
        return dict(Transcript.objects.values_list("slug", "status"))

    def test_publish_unpublish_and_send_to_review(self) -> None:
        self.assertEqual(self.act("publish", self.first, self.second).status_code, 302)
        self.assertEqual(self.statuses(), {"first": "published", "second": "published", "third": "published"})
        self.act("unpublish", self.first, self.third)
        self.assertEqual(self.statuses(), {"first": "draft", "second": "published", "third": "draft"})
        self.act("send_to_review", self.third)
        self.assertEqual(self.statuses()["third"], TranscriptStatus.REVIEW)

    def test_status_actions_save_each_transcript_so_the_index_hears_of_it(self) -> None:
        saved: list[str] = []

        def receiver(sender: Any, instance: Transcript, **kwargs: Any) -> None:
            saved.append(instance.slug)

        post_save.connect(receiver, sender=Transcript)
        try:
            self.act("publish", self.first, self.second, self.third)
        finally:
            post_save.disconnect(receiver, sender=Transcript)
        self.assertEqual(sorted(saved), ["first", "second"])

    def test_add_topic_asks_which_topic_then_tags_every_selected_transcript(self) -> None:
        health = Topic.objects.create(slug="health", labels={"en": "Health", "he": "בריאות"})
        page = self.act("add_topic", self.first, self.second)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Add the topic you choose to these 2 transcript(s)")
        self.assertContains(page, 'data-field-name="topics"')
        changes: list[str] = []

        def receiver(sender: Any, instance: Transcript, action: str, **kwargs: Any) -> None:
            if action == "post_add":
                changes.append(instance.slug)

        m2m_changed.connect(receiver, sender=Transcript.topics.through)
        try:
            done = self.act("add_topic", self.first, self.second, apply="1", topic=str(health.pk))
        finally:
            m2m_changed.disconnect(receiver, sender=Transcript.topics.through)
        self.assertEqual(done.status_code, 302)
        self.assertEqual(sorted(changes), ["first", "second"])
        self.assertEqual(sorted(health.transcripts.values_list("slug", flat=True)), ["first", "second"])

    def test_remove_topic_untags_selected_transcripts_only(self) -> None:
        technology = Topic.objects.get(slug="technology")
        self.act("remove_topic", self.first, apply="1", topic=str(technology.pk))
        self.assertEqual(sorted(technology.transcripts.values_list("slug", flat=True)), ["second", "third"])

    def test_add_topic_without_a_topic_shows_the_page_again_with_an_error(self) -> None:
        response = self.act("add_topic", self.first, apply="1", topic="")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This field is required.")


@needs_corpus
class CorpusChangePageTests(CuratorTestCase):
    def test_the_longest_knesset_sitting_opens_with_a_bounded_number_of_queries(self) -> None:
        files = sorted((CORPUS / "sample").glob("knesset-*.json"), key=lambda p: p.stat().st_size)
        report = import_documents(read_files([files[-1]]))
        self.assertEqual(report.rejected, 0, report.errors)
        transcript = Transcript.objects.get(slug=report.slugs[0])
        self.assertGreater(transcript.turns.count(), 2000)
        first, _ = self.count_queries(change_url(transcript))
        last, response = self.count_queries(change_url(transcript) + "?turns_page=last")
        self.assertEqual(first, last)
        self.assertLessEqual(last, 15)
        self.assertEqual(
            response.context["inline_admin_formsets"][1].formset.page.number,
            response.context["inline_admin_formsets"][1].formset.paginator.num_pages,
        )
