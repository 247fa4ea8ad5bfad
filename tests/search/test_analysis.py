"""Language analysis: each language analysed on purpose, checked on real sentences and a real Whoosh index."""

from __future__ import annotations

import pickle
import re
import tempfile
from typing import Any
from unittest import mock

from django.test import SimpleTestCase
from whoosh import fields, highlight, index
from whoosh import query as wq
from whoosh.analysis import RegexTokenizer
from whoosh.qparser import AndGroup, MultifieldParser, QueryParser

from archive.search.analysis import ANALYSIS_KEYS, ANALYSIS_NOTES, analysis_key, analyzer_for
from archive.search.backends.whoosh.analyzers import whoosh_analyzer_for
from archive.search.tokens import analyzed


def terms(key: str, text: str, mode: str = "index") -> list[str]:
    return [t.text for t in analyzer_for(key)(text, mode=mode)]


def positioned(key: str, text: str, mode: str = "index") -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in analyzer_for(key)(text, positions=True, mode=mode)]


def spans(key: str, text: str) -> list[tuple[str, str]]:
    """Each indexed term with the slice of the original text its offsets point at (what highlights use)."""
    return [
        (t.text, text[t.startchar : t.endchar]) for t in analyzer_for(key)(text, chars=True, mode="index")
    ]


class TurnIndex:
    """A real Whoosh index in a temp dir: a text field per analysis key, each turn in its language's field."""

    def __init__(self, case: SimpleTestCase, turns: list[tuple[str, str]]) -> None:
        folder = tempfile.TemporaryDirectory(prefix="analysis-test-")
        case.addCleanup(folder.cleanup)
        # A query word's terms are alternatives at one position (as the backends read them): OR.
        spec: dict[str, Any] = {
            f"text_{key}": fields.TEXT(analyzer=whoosh_analyzer_for(key), multitoken_query="or")
            for key in ANALYSIS_KEYS
        }
        spec["number"] = fields.ID(stored=True)
        self.ix = index.create_in(folder.name, fields.Schema(**spec))
        writer = self.ix.writer()
        for number, (language, text) in enumerate(turns):
            writer.add_document(number=str(number), **{f"text_{analysis_key(language)}": text})
        writer.commit()

    def search(self, q: str, *languages: str) -> list[int]:
        """Numbers of the turns matching q, parsed for the languages in scope (all when none given)."""
        keys = sorted({analysis_key(language) for language in languages}) or list(ANALYSIS_KEYS)
        parser = MultifieldParser(
            [f"text_{key}" for key in keys], index.open_dir(self.ix.storage.folder).schema
        )
        parser.group = AndGroup
        query = parser.parse(q)
        if q.startswith('"') and q.endswith('"'):
            # A phrase as the backends read it: a word's alternatives (a Hebrew word and its lemma) at
            # one position, not one after another as Whoosh's parser would put them.
            query = wq.Or(
                [
                    wq.Sequence([wq.Or([wq.Term(f"text_{key}", t) for t in group]) for group in groups])
                    for key in keys
                    if (groups := analyzed(key, q.strip('"')))
                ]
            )
        with self.ix.searcher() as searcher:
            return sorted(int(hit["number"]) for hit in searcher.search(query, limit=None))


