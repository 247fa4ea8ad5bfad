"""Language analysis for the search index: one analysis per language, chosen on purpose, never English.

Every analysis starts with the same normalisation of each word: Unicode NFKC (full/half width), case folding,
and removal of combining marks (accents, Hebrew niqqud, Arabic harakat). The marks are part of the word
pattern, so a pointed Hebrew or vowelled Arabic word is read as ONE word and its marks are dropped before its
terms are made (a plain \\w+ tokenizer would split it at every mark); character offsets stay those of the
original text, which the highlighter uses. Then, per language:

- Snowball stemming (PyStemmer: the reference libstemmer in C, far faster than Whoosh's Python port, whose
  older English conflates organization/organ, added/ad) for every language PyStemmer ships, and Slovak,
  Croatian and Bosnian with their neighbour's (Czech, Serbian), measured better than none.
  Accented words are indexed under the stem of the word as written (then folded) and the stem of the folded
  word at one position, so `educacion` finds `educación` (the stem of the folded word) and `refinación`
  finds `refinería` (both stem to `refin` from their accented forms).
- Lemmas (simplemma's dictionaries, see lemmas.py) beside the stems wherever simplemma has the language: the
  stem of the lemma, which meets the stems of the lemma's other forms (grown/grow, Daten/Datum); languages
  with no stemmer (Bulgarian, Ukrainian, Latvian, Slovenian, Macedonian...) index the lemma and the word.
  A word the dictionary lacks is indexed as written. Measured per language: docs/search-languages.md.
- Folding by the language's rules: Turkish and Azerbaijani lower-case I to ı and İ to i; ı, ł, ø, đ, ħ, ə
  and ё fold to their base letters, so plain-ASCII typing finds them; German queries typed with ae/oe/ue
  also look for ä/ö/ü (ß case-folds to ss). A word with accents or such letters is also indexed as
  written (lower case) and a query word typed so looks for it too: it ranks above folded matches.
- Arabic: alef forms, alef maqsura and ta marbuta unified, tatweel removed, then light stemming (Larkey's
  light10, as Lucene's ArabicStemmer). Snowball Arabic was tried and rejected: it leaves the و+ال of `والسلام`
  and strips the ف of `فلسطين`; Whoosh's ISRI root stemmer conflates `سلام`, `إسلام` and `مسلم`.
- Hebrew: each word is also indexed without its prefix letters (ו ה ב ל מ ש כ, chained as Hebrew chains them:
  וה, שב, ומה...) at the same position; a query word is analysed as typed. `תכניות` finds `התכניות`, phrases
  still match, and `התכניות` does not find a bare `תכניות`. The rest of a word must keep 3 letters.
- Chinese: Traditional folded to Simplified (OpenCC t2s) on both sides, rjieba segmentation (jieba's Rust
  binding) with positions in sequence so phrases work; when indexing, jieba's search-mode sub-words
  (`外交部` inside `中华人民共和国外交部`) share their word's position. Latin words: lowercased, unstemmed.
- Japanese: MeCab words (fugashi with the UniDic-lite dictionary) after NFKC (measured against janome and
  CJK bigrams).
- Korean and Thai: overlapping bigrams of each run of Hangul syllables, or of Thai letters each with the
  vowel signs and tone marks written on it (as Lucene's CJKBigramFilter), on both sides, so `학교` finds
  `학교에서` and a Thai word is found inside a sentence written without spaces; a word of several bigrams is
  searched as their phrase. Each unit is also indexed alone, for words of one syllable or letter.
- "generic" (any language without a dedicated analysis): the normalisation only, words as written.
There is no stop list: every word is searchable.

Analyzers are module-level classes whose only state is their key, so an index can pickle them into its
schema; OpenCC, jieba and the term caches are created lazily and are never pickled. They yield `Token`s,
this module's own: no search engine is needed to analyse text (the PostgreSQL backend and the highlighter
use them as they are); the Whoosh backend's subclasses yield Whoosh's tokens instead
(archive/search/backends/whoosh/analyzers.py).

Every choice above was measured; the figures, and why Whoosh's BM25F averages a field's length over the
documents that have the field, are in docs/search-languages.md. What a build costs is the number of
postings (no stop list, Hebrew forms, Chinese sub-words), so keep per-token work out of the hot loop: words
are cached to their terms.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from typing import Any, ClassVar

# --- normalisation ----------------------------------------------------------------------------------------


def _mark_class() -> str:
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


# The marks a language's text can carry, so a word pattern stays small (a class of every mark in Unicode makes
# the tokenizer 3x slower): combining diacritics and variation selectors everywhere, then the script's own.
_THAI_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"  # vowel signs above and below, tone marks
_COMMON_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f"
_SCRIPT_MARKS = {
    "he": "\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7",
    "ar": "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u08d3-\u08ff",
    "ru": "\u0483-\u0489",
    "zh": "\u3099\u309a\U000e0100-\U000e01ef",
    "ja": "\u3099\u309a\U000e0100-\U000e01ef",
    "th": _THAI_MARKS,
}


@cache
def _word_pattern(key: str, joiners: str = ".") -> re.Pattern[str]:
    """Letters, digits and their marks; `joiners` inside a word keep it whole ("U.S.", "3.5", Hebrew צה"ל).

    The generic analysis, which may meet any script, takes every mark in Unicode.
    """
    marks = _mark_class() if key == "generic" else _COMMON_MARKS + _SCRIPT_MARKS.get(key, "")
    return re.compile(rf"[\w{marks}]+(?:[{re.escape(joiners)}][\w{marks}]+)*")


# Hebrew acronyms and abbreviations keep their gershayim/geresh, ASCII or Hebrew: צה"ל, ח״כ, ד'.
_HEBREW_JOINERS = ".\"'\u05f3\u05f4"


_HEBREW_PUNCT = str.maketrans("", "", "\"'\u05f3\u05f4")


def _fold_table() -> dict[int, Any]:
    """Marks dropped, Latin/Greek letters to their base letters (é -> e, ñ -> n, ά -> α), ё -> е.

    Only marks of scripts where they are diacritics; marks that make letters (Indic vowel signs, the kana
    voicing marks) are kept.
    """
    table: dict[int, Any] = {}
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
    for first, last in blocks:
        for cp in range(first, last + 1):
            if unicodedata.category(chr(cp)) in ("Mn", "Me"):
                table[cp] = None
    for first, last in ((0x00C0, 0x024F), (0x0370, 0x03FF), (0x1E00, 0x1EFF), (0x1F00, 0x1FFF)):
        for cp in range(first, last + 1):
            ch = chr(cp)
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            if base and base != ch:
                table[cp] = base
    # Letters with no decomposition that readers type as their base letter (Polish ł, Turkish ı).
    table.update({ord(pair[0]): pair[1] for pair in ("øo", "łl", "đd", "ħh", "ёе", "ıi", "əe")})
    return table


_FOLD = _fold_table()
# Arabic (as Lucene's normaliser): alef forms -> bare alef, alef maqsura -> ya, ta marbuta -> ha, no tatweel.
_ARABIC_FOLD = {**_FOLD, **{ord(c): "ا" for c in "أإآٱ"}, ord("ى"): "ي", ord("ة"): "ه", 0x0640: None}


def _casefold(text: str) -> str:
    """NFKC (full and half width, ligatures, compatibility forms) then case folding."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


def normalize(text: str, table: dict[int, Any] = _FOLD) -> str:
    """NFKC, case folding, then marks and accents removed: the normalisation every analysis starts with."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold().translate(table)


def _normalize_mapped(raw: str) -> tuple[str, list[int], list[int]]:
    """normalize(raw) with, for each output character, the span of the input characters it comes from.

    Used only where normalisation changed the length (half-width kana with voicing marks, ligatures), so that
    highlights of Chinese and Japanese words still fall on the right characters.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(raw):
        norm = normalize(ch)
        if not norm:
            continue
        if out and unicodedata.combining(norm[0]):
            composed = unicodedata.normalize("NFC", out[-1] + norm)
            if len(composed) == 1:  # ｶ + ﾞ -> ガ
                out[-1] = composed
                ends[-1] = i + 1
                continue
        for c in norm:
            out.append(c)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


# --- terms per language -----------------------------------------------------------------------------------

# Every stemmer PyStemmer ships, by the language's ISO 639-1 code (Arabic keeps light10: see above).
_SNOWBALL_NAMES = {
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "eo": "Esperanto",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "ga": "Irish",
    "hi": "Hindi",
    "hu": "Hungarian",
    "hy": "Armenian",
    "id": "Indonesian",
    "it": "Italian",
    "lt": "Lithuanian",
    "ne": "Nepali",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sr": "Serbian",
    "sv": "Swedish",
    "ta": "Tamil",
    "tr": "Turkish",
    "yi": "Yiddish",
    # Close kin without a Snowball stemmer of their own, measured better with their neighbour's than
    # with the lemmatizer alone (ud-dev, docs/search-languages.md): Slovak with Czech, Croatian and
    # Bosnian with Serbian (Snowball's Serbian reads Latin and Cyrillic Serbo-Croatian).
    "sk": "Czech",
    "hr": "Serbian",
    "bs": "Serbian",
}
# simplemma's lemma dictionaries (shipped in its wheel), by analysis key: a lemma is indexed beside the
# stem, and for languages with no stemmer it is the only morphology. Keys: simplemma's language codes.
_LEMMA_LANGUAGES = {
    **{
        code: code
        for code in (  # noqa: SIM905 (a list literal of 44 codes would be a page long)
            "bg ca cs cy da de el en eo es et fa fi fr ga gl he hi hu hy id is it ka la lb lt lv mk ms nl pl"
            " pt ro ru sk sl sq sv sw tl tr uk"
        ).split()
    },
    "no": "nb",
    "sr": "hbs",
    "hr": "hbs",
    "bs": "hbs",
}
# Languages with no analysis of their own but a lemmatizer: the lemma is their morphology.
_LEMMA_ONLY = tuple(sorted(set(_LEMMA_LANGUAGES) - set(_SNOWBALL_NAMES) - {"he"}))  # Hebrew: own analysis
_CACHE_LIMIT = 300_000
_caches: dict[str, dict[str, tuple[str, ...]]] = {}


def _cache_for(key: str) -> dict[str, tuple[str, ...]]:
    """The raw word -> terms cache of an analysis (words repeat: most tokens cost one dict lookup)."""
    found = _caches.get(key)
    if found is None or len(found) > _CACHE_LIMIT:
        found = _caches[key] = {}
    return found


@cache
def _snowball(key: str) -> Callable[[str], str]:
    import Stemmer  # PyStemmer

    return Stemmer.Stemmer(_SNOWBALL_NAMES[key].lower()).stemWord  # type: ignore[no-any-return]


_AR_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")  # ية and ة are يه and ه once folded


def arabic_light_stem(word: str) -> str:
    """Larkey's light10 (Lucene's ArabicStemmer) on a normalised word: one prefix, then suffixes in order."""
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) >= len(prefix) + 2 and (len(prefix) > 1 or len(word) > 3):
            word = word[len(prefix) :]
            break
    for suffix in _AR_SUFFIXES:
        if word.endswith(suffix) and len(word) >= len(suffix) + 2:
            word = word[: -len(suffix)]
    return word


