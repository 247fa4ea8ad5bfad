"""The words typo tolerance tries for a mistyped one: edit distances and the words one edit away."""

from __future__ import annotations

from django.test import SimpleTestCase

from archive.search import analysis
from archive.search.compiler import typo_edits, typo_variants
from archive.search.tokens import edit_distance


class EditDistanceTests(SimpleTestCase):
    def test_two_neighbouring_letters_swapped_are_one_edit(self) -> None:
        self.assertEqual(edit_distance("govrenment", "government", 2), 1)
        self.assertEqual(edit_distance("ab", "ba", 1), 1)
        self.assertEqual(edit_distance("trasie", "tarsie", 1), 1)

    def test_other_edits_count_as_before(self) -> None:
        self.assertEqual(edit_distance("steel", "stell", 2), 1)
        self.assertEqual(edit_distance("steel", "stoal", 2), 2)
        self.assertEqual(edit_distance("kitten", "sitting", 3), 3)
        self.assertEqual(edit_distance("abc", "cba", 2), 2)  # not neighbours: two replacements

    def test_beyond_the_limit_it_says_limit_plus_one(self) -> None:
        self.assertEqual(edit_distance("steel", "budget", 2), 3)
        self.assertEqual(edit_distance("a", "abcd", 1), 2)


class StemBeginningTests(SimpleTestCase):
    def test_a_stem_that_begins_a_word_with_a_typo_in_its_ending_is_close(self) -> None:
        # `demonstrations` is stemmed `demonstr`; `demonstratios` is not stemmed at all.
        self.assertEqual(typo_edits("demonstratios", "demonstr", 2), 2)

    def test_a_stem_of_half_the_word_or_less_is_not(self) -> None:
        # `ping` (of `pinged`) begins `pinguino` but leaves half of it unsaid.
        self.assertIsNone(typo_edits("pinguino", "ping", 1))
        self.assertIsNone(typo_edits("demonstratios", "demo", 2))


class TypoVariantTests(SimpleTestCase):
    def test_every_kind_of_single_edit_is_spelt(self) -> None:
        variants = typo_variants("kchen")
        for word in ("kuchen", "chen", "kcehn", "kchan", "kchens"):
            self.assertIn(word, variants)
        self.assertNotIn("kchen", variants)
        self.assertNotIn("kuchne", variants)  # two edits

    def test_the_letters_are_those_of_the_words_script_folded_as_the_analysis_folds(self) -> None:
        latin = typo_variants("lesie")
        self.assertIn("lesnie", latin)
        # é, ł, ą are folded to e, l, a: the analysis never sees them, nor do the variants.
        self.assertFalse(any(letter in word for word in latin for letter in "éłą"))
        self.assertFalse(any("д" in word for word in latin))
        self.assertIn("книга", typo_variants("кнга"))
        self.assertIn("پیش", typo_variants("پش"))  # Persian letters for Arabic script

    def test_a_long_word_of_several_scripts_gets_its_drops_and_swaps_only(self) -> None:
        word = "aбγדاक" * 4  # a letter of six alphabets, four times: thousands of replacements
        variants = typo_variants(word)
        self.assertLessEqual(len(variants), 2 * len(word))
        self.assertIn(word[1:], variants)

    def test_the_variants_are_stemmed_as_the_index_stems_words(self) -> None:
        form = analysis.typing_form("de", "Kchen")
        self.assertEqual(form, "kchen")
        stems = {analysis.form_term("de", variant) for variant in typo_variants(form)}
        self.assertIn(analysis.form_term("de", analysis.typing_form("de", "Kuchen")), stems)
        self.assertEqual(analysis.typing_form("tr", "ISINMA"), "isinma")  # Turkish lower case, then folded
        self.assertIsNone(analysis.form_term("zh", "经济"))  # no one term for a Chinese word


class OtherFormTests(SimpleTestCase):
    def test_a_hebrew_word_is_also_widened_without_its_prefix_letters(self) -> None:
        # and, to, (the stem): the index holds each of these forms of the word.
        self.assertEqual(analysis.typing_forms("he", "ולהקים"), ("ולהקים", "להקים", "הקים", "קים"))
        self.assertEqual(analysis.typing_forms("en", "Hello"), ("hello",))