class ChoiceOfAnalysisTests(SimpleTestCase):
    def test_every_chinese_tag_gets_the_chinese_analysis(self) -> None:
        for tag in ("zh", "zh-Hans", "zh-Hant", "zh-CN", "zh-TW", "zh-Hant-HK", "ZH_hans"):
            self.assertEqual(analysis_key(tag), "zh", tag)

    def test_region_and_script_subtags_do_not_change_the_analysis(self) -> None:
        self.assertEqual(analysis_key("pt-BR"), "pt")
        self.assertEqual(analysis_key("en-GB"), "en")
        self.assertEqual(analysis_key("es-MX"), "es")
        self.assertEqual(analysis_key("iw"), "he")
        self.assertEqual(analysis_key("nb"), "no")

    def test_an_unknown_language_gets_the_generic_analysis_never_english(self) -> None:
        for tag in ("zu", "x-unknown", "", None):
            self.assertEqual(analysis_key(tag), "generic", tag)
        # Generic folds case, width and accents (keeping the accented word too, for ranking), but does not
        # stem as English does (sanctions -> sanction).
        self.assertEqual(terms("generic", "Sanctions ＣＡＦÉ"), ["sanctions", "cafe", "café"])
        self.assertEqual(terms("en", "Sanctions"), ["sanction"])

    def test_every_key_has_a_note_and_an_analyzer(self) -> None:
        self.assertIn("generic", ANALYSIS_KEYS)
        for key in ANALYSIS_KEYS:
            self.assertTrue(ANALYSIS_NOTES[key])
            self.assertTrue(terms(key, "Archive 2026"), key)
        with self.assertRaises(KeyError):
            analyzer_for("english")

    def test_there_is_no_stop_list(self) -> None:
        self.assertEqual(terms("en", "To be or not to be"), ["to", "be", "or", "not", "to", "be"])
        self.assertLessEqual({"de", "la"}, set(terms("es", "de la")))  # (and la's lemma, el)
        self.assertEqual(terms("he", "את של"), ["את", "של"])
        turns = TurnIndex(self, [("en", "The Who played in the park."), ("en", "Who is there?")])
        self.assertEqual(turns.search('"the who"', "en"), [0])


class NormalisationTests(SimpleTestCase):
    def test_full_width_latin_and_digits_fold_to_ascii(self) -> None:
        self.assertEqual(terms("en", "ＷＴＯ ２０２６"), ["wto", "2026"])
        self.assertEqual(terms("zh", "ＷＴＯ"), ["wto"])

    def test_half_width_katakana_folds_to_full_width(self) -> None:
        self.assertEqual(terms("ja", "ｵﾘﾝﾋﾟｯｸ"), terms("ja", "オリンピック"))

    def test_case_folding_includes_sharp_s(self) -> None:
        self.assertEqual(terms("generic", "STRASSE Straße"), ["strasse", "strasse"])

    def test_hebrew_niqqud_is_stripped_without_splitting_the_word(self) -> None:
        pointed = "בְּרֵאשִׁית בָּרָא"
        # A plain \w+ tokenizer cuts a pointed word at every point: the problem this analysis avoids.
        self.assertGreater(len([t.text for t in RegexTokenizer()(pointed)]), 2)
        self.assertEqual(terms("he", pointed, mode="query"), ["בראשית", "ברא"])

    def test_arabic_harakat_and_tatweel_are_removed(self) -> None:
        self.assertEqual(terms("ar", "مُحَمَّدٌ", mode="query"), terms("ar", "محمد", mode="query"))
        self.assertEqual(len(terms("ar", "مُحَمَّدٌ")), 1)
        self.assertEqual(terms("ar", "العـــربية"), terms("ar", "العربية"))

    def test_arabic_alef_ya_and_ta_marbuta_are_unified(self) -> None:
        self.assertEqual(terms("ar", "أحمد"), terms("ar", "احمد"))
        self.assertEqual(terms("ar", "إسلام"), terms("ar", "اسلام"))
        self.assertEqual(terms("ar", "مستشفى"), terms("ar", "مستشفي"))
        self.assertEqual(terms("ar", "جامعة"), terms("ar", "جامعه"))

    def test_accents_fold_so_a_query_typed_without_them_finds_the_word(self) -> None:
        turns = TurnIndex(
            self,
            [
                ("es", "La educación pública es la prioridad de este gobierno."),
                ("es", "Vamos a construir la refinería de Dos Bocas."),
                ("fr", "L'école publique reste gratuite."),
                ("pt", "A eleição foi adiada."),
            ],
        )
        self.assertEqual(turns.search("educacion publica", "es"), [0])
        self.assertEqual(turns.search("refineria", "es"), [1])
        self.assertEqual(turns.search("ecole", "fr"), [2])
        self.assertEqual(turns.search("eleicao", "pt"), [3])

    def test_offsets_point_at_the_original_text(self) -> None:
        self.assertEqual(
            spans("he", "אני בְּרֵאשִׁית"),
            [("אני", "אני"), ("בראשית", "בְּרֵאשִׁית"), ("ראשית", "בְּרֵאשִׁית")],
        )
        self.assertIn(("オリ", "ｵﾘ"), spans("ja", "ｵﾘ"))
        self.assertEqual(spans("zh", "問題")[0], ("问题", "問題"))