@cache
def _lemmatizer(key: str) -> Callable[[str], str | None]:
    """The word -> lemma lookup of a language (simplemma's dictionary, see lemmas.py), None if unknown."""
    from archive.search import lemmas

    return lemmas.lookup(_LEMMA_LANGUAGES[key])


# Dotless and dotted i (Turkish, Azerbaijani) lower-case by the language's rules before case folding.
_TURKIC_UPPER = str.maketrans({"I": "ı", "İ": "i"})
# German typed without umlauts: "Maerz", "Goethe", "Muenchen".
_GERMAN_TYPED = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"))


def _lower(key: str, raw: str) -> str:
    """The word lower-cased by its language's rules (Turkish `ISINMA` -> `ısınma`), NFKC, case folded."""
    if key in ("tr", "az"):
        raw = raw.translate(_TURKIC_UPPER)
    return _casefold(raw)


def _word_terms(key: str, raw: str) -> tuple[str, ...]:
    """The terms of one word, indexed together at the word's position (first: the main term).

    Folded forms find a query typed without accents or special letters; a word that has them is also
    indexed as written (lower case), so a query typed exactly as written ranks it above folded matches.
    """
    if key == "ar":
        folded = typing_form(key, raw)
        return (arabic_light_stem(folded),) if folded else ()
    lower = _lower(key, raw)
    folded = lower.translate(_FOLD)
    if not folded:
        return ()
    exact = () if folded == lower else (lower,)
    stem = _snowball(key) if key in _SNOWBALL_NAMES else None
    lemmatize = _lemmatizer(key) if key in _LEMMA_LANGUAGES else None
    if "." in lower or (stem is None and lemmatize is None):
        return (folded, *exact)  # no morphology; abbreviations and numbers ("u.s", "3.5") kept whole
    terms: list[str] = []
    if stem is not None:
        # Stemmers read accents (Spanish `-ación`): the accented stem finds other inflections, the stem of
        # the folded word finds a query typed without accents, which is stemmed as it is typed.
        # (A stem of one letter says nothing: Turkish Snowball cuts `isinma` to `i`.)
        terms += [t for t in (stem(lower).translate(_FOLD), stem(folded)) if len(t) >= min(2, len(folded))]
    if lemmatize is not None:
        # The lemma catches what stems miss (grown/grow, irregular and suppletive forms). With a stemmer,
        # the lemma's stem meets the stems of the lemma's other forms (and adds no term where the stems
        # already agree); without one, the lemma itself. A one-letter lemma is the lemmatizer's guess at
        # affixes (Turkish `ısınma` -> `ı`): left out; two letters are real lemmas (Turkish `ol`, be).
        lemma = _lower(key, lemmatize(lower) or lower)
        if lemma != lower and len(lemma) >= min(2, len(lower)):
            terms.append(stem(lemma).translate(_FOLD) if stem is not None else lemma.translate(_FOLD))
        positive = _positive_verb(key, lower, lemma)
        if positive:
            terms.append(stem(positive).translate(_FOLD) if stem is not None else positive.translate(_FOLD))
    if stem is None or not terms:
        terms.append(folded)  # the word as written: a word the lemmatizer never saw is still found
    return (*dict.fromkeys(t for t in terms if t), *exact)


