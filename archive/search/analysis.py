"""Language analysis for the search index: one analyzer per language, chosen on purpose.

Every analysis starts with the same normalisation of each word: Unicode NFKC (full/half width), case folding,
and removal of combining marks (accents, Hebrew niqqud, Arabic harakat). Marks are part of the word pattern,
so a pointed Hebrew or vowelled Arabic word is one word, never split at its marks, and character offsets stay
those of the original text (the highlighter uses them). Then, per language: Snowball stemming, Arabic letter
unification, Hebrew prefix letters, Chinese word segmentation (rjieba) with Traditional->Simplified folding
(OpenCC), Japanese CJK bigrams. There is no stop list: every word is searchable.

A language without a dedicated analysis gets the "generic" one (normalisation, no stemming): never English.

Analyzers are module-level classes whose only state is their key, so Whoosh can pickle them into the index
schema; the OpenCC converter and the term caches are created lazily, outside the pickled state.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from whoosh.analysis import Analyzer, Token

# --- character classes ------------------------------------------------------------------------------------


def _mark_ranges() -> str:
    """A regex character-class body with every combining mark (Mn, Mc, Me) of the BMP and the SMP."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x20000):
        if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    )


_MARKS = _mark_ranges()
# A word: letters, digits and the marks that belong to them; dots join "U.S." and "3.5" like Whoosh's default.
_WORD_RE = re.compile(rf"[\w{_MARKS}]+(?:\.[\w{_MARKS}]+)*")
# Hebrew acronyms and abbreviations keep their geresh/gershayim (ASCII or Hebrew): צה"ל, ח"כ, ד'.
_HEBREW_WORD_RE = re.compile(rf"[\w{_MARKS}]+(?:(?:[.\"'\u05f3\u05f4])[\w{_MARKS}]+)*")


def _strippable_marks() -> dict[int, None]:
    """Marks removed from every word: Latin/Greek/Cyrillic diacritics, Hebrew points, Arabic harakat.

    Marks that carry meaning in their script (Indic vowel signs, kana voicing marks) are kept.
    """
    blocks = [
        (0x0300, 0x036F),  # combining diacritical marks
        (0x0483, 0x0489),  # Cyrillic
        (0x0591, 0x05C7),  # Hebrew cantillation and niqqud
        (0x0610, 0x061A),  # Arabic
        (0x064B, 0x065F),  # Arabic harakat
        (0x0670, 0x0670),  # Arabic superscript alef
        (0x06D6, 0x06ED),  # Arabic Quranic marks
        (0x08D3, 0x08FF),  # Arabic extended
        (0x1AB0, 0x1AFF),
        (0x1DC0, 0x1DFF),
        (0x20D0, 0x20FF),
        (0xFE20, 0xFE2F),
    ]
    table: dict[int, None] = {}
    for first, last in blocks:
        for cp in range(first, last + 1):
            if unicodedata.category(chr(cp)) in ("Mn", "Me"):
                table[cp] = None
    return table


def _accent_table() -> dict[int, Any]:
    """Precomposed Latin and Greek letters -> their base letters (é -> e, ñ -> n, ά -> α), plus ё -> е."""
    table: dict[int, Any] = {}
    for first, last in ((0x00C0, 0x024F), (0x0370, 0x03FF), (0x1E00, 0x1EFF), (0x1F00, 0x1FFF)):
        for cp in range(first, last + 1):
            ch = chr(cp)
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            if base and base != ch:
                table[cp] = base
    table.update({ord("ø"): "o", ord("Ø"): "o", ord("ł"): "l", ord("đ"): "d", ord("ħ"): "h"})
    table.update({ord("ё"): "е", ord("Ё"): "е"})
    return table


_FOLD = {**_strippable_marks(), **_accent_table()}
# Arabic: alef forms -> bare alef, alef maqsura -> ya, ta marbuta -> ha, tatweel removed (as Lucene does).
_ARABIC_FOLD = {
    **_FOLD,
    **{ord(c): "ا" for c in "أإآٱ"},
    ord("ى"): "ي",
    ord("ة"): "ه",
    ord("\u0640"): None,
}