class HighlightTests(SimpleTestCase):
    def test_whooshs_highlighter_marks_the_original_characters(self) -> None:
        folder = tempfile.TemporaryDirectory(prefix="analysis-test-")
        self.addCleanup(folder.cleanup)
        keys = ("he", "ja", "zh", "es")
        ix = index.create_in(
            folder.name,
            fields.Schema(
                **{key: fields.TEXT(analyzer=whoosh_analyzer_for(key), stored=True) for key in keys}
            ),
        )
        writer = ix.writer()
        writer.add_document(he="השר הציג את הַתָּכְנִיּוֹת", ja="ｵﾘﾝﾋﾟｯｸの準備", zh="發言人表示", es="La educación")
        writer.commit()
        expected = {
            "he": ("תכניות", "<b>הַתָּכְנִיּוֹת</b>"),
            "ja": ("オリンピック", "<b>ｵﾘﾝﾋﾟｯｸ</b>の準備"),
            "zh": ("发言人", "<b>發言人</b>表示"),
            "es": ("educacion", "<b>educación</b>"),
        }
        with ix.searcher() as searcher:
            for key, (q, marked) in expected.items():
                hits = searcher.search(QueryParser(key, ix.schema).parse(q))
                hits.formatter = highlight.HtmlFormatter(tagname="b")
                self.assertIn(marked, re.sub(r"<b [^>]*>", "<b>", hits[0].highlights(key)), key)


class StemmingTests(SimpleTestCase):
    def test_each_language_stems_with_its_own_snowball_stemmer(self) -> None:
        same_stem = {
            "en": ("sanctioned", "sanctions"),
            "es": ("refinación", "refinería"),
            "fr": ("négociations", "négociation"),
            "de": ("Verhandlungen", "Verhandlung"),
            "pt": ("governos", "governo"),
            "it": ("elezioni", "elezione"),
            "ru": ("переговоров", "переговоры"),
            "nl": ("verkiezingen", "verkiezing"),
        }
        for key, (one, other) in same_stem.items():
            self.assertEqual(terms(key, one, mode="query")[0], terms(key, other, mode="query")[0], key)

    def test_english_stemming_is_not_applied_to_spanish(self) -> None:
        self.assertEqual(terms("es", "gobiernos")[0], "gobi")  # Spanish Snowball, as written
        self.assertEqual(terms("en", "gobiernos"), ["gobierno"])

    def test_sanctioned_finds_sanctions_in_an_index(self) -> None:
        turns = TurnIndex(
            self,
            [
                ("en", "Treasury announced new sanctions on Russian banks today."),
                ("en", "The senator spoke about the budget."),
            ],
        )
        self.assertEqual(turns.search("sanctioned banks", "en"), [0])

    def test_accented_and_unaccented_queries_both_find_an_inflection(self) -> None:
        turns = TurnIndex(self, [("es", "Hablamos de las políticas sociales del gobierno.")])
        for q in ("política", "politica", "políticas", "politicas"):
            self.assertEqual(turns.search(q, "es"), [0], q)

    def test_arabic_light_stemming_removes_the_article_and_plural(self) -> None:
        self.assertEqual(terms("ar", "والمكتبات"), terms("ar", "مكتب"))
        self.assertEqual(terms("ar", "المدرسة"), terms("ar", "مدرسة"))
        # Light, not root stemming: peace and Islam stay apart.
        self.assertNotEqual(terms("ar", "السلام"), terms("ar", "الإسلام"))

    def test_dotted_abbreviations_are_kept_whole(self) -> None:
        self.assertEqual(terms("en", "U.S. 3.5"), ["u.s", "3.5"])


