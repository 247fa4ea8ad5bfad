"""A small, deliberate guess of the language a transcript is written in.

Used only when a document does not say (`language:` in front matter). It decides
by script where the script settles it (Hebrew, Arabic, kana for Japanese, Han for
Chinese, Hangul, Greek), and for Latin-script text by how often each language's
commonest function words occur. Where neither settles it (Cyrillic, Persian, Latin
text in other languages), py3langid's character n-gram model decides, but only
when it is confident. When the evidence is thin or split it returns no tag and says
why, so the caller can ask for `language:` instead of guessing wrong: nothing here
falls back to English.

py3langid (4.6 MB wheel and numpy, 97 languages, about 0.8 ms a turn, the model loads
in 1-4 s on first use) was kept over lingua-language-detector (a 96 MB wheel) after
measuring it on turns of under 20 words: docs/search-languages.md.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

# How much text is looked at: plenty for a confident guess, cheap for 45k-character turns.
SAMPLE_CHARS = 20_000
# Latin-script text needs this many words, and the winner this share of them and this
# lead over the runner-up, before we trust the function-word count.
MIN_WORDS = 12
MIN_SHARE = 0.12
MIN_LEAD = 1.6
# A script must hold this share of the letters to decide the language by itself.
SCRIPT_MAJORITY = 0.6
# The detector decides only with this many words and this probability (normalised over its languages).
DETECT_MIN_WORDS = 3
DETECT_MIN_CONFIDENCE = 0.95


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The commonest short words of each language.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the of and to in is that it for you was on are with as be this have not but"
        " we they what he at by from or an will would there their about which"
    ),
    "es": _words(
        "el la de que y en los se del las un por con no una su para es al lo como"
        " más pero sus le ya o este sí porque esta entre cuando muy sin sobre también"
    ),
    "fr": _words(
        "le la les de des du et est un une que qui dans pour pas sur au avec ce il"
        " nous vous sont mais ont cette aux ne se plus"
    ),
    "de": _words(
        "der die das und ist nicht ein eine zu den von mit sich des auf für im dem"
        " auch es an wir sie ich werden wird aber noch nach"
    ),
    "pt": _words(
        "o os as de do da dos das que e em um uma para com não no na por se mais"
        " foi são como mas ao pelo pela também isso está"
    ),
}

# Words in two or more lists ("de", "que", "la", "no") say nothing about which of them it is.
DISTINCTIVE: dict[str, frozenset[str]] = {
    tag: words.difference(*(other for o, other in FUNCTION_WORDS.items() if o != tag))
    for tag, words in FUNCTION_WORDS.items()
}

# Characters only Simplified (resp. Traditional) Chinese writes this way.
SIMPLIFIED = frozenset("们这国说时会来个为对发问题长记经过还进见关应该与实现东门书车")
TRADITIONAL = frozenset("們這國說時會來個為對發問題長記經過還進見關應該與實現東門書車")
# Letters of Persian and Urdu that Arabic does not use: Arabic script alone does not settle it.
NOT_ARABIC = frozenset("پچژگکیٹڈڑںے")
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class LanguageGuess:
    tag: str | None  # a BCP-47 tag, or None when undecided
    reason: str  # why: shown to the user when undecided


def guess_language(text: str) -> LanguageGuess:
    sample = text[:SAMPLE_CHARS]
    scripts = _script_counts(sample)
    letters = sum(scripts.values())
    if not letters:
        return LanguageGuess(None, "the text has no letters to judge by")
    # Japanese writes kana among Han characters; kana alone marks it.
    if scripts["kana"] and (scripts["kana"] + scripts["han"]) / letters >= SCRIPT_MAJORITY:
        return LanguageGuess("ja", "Japanese kana")
    script, count = scripts.most_common(1)[0]
    if count / letters < SCRIPT_MAJORITY:
        return LanguageGuess(None, "the text mixes scripts with no clear majority")
    if script == "han":
        return _chinese(sample)
    if script == "hebrew":
        return LanguageGuess("he", "Hebrew script")
    if script == "arabic":
        if sum(1 for ch in sample if ch in NOT_ARABIC) > count * 0.01:
            return _detected(sample, "Arabic script with Persian or Urdu letters")
        return LanguageGuess("ar", "Arabic script")
    if script == "hangul":
        return LanguageGuess("ko", "Hangul")
    if script == "thai":
        return LanguageGuess("th", "Thai script")
    if script == "greek":
        return LanguageGuess("el", "Greek script")
    if script == "latin":
        guess = _latin(sample)
        return guess if guess.tag else _detected(sample, guess.reason)
    return _detected(sample, f"{script} script is used by several languages")


_lock = threading.Lock()


@cache
def _identifier() -> Any:
    """py3langid's model with normalised probabilities (loaded once, on first use)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str, languages: Iterable[str] | None = None) -> list[tuple[str, float]]:
    """py3langid's languages for `text`, likeliest first, with probabilities that sum to 1.

    `languages` restricts the choice (the languages an archive holds): the ranking of all of them,
    kept to those and their probabilities summed to 1 again, which is what py3langid gives when
    told the languages first (each language's score does not depend on the others), without
    rebuilding its model's tables twice a call (a millisecond; the model is shared by threads).
    """
    identifier = _identifier()
    wanted: set[str] | None = None
    if languages is not None:
        wanted = set(languages) & detector_languages()
        if not wanted:
            return []  # nothing to choose from
    ranked = [(tag, float(p)) for tag, p in identifier.rank(text)]
    if wanted is None:
        return ranked
    kept = [(tag, p) for tag, p in ranked if tag in wanted]
    total = sum(p for _, p in kept)
    if total > 0:
        return [(tag, p / total) for tag, p in kept]
    with _lock:  # every one of them too unlikely to tell apart once normalised among all: rank them alone
        identifier.set_languages(sorted(wanted))
        try:
            return [(tag, float(p)) for tag, p in identifier.rank(text)]
        finally:
            identifier.set_languages(None)


