"""Excerpts are never cut inside a character as the reader sees it."""

from __future__ import annotations

from django.test import SimpleTestCase

from archive.snippets import ELLIPSIS, safe_cut, snippet


class SnippetTests(SimpleTestCase):
    def test_short_text_is_returned_whole_with_whitespace_collapsed(self) -> None:
        self.assertEqual(snippet("  Our secret\n is   learning. ", 50), "Our secret is learning.")

    def test_space_separated_text_is_cut_between_words(self) -> None:
        cut = snippet("Three years ago, President Xi put forth the initiative", 30)
        self.assertEqual(cut, "Three years ago, President Xi" + ELLIPSIS)
        self.assertEqual(
            snippet("Three years ago, President Xi put forth", 28), "Three years ago, President" + ELLIPSIS
        )

    def test_chinese_is_cut_between_characters(self) -> None:
        text = "三年前，习近平主席郑重提出全球文明倡议，为不同文明和合共生指明方向。"
        cut = snippet(text, 10)
        self.assertEqual(cut, text[:9] + ELLIPSIS)

    def test_a_letter_and_its_combining_marks_stay_together(self) -> None:
        text = "e\u0301" * 10  # é as e + combining acute
        for limit in range(2, 12):
            kept = snippet(text, limit).rstrip(ELLIPSIS)
            self.assertEqual(len(kept) % 2, 0, limit)
        hebrew = "\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd"  # shalom with niqqud: shin + 2 marks first
        self.assertEqual([safe_cut(hebrew, n) for n in range(1, 5)], [0, 0, 3, 4])

    def test_emoji_sequences_and_flags_stay_whole(self) -> None:
        family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
        text = family * 4
        for limit in range(1, len(text)):
            self.assertEqual(safe_cut(text, limit) % len(family), 0, limit)
        flags = "\U0001f1ee\U0001f1f1\U0001f1ef\U0001f1f5"  # 🇮🇱🇯🇵
        self.assertEqual(safe_cut(flags, 3), 2)
        self.assertEqual(safe_cut(flags, 1), 0)

    def test_arabic_with_harakat_is_not_split(self) -> None:
        text = "نَحْنُ نَدْعَمُ الْحِوَارَ وَالْحُلُولَ السِّلْمِيَّةَ"
        for limit in range(1, len(text)):
            cut = safe_cut(text, limit)
            self.assertFalse(cut < len(text) and "\u064b" <= text[cut] <= "\u0652", limit)
