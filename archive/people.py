"""Who is a person and who is a role, and when two spellings are one person.

A transcript labels some turns by the role of whoever spoke ("Q", "PREGUNTA", "記者",
"MODERATOR") rather than by name. Such a label is not a person: every transcript's "Q" is
someone else. The lists below are the archive's one record of these labels, used by the
importers (a question label makes a question turn, a moderator label a moderator turn) and by
the speaker model (a speaker whose whole name is a role label is of kind `role`).

Extending: add the label in its usual spelling to the list for its meaning. Labels are
compared without case or accents and with "/A"-style gender endings removed, so "INTERVENCIÓN"
covers "Intervencion", and "INTERLOCUTOR" covers "INTERLOCUTOR/A". A `*` stands for any
characters but a space, anywhere in a label ("PREGUNTA*" covers "PREGUNTAS" and "PREGUNTA1", "INTE*TOR*"
the misspelt "INTELOCUTORA", "*记者" the outlet's reporter "法新社记者").
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import lru_cache
from typing import Any

# What the public sees of a private speaker (numbered in the order they became private; stable).
PSEUDONYM = "Member of the public {n}"

# Whoever asks: a question turn, and a role speaker.
QUESTION_LABELS: tuple[str, ...] = (
    # en
    "Q", "QUESTION", "QUESTIONER", "QUESTIONS", "REPORTER", "REPORTERS", "JOURNALIST", "JOURNALISTS",
    "INTERVIEWER", "LISTENER", "CALLER", "AUDIENCE", "AUDIENCE MEMBER",
    # es
    "PREGUNTA*", "INTERLOCUTOR", "INTERLOCUTORA", "INTERLOCUTORES", "INTE*TOR*", "INTERVENCIÓN",
    "INTE*VEN*", "REPORTERO", "REPORTERA", "REPORTEROS", "REPORTERAS", "PERIODISTA", "PERIODISTAS",
    "ENTREVISTADOR", "ENTREVISTADORA",
    # de
    "FRAGE",
    # he
    "שאלה", "כתב", "כתבת", "עיתונאי", "עיתונאית", "קריאה",
    # ar
    "سؤال", "صحفي", "صحفية",
    # zh, ja
    "问", "問", "提问", "提問", "質問", "记者", "記者", "*记者", "*記者",
)  # fmt: skip

# Whoever chairs: a moderator turn, and a role speaker.
MODERATOR_LABELS: tuple[str, ...] = (
    "MODERATOR", "THE MODERATOR", "MODERADOR", "MODERADORA", "OPERATOR", "THE OPERATOR",
    "OPERADOR", "OPERADORA", "HOST", "PRESENTER", "מנחה", "主持人", "司会", "司会者",
)  # fmt: skip

# Other labels that stand for someone unnamed: a role speaker, their turns as the document says.
OTHER_ROLE_LABELS: tuple[str, ...] = (
    "SENIOR ADMINISTRATION OFFICIAL", "ADMINISTRATION OFFICIAL", "OFFICIAL", "AIDE", "STAFF",
    "PARTICIPANT", "UNIDENTIFIED", "VOICE", "VOZ", "VOZ MUJER", "VOZ HOMBRE",
    "VOZ DE MUJER", "VOZ DE HOMBRE", "ASISTENTE", "ASISTENTES", "AUDIENCIA", "PÚBLICO",
    "קריאות", "קול", "声",
)  # fmt: skip

# Words before or after a name that say what someone is, not who: dropped when names are matched.
HONORIFICS: frozenset[str] = frozenset(
    {
        # en
        *("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady"),
        *("senator", "sen", "rep", "representative", "congressman", "congresswoman", "governor"),
        *("gov", "mayor", "president", "vice", "secretary", "minister", "ambassador", "general"),
        *("gen", "admiral", "col", "colonel", "captain", "capt", "judge", "justice", "rev"),
        *("chairman", "chairwoman", "chair", "the", "hon", "honorable", "speaker", "deputy", "jr"),
        # es
        *("sr", "sra", "srta", "señor", "señora", "don", "doña", "lic", "licenciado", "licenciada"),
        *("ing", "presidente", "presidenta", "secretario", "secretaria", "gobernador"),
        *("gobernadora", "diputado", "diputada", "senador", "senadora", "doctor", "doctora"),
        *("canciller", "subsecretario", "subsecretaria", "general", "almirante", "maestro", "maestra"),
        # he (quotes are dropped before matching: היו"ר is היור)
        *("היור", "חכ", "השר", "השרה", "סגן", "סגנית", "דר", "פרופ", "עוד", "מר", "גב"),
    }
)
# Japanese and Chinese titles follow the name without a space (鈴木委員, 花輪委員長).
TITLE_SUFFIXES: tuple[str, ...] = (
    "委員長", "副委員長", "委員", "議長", "知事", "大臣", "先生", "さん", "氏", "主席", "总统", "總統",
    "部长", "部長", "发言人", "發言人",
)  # fmt: skip

_PUNCTUATION = re.compile(r"[\s.,:;'’‘\"“”״׳()\[\]{}\-‐–—/]+")
_GENDER_ENDING = re.compile(r"\s*\((?:A|AS|ES|OS)\)$|/(?:A|AS|ES|OS)$", re.IGNORECASE)
# Hebrew abbreviations carry a quote inside the word (היו"ר, ח"כ); so do names like O'Brien.
_IN_WORD_QUOTE = re.compile(r"(?<=\w)[\"'’״׳](?=\w)")
# A party or group in brackets after a Knesset name: "אלי דלל (הליכוד)".
_BRACKETED = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")


def fold(text: str) -> str:
    """Case-folded, without accents or other marks, spaces collapsed: how labels and names compare."""
    decomposed = unicodedata.normalize("NFKD", text)
    # Marks go (accents, Hebrew points), but not those that are letters in their script (Japanese dakuten).
    bare = "".join(ch for ch in decomposed if not (unicodedata.combining(ch) and ord(ch) < 0x3000))
    return " ".join(unicodedata.normalize("NFKC", bare).casefold().split())


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    def compile_(labels: tuple[str, ...]) -> re.Pattern[str]:
        parts = ["\\S*".join(re.escape(piece) for piece in fold(label).split("*")) for label in labels]
        return re.compile("(?:" + "|".join(sorted(parts, key=len, reverse=True)) + ")")

    return compile_(QUESTION_LABELS), compile_(MODERATOR_LABELS), compile_(OTHER_ROLE_LABELS)


def _label_text(name: str) -> str:
    text = _GENDER_ENDING.sub("", name.strip().strip("*_ ").rstrip(":.").strip())
    return fold(text)


def is_question_label(name: str, *, prefix: bool = False) -> bool:
    """A questioner's label ("Q", "PREGUNTA", "記者"). `prefix`: the label may be followed by more
    words ("REPORTER (off mic)"), as published transcripts write them."""
    pattern = _patterns()[0]
    text = _label_text(name)
    if prefix:
        match = pattern.match(text)
        return match is not None and (match.end() == len(text) or text[match.end()] == " ")
    return pattern.fullmatch(text) is not None


def is_moderator_label(name: str) -> bool:
    return _patterns()[1].fullmatch(_label_text(name)) is not None


def is_role_label(name: str) -> bool:
    """The whole name is a label for whoever held a role: a speaker of kind `role`."""
    text = _label_text(name)
    return bool(text) and any(p.fullmatch(text) is not None for p in _patterns())


def match_key(name: str, *, loose: bool = False) -> str:
    """The key two spellings of one person share: no case, accents, punctuation, bracketed
    party names, honorifics or titles. "MS. PSAKI" -> "psaki", "CASAUBÓN" -> "casaubon",
    'היו"ר משה גפני' -> "משה גפני". Empty when nothing but titles is left (the name is kept then)."""
    text = _IN_WORD_QUOTE.sub("", _BRACKETED.sub(" ", name))
    words = [w for w in _PUNCTUATION.split(fold(text)) if w]
    kept = [w for w in words if w not in HONORIFICS]
    # A title written onto a one-word name (鈴木委員) goes only for suggestions: a surname alone
    # is too little to link on.
    if loose and len(kept) == 1:
        kept = [_strip_title_suffix(kept[0])]
    return " ".join(kept or words)


def _strip_title_suffix(word: str) -> str:
    for suffix in TITLE_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return word[: -len(suffix)]
    return word


def name_similarity(a: str, b: str) -> float:
    """How alike two names are, 0 to 1, on their match keys: 1 for one spelling of one name;
    high when one name's words are all in the other ("psaki" in "jen psaki")."""
    if match_key(a) == match_key(b):
        return 1.0
    ka, kb = match_key(a, loose=True), match_key(b, loose=True)
    if not ka or not kb:
        return 0.0
    if ka == kb:  # one name once a title written onto it is set aside (鈴木委員, 鈴木委員長)
        return 0.9
    wa, wb = set(ka.split()), set(kb.split())
    shorter, longer = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if shorter <= longer:
        # Every word of the shorter name is in the longer: a surname alone, a name without a middle name.
        return 0.8 + 0.1 * len(shorter) / len(longer)
    return round(difflib.SequenceMatcher(None, ka, kb).ratio() * 0.9, 3)


# Private speakers' real names are shown only inside `real_names()`: the default is the public
# view, so a surface nobody thought of shows pseudonyms, not names.
_REAL_NAMES: ContextVar[bool] = ContextVar("real_names", default=False)


@contextmanager
def real_names(enabled: bool = True) -> Iterator[None]:
    """Within this block, private speakers appear under their names (curators, backups)."""
    token = _REAL_NAMES.set(enabled)
    try:
        yield
    finally:
        _REAL_NAMES.reset(token)


def real_names_begin(enabled: bool) -> Token[bool]:
    """`real_names()` for code that cannot hold a `with` block (a request's start and end)."""
    return _REAL_NAMES.set(enabled)


def real_names_end(token: Token[bool]) -> None:
    _REAL_NAMES.reset(token)


def showing_real_names() -> bool:
    return _REAL_NAMES.get()


def hidden(speaker: Any) -> bool:
    """Whether this speaker's names must be hidden here: private, and not a curator's view."""
    return bool(getattr(speaker, "private", False)) and not showing_real_names()