# Czech and Slovak write the negation of a verb as part of it (`nepredstavujú`, do not present), and
# their treebanks count it an inflection of the same verb: the verb without it is indexed too.
_NEGATED_VERBS = frozenset({"cs", "sk"})
_INFINITIVE_ENDINGS = ("t", "ť", "ci")
_NOUN_ENDINGS = ("ost", "osť")  # nouns of quality: `nezávislosť` (independence) negates no verb


def _infinitive(lemma: str) -> bool:
    return lemma.endswith(_INFINITIVE_ENDINGS) and not lemma.endswith(_NOUN_ENDINGS)


def _positive_verb(key: str, word: str, lemma: str) -> str | None:
    """The verb a negated verb negates: the lemma without `ne` where the dictionary has that as a
    verb of its own (`nepredstavujú`, lemma `nepredstavovať` -> `predstavovať`), or for a word the
    dictionary does not hold, the lemma of the word without `ne` where that is a verb (`neodešla` ->
    `odejít`). None otherwise: `nemocnica` (hospital) negates nothing."""
    if key not in _NEGATED_VERBS or not word.startswith("ne"):
        return None
    from archive.search import lemmas

    lang = _LEMMA_LANGUAGES[key]
    if lemma.startswith("ne") and _infinitive(lemma) and len(lemma) >= 6:
        positive = lemma[2:]
        return positive if lemmas.dictionary_lemma(lang, positive) == positive else None
    if len(word) >= 6 and lemmas.dictionary_lemma(lang, word) is None:
        positive = lemmas.dictionary_lemma(lang, word[2:]) or ""
        return positive if _infinitive(positive) else None
    return None