class ChineseTests(SimpleTestCase):
    def test_words_are_segmented_with_consecutive_positions(self) -> None:
        words = positioned("zh", "外交部发言人表示，中方坚决反对。", mode="query")
        self.assertEqual([w for w, _ in words], ["外交部", "发言人", "表示", "中方", "坚决", "反对"])
        self.assertEqual([p for _, p in words], list(range(len(words))))

    def test_sub_words_share_their_words_position_when_indexing(self) -> None:
        words = positioned("zh", "中华人民共和国外交部发言人")
        long_word = dict(words)["中华人民共和国外交部"]
        self.assertEqual(dict(words)["外交部"], long_word)
        self.assertEqual(dict(words)["发言人"], long_word + 1)

    def test_latin_words_are_lowercased_and_not_stemmed(self) -> None:
        self.assertEqual(
            terms("zh", "我们在WTO讨论iPhones问题"), ["我们", "在", "wto", "讨论", "iphones", "问题"]
        )

    def test_traditional_and_simplified_find_each_other(self) -> None:
        self.assertEqual(terms("zh", "發言人表示"), terms("zh", "发言人表示"))
        turns = TurnIndex(
            self,
            [("zh-Hans", "发言人回应了有关边境问题的提问。"), ("zh-Hant", "發言人談到經濟發展。")],
        )
        self.assertEqual(turns.search("邊境", "zh-Hans"), [0])
        self.assertEqual(turns.search("经济", "zh-Hant"), [1])

    def test_phrases_match_in_an_index(self) -> None:
        turns = TurnIndex(
            self,
            [
                ("zh-Hans", "中方愿同各方一道，维护地区和平稳定。"),
                ("zh-Hans", "稳定是各方的共同期待，和平需要维护。"),
            ],
        )
        self.assertEqual(turns.search("维护 和平", "zh-Hans"), [0, 1])
        self.assertEqual(turns.search('"维护地区和平"', "zh-Hans"), [0])
        self.assertEqual(turns.search('"中华人民共和国外交部"', "zh-Hans"), [])

    def test_a_word_inside_a_long_dictionary_word_is_found(self) -> None:
        turns = TurnIndex(self, [("zh-Hans", "中华人民共和国外交部发言人林剑主持例行记者会。")])
        self.assertEqual(turns.search("外交部", "zh-Hans"), [0])
        self.assertEqual(turns.search('"外交部 发言人"', "zh-Hans"), [0])


class JapaneseTests(SimpleTestCase):
    def test_text_is_cut_into_words(self) -> None:
        self.assertEqual(terms("ja", "東京都の対応", mode="query"), ["東京", "都", "の", "対応"])

    def test_half_width_and_full_width_queries_find_the_turn(self) -> None:
        turns = TurnIndex(
            self,
            [
                ("ja", "オリンピック・パラリンピックの準備について、ＩＯＣと協議しました。"),
                ("ja", "豊洲市場の移転について質問します。"),
            ],
        )
        self.assertEqual(turns.search("ｵﾘﾝﾋﾟｯｸ 準備", "ja"), [0])
        self.assertEqual(turns.search("IOC", "ja"), [0])
        self.assertEqual(turns.search("豊洲市場", "ja"), [1])
        self.assertEqual(turns.search('"豊洲 市場 の 移転"', "ja"), [1])