def normalize(text: str, table: dict[int, Any] = _FOLD) -> str:
    """NFKC, case folding, then marks and accents removed."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.casefold().translate(table)


# --- term makers and their caches -------------------------------------------------------------------------

_CACHE_LIMIT = 200_000
_caches: dict[str, dict[str, Any]] = {}


def _cache_for(key: str) -> dict[str, Any]:
    found = _caches.get(key)
    if found is None or len(found) > _CACHE_LIMIT:
        found = _caches[key] = {}
    return found


@cache
def _stemmer(language: str) -> Callable[[str], str]:
    from whoosh.lang import stemmer_for_language

    return stemmer_for_language(language)  # type: ignore[no-any-return]


# Keys with a Snowball stemmer (Arabic: Whoosh's ISRI stemmer).
_STEMMED = ("en", "es", "fr", "de", "pt", "it", "nl", "da", "no", "sv", "fi", "hu", "ro", "ru", "ar")


def _make_term(key: str, raw: str) -> str:
    term = normalize(raw, _ARABIC_FOLD if key == "ar" else _FOLD)
    if key in _STEMMED and term and "." not in term:
        # (Dotted words are abbreviations and numbers, "u.s", "3.5": kept whole.)
        # Fold first, then stem: a query typed without accents stems exactly like the accented word.
        term = _stemmer(key)(term)
    return term


# Hebrew prefix letters ו ה ב ל מ ש כ, in the order they chain: conjunction ו, relative ש/כש, preposition
# ב ל כ מ, article ה (וה, שב, ומה, כשה...). Each boundary gives one more indexed form.
_HEBREW_PREFIX_RE = re.compile(r"(ו)?(כש|ש)?([בלכמ])?(ה)?")
_HEBREW_MIN_STEM = 2


def _hebrew_forms(raw: str) -> tuple[str, ...]:
    """The word, then the word without its prefix letters, one boundary at a time (stem >= 2 letters)."""
    term = normalize(raw)
    if not term.isalnum():
        term = "".join(c for c in term if c.isalnum() or c == ".")
    forms = [term]
    match = _HEBREW_PREFIX_RE.match(term)
    if match and match.end():
        for group in range(1, 5):
            cut = match.end(group)
            if cut > 0 and len(term) - cut >= _HEBREW_MIN_STEM and term[cut:] != forms[-1]:
                forms.append(term[cut:])
    return tuple(forms)


# --- analyzers --------------------------------------------------------------------------------------------


class _BaseAnalyzer(Analyzer):
    """State: the analysis key only (pickled into the index schema)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.key!r})"

    def _single(
        self, value: str, t: Token, positions: bool, chars: bool, start_pos: int, start_char: int
    ) -> Token:
        """The whole value as one normalised term (prefix and wildcard queries: tokenize=False), unstemmed."""
        t.original = value
        t.text = normalize(value, _ARABIC_FOLD if self.key == "ar" else _FOLD)
        t.boost = 1.0
        t.stopped = False
        if positions:
            t.pos = start_pos
        if chars:
            t.startchar = start_char
            t.endchar = start_char + len(value)
        return t