def _query_terms(key: str, raw: str) -> tuple[str, ...]:
    """A query word's alternatives at its position: its own terms, and in German the umlauts of `ae`."""
    terms = _word_terms(key, raw)
    if key == "de":
        lower = _casefold(raw)
        if any(typed in lower for typed, _ in _GERMAN_TYPED):
            for typed, letter in _GERMAN_TYPED:
                lower = lower.replace(typed, letter)
            terms = (*terms, *(t for t in _word_terms(key, lower) if t not in terms))
    return terms


def typing_form(key: str, word: str) -> str:
    """A word as `key`'s analysis reads it before its morphology: lower case (by the language's
    rules), accents and marks folded. Typo tolerance spells the words one edit away in this form."""
    if key == "ar":
        return normalize(word, _ARABIC_FOLD)
    if key == "he":
        return normalize(word).translate(_HEBREW_PUNCT)
    return _lower(key, word).translate(_FOLD)


def typing_forms(key: str, word: str) -> tuple[str, ...]:
    """The word's typing form, and in Hebrew the forms without its prefix letters too (`ולהקים`,
    `להקים`, `הקים`), as the index holds them."""
    form = typing_form(key, word)
    return tuple(_hebrew_forms(form)) if key == "he" and form else (form,)


def inflections(key: str, word: str) -> tuple[str, ...]:
    """Other inflections of `word` spelt by rule, no dictionary, for a search that found nothing to
    look up among the index's terms (compiler.prepare_widening), where a language's inflection
    changes a word's beginning, which neither stems nor prefixes join: Hebrew tenses
    (`התייחסו`/`יתייחסו`), Indonesian `se-` and `-kan` (`bagian`/`sebagian`); () for the others.

    Each of the word's forms with and without one of the language's endings and one of its
    prefixes, put together again with every prefix and ending."""
    rules = _INFLECTION_RULES.get(key)
    if rules is None:
        return ()
    prefixes, endings = rules
    hebrew = key == "he"
    found: dict[str, None] = {}
    for form in typing_forms(key, word):
        stems: set[str] = set()
        for ending in endings:
            base = form[: len(form) - len(ending)]
            if hebrew:
                base = base.translate(_HEBREW_UNFINAL)
            if form.endswith(ending) and len(base) >= 2:
                stems.add(base)
                stems.update(
                    base[len(p) :] for p in prefixes if p and base.startswith(p) and len(base) - len(p) >= 2
                )
        for stem in sorted(stems):
            for prefix in prefixes:
                for ending in endings:
                    spelt = prefix + stem + ending
                    found[spelt[:-1] + spelt[-1].translate(_HEBREW_FINAL) if hebrew else spelt] = None
    found.pop(typing_form(key, word), None)
    return tuple(found)


# (prefixes, endings) for `inflections`. Hebrew: the prefixes of a verb's tenses and participles
# (reflexive pattern הת-; participles מ-), endings of number, gender, person and construct state.
# Indonesian: the prefixes and suffixes Snowball leaves or cuts unevenly (`sebagian` -> `sebagi`,
# `memberitahukan` -> `itahu`).
_INFLECTION_RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "he": (
        ("", "הת", "ית", "מת", "נת", "את", "תת", "מ"),
        ("", "ים", "ות", "ו", "ה", "ת", "י", "נו", "תי", "תם"),
    ),
    "id": (
        ("", "se", "ke", "ter", "di", "ber", "me", "mem", "men", "meng", "pe", "per"),
        ("", "kan", "i", "an", "nya"),
    ),
}
_HEBREW_FINAL = str.maketrans("כמנפצ", "ךםןףץ")
_HEBREW_UNFINAL = str.maketrans("ךםןףץ", "כמנפצ")


def form_term(key: str, form: str) -> str | None:
    """The term a word of typing form `form` is always indexed under by `key`'s analysis, found
    cheaply (no lemma lookup): its stem, else the form itself; None where a word is not one term
    (Chinese, Japanese, and Korean and Thai, indexed as bigrams)."""
    if key in SEGMENTED_KEYS or not form:
        return None
    if key == "ar":
        return arabic_light_stem(form) or None
    if key in _SNOWBALL_NAMES and "." not in form:
        stem = _snowball(key)(form)
        return stem if len(stem) >= min(2, len(form)) else None
    return form


# Hebrew prefix letters in the order they chain: conjunction ו, relative ש/כש, preposition ב ל כ מ, article ה.
_HEBREW_PREFIX_RE = re.compile(r"(ו)?(כש|ש)?([בלכמ])?(ה)?")
_HEBREW_MIN_STEM = 3  # shorter remainders are mostly noise (הוא -> וא, מים -> ים); measured: same recall


def _hebrew_forms(term: str) -> list[str]:
    """A normalised word, then the word without its prefix letters, one boundary at a time (stem >= 3
    letters)."""
    forms = [term]
    match = _HEBREW_PREFIX_RE.match(term)
    if match and match.end():
        for group in range(1, 5):
            cut = match.end(group)
            if cut > 0 and len(term) - cut >= _HEBREW_MIN_STEM and term[cut:] != forms[-1]:
                forms.append(term[cut:])
    return forms


def _hebrew_terms(raw: str) -> tuple[str, ...]:
    """The word, then the word without its prefix letters, then its lemma (see _hebrew_lemma)."""
    term = typing_form("he", raw)
    if not term:
        return ()
    forms = _hebrew_forms(term)
    lemma = _hebrew_lemma(term, forms)
    if lemma and lemma not in forms:
        forms.append(lemma)
    return tuple(forms)


