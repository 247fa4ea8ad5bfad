"""The language of texts and queries: guessed at import, reported, and used to read unfiltered queries."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase

from archive.importers import import_documents
from archive.importers.base import RawDocument
from archive.importers.language import guess_language
from archive.models import Transcript
from archive.search.analysis import ANALYSIS_KEYS, query_keys
from tests.fixtures import PERES_EN, doc, document, import_document
from tests.search.helpers import temp_search_index

POLISH = "Odznaczenie wojskowe zostało przyznane w poniedziałek przez prezydenta."
UKRAINIAN = "Дякую всім, що прийшли сьогодні на брифінг."
PERSIAN = "سلام، خیلی ممنون که امروز اینجا هستید و پرسش‌های خود را می‌گویید."


class DetectorTests(SimpleTestCase):
    def test_it_tells_languages_apart_that_neither_script_nor_function_words_settle(self) -> None:
        for text, tag in ((POLISH, "pl"), (UKRAINIAN, "uk"), (PERSIAN, "fa")):
            with self.subTest(tag=tag):
                guess = guess_language(text)
                self.assertEqual(guess.tag, tag, guess.reason)
                self.assertIn("detector", guess.reason)

    def test_it_stays_undecided_on_two_words(self) -> None:
        self.assertIsNone(guess_language("Dziękuję bardzo").tag)


class ImportGuessTests(TestCase):
    def import_one(self, data: dict[str, object], source: str = "sitting.json") -> str:
        report = import_documents([RawDocument(source, data=data)])
        return report.summary() + "".join(f"\nerror: {e}" for e in report.errors)

    def test_a_document_without_a_language_gets_a_guess_and_the_report_says_so(self) -> None:
        data = doc("sejm-1", "pl", [("Poseł", "question", POLISH), ("Minister", "answer", POLISH)])
        del data["language"]
        summary = self.import_one(data)
        self.assertEqual(Transcript.objects.get(slug="sejm-1").language, "pl")
        self.assertIn("language guessed: sitting.json (sejm-1): pl", summary)

    def test_a_document_too_short_to_guess_is_rejected_naming_file_and_field(self) -> None:
        data = doc("short", "en", [("A", "question", "Okay.")])
        del data["language"]
        summary = self.import_one(data, "short.json")
        self.assertIn("error: short.json, key language: no language given", summary)
        self.assertFalse(Transcript.objects.exists())

    def test_a_malformed_tag_is_rejected_naming_file_field_and_tag(self) -> None:
        data = document(PERES_EN, language="english!")
        summary = self.import_one(data, "peres.json")
        self.assertIn("error: peres.json, key language: 'english!' is not a BCP-47 language tag", summary)
        turn_tag = document(PERES_EN)
        turn_tag["turns"][0]["language"] = "e n"
        summary = self.import_one(turn_tag, "peres.json")
        self.assertIn("key turns[0].language: 'e n' is not a BCP-47", summary)

    def test_an_unknown_well_formed_tag_is_accepted_as_generic_and_reported(self) -> None:
        summary = self.import_one(document(PERES_EN, language="qaa"), "peres.json")
        self.assertEqual(Transcript.objects.get().language, "qaa")
        self.assertIn("language qaa has no analysis of its own (searched as generic): peres.json", summary)


class QueryLanguageTests(SimpleTestCase):
    KEYS = frozenset(ANALYSIS_KEYS)

    def test_words_of_one_language_are_not_also_read_as_english(self) -> None:
        keys = query_keys("odznaczenia wojskowego", self.KEYS)
        self.assertIn("pl", keys)
        self.assertNotIn("en", keys)
        self.assertIn("generic", keys)

    def test_the_script_decides_where_it_can(self) -> None:
        self.assertEqual(query_keys("经济合作", self.KEYS), {"zh", "ja", "generic"})
        self.assertEqual(query_keys("학교", self.KEYS), {"ko", "generic"})
        self.assertEqual(query_keys("นโยบาย", self.KEYS), {"th", "generic"})
        self.assertLessEqual(query_keys("Комисията обсъди законите", self.KEYS), self.KEYS - {"en", "pl"})

    def test_a_single_word_keeps_several_candidates(self) -> None:
        self.assertGreaterEqual(len(query_keys("MILITARI", self.KEYS) - {"generic"}), 3)

    def test_an_index_with_no_language_the_detector_knows_reads_the_query_as_generic(self) -> None:
        self.assertEqual(query_keys("draft words", frozenset({"generic"})), {"generic"})

    def test_a_query_without_letters_keeps_every_analysis(self) -> None:
        self.assertEqual(query_keys("2024", self.KEYS), self.KEYS)


class GenericLanguageReportTests(TestCase):
    def test_check_index_names_the_languages_searched_as_generic(self) -> None:
        self.enterContext(temp_search_index())
        with self.captureOnCommitCallbacks(execute=True):
            import_document(doc("hui-1", "haw", [("Kanaka", "question", "Aloha kākou.")]))
            import_document(doc("sejm-2", "pl", [("Poseł", "question", POLISH)]))
        out = io.StringIO()
        call_command("check_index", "--no-progress", stdout=out)
        self.assertIn("generic: language haw has no analysis of its own", out.getvalue())
        self.assertNotIn("language pl", out.getvalue())