class KoreanThaiBigramTests(SimpleTestCase):
    def test_korean_and_thai_get_their_own_analysis(self) -> None:
        self.assertEqual((analysis_key("ko-KR"), analysis_key("th")), ("ko", "th"))

    def test_a_run_becomes_its_overlapping_bigrams_in_sequence(self) -> None:
        self.assertEqual(
            positioned("ko", "학교에서 북", mode="query"), [("학교", 0), ("교에", 1), ("에서", 2), ("북", 3)]
        )
        # Indexing adds each syllable at the position of the bigram it begins (the last at the last one's).
        self.assertEqual(
            positioned("ko", "학교에서 G20을"),
            [
                ("학교", 0),
                ("학", 0),
                ("교에", 1),
                ("교", 1),
                ("에서", 2),
                ("에", 2),
                ("서", 2),
                ("g20", 3),
                ("을", 4),
            ],
        )

    def test_a_thai_bigram_never_splits_a_letter_from_its_marks(self) -> None:
        # ที่ and นี่ are a letter with a vowel sign and a tone mark each; ำ is NFKC's ํ + า.
        self.assertEqual(terms("th", "ที่นี่", mode="query"), ["ที่นี่"])
        self.assertEqual(terms("th", "น้ำดี", mode="query"), ["น้ํา", "าดี"])
        self.assertEqual(spans("th", "น้ำ")[0], ("น้ํา", "น้ำ"))
        marks = re.compile("^[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
        for term in terms("th", "การเปลี่ยนผ่านอำนาจอย่างสันติ"):
            self.assertIsNone(marks.match(term), term)

    def test_a_word_is_found_inside_the_words_it_is_part_of(self) -> None:
        turns = TurnIndex(
            self,
            [
                ("ko", "학생들이 학교에서 공부합니다."),
                ("ko", "북한은 회담을 제안했다."),
                ("th", "รัฐบาลประกาศนโยบายเศรษฐกิจใหม่เมื่อวันจันทร์"),
                ("th", "เขามีบ้านหลังใหญ่"),
            ],
        )
        self.assertEqual(turns.search("학교", "ko"), [0])
        self.assertEqual(turns.search("북", "ko"), [1])
        self.assertEqual(turns.search('"학교에서 공부"', "ko"), [0])
        self.assertEqual(turns.search('"공부 학교에서"', "ko"), [])
        self.assertEqual(turns.search('"นโยบาย"', "th"), [2])
        self.assertEqual(turns.search('"เศรษฐกิจใหม่"', "th"), [2])
        self.assertEqual(turns.search("มี", "th"), [3])


class HebrewPrefixTests(SimpleTestCase):
    def test_each_word_is_also_indexed_without_its_prefix_letters(self) -> None:
        self.assertEqual(positioned("he", "והתכניות"), [("והתכניות", 0), ("התכניות", 0), ("תכניות", 0)])
        self.assertEqual(positioned("he", "שבכנסת"), [("שבכנסת", 0), ("בכנסת", 0), ("כנסת", 0)])
        # A query is analysed as typed.
        self.assertEqual(terms("he", "והתכניות", mode="query"), ["והתכניות"])

    def test_a_word_without_its_prefix_finds_the_prefixed_word(self) -> None:
        turns = TurnIndex(
            self,
            [
                ("he", "השר הציג את התכניות החדשות בוועדה."),
                ("he", "הוועדה דנה בתכניות הלימודים ובתקציב."),
                ("he", "יש לנו תכניות אחרות."),
            ],
        )
        self.assertEqual(turns.search("תכניות", "he"), [0, 1, 2])
        # Typed with its article: the form as typed first, then the word's other forms (its lemma).
        self.assertEqual(turns.search("התכניות", "he"), [0, 1, 2])
        self.assertEqual(turns.search("תקציב", "he"), [1])
        self.assertEqual(turns.search('"תכניות החדשות"', "he"), [0])
        self.assertEqual(turns.search('"תכניות לימודים"', "he"), [1])

    def test_a_verb_finds_its_other_forms_through_its_lemma_but_pronouns_stay_apart(self) -> None:
        turns = TurnIndex(
            self,
            [
                ("he", "השחקנים פוגעים בקבוצה."),
                ("he", "הכללים יחולו על כולם."),
                ("he", "הוא אמר את זה."),
            ],
        )
        # The lemma of a form whose first letters differ from it (פוגעים -> פגע, יחולו -> חל).
        self.assertEqual(turns.search("פגע", "he"), [0])
        self.assertEqual(turns.search("פוגע", "he"), [0])
        self.assertEqual(turns.search("חל", "he"), [1])
        # simplemma gives הוא as the lemma of every pronoun: אני must not find הוא.
        self.assertEqual(turns.search("אני", "he"), [])
        self.assertEqual(turns.search("היא", "he"), [])

    def test_inflections_spelt_by_rule_change_tense_prefixes_and_endings(self) -> None:
        from archive.search.analysis import inflections

        spelt = inflections("he", "התייחסו")
        self.assertTrue({"יתייחסו", "מתייחסים", "התייחס", "התייחסה"} <= set(spelt))
        self.assertNotIn("התייחסו", spelt)
        self.assertIn("מציינים", inflections("he", "ציין"))  # a final letter inside again: ן -> נ
        self.assertIn("דקות", inflections("he", "דקים"))
        self.assertEqual(inflections("en", "referred"), ())
        # Indonesian prefixes and suffixes Snowball keeps or cuts unevenly.
        self.assertIn("sebagian", inflections("id", "bagian"))
        self.assertIn("memberitahukan", inflections("id", "memberitahu"))

    def test_acronyms_keep_their_gershayim_and_short_stems_are_not_cut(self) -> None:
        self.assertEqual(terms("he", 'צה"ל ח״כ'), ["צהל", "חכ"])
        self.assertEqual(terms("he", "מה"), ["מה"])


class PicklingTests(SimpleTestCase):
    def test_every_analyzer_pickles_and_analyses_the_same_after(self) -> None:
        sample = "Président 總統 בְּרֵאשִׁית العـربية ｵﾘﾝﾋﾟｯｸ"
        for key, make in [
            (key, make) for key in ANALYSIS_KEYS for make in (analyzer_for, whoosh_analyzer_for)
        ]:
            analyzer = make(key)
            list(analyzer(sample))  # creates the lazy converters and caches first
            copy = pickle.loads(pickle.dumps(analyzer))
            self.assertEqual(copy, analyzer, key)
            self.assertEqual(vars(copy), {"key": key})
            self.assertEqual([t.text for t in copy(sample)], [t.text for t in analyzer(sample)], key)

    def test_an_index_written_with_them_reopens_with_working_analyzers(self) -> None:
        turns = TurnIndex(self, [("zh-Hant", "發言人表示"), ("he", "התכניות")])
        schema = index.open_dir(turns.ix.storage.folder).schema
        self.assertEqual(list(schema["text_zh"].process_text("發言人", mode="query")), ["发言人"])
        self.assertEqual(turns.search("发言人"), [0])
        self.assertEqual(turns.search("תכניות"), [1])


class LongTurnHighlightTests(SimpleTestCase):
    """A long turn is searched for its terms first and analyzed only around the first hit."""

    filler = "Hablamos de otros asuntos de la semana con los compañeros de la conferencia. " * 60

    def marked(self, text: str, language: str, q: str) -> str:
        from archive.search.highlight import highlight
        from archive.search.query import parse_query

        return str(highlight(text, language, parse_query(q).positive_leaves()))

    def test_an_accented_word_far_into_a_long_turn_is_marked_in_its_excerpt(self) -> None:
        text = self.filler + "La educación pública es la prioridad, dijo. " + self.filler
        excerpt = self.marked(text, "es", "educacion publica")
        self.assertIn("<mark>educación</mark> <mark>pública</mark>", excerpt)
        self.assertLess(len(excerpt), 700)
        self.assertTrue(excerpt.startswith("…") and excerpt.endswith("…"))

    def test_a_stem_that_is_no_substring_of_the_word_is_still_found(self) -> None:
        # "happiness" stems to "happi", which "happy" does not contain: its last letter is left open.
        text = "We talked about other business of the week with colleagues. " * 40 + "They were happy."
        self.assertIn("<mark>happy</mark>", self.marked(text, "en", "happiness"))

    def test_a_substring_inside_another_word_is_not_marked(self) -> None:
        text = self.filler + "Los cooperativistas hablaron. " * 5 + "Es una cooperación ejemplar."
        excerpt = self.marked(text, "es", "cooperacion")
        self.assertIn("<mark>cooperación</mark>", excerpt)
        self.assertNotIn("<mark>cooperativistas</mark>", excerpt)

    def test_a_thai_word_with_sara_am_far_into_a_long_turn_is_marked(self) -> None:
        # The analysis reads ำ as NFKC writes it (ํ + า); the turn's own text has the one letter.
        text = "รัฐบาลประกาศนโยบายเศรษฐกิจใหม่เมื่อวันจันทร์ " * 120 + "ประชาชนขาดแคลนน้ำดื่มในหลายจังหวัด"
        self.assertIn("<mark>น้ำ</mark>", self.marked(text, "th", "น้ำ"))

    def test_a_long_turn_without_its_words_shows_its_beginning(self) -> None:
        # Found through its title or its translation: nothing in its own text to mark.
        excerpt = self.marked(self.filler * 3, "es", "educacion")
        self.assertNotIn("<mark>", excerpt)
        self.assertTrue(excerpt.startswith("Hablamos de otros asuntos") and excerpt.endswith("…"))


class SegmentedHighlightTests(SimpleTestCase):
    """Chinese, Japanese, Korean and Thai turns are analysed to be marked only if they hold a term."""

    def marked(self, text: str, language: str, q: str) -> tuple[str, int]:
        from archive.search import highlight
        from archive.search.query import parse_query

        with mock.patch.object(highlight, "_hits", wraps=highlight._hits) as hits:
            marked = str(highlight.highlight(text, language, parse_query(q).positive_leaves()))
        return marked, hits.call_count

    def test_a_turn_found_through_its_translation_is_not_analysed(self) -> None:
        text = "中方愿同瑞方一道，推动两国关系持续健康稳定发展。" * 3
        self.assertEqual(self.marked(text, "zh-Hans", "cooperation sustainable"), (text, 0))
        self.assertEqual(self.marked("ประชาชนขาดแคลนน้ำดื่ม", "th", "water"), ("ประชาชนขาดแคลนน้ำดื่ม", 0))
        # A long turn too: nothing as written, nothing folded in the beginning an excerpt shows.
        long = "中方愿同瑞方一道，推动两国关系持续健康稳定发展。" * 40
        marked, analysed = self.marked(long, "zh-Hans", "cooperation sustainable")
        self.assertEqual((marked[:10], marked[-1], analysed), (long[:10], "…", 0))

    def test_words_in_another_script_or_width_are_still_marked(self) -> None:
        # Traditional for a Simplified turn, full-width kana for half-width: the folded text holds them.
        marked, analysed = self.marked("中方愿同瑞典一道发展两国关系。", "zh-Hans", "瑞典 關係")
        self.assertEqual(marked, "中方愿同<mark>瑞典</mark>一道发展两国<mark>关系</mark>。")
        self.assertEqual(analysed, 1)
        marked, _ = self.marked("東京ｵﾘﾝﾋﾟｯｸの準備", "ja", "オリンピック")
        self.assertIn("<mark>ｵﾘﾝﾋﾟｯｸ</mark>", marked)

    def test_only_the_runs_holding_a_term_are_cut_into_words(self) -> None:
        from archive.search.analysis import JapaneseAnalyzer

        text = "東京都は、準備を進めています。また、オリンピックの準備も。"
        analyzed("ja", "オリンピック")  # the query's own analysis, kept: only the turn's is counted
        with mock.patch.object(
            JapaneseAnalyzer, "pieces", autospec=True, side_effect=JapaneseAnalyzer.pieces
        ) as cut:
            marked, _ = self.marked(text, "ja", "オリンピック")
        self.assertEqual(marked, "東京都は、準備を進めています。また、<mark>オリンピック</mark>の準備も。")
        self.assertEqual([call.args[1] for call in cut.call_args_list], ["オリンピックの準備も"])

    def test_runs_folded_together_are_folded_as_each_alone(self) -> None:
        from archive.search import analysis

        cases = {
            "zh": ["中華人民共和國外交部發言人", "瑞典關心", "這是一個問題", "ＡＢＣ經濟"],
            "ja": ["東京ｵﾘﾝﾋﾟｯｸ", "準備を進めています", "ＡＢＣ"],
            "th": ["ประชาชนขาดแคลนน้ำดื่ม", "น้ำ"],
        }
        for key, pieces in cases.items():
            alone = [analysis.folded(key, piece) for piece in pieces]
            self.assertEqual(analysis.folded_each(key, pieces), alone, key)
        self.assertNotEqual(analysis.folded("zh", "瑞典關心"), "瑞典關心")  # folded, not passed through
        # A piece holding the separator itself is folded alone, not split.
        odd = ["瑞典\x00關心", "經濟"]
        self.assertEqual(analysis.folded_each("zh", odd), [analysis.folded("zh", p) for p in odd])
        self.assertEqual(analysis.folded_each("zh", []), [])


class LemmaTests(SimpleTestCase):
    def test_lemmas_come_from_a_file_made_once_and_unknown_words_have_none(self) -> None:
        from archive.search import lemmas

        path = lemmas.build("bg")
        self.assertTrue(path.is_file())
        self.assertEqual(lemmas.build("bg"), path)
        lemma = lemmas.lookup("bg")
        self.assertEqual(lemma("седмици"), "седмица")
        self.assertIsNone(lemma("щедрикзвіт"))

    def test_the_stored_dictionaries_lemmatize_as_simplemma_does(self) -> None:
        import simplemma

        from archive.search import lemmas

        samples = {
            # Dictionary words, irregular forms, hyphens, apostrophes, numbers, words simplemma guesses
            # by its rules, and words it cannot lemmatize.
            "en": "grown went children better was analyses well-known o'clock don't 1990 3.5 blorfing zzqx",
            "bg": "седмици министерствата законите по-добре щедрикзвіт 2024",
            "he": "שילמה פוגעים מתנהלים אני התכניות והתכניות צה״ל",
        }
        for lang, words in samples.items():
            lemma = lemmas.lookup(lang)
            for word in words.split():
                expected = simplemma.lemmatize(word, lang)
                self.assertEqual(lemma(word), None if expected == word else expected, (lang, word))

    def test_a_czech_or_slovak_negated_verb_is_also_the_verb(self) -> None:
        turns = TurnIndex(
            self,
            [
                ("sk", "Jamky samé o sebe nepredstavujú nuly."),
                ("cs", "Nakonec neodešla a zůstala doma."),
                ("sk", "Vyhlásili nezávislosť krajiny."),
            ],
        )
        self.assertEqual(turns.search("predstavovať", "sk"), [0])
        self.assertEqual(turns.search("predstavujú", "sk"), [0])
        self.assertEqual(turns.search("odešel", "cs"), [1])  # neodešla: a form the dictionary lacks
        # A noun of quality negates no verb: independence is not dependence.
        self.assertEqual(turns.search("závislosť", "sk"), [])
        self.assertEqual(turns.search("nezávislosť", "sk"), [2])

    def test_a_lemma_joins_forms_no_stemmer_joins(self) -> None:
        self.assertIn("grow", terms("en", "grown"))
        self.assertIn("закон", terms("uk", "законів"))
        self.assertEqual(terms("uk", "щедрикзвіт"), ["щедрикзвіт"])  # unknown: indexed as written