def _hebrew_lemma(term: str, forms: list[str] | tuple[str, ...] = ()) -> str | None:
    """simplemma's Hebrew lemma of a normalised word (it reads the prefix letters itself), if any.

    Only a lemma that shares its letters with the word (or the word without its prefix letters): all
    of them but one, vowel letters ו and י aside, and at least two; so verbs whose tense changes their
    first letters keep it (`פוגעים` -> `פגע`, `ייקבע` -> `נקבע`). simplemma maps every pronoun to
    `הוא` (`אני` -> `הוא`), which would make common words find each other: that lemma is left out.
    """
    lemma = _lemmatizer("he")(term)
    if not lemma or len(lemma) < 2:
        return None
    lemma = normalize(lemma).translate(_HEBREW_PUNCT)
    if lemma in _HEBREW_PRONOUN_LEMMAS:
        return None
    root = lemma.translate(_HEBREW_MATRES)
    need = max(2, len(root) - 1)
    return (
        lemma
        if any(_common_letters(root, form.translate(_HEBREW_MATRES)) >= need for form in (term, *forms))
        else None
    )


_HEBREW_MATRES = str.maketrans("", "", "וי")  # vowel letters, written or not by spelling
_HEBREW_PRONOUN_LEMMAS = frozenset({"הוא"})


def _common_letters(a: str, b: str) -> int:
    """How many letters two short words share in order (their longest common subsequence)."""
    previous = [0] * (len(b) + 1)
    for ch in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if ch == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def _hebrew_query_terms(raw: str) -> tuple[str, ...]:
    """As typed, and its lemma (`תכניות` also finds `התכנית`, `התכניות` also finds `תכניות`, ranked
    below the form as typed). The forms without prefix letters are the index's, not the query's:
    `והתכניות` is read as typed, not as `תכניות`."""
    terms = _hebrew_terms(raw)
    if not terms:
        return ()
    lemma = _hebrew_lemma(terms[0])
    return (terms[0], lemma) if lemma and lemma != terms[0] else terms[:1]


# --- analyzers --------------------------------------------------------------------------------------------


class Token:
    """One term of analysed text: `text`, and `pos`, `startchar`/`endchar`, `original` when asked for.

    The attributes and arguments of Whoosh's tokens. An analyzer yields ONE token object again and
    again, changed between terms (building an index makes millions): copy what you keep.
    """

    text: str
    pos: int
    startchar: int
    endchar: int
    original: str

    def __init__(
        self,
        positions: bool = False,
        chars: bool = False,
        removestops: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> None:
        self.positions = positions
        self.chars = chars
        self.stopped = False
        self.boost = 1.0
        self.removestops = removestops
        self.mode = mode
        self.__dict__.update(kwargs)

    def copy(self) -> Token:
        return type(self)(**self.__dict__)


class KeyedAnalyzer:
    """An analyzer whose whole (pickled) state is its analysis key.

    Called as Whoosh calls an analyzer: `analyzer(text, positions=..., chars=..., mode="query")`.
    """

    token_class: ClassVar[Callable[..., Any]] = Token  # what it yields (a subclass may yield another's)

    def __init__(self, key: str) -> None:
        self.key = key

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.key!r})"

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__ and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((self.__class__, self.key))

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
        raise NotImplementedError

    def _whole(self, value: str) -> str:
        """The whole value as one unstemmed term: what prefix and wildcard queries (tokenize=False) use."""
        return normalize(value, _ARABIC_FOLD if self.key == "ar" else _FOLD)

    def _single(
        self, value: str, t: Token, positions: bool, chars: bool, start_pos: int, start_char: int
    ) -> Iterator[Token]:
        t.original = value
        t.text = self._whole(value)
        t.boost = 1.0
        t.stopped = False
        if positions:
            t.pos = start_pos
        if chars:
            t.startchar = start_char
            t.endchar = start_char + len(value)
        if t.text:
            yield t