class WordAnalyzer(_BaseAnalyzer):
    """Space-separated scripts: normalised words, stemmed by the language's Snowball stemmer if it has one."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield self._single(value, t, positions, chars, start_pos, start_char)
            return
        key = self.key
        terms = _cache_for(key)
        pos = start_pos
        for match in _WORD_RE.finditer(value):
            raw = match.group()
            term = terms.get(raw)
            if term is None:
                term = terms[raw] = _make_term(key, raw)
            if not term:
                continue
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = raw
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            pos += 1
            yield t


class HebrewAnalyzer(_BaseAnalyzer):
    """Hebrew: normalised words; indexing adds the word without its prefix letters, at the same position.

    A query is analysed to the word as typed, so `תכניות` finds `התכניות` (indexed as both) while `התכניות`
    only finds words written with the article; phrases work because the forms share a position.
    """

    def __init__(self, key: str = "he") -> None:
        super().__init__(key)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield self._single(value, t, positions, chars, start_pos, start_char)
            return
        query = mode == "query"
        forms_of = _cache_for("he")
        pos = start_pos
        for match in _HEBREW_WORD_RE.finditer(value):
            raw = match.group()
            forms = forms_of.get(raw)
            if forms is None:
                forms = forms_of[raw] = _hebrew_forms(raw)
            if not forms[0]:
                continue
            for form in forms[:1] if query else forms:
                t.text = form
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = raw
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar = start_char + match.start()
                    t.endchar = start_char + match.end()
                yield t
            pos += 1


@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


class ChineseAnalyzer(_BaseAnalyzer):
    """Chinese: NFKC, Traditional->Simplified (OpenCC t2s), then rjieba word segmentation.

    Positions are numbered in sequence, so phrase queries work; Latin words (WTO, iPhone) are lowercased,
    never stemmed.
    """

    def __init__(self, key: str = "zh") -> None:
        super().__init__(key)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        import rjieba

        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t = self._single(value, t, positions, chars, start_pos, start_char)
            t.text = _t2s().convert(t.text)
            yield t
            return
        convert = _t2s().convert
        pos = start_pos
        for match in _WORD_RE.finditer(value):
            raw = match.group()
            text = convert(normalize(raw))
            # Offsets map one to one unless normalisation changed the length; then the run's span is used.
            aligned = len(text) == len(raw)
            base = start_char + match.start()
            for word, start, end in rjieba.tokenize(text):
                if not word.strip():
                    continue
                t.text = word
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = raw[start:end] if aligned else raw
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar = base + start if aligned else base
                    t.endchar = base + end if aligned else start_char + match.end()
                pos += 1
                yield t


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x3040 <= cp <= 0x30FF  # hiragana, katakana
        or 0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3FFFF
        or cp == 0x3005  # 々
    )


class JapaneseAnalyzer(_BaseAnalyzer):
    """Japanese: NFKC (half-width katakana, full-width Latin), then overlapping CJK bigrams.

    A run of kanji/kana becomes its bigrams (a single character stays a unigram), positions in sequence so
    phrases work; Latin words and numbers inside are lowercased words.
    """

    def __init__(self, key: str = "ja") -> None:
        super().__init__(key)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield self._single(value, t, positions, chars, start_pos, start_char)
            return
        pos = start_pos
        for match in _WORD_RE.finditer(value):
            raw = match.group()
            text = normalize(raw)
            aligned = len(text) == len(raw)
            base = start_char + match.start()
            for piece, start, end in _script_runs(text):
                if _is_cjk(piece[0]) and len(piece) > 1:
                    grams = [(piece[i : i + 2], start + i, start + i + 2) for i in range(len(piece) - 1)]
                else:
                    grams = [(piece, start, end)]
                for gram, gstart, gend in grams:
                    t.text = gram
                    t.boost = 1.0
                    t.stopped = False
                    if keeporiginal:
                        t.original = raw[gstart:gend] if aligned else raw
                    if positions:
                        t.pos = pos
                    if chars:
                        t.startchar = base + gstart if aligned else base
                        t.endchar = base + gend if aligned else start_char + match.end()
                    pos += 1
                    yield t


def _script_runs(text: str) -> Iterator[tuple[str, int, int]]:
    """Split a word run into maximal CJK and non-CJK pieces, with their offsets."""
    start = 0
    current = _is_cjk(text[0])
    for i in range(1, len(text)):
        flag = _is_cjk(text[i])
        if flag != current:
            yield text[start:i], start, i
            start, current = i, flag
    yield text[start:], start, len(text)


# --- the contract -----------------------------------------------------------------------------------------

ANALYSIS_NOTES: dict[str, str] = {
    "en": "English: NFKC, case and accent folding, Snowball English (Porter2) stemming.",
    "es": "Spanish: NFKC, case and accent folding (educacion = educación), then Snowball Spanish stemming.",
    "fr": "French: NFKC, case and accent folding, then Snowball French stemming.",
    "de": "German: NFKC, case folding (ß = ss), umlauts folded, then Snowball German stemming.",
    "pt": "Portuguese: NFKC, case and accent folding, then Snowball Portuguese stemming.",
    "it": "Italian: NFKC, case and accent folding, then Snowball Italian stemming.",
    "nl": "Dutch: NFKC, case and accent folding, then Snowball Dutch stemming.",
    "da": "Danish: NFKC, case and accent folding, then Snowball Danish stemming.",
    "no": "Norwegian: NFKC, case and accent folding, then Snowball Norwegian stemming.",
    "sv": "Swedish: NFKC, case and accent folding, then Snowball Swedish stemming.",
    "fi": "Finnish: NFKC, case and accent folding, then Snowball Finnish stemming.",
    "hu": "Hungarian: NFKC, case and accent folding, then Snowball Hungarian stemming.",
    "ro": "Romanian: NFKC, case and accent folding, then Snowball Romanian stemming.",
    "ru": "Russian: NFKC, case folding, ё = е, then Snowball Russian stemming.",
    "ar": "Arabic: NFKC, harakat and tatweel removed, alef/ya/ta marbuta unified, then ISRI stemming.",
    "he": "Hebrew: NFKC, niqqud removed; words also indexed without prefix letters (ו ה ב ל מ ש כ).",
    "zh": "Chinese: NFKC, Traditional folded to Simplified (OpenCC t2s), rjieba word segmentation.",
    "ja": "Japanese: NFKC (half-width kana, full-width Latin), overlapping CJK bigrams, Latin words kept.",
    "generic": "Other languages: NFKC, case and accent folding, words as written, no stemming (not English).",
}

ANALYSIS_KEYS: tuple[str, ...] = tuple(ANALYSIS_NOTES)

# Language subtags that name the same analysis: legacy Hebrew, Norwegian Bokmål/Nynorsk, Chinese varieties.
_ALIASES = {"iw": "he", "nb": "no", "nn": "no", "cmn": "zh", "zho": "zh", "chi": "zh", "jpn": "ja"}


def analysis_key(language: str | None) -> str:
    """The analysis chosen for a BCP-47 tag: zh-Hant, zh-TW -> "zh"; pt-BR -> "pt"; unknown -> "generic"."""
    if not language:
        return "generic"
    primary = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    primary = _ALIASES.get(primary, primary)
    return primary if primary in ANALYSIS_NOTES else "generic"


def analyzer_for(key: str) -> Analyzer:
    """A fresh analyzer for an analysis key (KeyError for a key not in ANALYSIS_KEYS)."""
    if key not in ANALYSIS_NOTES:
        raise KeyError(f"no analysis {key!r}; known: {', '.join(ANALYSIS_KEYS)}")
    if key == "he":
        return HebrewAnalyzer()
    if key == "zh":
        return ChineseAnalyzer()
    if key == "ja":
        return JapaneseAnalyzer()
    return WordAnalyzer(key)


__all__ = ["ANALYSIS_KEYS", "ANALYSIS_NOTES", "analysis_key", "analyzer_for", "normalize"]
