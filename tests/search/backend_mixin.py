"""The behaviour every search backend must have, run through `search_turns` and the indexer.

A backend's test module mixes `BackendTests` into a `django.test.TestCase` and names the
backend class in `backend_path`; each test gets a fresh, empty index of that backend.
`ConcurrentBackendTests` (another thread searching meanwhile) goes into a TestCase for a
backend on files, into a TransactionTestCase for one in the database (see its docstring).
"""

from __future__ import annotations

import io
import multiprocessing
import random
import threading
from datetime import date
from typing import Any, ClassVar
from unittest import mock

from django.core.management import call_command
from django.db import connections
from django.test import override_settings

from archive.devtools.reliability import corpus
from archive.models import SearchOutbox, Speaker, Topic, Transcript, TranscriptStatus, Turn
from archive.search import QueryRefused, SearchPage, SearchParameters, indexer, search_turns
from archive.search.backends import get_search_backend
from archive.search.backends.base import SearchRequest
from archive.search.query import parse_query
from archive.services import transcripts_set_status
from tests.fixtures import (
    BRIEFING_EN,
    KNESSET_HE,
    MANANERA_ES,
    MFA_EN,
    MFA_ZH,
    MINISTRY_AR,
    OTHERS,
    TOKYO_JA,
    TYPED_FORMS,
    doc,
    import_document,
)
from tests.search.helpers import drain_a_backlog_repeatedly, temp_search_index


def transcript_dates(page: SearchPage) -> list[date]:
    """The dates of the hits' transcripts in the page's order (every test transcript has one)."""
    dates = []
    for hit in page.results:
        assert hit.transcript.date is not None, hit.transcript.slug
        dates.append(hit.transcript.date)
    return dates


class BackendFixtures:
    """A fresh, empty index of `backend_path` per test, and helpers to load and search."""

    backend_path: ClassVar[str]

    def setUp(self: Any) -> None:
        super().setUp()  # type: ignore[misc]
        self.index_dir = self.enterContext(temp_search_index(self.backend_path))
        self.backend = get_search_backend()

    def load(self: Any, *documents: dict[str, Any]) -> list[Transcript]:
        """Import documents and commit: the outbox is applied after commit, as in production."""
        if not hasattr(self, "captureOnCommitCallbacks"):  # a TransactionTestCase: imports commit
            return [import_document(d) for d in documents]
        with self.captureOnCommitCallbacks(execute=True):
            return [import_document(d) for d in documents]

    def found(self, page: SearchPage) -> list[tuple[str, int]]:
        return [(hit.transcript.slug, hit.turn.position) for hit in page.results]

    def assertFinds(self: Any, q: str, slug: str, position: int, **filters: Any) -> SearchPage:
        page = search_turns(SearchParameters(q=q, **filters))
        self.assertIn((slug, position), self.found(page), f"{q!r} should find {slug} #{position}")
        return page

    def assertMisses(self: Any, q: str, slug: str, position: int, **filters: Any) -> None:
        page = search_turns(SearchParameters(q=q, **filters))
        self.assertNotIn((slug, position), self.found(page), f"{q!r} should not find {slug} #{position}")