class WordAnalyzer(KeyedAnalyzer):
    """Space-separated scripts: each word normalised and, where the language has one, stemmed."""

    def pattern(self) -> re.Pattern[str]:
        return _word_pattern(self.key)

    def terms(self, raw: str) -> tuple[str, ...]:
        return _word_terms(self.key, raw)

    def query_terms(self, raw: str) -> tuple[str, ...]:
        """A query word's alternatives, searched together (OR) at its position."""
        return _query_terms(self.key, raw)

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
        t = self.token_class(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield from self._single(value, t, positions, chars, start_pos, start_char)
            return
        query = mode == "query"
        known = _cache_for(f"{self.key}:query" if query else self.key)
        make = self.query_terms if query else self.terms
        pos = start_pos
        t.boost = 1.0
        t.stopped = False
        if not chars and not keeporiginal:
            # Indexing and query parsing: no offsets needed, the cheapest loop (build speed matters).
            for raw in self.pattern().findall(value):
                terms = known.get(raw)
                if terms is None:
                    terms = known[raw] = make(raw)
                if not terms:
                    continue
                t.pos = pos
                t.text = terms[0]
                yield t
                for term in terms[1:]:
                    t.text = term
                    yield t
                pos += 1
            return
        for match in self.pattern().finditer(value):
            raw = match.group()
            terms = known.get(raw)
            if terms is None:
                terms = known[raw] = make(raw)
            if not terms:
                continue
            if keeporiginal:
                t.original = raw
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            t.text = terms[0]
            yield t
            for term in terms[1:]:
                t.text = term
                yield t
            pos += 1


class HebrewAnalyzer(WordAnalyzer):
    """Hebrew: normalised words; indexing adds each word without its prefix letters, at the same position."""

    def pattern(self) -> re.Pattern[str]:
        return _word_pattern("he", _HEBREW_JOINERS)

    def __init__(self, key: str = "he") -> None:
        super().__init__(key)

    def terms(self, raw: str) -> tuple[str, ...]:
        return _hebrew_terms(raw)

    def query_terms(self, raw: str) -> tuple[str, ...]:
        return _hebrew_query_terms(raw)


@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


class _RunAnalyzer(KeyedAnalyzer):
    """Scripts written without spaces: each run of word characters is normalised, then cut into terms."""

    def pieces(self, text: str, query: bool) -> Iterable[tuple[str, int, int, bool]]:
        """(term, start, end, advances) for a normalised run; advances=False shares the previous position."""
        raise NotImplementedError

    def prepare(self, text: str) -> str:
        return text

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
        t = self.token_class(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield from self._single(value, t, positions, chars, start_pos, start_char)
            return
        query = mode == "query"
        pos = start_pos - 1
        t.boost = 1.0
        t.stopped = False
        if not chars and not keeporiginal:
            for raw in _word_pattern(self.key).findall(value):
                for term, _start, _end, advances in self.pieces(self.prepare(normalize(raw)), query):
                    if advances:
                        pos += 1
                    t.text = term
                    t.pos = pos
                    yield t
            return
        for match in _word_pattern(self.key).finditer(value):
            raw = match.group()
            base = start_char + match.start()
            text = normalize(raw)
            starts: list[int] | None = None
            ends: list[int] = []
            if len(text) != len(raw):
                text, starts, ends = _normalize_mapped(raw)
            text = self.prepare(text)
            if starts is not None and len(text) != len(starts):
                starts, ends = [0] * len(text), [len(raw)] * len(text)  # cannot map: the run's own span
            for term, start, end, advances in self.pieces(text, query):
                if advances:
                    pos += 1
                t.text = term
                if positions:
                    t.pos = pos
                if chars or keeporiginal:
                    if starts is None:
                        first, last = start, end
                    else:
                        first, last = starts[start], ends[end - 1]
                    t.startchar = base + first
                    t.endchar = base + last
                    if keeporiginal:
                        t.original = raw[first:last]
                yield t


class ChineseAnalyzer(_RunAnalyzer):
    """Chinese: Traditional -> Simplified (OpenCC t2s), rjieba words in sequence, sub-words when indexing."""

    def __init__(self, key: str = "zh") -> None:
        super().__init__(key)

    def _whole(self, value: str) -> str:
        return str(_t2s().convert(normalize(value)))

    def prepare(self, text: str) -> str:
        return str(_t2s().convert(text))

    def pieces(self, text: str, query: bool) -> Iterator[tuple[str, int, int, bool]]:
        import rjieba

        words = rjieba.tokenize(text)
        if query:
            for word, start, end in words:
                yield word, start, end, True
            return
        # Search mode adds the dictionary words inside long words; each goes at the position of its word.
        inside: dict[int, list[tuple[str, int, int]]] = {}
        if any(end - start > 2 for _, start, end in words):
            owner = [0] * len(text)
            for i, (_, start, end) in enumerate(words):
                owner[start:end] = [i] * (end - start)
            main = set(words)
            for sub in rjieba.tokenize(text, mode="search"):
                if sub not in main:
                    inside.setdefault(owner[sub[1]], []).append(sub)
        for i, (word, start, end) in enumerate(words):
            yield word, start, end, True
            for sub_word, sub_start, sub_end in inside.get(i, ()):
                yield sub_word, sub_start, sub_end, False


_local = threading.local()


def _mecab() -> Any:
    """This thread's MeCab tagger (a tagger is not safe to share between threads; creating one is cheap)."""
    tagger = getattr(_local, "mecab", None)
    if tagger is None:
        import fugashi

        tagger = _local.mecab = fugashi.Tagger("-Owakati")  # words separated by spaces: no node per word
    return tagger


class JapaneseAnalyzer(_RunAnalyzer):
    """Japanese: NFKC (half-width kana, full-width Latin), then MeCab words (fugashi, UniDic short units)."""

    def __init__(self, key: str = "ja") -> None:
        super().__init__(key)

    def pieces(self, text: str, query: bool) -> list[tuple[str, int, int, bool]]:
        out: list[tuple[str, int, int, bool]] = []
        at = 0
        for word in _mecab().parse(text).split():
            out.append((word, at, at + len(word), True))
            at += len(word)
        if at != len(text):  # a run has no spaces, so the words tile it; if not, keep their text, whole span
            return [(word, 0, len(text), True) for word, _, _, _ in out]
        return out


# The runs a bigram analysis cuts, and the units it pairs: a Hangul syllable (or Hanja character, which
# Korean text mixes in), a Thai letter with the vowel signs and tone marks written on it.
_BIGRAM_RUNS = {
    "ko": re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"),
    "th": re.compile("[\u0e01-\u0e3a\u0e40-\u0e4e]+"),
}
_BIGRAM_UNITS = {
    "ko": re.compile("."),
    "th": re.compile(f"[^{_THAI_MARKS}][{_THAI_MARKS}]*|[{_THAI_MARKS}]+"),
}


class BigramAnalyzer(_RunAnalyzer):
    """Korean and Thai: each run of the script's units becomes its overlapping bigrams (as Lucene's
    CJKBigramFilter), a run of one unit its unigram; other letters and digits in a run stay one word.

    The bigrams of a run follow each other in positions, so a query (analysed the same way) is a
    phrase of them. Indexing also adds each unit alone, at the position of the bigram it begins (the
    last one at the last bigram's), so a word of one unit (Korean `북`, `돈`; Thai `มี`, `ดี`) finds
    the words it is part of without moving any position a phrase counts; a query of several units
    uses bigrams only. Measured: docs/search-languages.md.
    """

    def pieces(self, text: str, query: bool) -> Iterator[tuple[str, int, int, bool]]:
        unigrams = not query
        at = 0
        for run in _BIGRAM_RUNS[self.key].finditer(text):
            if run.start() > at:
                yield text[at : run.start()], at, run.start(), True
            units = [(run.start() + a, run.start() + b) for a, b in _unit_spans(self.key, run.group())]
            if len(units) == 1:
                yield text[units[0][0] : units[0][1]], *units[0], True
            for i in range(len(units) - 1):
                start, end = units[i][0], units[i + 1][1]
                yield text[start:end], start, end, True
                if unigrams:
                    yield text[start : units[i][1]], start, units[i][1], False
                    if i == len(units) - 2:
                        yield text[units[i + 1][0] : end], units[i + 1][0], end, False
            at = run.end()
        if at < len(text):
            yield text[at:], at, len(text), True


def _unit_spans(key: str, run: str) -> list[tuple[int, int]]:
    return [unit.span() for unit in _BIGRAM_UNITS[key].finditer(run)]


# Analyses that cut a word into overlapping pieces: a word of several is searched as a phrase of them.
BIGRAM_KEYS = frozenset(_BIGRAM_RUNS)
# Analyses of scripts written without spaces: their terms are pieces of runs of text, not words.
SEGMENTED_KEYS = frozenset({"zh", "ja"}) | BIGRAM_KEYS


# --- the contract -----------------------------------------------------------------------------------------

_LANGUAGE_NAMES = {
    "bg": "Bulgarian",
    "cy": "Welsh",
    "gl": "Galician",
    "is": "Icelandic",
    "ka": "Georgian",
    "la": "Latin",
    "lb": "Luxembourgish",
    "lv": "Latvian",
    "mk": "Macedonian",
    "ms": "Malay",
    "sl": "Slovenian",
    "sq": "Albanian",
    "sw": "Swahili",
    "tl": "Tagalog",
    "uk": "Ukrainian",
    "sk": "Slovak",
    "hr": "Croatian",
    "bs": "Bosnian",
}


def _snowball_note(key: str) -> str:
    name = _LANGUAGE_NAMES.get(key, _SNOWBALL_NAMES[key])
    stemmer = _SNOWBALL_NAMES[key]
    lemma = ", and its simplemma lemma" if key in _LEMMA_LANGUAGES else ""
    return f"{name}: NFKC, case and accent folding, Snowball {stemmer} stem of each word{lemma}."


ANALYSIS_NOTES: dict[str, str] = {
    **{key: _snowball_note(key) for key in sorted(_SNOWBALL_NAMES)},
    **{
        key: f"{_LANGUAGE_NAMES[key]}: NFKC, case and accent folding, simplemma lemma beside the word."
        for key in _LEMMA_ONLY
    },
    "az": "Azerbaijani: Turkic I/İ/ı/i casing, NFKC, case and accent folding, words as written.",
    "ar": "Arabic: NFKC, harakat and tatweel removed, alef/ya/ta marbuta unified, light10 stemming.",
    "he": "Hebrew: NFKC, niqqud removed; each word also indexed without its prefix letters (ו ה ב ל מ ש כ), "
    "and its simplemma lemma.",
    "zh": "Chinese: NFKC, Traditional folded to Simplified (OpenCC t2s), rjieba word segmentation.",
    "ja": "Japanese: NFKC (half-width kana, full-width Latin), MeCab words (fugashi, UniDic-lite).",
    "ko": "Korean: NFKC, overlapping bigrams of Hangul syllables, and each syllable alone when indexing.",
    "th": "Thai: NFKC, overlapping bigrams of Thai letters with their vowel and tone marks, and each alone "
    "when indexing.",
    "generic": "Other languages: NFKC, case and accent folding, words as written, no stemming (not English).",
}

ANALYSIS_KEYS: tuple[str, ...] = tuple(ANALYSIS_NOTES)

# Language subtags that name the same analysis: legacy Hebrew, Norwegian Bokmål/Nynorsk, ISO 639-2/3 codes.
_ALIASES = {"iw": "he", "nb": "no", "nn": "no", "cmn": "zh", "zho": "zh", "chi": "zh", "jpn": "ja"}


def analysis_key(language: str | None) -> str:
    """The analysis chosen for a BCP-47 tag: zh-Hant, zh-TW -> "zh"; pt-BR -> "pt"; unknown -> "generic"."""
    if not language:
        return "generic"
    primary = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    primary = _ALIASES.get(primary, primary)
    return primary if primary in ANALYSIS_NOTES else "generic"


def prepare_languages(tags: Iterable[str]) -> None:
    """Make ready ahead what the analysis of these languages loads on first use (lemma dictionaries)."""
    from archive.search import lemmas

    keys = {analysis_key(tag) for tag in tags}
    lemmas.prepare(_LEMMA_LANGUAGES[key] for key in keys if key in _LEMMA_LANGUAGES)


def generic_languages(tags: Iterable[str]) -> list[str]:
    """Of these language tags, those with no analysis of their own (searched with the generic one)."""
    return sorted({tag for tag in tags if tag and analysis_key(tag) == "generic"})


# Analyses a query written in these scripts can need (the detector decides among Latin and Cyrillic ones).
_SCRIPT_KEYS: dict[str, frozenset[str]] = {
    "han": frozenset({"zh", "ja"}),
    "kana": frozenset({"ja"}),
    "hebrew": frozenset({"he", "yi"}),
    "arabic": frozenset({"ar", "fa"}),
    "greek": frozenset({"el"}),
    "hangul": frozenset({"ko"}),
    "thai": frozenset({"th"}),
}
PLAUSIBLE_SHARE = 0.05  # a language this likely, relative to the likeliest, is kept
PLAUSIBLE_MIN = 3  # and the likeliest three are always kept: one word says little


@lru_cache(maxsize=4096)
def query_keys(words: str, keys: frozenset[str]) -> frozenset[str]:
    """Of the analyses `keys` (those the index holds), the ones a query without a language filter may be.

    By the script of its letters, and for Latin and Cyrillic letters by py3langid's ranking among the
    languages of those analyses: `odznaczenia wojskowego` is read as Polish, not also stemmed as English.
    A single word is rarely told apart (the likeliest three are kept); `generic` and analyses no
    detector language maps to (Azerbaijani) are always kept.
    """
    from archive.importers.language import _script_counts, detect, detector_languages

    scripts = {script for script, count in _script_counts(words).items() if count}
    if not scripts or "other" in scripts:
        return keys
    chosen = {"generic"}
    for script in scripts - {"latin", "cyrillic"}:
        chosen |= _SCRIPT_KEYS[script]
    if scripts & {"latin", "cyrillic"}:
        by_tag = {tag: analysis_key(tag) for tag in detector_languages()}
        detectable = {key for key in by_tag.values()}
        chosen |= {key for key in keys if key not in detectable}
        ranked = detect(words, [tag for tag, key in by_tag.items() if key in keys and key != "generic"])
        if ranked:
            top = ranked[0][1]
            for rank, (tag, probability) in enumerate(ranked):
                if rank < PLAUSIBLE_MIN or probability >= PLAUSIBLE_SHARE * top:
                    chosen.add(by_tag[tag])
    return frozenset(chosen & keys)


def warm_up() -> None:
    """Load now what the analysis loads on first use: jieba's dictionary, MeCab, the language detector.

    A web server calls this before it forks its workers (config/wsgi.py under gunicorn's preload):
    the workers then share those pages (about 150 MiB) instead of each loading its own copy.
    """
    for key in ("zh", "ja"):
        list(analyzer_for(key)("经济合作 経済協力"))
    query_keys("warm up", frozenset(ANALYSIS_KEYS))


def runs(key: str, text: str) -> Iterator[tuple[int, int]]:
    """The spans of the runs of letters the analysis of `key` cuts into terms: no term spans two."""
    for match in _word_pattern(key).finditer(text):
        yield match.span()


def folded(key: str, text: str) -> str:
    """`text` as the analysis of `key` reads it before cutting it into terms: normalised, and
    Chinese as Simplified. In the scripts written without spaces (SEGMENTED_KEYS) every term of
    the text is a piece of it."""
    return _preparer(key)(normalize(text))


def folded_each(key: str, pieces: list[str]) -> list[str]:
    """`folded` of each piece, in one call: the pieces are joined by a character no folding
    changes or joins to its neighbours (a run at a time, a Chinese page of hits called OpenCC a
    thousand times: five times the cost)."""
    joined = folded(key, _SEPARATOR.join(pieces)).split(_SEPARATOR)
    if len(joined) == len(pieces):
        return joined
    return [folded(key, piece) for piece in pieces]  # a piece held the separator (or there were none)


_SEPARATOR = "\x00"


@cache
def _preparer(key: str) -> Callable[[str], str]:
    """What the analysis of `key` does to a normalised run before cutting it (it keeps no state)."""
    analyzer = analyzer_for(key)
    return analyzer.prepare if isinstance(analyzer, _RunAnalyzer) else str


def analyzer_for(key: str) -> KeyedAnalyzer:
    """A fresh analyzer for an analysis key (KeyError for a key not in ANALYSIS_KEYS)."""
    if key not in ANALYSIS_NOTES:
        raise KeyError(f"no analysis {key!r}; known: {', '.join(ANALYSIS_KEYS)}")
    if key == "he":
        return HebrewAnalyzer()
    if key == "zh":
        return ChineseAnalyzer()
    if key == "ja":
        return JapaneseAnalyzer()
    if key in BIGRAM_KEYS:
        return BigramAnalyzer(key)
    return WordAnalyzer(key)


__all__ = [
    "ANALYSIS_KEYS",
    "ANALYSIS_NOTES",
    "BIGRAM_KEYS",
    "SEGMENTED_KEYS",
    "BigramAnalyzer",
    "ChineseAnalyzer",
    "HebrewAnalyzer",
    "JapaneseAnalyzer",
    "KeyedAnalyzer",
    "Token",
    "WordAnalyzer",
    "analysis_key",
    "analyzer_for",
    "folded",
    "form_term",
    "generic_languages",
    "normalize",
    "prepare_languages",
    "query_keys",
    "runs",
    "typing_form",
    "typing_forms",
]