def detector_languages() -> frozenset[str]:
    """The languages the detector knows."""
    return frozenset(_identifier().nb_classes)


def _detected(sample: str, why_not: str) -> LanguageGuess:
    """The detector's language, if it is confident on enough words; else undecided, saying why."""
    words = WORD.findall(sample)
    if len(words) < DETECT_MIN_WORDS:
        return LanguageGuess(None, why_not)
    tag, probability = detect(sample)[0]
    if probability < DETECT_MIN_CONFIDENCE:
        return LanguageGuess(None, f"{why_not}, and the detector is unsure ({tag}: {probability:.2f})")
    return LanguageGuess(tag, f"language detector (py3langid: {tag}, {probability:.2f})")


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for ch in text:
        if not ch.isalpha():
            continue
        code = ord(ch)
        if code < 0x250 or 0x1E00 <= code <= 0x1EFF:
            counts["latin"] += 1
        elif 0x370 <= code <= 0x3FF:
            counts["greek"] += 1
        elif 0x400 <= code <= 0x52F:
            counts["cyrillic"] += 1
        elif 0x590 <= code <= 0x5FF or 0xFB1D <= code <= 0xFB4F:
            counts["hebrew"] += 1
        elif 0x600 <= code <= 0x6FF or 0x750 <= code <= 0x77F or 0xFB50 <= code <= 0xFEFF:
            counts["arabic"] += 1
        elif 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
            counts["kana"] += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
            counts["han"] += 1
        elif 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF:
            counts["hangul"] += 1
        elif 0x0E00 <= code <= 0x0E7F:
            counts["thai"] += 1
        else:
            counts["other"] += 1
    return counts


def _chinese(text: str) -> LanguageGuess:
    simplified = sum(1 for ch in text if ch in SIMPLIFIED and ch not in TRADITIONAL)
    traditional = sum(1 for ch in text if ch in TRADITIONAL and ch not in SIMPLIFIED)
    if simplified > 2 * traditional and simplified >= 3:
        return LanguageGuess("zh-Hans", "Chinese in simplified characters")
    if traditional > 2 * simplified and traditional >= 3:
        return LanguageGuess("zh-Hant", "Chinese in traditional characters")
    return LanguageGuess(None, "Chinese, but neither simplified nor traditional characters prevail")


def _latin(text: str) -> LanguageGuess:
    words = [w.casefold() for w in WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return LanguageGuess(None, f"too little text ({len(words)} words) to tell the language")
    share = {tag: _share(words, vocabulary) for tag, vocabulary in FUNCTION_WORDS.items()}
    if max(share.values()) < MIN_SHARE:
        return LanguageGuess(None, "Latin script, but none of en, es, fr, de, pt fits")
    # Decide on the words only one language has: Spanish and Portuguese share "de", "que", "para".
    distinct = {tag: _share(words, vocabulary) for tag, vocabulary in DISTINCTIVE.items()}
    (best, best_score), (second, second_score) = sorted(distinct.items(), key=lambda kv: kv[1], reverse=True)[
        :2
    ]
    if best_score == 0 or best_score < MIN_LEAD * second_score:
        return LanguageGuess(None, f"Latin script, and {best} and {second} fit almost equally")
    return LanguageGuess(best, f"function words of {best}")


def _share(words: list[str], vocabulary: frozenset[str]) -> float:
    return sum(1 for w in words if w in vocabulary) / len(words)