class BackendTests(BackendFixtures):
    # -- indexing ----------------------------------------------------------------------------------

    def test_it_finds_an_imported_turn_by_its_words(self: Any) -> None:
        self.load(BRIEFING_EN)
        page = search_turns(SearchParameters(q="tariffs steel"))
        self.assertEqual(self.found(page), [("briefing-en", 3)])
        hit = page.results[0]
        self.assertEqual(hit.transcript.slug, "briefing-en")
        self.assertEqual(hit.turn.speaker.name, "Reporter")
        self.assertEqual(hit.answer.position if hit.answer else None, 4)
        self.assertGreater(hit.score, 0)

    def test_an_answer_hit_carries_its_question(self: Any) -> None:
        self.load(BRIEFING_EN)
        hit = search_turns(SearchParameters(q="review finished")).results[0]
        self.assertEqual(hit.turn.position, 4)
        self.assertEqual(hit.question.position if hit.question else None, 3)
        self.assertIsNone(hit.answer)

    def test_a_draft_is_never_indexed(self: Any) -> None:
        self.load(doc("draft-en", "en", [("A", "statement", "Confidential draft remarks")], status="draft"))
        self.assertEqual(search_turns(SearchParameters(q="confidential")).count, 0)
        self.assertEqual(self.backend.count(), 0)

    def test_unpublishing_removes_a_transcript_and_publishing_brings_it_back(self: Any) -> None:
        (transcript,) = self.load(BRIEFING_EN)
        with self.captureOnCommitCallbacks(execute=True):
            transcripts_set_status([transcript], TranscriptStatus.DRAFT)
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 0)
        with self.captureOnCommitCallbacks(execute=True):
            transcripts_set_status([transcript], TranscriptStatus.PUBLISHED)
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 2)

    def test_deleting_a_transcript_removes_its_turns(self: Any) -> None:
        (transcript,) = self.load(BRIEFING_EN)
        with self.captureOnCommitCallbacks(execute=True):
            transcript.delete()
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 0)
        self.assertEqual(self.backend.count(), 0)

    def test_deleting_one_turn_removes_only_that_turn(self: Any) -> None:
        (transcript,) = self.load(BRIEFING_EN)
        with self.captureOnCommitCallbacks(execute=True):
            Turn.objects.get(transcript=transcript, position=3).delete()
        self.assertEqual(self.found(search_turns(SearchParameters(q="tariffs"))), [("briefing-en", 4)])

    def test_editing_a_turn_is_reflected(self: Any) -> None:
        (transcript,) = self.load(BRIEFING_EN)
        turn = Turn.objects.get(transcript=transcript, position=4)
        with self.captureOnCommitCallbacks(execute=True):
            turn.text = "The quotas on aluminium remain."
            turn.save()
        self.assertEqual(self.found(search_turns(SearchParameters(q="aluminium"))), [("briefing-en", 4)])
        self.assertEqual(self.found(search_turns(SearchParameters(q="review"))), [])

    def test_a_reimport_replaces_the_documents(self: Any) -> None:
        self.load(BRIEFING_EN)
        changed = doc("briefing-en", "en", [("Reporter", "question", "Any news on the fisheries deal?")])
        self.load(changed)
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 0)
        self.assertEqual(self.found(search_turns(SearchParameters(q="fisheries"))), [("briefing-en", 1)])
        self.assertEqual(self.backend.count(), 1)

    def test_renaming_a_speaker_updates_their_turns(self: Any) -> None:
        self.load(BRIEFING_EN)
        speaker = Speaker.objects.get(name="Press Secretary")
        with self.captureOnCommitCallbacks(execute=True):
            speaker.aliases = ["Karine Example"]
            speaker.save()
        self.assertEqual(search_turns(SearchParameters(q="speaker:karine")).count, 2)

    def test_a_topic_label_is_searchable_and_follows_edits(self: Any) -> None:
        self.load(BRIEFING_EN)
        topic = Topic.objects.get(slug="trade")
        with self.captureOnCommitCallbacks(execute=True):
            topic.labels = {"en": "Trade", "es": "Comercio"}
            topic.save()
        self.assertEqual(search_turns(SearchParameters(q="topic:comercio")).count, 4)
        self.assertEqual(search_turns(SearchParameters(q="tariffs", topic="trade")).count, 2)

    # -- analysis per language, end to end -----------------------------------------------------

    def test_english_words_match_other_inflections(self: Any) -> None:
        self.load(BRIEFING_EN)
        self.assertFinds("sanctions companies", "briefing-en", 1)  # text says "sanctioned"
        self.assertFinds("drone", "briefing-en", 1)

    def test_spanish_without_accents_and_in_other_inflections(self: Any) -> None:
        self.load(MANANERA_ES)
        self.assertFinds("educacion publica", "mananera-es", 1)
        self.assertFinds("maestro escuela", "mananera-es", 2)

    def test_hebrew_without_the_prefix_letter_and_without_niqqud(self: Any) -> None:
        self.load(KNESSET_HE)
        self.assertFinds("תכניות", "knesset-he", 1)  # the text has התכניות
        self.assertFinds("שלום", "knesset-he", 2)  # the text has שָׁלוֹם

    def test_chinese_in_either_script_and_as_a_phrase(self: Any) -> None:
        self.load(MFA_ZH)
        self.assertFinds("經濟合作", "mfa-zh", 2)  # Traditional characters
        self.assertFinds('"经济合作"', "mfa-zh", 2)
        self.assertFinds("互利共赢", "mfa-zh", 2)

    def test_japanese_half_width_katakana(self: Any) -> None:
        self.load(TOKYO_JA)
        self.assertFinds("ｵﾘﾝﾋﾟｯｸ", "tokyo-ja", 1)
        self.assertFinds("テストイベント", "tokyo-ja", 2)

    def test_korean_and_thai_words_inside_longer_words_and_phrases(self: Any) -> None:
        self.load(
            doc(
                "gukhoe-ko",
                "ko",
                [
                    ("의원", "question", "학생들이 학교에서 공부합니다."),
                    ("장관", "answer", "대한 민국은 한민족"),
                ],
            ),
            doc("rathaban-th", "th", [("นักข่าว", "question", "รัฐบาลประกาศนโยบายเศรษฐกิจใหม่เมื่อวันจันทร์")]),
        )
        self.assertFinds("학교", "gukhoe-ko", 1, language="ko")  # the text has 학교에서
        self.assertFinds("학교", "gukhoe-ko", 1)  # no filter: Hangul is read as Korean
        self.assertFinds('"학교에서 공부"', "gukhoe-ko", 1)
        self.assertMisses('"공부 학교에서"', "gukhoe-ko", 1)
        # A word's bigrams must follow each other: 대한, 한민 and 민국 are all in turn 2, but apart.
        self.assertMisses("대한민국", "gukhoe-ko", 2)
        self.assertFinds("นโยบาย เศรษฐกิจ", "rathaban-th", 1, language="th")  # Thai has no spaces
        self.assertFinds("นโยบาย", "rathaban-th", 1)
        self.assertMisses("นโยบายใหม่", "rathaban-th", 1)
        hit = search_turns(SearchParameters(q="학교에서")).results[0]
        self.assertEqual(str(hit.highlight), "학생들이 <mark>학교에서</mark> 공부합니다.")
        hit = search_turns(SearchParameters(q="นโยบาย")).results[0]
        self.assertEqual(str(hit.highlight), "รัฐบาลประกาศ<mark>นโยบาย</mark>เศรษฐกิจใหม่เมื่อวันจันทร์")

    def test_arabic_without_shadda_and_diacritics(self: Any) -> None:
        self.load(MINISTRY_AR)
        self.assertFinds("الاتفاقية", "ministry-ar", 2)  # the text has الاتّفاقيّة
        self.assertFinds("وقعت الحكومة", "ministry-ar", 1)

    def test_french_german_and_russian_analysis(self: Any) -> None:
        self.load(*OTHERS)
        self.assertFinds("negociation", "presse-fr", 1)
        self.assertFinds("zolle", "pressekonferenz-de", 1)
        self.assertFinds("санкция", "briefing-ru", 1)

    def test_a_language_without_its_own_analysis_is_not_stemmed_as_english(self: Any) -> None:
        self.load(*OTHERS)
        self.assertFinds("ELIMU", "mkutano-sw", 1)
        self.assertMisses("run", "mkutano-sw", 1)  # English stemming would find "running"

    def test_turkish_typed_in_plain_ascii_finds_the_turkish_letters(self: Any) -> None:
        self.load(*TYPED_FORMS)
        self.assertFinds("sorulmasi hukumet", "meclis-tr", 1, language="tr")
        self.assertFinds("sorulmasi hukumet", "meclis-tr", 1)
        self.assertFinds("ISINMA", "iklim-tr", 1, language="tr")  # dotless I is ı in Turkish
        self.assertFinds("istanbul", "iklim-tr", 1, language="tr")  # İSTANBUL lower-cases to istanbul

    def test_german_sharp_s_and_umlauts_typed_as_ss_and_ae(self: Any) -> None:
        self.load(*TYPED_FORMS)
        self.assertFinds("Strasse Muenchen", "bundestag-de", 1, language="de")
        self.assertFinds("Maerz", "bundestag-de", 1, language="de")
        self.assertFinds("Marz Munchen", "bundestag-de", 1, language="de")

    def test_greek_accents_and_final_sigma_polish_l_and_russian_yo_fold(self: Any) -> None:
        self.load(*TYPED_FORMS)
        self.assertFinds("ΚΥΒΕΡΝΗΣΗΣ", "vouli-el", 1, language="el")
        self.assertFinds("κυβερνηση", "vouli-el", 1, language="el")
        self.assertFinds("Lodzi zolnierza", "sejm-pl", 1, language="pl")
        self.assertFinds("елка еще", "duma-ru", 1, language="ru")

    def test_a_word_typed_as_written_ranks_above_its_folded_form(self: Any) -> None:
        self.load(
            doc(
                "kurultay-tr",
                "tr",
                [
                    ("Milletvekili", "question", "Sıcak bir gün oldu."),
                    ("Bakan", "answer", "Sicak bir gün oldu."),
                ],
            )
        )
        for q, first in (("Sıcak", 1), ("Sicak", None)):
            page = search_turns(SearchParameters(q=q, language="tr"))
            self.assertEqual(len(page.results), 2, q)
            if first is not None:
                self.assertEqual(page.results[0].turn.position, first, q)

    def test_inflected_languages_find_other_forms_of_a_word(self: Any) -> None:
        self.load(*TYPED_FORMS)
        self.assertFinds("odznaczenia wojskowego", "sejm-pl", 1, language="pl")  # Snowball and lemma
        self.assertFinds("закон освіта", "rada-uk", 1, language="uk")  # lemmas: no Snowball Ukrainian
        self.assertFinds("комисия закон седмица", "sabor-bg", 1, language="bg")

    def test_a_word_the_lemmatizer_never_saw_is_found_as_written(self: Any) -> None:
        self.load(doc("rada-uk-2", "uk", [("Депутат", "question", "Проєкт Щедрикзвіт ухвалено.")]))
        self.assertFinds("Щедрикзвіт", "rada-uk-2", 1)

    def test_a_language_filter_keeps_to_that_language(self: Any) -> None:
        self.load(MFA_ZH, MFA_EN, BRIEFING_EN)
        for hit in search_turns(SearchParameters(q="cooperation", language="en")).results:
            self.assertEqual(hit.turn.effective_language, "en")
        self.assertEqual(
            search_turns(SearchParameters(q="", language="zh")).count, 2
        )  # a base language covers its tags

    # -- cross-language ------------------------------------------------------------------------------

    def test_english_words_find_the_chinese_original_through_its_translation(self: Any) -> None:
        self.load(MFA_ZH, MFA_EN)
        page = search_turns(SearchParameters(q="strengthen cooperation", language="zh-Hans"))
        self.assertEqual(self.found(page), [("mfa-zh", 2)])
        self.assertEqual([t.transcript.slug for t in page.results[0].translations], ["mfa-en"])

    def test_a_translation_imported_before_its_original_is_linked_once_both_exist(self: Any) -> None:
        self.load(MFA_EN)
        self.load(MFA_ZH)
        self.assertEqual(
            self.found(search_turns(SearchParameters(q="mutual benefit", language="zh-Hans"))),
            [("mfa-zh", 2)],
        )

    # -- query language ----------------------------------------------------------------------------

    def test_all_words_must_match(self: Any) -> None:
        self.load(BRIEFING_EN)
        self.assertEqual(self.found(search_turns(SearchParameters(q="tariffs review"))), [("briefing-en", 4)])
        self.assertEqual(search_turns(SearchParameters(q="tariffs zebra")).count, 0)

    def test_phrase_or_exclusion_and_grouping(self: Any) -> None:
        self.load(BRIEFING_EN)
        self.assertEqual(
            self.found(search_turns(SearchParameters(q='"three companies"'))), [("briefing-en", 2)]
        )
        self.assertEqual(search_turns(SearchParameters(q='"companies three"')).count, 0)
        self.assertEqual(search_turns(SearchParameters(q="drones OR steel")).count, 2)
        self.assertEqual(self.found(search_turns(SearchParameters(q="tariffs -steel"))), [("briefing-en", 4)])
        self.assertEqual(search_turns(SearchParameters(q="(drones OR steel) reporter")).count, 2)

    def test_a_phrase_is_its_words_in_order_alone_in_or_and_excluded_in_either_order(self: Any) -> None:
        # Turn 2 says "three companies"; turn 1 "companies" without "three": "companies three" has
        # both words of turn 2, not in that order (the PostgreSQL backend finds a phrase's
        # candidates by its words, then checks their order).
        self.load(BRIEFING_EN)
        expected = {
            '"three companies"': [2],
            '"companies three"': [],
            '"three companies" OR steel': [2, 3],
            '"companies three" OR steel': [3],
            'sanctions -"three companies"': [1],
            'sanctions -"companies three"': [1, 2],
        }
        for q, positions in expected.items():
            for sort in ("relevance", "date"):
                with self.subTest(q=q, sort=sort):
                    page = search_turns(SearchParameters(q=q, sort=sort))
                    self.assertEqual(sorted(p for _, p in self.found(page)), positions)
                    self.assertEqual(page.count, len(positions))

    def test_field_filters_in_the_query(self: Any) -> None:
        self.load(BRIEFING_EN, MANANERA_ES)
        self.assertEqual(search_turns(SearchParameters(q="kind:answer tariffs")).count, 1)
        self.assertEqual(search_turns(SearchParameters(q='speaker:"press secretary"')).count, 2)
        self.assertEqual(search_turns(SearchParameters(q="speaker:press-secretary sanctions")).count, 1)
        self.assertEqual(search_turns(SearchParameters(q="lang:es")).count, 2)
        self.assertEqual(search_turns(SearchParameters(q="topic:trade steel")).count, 1)

    def test_prefix_search(self: Any) -> None:
        self.load(BRIEFING_EN)
        self.assertEqual(
            self.found(search_turns(SearchParameters(q="tarif*"))), [("briefing-en", 3), ("briefing-en", 4)]
        )

    def test_costly_queries_are_refused_with_a_message(self: Any) -> None:
        self.load(BRIEFING_EN)
        refused = [
            "(" * 1000 + "tariffs" + ")" * 1000,
            "*iffs",
            "ta*",
            "t*fs",
            "tariffs " * 200,
            " ".join(f"word{i}" for i in range(40)),
        ]
        for q in refused:
            with self.assertRaises(QueryRefused, msg=q[:40]) as caught:
                search_turns(SearchParameters(q=q))
            self.assertTrue(caught.exception.message)

    def test_a_prefix_matching_too_many_words_is_refused(self: Any) -> None:
        words = " ".join(f"abc{n:04d}" for n in range(400))
        self.load(doc("many-words", "en", [("A", "statement", words)]))
        with self.assertRaises(QueryRefused):
            search_turns(SearchParameters(q="abc*"))
        self.assertEqual(search_turns(SearchParameters(q="abc0001*")).count, 1)

    def test_collection_stops_at_the_time_limit(self: Any) -> None:
        self.load(BRIEFING_EN)
        request = SearchRequest(query=parse_query("reporter"), time_limit=-1.0)
        with self.assertRaises(QueryRefused):
            self.backend.search(request)

    def test_malformed_queries_are_repaired_and_said_so(self: Any) -> None:
        self.load(BRIEFING_EN)
        cases = {
            '"three companies': "quote",
            "(tariffs steel": "parenthesis",
            "tariffs steel)": "parenthesis",
            "tariffs OR": "OR",
            "speaker: tariffs": "speaker:",
            "tariffs\x00steel": "Control",
        }
        for q, word in cases.items():
            page = search_turns(SearchParameters(q=q))
            self.assertIsNotNone(page.notice, q)
            self.assertIn(word, page.notice or "", q)
            self.assertGreater(page.count, 0, q)

    def test_odd_inputs_get_an_answer(self: Any) -> None:
        self.load(BRIEFING_EN)
        for q in [
            "",
            "   ",
            "?!",
            "-",
            "OR",
            "AND",
            '""',
            "()",
            "*",
            "\x00",
            "ｔａｒｉｆｆｓ",
            "🙂",
            "a:b:c",
            "-tariffs",
        ]:
            try:
                page = search_turns(SearchParameters(q=q))
            except QueryRefused:
                continue  # a clear refusal is an answer too
            self.assertGreaterEqual(page.count, 0)
        self.assertEqual(search_turns(SearchParameters(q="ｔａｒｉｆｆｓ")).count, 2)  # full-width Latin
        self.assertEqual(search_turns(SearchParameters(q="-tariffs")).count, 2)

    def test_unknown_sort_or_kind_is_refused(self: Any) -> None:
        with self.assertRaises(QueryRefused):
            search_turns(SearchParameters(q="x", sort="random"))
        with self.assertRaises(QueryRefused):
            search_turns(SearchParameters(q="x", kind="speech"))

    def test_a_misspelt_word_gets_a_suggestion(self: Any) -> None:
        self.load(BRIEFING_EN)
        page = search_turns(
            SearchParameters(q="tarifs", typos=False)
        )  # searched as typed: nothing, so a did-you-mean
        self.assertEqual(page.count, 0)
        self.assertIsNotNone(page.suggestion)
        self.assertGreater(search_turns(SearchParameters(q=page.suggestion or "", typos=False)).count, 0)

    def test_a_suggestion_is_made_of_words_as_written_not_stems(self: Any) -> None:
        self.load(
            doc(
                "economy-en",
                "en",
                [
                    ("Reporter", "question", "Does the President think the economy is slowing?"),
                    ("Press Secretary", "answer", "The president believes the economy is strong."),
                ],
            ),
            MANANERA_ES,
        )
        # Stems would be "presid econom"; the reader's other word stays as typed.
        self.assertEqual(search_turns(SearchParameters(q="presidnt econmy")).suggestion, "president economy")
        self.assertEqual(search_turns(SearchParameters(q="Presidnt")).suggestion, "President")
        self.assertEqual(search_turns(SearchParameters(q="STEEL econmy")).suggestion, "STEEL economy")
        # Spanish: the stem is "public", the word has its accent.
        self.assertEqual(search_turns(SearchParameters(q="pubica", language="es")).suggestion, "pública")

    def test_a_hopeless_query_gets_no_suggestion(self: Any) -> None:
        self.load(BRIEFING_EN, MANANERA_ES)
        page = search_turns(SearchParameters(q="xyzzyqw"))
        self.assertEqual(page.count, 0)
        self.assertIsNone(page.suggestion)

    def test_a_word_far_from_what_was_typed_is_no_suggestion(self: Any) -> None:
        self.load(doc("trip-en", "en", [("Reporter", "question", "How was the trip?")]))
        # The stem "trip" is two edits from "tarif" (tarifs) but the word is three from "tarifs".
        self.assertIsNone(search_turns(SearchParameters(q="tarifs")).suggestion)
        self.assertEqual(search_turns(SearchParameters(q="tripps")).suggestion, "trip")

    def test_a_suggestion_keeps_to_the_language_in_scope(self: Any) -> None:
        self.load(BRIEFING_EN, MANANERA_ES)
        # "pubica" is one edit from the Spanish stem only: nothing to offer within English.
        self.assertEqual(search_turns(SearchParameters(q="pubica")).suggestion, "pública")
        self.assertIsNone(search_turns(SearchParameters(q="pubica", language="en")).suggestion)

    # -- typo tolerance ---------------------------------------------------------------------------------

    def test_one_typo_in_a_word_of_five_or_nine_letters_still_finds_the_turn(self: Any) -> None:
        self.load(
            BRIEFING_EN,
            doc("budget-en", "en", [("Reporter", "question", "Will the government publish the budget?")]),
        )
        page = self.assertFinds("stell", "briefing-en", 3)  # steel: one edit in five letters
        self.assertEqual(page.corrected, {"from": "stell", "to": "steel"})
        self.assertIn("<mark>steel</mark>", page.results[0].highlight)  # the word found is marked
        page = self.assertFinds("goverment budget", "budget-en", 1)  # nine letters, one edit
        self.assertEqual(page.corrected, {"from": "goverment budget", "to": "government budget"})
        self.assertEqual(page.suggestion, "government budget")  # a correction is its own did-you-mean
        self.assertFinds("tarifs stel", "briefing-en", 3)  # two words of a query corrected at once

    def test_a_typo_in_the_ending_the_stemmer_would_drop_still_finds_the_turn(self: Any) -> None:
        # "demonstratios" is not stemmed (its ending is no suffix): its beginning is the stem of
        # "demonstrations", far more than two edits from the whole word.
        self.load(doc("protest-en", "en", [("Reporter", "question", "Were the demonstrations peaceful?")]))
        page = self.assertFinds("demonstratios", "protest-en", 1)
        self.assertEqual(page.corrected, {"from": "demonstratios", "to": "demonstrations"})
        # A short word is no stem of a longer one: "demonic" is not corrected (the search for
        # other forms, words beginning as it does, may still find the turn, and says so).
        page = search_turns(SearchParameters(q="demonic"))
        self.assertIsNone(page.corrected)
        self.assertEqual(page.count, int(page.widened))

    def test_a_typo_that_changes_the_stem_or_the_second_letter_still_finds_the_turn(self: Any) -> None:
        # "lgoking" is stemmed "lgoke", nothing like "look", and shares only its first letter with it:
        # the words one edit from what was typed ("looking": two letters swapped) are looked up too.
        self.load(doc("weekend-en", "en", [("Reporter", "question", "Are you looking at next weekend?")]))
        page = self.assertFinds("lgoking weekend", "weekend-en", 1)
        self.assertEqual(page.corrected, {"from": "lgoking weekend", "to": "looking weekend"})
        self.assertFinds("wekend", "weekend-en", 1)  # a letter missing

    def test_two_edits_are_allowed_from_eight_letters_only(self: Any) -> None:
        self.load(doc("budget-en", "en", [("Reporter", "question", "Is the government ready?")]))
        self.assertFinds("govrenment", "budget-en", 1)  # ten letters, two edits
        self.load(BRIEFING_EN)
        self.assertEqual(
            search_turns(SearchParameters(q="stoal")).count, 0
        )  # five letters, two edits from steel

    def test_numbers_and_short_cjk_words_are_never_corrected(self: Any) -> None:
        self.load(MFA_ZH, doc("year-en", "en", [("Reporter", "question", "Was the 2024 budget approved?")]))
        page = search_turns(SearchParameters(q="2025"))
        self.assertEqual((page.count, page.corrected), (0, None))
        self.assertEqual(
            search_turns(SearchParameters(q="b2024")).count, 0
        )  # a word with digits is a code, not a typo
        self.assertGreater(search_turns(SearchParameters(q="经济")).count, 0)
        page = search_turns(SearchParameters(q="经齐"))  # one character off a two-character word
        self.assertEqual((page.count, page.corrected), (0, None))

    def test_exact_matches_rank_above_corrected_ones(self: Any) -> None:
        # "stell" is in one turn, the close "steel" in many: the rare word is also corrected,
        # and the turn saying it as typed comes first.
        turns = [("Reporter", "question", "Did Mr Stell approve the plan?")]
        turns += [("Reporter", "question", f"What about steel quota {n}?") for n in range(12)]
        self.load(doc("steel-en", "en", turns))
        page = search_turns(SearchParameters(q="stell"))
        self.assertEqual(page.count, 13)
        self.assertEqual(self.found(page)[0], ("steel-en", 1))
        self.assertEqual(page.corrected, {"from": "stell", "to": "steel"})
        self.assertGreater(page.results[0].score, page.results[1].score)

    def test_a_word_found_often_enough_is_not_corrected(self: Any) -> None:
        self.load(BRIEFING_EN)
        page = search_turns(SearchParameters(q="tariffs"))
        self.assertEqual((page.count, page.corrected), (2, None))

    def test_typos_off_searches_the_words_as_typed(self: Any) -> None:
        self.load(BRIEFING_EN)
        page = search_turns(SearchParameters(q="stell", typos=False))
        self.assertEqual((page.count, page.corrected), (0, None))
        self.assertEqual(page.suggestion, "steel")  # did-you-mean still offers the word

    def test_excluded_phrase_and_prefix_words_are_not_corrected(self: Any) -> None:
        self.load(BRIEFING_EN)
        self.assertEqual(search_turns(SearchParameters(q="tariffs -stell")).count, 2)
        self.assertEqual(search_turns(SearchParameters(q='"tarifs on"')).count, 0)
        self.assertEqual(search_turns(SearchParameters(q="stel*")).count, 0)

    def test_refusals_are_unchanged_by_typo_tolerance(self: Any) -> None:
        self.load(BRIEFING_EN)
        for q in ["stell t*", "stell " * 40, "*tell"]:
            with self.assertRaises(QueryRefused, msg=q[:40]):
                search_turns(SearchParameters(q=q))
        request = SearchRequest(query=parse_query("stell"), query_text="stell", time_limit=-1.0)
        with self.assertRaises(QueryRefused):
            self.backend.search(request)

    def test_the_api_and_the_page_say_what_was_corrected(self: Any) -> None:
        self.load(BRIEFING_EN)
        data = self.client.get("/api/v1/search/", {"q": "stell"}).json()
        self.assertEqual(data["corrected"], {"from": "stell", "to": "steel"})
        self.assertEqual(data["count"], 1)
        data = self.client.get("/api/v1/search/", {"q": "stell", "typos": "false"}).json()
        self.assertEqual((data["corrected"], data["count"], data["suggestion"]), (None, 0, "steel"))
        html = self.client.get("/search/", {"q": "stell"}).content.decode()
        self.assertIn("Showing results for", html)
        self.assertIn("<strong>steel</strong>", html)
        self.assertIn('href="?q=stell&amp;typos=0"', html)
        self.assertIn("Search instead for <bdi>stell</bdi>", html)
        self.assertNotIn("Did you mean", html)
        html = self.client.get("/search/", {"q": "stell", "typos": "0"}).content.decode()
        self.assertNotIn("Showing results for", html)
        self.assertIn("Did you mean", html)

    # -- other forms of the words ------------------------------------------------------------------------

    def test_a_search_finding_nothing_looks_for_other_forms_of_its_words(self: Any) -> None:
        # A language with no analysis of its own (generic): "budgeting" and "proposing" are three
        # edits from "budgetary" and "proposals", too far for typo tolerance.
        self.load(doc("plan-x", "tlh", [("Reporter", "question", "Were the budgetary proposals adopted?")]))
        page = self.assertFinds("budgeting proposing", "plan-x", 1)
        self.assertTrue(page.widened)
        self.assertIsNone(page.corrected)
        self.assertIn("<mark>budgetary</mark>", page.results[0].highlight)  # the forms found are marked
        self.assertFalse(search_turns(SearchParameters(q="budgetary proposals")).widened)  # found as typed
        page = search_turns(SearchParameters(q="budgeting proposing", typos=False))
        self.assertEqual((page.count, page.widened), (0, False))
        self.assertEqual(search_turns(SearchParameters(q="budgeting zzzzzz")).count, 0)  # every word still

    def test_a_hebrew_verb_in_another_tense_is_found_when_nothing_matched(self: Any) -> None:
        # The future יתייחסו (they will refer) begins otherwise than the past התייחסה (she referred),
        # and is two edits from it: neither a prefix nor typo tolerance joins them, the forms spelt
        # by rule that the turns hold do.
        self.load(doc("knesset-x", "he", [("חבר הכנסת", "question", "הנתונים יתייחסו רק לחייבי המס.")]))
        self.assertEqual(search_turns(SearchParameters(q="התייחסה", typos=False)).count, 0)
        page = self.assertFinds("התייחסה", "knesset-x", 1)
        self.assertTrue(page.widened)
        self.assertIn("<mark>יתייחסו</mark>", page.results[0].highlight)
        self.assertFalse(search_turns(SearchParameters(q="יתייחסו")).widened)  # found as typed

    def test_an_indonesian_word_with_a_prefix_snowball_keeps_is_found_when_nothing_matched(self: Any) -> None:
        # Snowball stems `sebagian` (a part of) `sebagi` and `bagian` (part) `bagi`: its prefix se-
        # spelt by rule joins them.
        self.load(doc("dpr-x", "id", [("Anggota", "question", "Sebagian besar pemeluk agama di sana.")]))
        self.assertEqual(search_turns(SearchParameters(q="bagian pemeluk", typos=False)).count, 0)
        page = self.assertFinds("bagian pemeluk", "dpr-x", 1)
        self.assertTrue(page.widened)
        self.assertIn("<mark>Sebagian</mark>", page.results[0].highlight)

    def test_a_second_try_too_costly_to_finish_leaves_nothing_found(self: Any) -> None:
        self.load(doc("plan-x", "tlh", [("Reporter", "question", "Were the budgetary proposals adopted?")]))
        backend = get_search_backend()
        search = backend.search

        def refusing_the_retry(request: SearchRequest) -> Any:
            if request.widen:
                raise QueryRefused("too costly")
            return search(request)

        with mock.patch.object(backend, "search", refusing_the_retry):
            page = search_turns(SearchParameters(q="budgeting proposing"))
        self.assertEqual((page.count, page.widened), (0, False))

    def test_a_beginning_shared_by_too_many_words_is_lengthened(self: Any) -> None:
        many = " ".join(f"bud{a}{b}x" for a in "abcdefgh" for b in "abcdefgh")  # 64 words begin "bud"
        self.load(
            doc("plan-x", "tlh", [("Reporter", "question", "Were the budgetary proposals adopted?")]),
            doc("noise-x", "tlh", [("Reporter", "question", many)]),
        )
        query = "budgeting proposing"
        request = SearchRequest(query=parse_query(query), query_text=query, widen=True)
        found = self.backend.search(request)
        self.assertEqual(found.total, 1)
        self.assertEqual(found.widened, ("budg", "pro"))

    def test_the_api_and_the_page_say_when_other_forms_were_searched(self: Any) -> None:
        self.load(doc("plan-x", "tlh", [("Reporter", "question", "Were the budgetary proposals adopted?")]))
        data = self.client.get("/api/v1/search/", {"q": "budgeting proposing"}).json()
        self.assertEqual((data["count"], data["widened"], data["corrected"]), (1, True, None))
        data = self.client.get("/api/v1/search/", {"q": "budgeting proposing", "typos": "false"}).json()
        self.assertEqual((data["count"], data["widened"]), (0, False))
        html = self.client.get("/search/", {"q": "budgeting proposing"}).content.decode()
        self.assertIn("showing turns with other forms of them", html)
        self.assertIn('href="?q=budgeting+proposing&amp;typos=0"', html)

    # -- filters, sorting, paging, facets ---------------------------------------------------------------

    def test_filters_sorting_and_pages(self: Any) -> None:
        self.load(BRIEFING_EN, MANANERA_ES, KNESSET_HE)
        self.assertEqual(search_turns(SearchParameters(q="", kind="answer")).count, 4)
        self.assertEqual(search_turns(SearchParameters(q="", date_from=date(2022, 1, 1))).count, 6)
        self.assertEqual(
            search_turns(
                SearchParameters(q="", date_from=date(2021, 1, 1), date_to=date(2021, 12, 31))
            ).count,
            2,
        )
        self.assertEqual(search_turns(SearchParameters(q="", speaker="presidente")).count, 1)
        dates = transcript_dates(search_turns(SearchParameters(q="", sort="date", page_size=100)))
        self.assertEqual(dates, sorted(dates))
        newest = transcript_dates(search_turns(SearchParameters(q="", sort="-date", page_size=100)))
        self.assertEqual(newest, sorted(newest, reverse=True))
        first = search_turns(SearchParameters(q="", sort="date", page=1, page_size=3))
        second = search_turns(SearchParameters(q="", sort="date", page=2, page_size=3))
        self.assertEqual(first.count, 8)
        self.assertEqual(len(first.results), 3)
        self.assertFalse(set(self.found(first)) & set(self.found(second)))
        self.assertEqual(search_turns(SearchParameters(q="", page_size=1000)).page_size, 100)

    def test_a_search_can_keep_to_some_transcripts(self: Any) -> None:
        briefing, mananera, _ = self.load(BRIEFING_EN, MANANERA_ES, KNESSET_HE)
        only = search_turns(SearchParameters(q="", transcripts=frozenset([briefing.pk]), page_size=100))
        self.assertEqual({slug for slug, _ in self.found(only)}, {BRIEFING_EN["slug"]})
        self.assertEqual(only.count, 4)
        both = search_turns(
            SearchParameters(q="", transcripts=frozenset({briefing.pk, mananera.pk}), kind="answer")
        )
        self.assertEqual(both.count, 3)
        self.assertEqual(
            search_turns(SearchParameters(q="tariffs", transcripts=frozenset([mananera.pk]))).count, 0
        )
        self.assertEqual(search_turns(SearchParameters(q="", transcripts=frozenset([]))).count, 0)

    def test_facets_count_every_match(self: Any) -> None:
        self.load(BRIEFING_EN, MANANERA_ES)
        facets = search_turns(SearchParameters(q="")).facets
        self.assertEqual({f.value: f.count for f in facets["kind"]}, {"question": 3, "answer": 3})
        self.assertEqual({f.value: f.count for f in facets["language"]}, {"en": 4, "es": 2})
        self.assertEqual({f.value: f.count for f in facets["year"]}, {"2023": 4, "2021": 2})
        self.assertEqual({f.value: f.count for f in facets["topic"]}, {"trade": 4})
        speakers = {f.value: (f.label, f.count) for f in facets["speaker"]}
        self.assertEqual(speakers["press-secretary"], ("Press Secretary", 2))
        self.assertEqual({f.label for f in facets["language"]}, {"English", "español"})
        narrowed = search_turns(SearchParameters(q="tariffs")).facets
        self.assertEqual({f.value: f.count for f in narrowed["kind"]}, {"question": 1, "answer": 1})

    # -- highlighting ------------------------------------------------------------------------------

    def test_highlight_escapes_the_text_before_marking(self: Any) -> None:
        self.load(
            doc("xss", "en", [("A", "statement", "Look <img src=x onerror=alert(1)> at the sanctions")])
        )
        hit = search_turns(SearchParameters(q="sanction")).results[0]
        self.assertEqual(
            str(hit.highlight), "Look &lt;img src=x onerror=alert(1)&gt; at the <mark>sanctions</mark>"
        )
        self.assertEqual(
            search_turns(SearchParameters(q="img onerror")).results[0].highlight.count("<img"), 0
        )

    def test_highlight_marks_folded_and_prefixed_forms(self: Any) -> None:
        self.load(MANANERA_ES, KNESSET_HE)
        self.assertIn(
            "<mark>educación</mark>", search_turns(SearchParameters(q="educacion")).results[0].highlight
        )
        self.assertIn("<mark>התכניות</mark>", search_turns(SearchParameters(q="תכניות")).results[0].highlight)

    # -- rebuild and repair ------------------------------------------------------------------------

    def test_changes_made_during_a_rebuild_are_applied_after_it(self: Any) -> None:
        (transcript,) = self.load(BRIEFING_EN)
        original = self.backend.rebuild

        def rebuild_with_a_concurrent_edit(*args: Any, **kwargs: Any) -> int:
            documents = args[0]

            def interleaved() -> Any:
                first = True
                for d in documents:
                    if first:
                        # A change committed while the rebuild holds the index: the indexer
                        # cannot write it, the outbox keeps it.
                        with self.captureOnCommitCallbacks(execute=True):
                            turn = Turn.objects.get(transcript=transcript, position=3)
                            turn.text = "What about the quotas on wood?"
                            turn.save()
                        first = False
                    yield d

            return original(interleaved(), *args[1:], **kwargs)

        self.backend.rebuild = rebuild_with_a_concurrent_edit
        try:
            indexer.rebuild()
        finally:
            del self.backend.rebuild
        self.assertEqual(self.found(search_turns(SearchParameters(q="wood"))), [("briefing-en", 3)])
        self.assertEqual(SearchOutbox.objects.count(), 0)

    def test_check_finds_missing_stale_and_extra_documents_and_repair_mends_them(self: Any) -> None:
        briefing, mananera = self.load(BRIEFING_EN, MANANERA_ES)
        self.assertTrue(indexer.check().ok)
        missing = Turn.objects.get(transcript=briefing, position=1)
        self.backend.delete_documents([missing.pk])
        Turn.objects.filter(transcript=mananera, position=2).update(text="Nuevas escuelas.")  # no signal
        other = doc("ghost", "en", [("A", "statement", "A ghost document")])
        (ghost,) = self.load(other)
        Transcript.objects.filter(pk=ghost.pk).update(status=TranscriptStatus.DRAFT)  # no signal
        report = indexer.check()
        self.assertFalse(report.ok)
        self.assertEqual([(d.slug, d.position) for d in report.missing], [("briefing-en", 1)])
        self.assertEqual([(d.slug, d.position) for d in report.stale], [("mananera-es", 2)])
        self.assertEqual(len(report.extra), 1)
        indexer.repair(report)
        self.assertTrue(indexer.check().ok)
        self.assertEqual(search_turns(SearchParameters(q="ghost")).count, 0)
        self.assertEqual(
            self.found(search_turns(SearchParameters(q="nuevas escuelas"))), [("mananera-es", 2)]
        )
        self.assertEqual(self.found(search_turns(SearchParameters(q="drones"))), [("briefing-en", 1)])


