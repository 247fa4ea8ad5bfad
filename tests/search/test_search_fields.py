"""The schema's field type for values many documents share (titles, speakers' names)."""

from __future__ import annotations

import pickle

from django.test import SimpleTestCase
from whoosh import fields as wf

from archive.search.backends.whoosh.analyzers import whoosh_analyzer_for
from archive.search.backends.whoosh.schema import RepeatedText

TITLE = "הישיבה של ועדת החינוך: התכניות לשנת הלימודים"


class RepeatedTextTests(SimpleTestCase):
    def test_it_gives_the_same_postings_as_a_text_field(self) -> None:
        analyzer = whoosh_analyzer_for("he")
        plain = wf.TEXT(analyzer=analyzer, phrase=False)
        repeated = RepeatedText(analyzer=analyzer, phrase=False)
        expected = sorted(plain.index(TITLE))
        self.assertTrue(expected)
        self.assertEqual(sorted(repeated.index(TITLE)), expected)
        self.assertEqual(sorted(repeated.index(TITLE)), expected)  # the remembered answer

    def test_it_analyzes_a_repeated_value_once(self) -> None:
        field = RepeatedText(analyzer=whoosh_analyzer_for("en"))
        self.assertIs(field.index("Press briefing"), field.index("Press briefing"))
        self.assertIsNot(field.index("Press briefing"), field.index("Another briefing"))

    def test_it_pickles_without_its_cache(self) -> None:
        field = RepeatedText(analyzer=whoosh_analyzer_for("en"))
        field.index("Press briefing")
        restored = pickle.loads(pickle.dumps(field))
        self.assertNotIn("_memo", restored.__dict__)
        self.assertEqual(sorted(restored.index("Press briefing")), sorted(field.index("Press briefing")))

    def test_an_index_built_before_the_backend_became_a_package_still_finds_it(self) -> None:
        field = RepeatedText(analyzer=whoosh_analyzer_for("en"))
        # Protocol 0 names classes as text lines: the old module path can be written in.
        old = pickle.dumps(field, protocol=0).replace(
            b"archive.search.backends.whoosh.schema", b"archive.search.fields"
        )
        self.assertIn(b"archive.search.fields\nRepeatedText", old)
        restored = pickle.loads(old)
        self.assertIsInstance(restored, RepeatedText)
        self.assertEqual(sorted(restored.index("Press briefing")), sorted(field.index("Press briefing")))