class ConcurrentBackendTests(BackendFixtures):
    """What another thread or process sees while the index changes: it works on its own database
    connection, which sees committed data only, so this goes into a TransactionTestCase (a
    TestCase never commits).
    """

    def test_search_keeps_answering_during_a_rebuild(self: Any) -> None:
        self.load(BRIEFING_EN, MANANERA_ES, KNESSET_HE, MFA_ZH, MFA_EN, TOKYO_JA)
        failures: list[str] = []
        counts: list[int] = []
        done = threading.Event()

        def search_repeatedly() -> None:
            while not done.is_set():
                try:
                    counts.append(self.backend.search(SearchRequest(query=parse_query("tariffs"))).total)
                except Exception as exc:  # any failure fails the test
                    failures.append(repr(exc))
            connections.close_all()  # this thread's own connections (a backend in the database)

        reader = threading.Thread(target=search_repeatedly)
        reader.start()
        try:
            for _ in range(3):
                indexer.rebuild()
        finally:
            done.set()
            reader.join()
        self.assertEqual(failures, [])
        self.assertTrue(counts)
        self.assertEqual(set(counts), {2})

    @override_settings(SEARCH_INDEXER="worker")
    def test_a_rebuild_gets_the_index_from_an_indexer_working_through_a_backlog(self: Any) -> None:
        # run_indexer in another process takes the write lock again right after each batch; a
        # rebuild polling for it gave up after its --wait. Now the indexer lets a waiting rebuild
        # go first (Whoosh: waiting.lock; PostgreSQL: a second advisory lock).
        rng = random.Random(5)
        ids = [t.pk for t in self.load(*(corpus.transcript(rng, f"backlog-{n}", 10) for n in range(4)))]
        indexer.drain()
        fork = multiprocessing.get_context("fork")
        draining, stop = fork.Event(), fork.Event()
        child = fork.Process(target=drain_a_backlog_repeatedly, args=(ids, draining, stop))
        child.start()
        try:
            self.assertTrue(draining.wait(60), "the indexer never started on its backlog")
            (late,) = self.load(KNESSET_HE)  # committed while the indexer works: its row waits
            out = io.StringIO()
            call_command("rebuild_index", "--wait", "3", "--no-progress", stdout=out)
        finally:
            stop.set()
            child.join(120)
        self.assertIn("the new index is live", out.getvalue())
        self.assertEqual(child.exitcode, 0, "the indexer failed")
        # Nothing lost: every row applied, and the index holds what the database holds.
        self.assertEqual(SearchOutbox.objects.count(), 0)
        check = io.StringIO()
        call_command("check_index", "--no-progress", stdout=check)
        self.assertIn("matches", check.getvalue())
        stored = get_search_backend().stored_documents()
        self.assertEqual(sum(d.transcript_id == late.pk for d in stored.values()), 2)
