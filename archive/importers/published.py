"""Transcripts as published on the web (`.txt`, `.md`) in, as `qa-archive/1` dicts.

The layout, as the White House briefing room and gob.mx publish it:

    ---                                   optional YAML front matter: title, date,
    title: Press Briefing by ...          language, source_url, and any other
    date: '2021-01-20'                    document key of qa-archive/1
    ---
    # Title                               or a Markdown heading; `##` is a subtitle
    Presidencia de la República | 12 de mayo de 2019      (a dated byline)
    James S. Brady Press Briefing Room    (a place line)
    7:06 P.M. EST                         (time stamps and `END` are dropped)

    MS. PSAKI:  Good evening, everyone.   a turn opens with an upper-case label
    hard-wrapped at 72 columns            and a colon, in bold or not; lines of a
                                          paragraph are joined
    A paragraph without a label continues the turn.
    Q    Thanks, Jen.                     `Q` is a reporter's question
    JORGE ALCOCER VARELA, SECRETARIO DE SALUD: ...      NAME, TITLE: name and role

Journalists' labels (`Q`, `PREGUNTA`, `INTERLOCUTOR(A)`, `INTERVENCIÓN` ...; the list is in
archive/people.py) make
questions; the next turn by anyone else but a moderator is the answer to the
nearest question; moderators' labels make `moderator` turns; the rest are
statements. A file without any speaker label is rejected, not imported as
nothing (the gob.mx speeches without labels, a LICENSE file).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from archive.importers.base import RawDocument
from archive.importers.language import guess_language
from archive.interchange import DocumentError
from archive.models import TurnKind
from archive.people import is_moderator_label, is_question_label

# Front-matter keys taken over as they are; others (tags, modified_time ...) are the publisher's own.
TEXT_KEYS = (
    "slug",
    "title",
    "date",
    "language",
    "event",
    "place",
    "source_url",
    "license",
    "description",
    "status",
    "translation_of",
)

# Characters that take no room and break label matching (gob.mx has U+200B after names).
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# A reporter's question: `Q` then a colon, a wide gap, or a space and no lower-case word ("Q and A").
Q_LABEL = re.compile(r"^[*_]*Q[*_]*(?:\s*:|\s{2,}|\s+(?=[^\sa-z]))\s*[*_]*\s*(.*)$", re.DOTALL)
PREAMBLE_NOTE_MAX_CHARS = 200  # longer text before the first label is speech, not a note
LABEL_MAX_CHARS = 250  # "NAME, TITLE" on gob.mx runs to about 170
CASELESS_LABEL_MAX_CHARS = 40
LABEL_PUNCTUATION = set(".,'’‘\"“”()-/&״׳")
TIME_STAMP = re.compile(
    r"^(?:END\b\.?\s*)?(?:\d{1,2}:\d{2}(?:\s*[AP]\.?\s?M\.?)?(?:\s+[A-Z]{2,5})?)?\.?$", re.IGNORECASE
)
HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*$", re.DOTALL)
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
IMAGE_END = re.compile(r"\]\([^)\s]*\)")
LINK = re.compile(r"(?<![\\!])\[([^\]]*)\]\(([^)\s]*)\)")
# Rules and end marks ("* * *", "###" after a press release) carry no words.
RULE = re.compile(r"^[-*_#=~\s]{3,}$")
# Markdown escapes become their character; `**`, `__` and word-edge `*`/`_` (emphasis) go.
MARKDOWN = re.compile(
    r"\\([\\`*_{}\[\]()#+\-.!|>~])|\*\*+|__+|(?<![\w\\*])[*_](?=\S)|(?<=\S)(?<!\\)[*_](?!\w)|\s+[*_]+$"
)
SUBTITLE_PLACE = re.compile(r".*\b(?:desde\s+(?:el\s+|la\s+)?|en\s+(?=[A-ZÁÉÍÓÚÑ]))(.+?)\.?$")
BYLINE = re.compile(r"^(.+?)\s*\|\s*(.+)$")

MONTHS = {
    # es
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    # en
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
DATE_DAY_MONTH = re.compile(r"(\d{1,2})\s+(?:de\s+)?([^\W\d_]+)\.?,?\s+(?:de\s+|del\s+)?(\d{4})")
DATE_MONTH_DAY = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
WEEKDAY = r"(?:[^\W\d_]+,?\s+)?"  # "Martes 9 de junio de 2020", "Monday, May 3, 2021"


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML as written, except that dates stay text: the format's `date` check then names the key."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class _Turn:
    name: str
    role: str
    journalist: bool
    moderator: bool
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class _Header:
    """What the lines before the first speaker label say about the transcript."""

    title: str = ""
    subtitles: list[str] = field(default_factory=list)
    date: dt.date | None = None
    place: str = ""
    notes: list[str] = field(default_factory=list)
    stage: list[str] = field(default_factory=list)  # "(The Easter Bunny enters the room.)"


def parse_published(text: str, source: str) -> Iterator[RawDocument]:
    try:
        data = published_document(text, source)
    except DocumentError as exc:
        yield RawDocument(source, error=exc)
        return
    yield RawDocument(source, data=data)


def published_document(text: str, source: str = "") -> dict[str, Any]:
    """One published transcript as a `qa-archive/1` dict (not yet validated), or a DocumentError."""
    meta, body = _front_matter(text)
    paragraphs = _paragraphs(body)
    preamble: list[str] = []
    turns: list[_Turn] = []
    for paragraph in paragraphs:
        if TIME_STAMP.match(" ".join(paragraph.split())) and paragraph.strip("."):
            continue  # "7:06 P.M. EST", "END 12:45 P.M. EDT", "END"
        labelled = _split_label(paragraph)
        if labelled is not None:
            label, rest = labelled
            turns.append(_turn(label))
            paragraph = rest
        elif not turns:
            preamble.append(paragraph)
            continue
        cleaned = _clean(paragraph)
        if cleaned:
            turns[-1].paragraphs.append(cleaned)
    if not turns:
        raise DocumentError(
            "no speaker labels found: a transcript's paragraphs open with an upper-case speaker label "
            "and a colon (`MS. PSAKI:`, `PREGUNTA:`) or with `Q` for a question; this looks like a "
            "speech without labels or a file that is not a transcript"
        )
    # Each label opens a turn, as the publisher divided them: the same name twice in a row is
    # usually a cut the transcriber made (cross-talk, a new reporter), and under a label that
    # names no one (`SENIOR ADMINISTRATION OFFICIAL`) it is often another person.
    turns = [t for t in turns if t.paragraphs]
    if not turns:
        raise DocumentError("the speaker labels are there, but no turn has any text")

    header = _header(preamble, titled=bool(meta.get("title")))
    # A stage note before anyone speaks belongs to the scene, like the notes inside turns.
    turns[0].paragraphs[:0] = header.stage
    if len(header.notes) > 1 or sum(map(len, header.notes)) > PREAMBLE_NOTE_MAX_CHARS:
        # Speech before the first label (gob.mx lost one when the broadcast failed): keep it as an
        # unattributed opening turn rather than hide it in the description.
        turns.insert(0, _Turn(name="", role="", journalist=False, moderator=False, paragraphs=header.notes))
        header.notes = []
    data: dict[str, Any] = {"format": "qa-archive/1"}
    data.update(_metadata(meta, header, source))
    if not data.get("language"):
        sample = "\n".join(p for t in turns for p in t.paragraphs)
        guess = guess_language(sample)
        if guess.tag is None:
            raise DocumentError(
                f"cannot tell which language this is ({guess.reason}): "
                "say so in front matter, e.g. `language: es` between `---` lines at the top",
                key="language",
            )
        data["language"] = guess.tag
    data["speakers"] = _speakers(turns)
    data["turns"] = _turn_dicts(turns)
    return data


def _front_matter(text: str) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    """The YAML front matter (if any) and the numbered lines of the body after it."""
    lines = text.splitlines()
    numbered = list(enumerate(lines, start=1))
    if not lines or lines[0].strip() != "---":
        return {}, numbered
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise DocumentError(
            "the front matter opened by `---` on line 1 is never closed by a `---` line", line=1
        )
    try:
        meta = yaml.load("\n".join(lines[1:end]), Loader=_FrontMatterLoader)  # a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 1  # +1 for 1-based, +1 for the `---` line
        raise DocumentError(f"bad YAML front matter: {exc.problem or exc.context}", line=line) from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"bad YAML front matter: {exc}", line=1) from None
    except RecursionError:  # PyYAML recurses once per level of [ or { nesting
        raise DocumentError("bad YAML front matter: nested too deeply", line=1) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DocumentError("the front matter must be `key: value` lines", line=2)
    return meta, numbered[end + 1 :]


def _paragraphs(lines: list[tuple[int, str]]) -> list[str]:
    """Blank-line separated paragraphs, hard-wrapped lines joined (spacing inside lines kept)."""
    paragraphs: list[str] = []
    current: list[str] = []
    for _number, line in lines:
        line = line.translate(INVISIBLE)
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(_join(current))
            current = []
    if current:
        paragraphs.append(_join(current))
    return paragraphs


def _join(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        # Chinese and Japanese put no space between words: a wrap there is no space either.
        gap = "" if _is_cjk(text[-1]) and _is_cjk(line[0]) else " "
        text += gap + line
    return text


def _is_cjk(char: str) -> bool:
    return 0x3000 <= ord(char) <= 0x9FFF or 0xF900 <= ord(char) <= 0xFAFF or 0xFF00 <= ord(char) <= 0xFFEF


def _split_label(paragraph: str) -> tuple[str, str] | None:
    """(label, rest) when the paragraph opens with a speaker label, else None."""
    question = Q_LABEL.match(paragraph)
    if question:
        rest = question.group(1)
        inner = _split_label(rest) if rest else None
        # "Q    MR. KIRBY:  So, two thoughts" is a typo for the official's label.
        if inner is not None and not is_question_label(_label_key(inner[0]), prefix=True):
            return inner
        return "Q", rest
    match = re.search(r"[:：]", paragraph[: LABEL_MAX_CHARS + 10])
    if match is None:
        return None
    label = " ".join(re.sub(r"[*_]", " ", paragraph[: match.start()]).split()).strip(" ,")
    if not _is_label(label):
        return None
    rest = paragraph[match.end() :].lstrip(" *")
    if rest.startswith("_ "):
        rest = rest[1:].lstrip(" *")  # "**_VOZ MUJER:_ ** _text_": the label's closing underscore
    return label, rest


def _is_label(label: str) -> bool:
    if not label or len(label) > LABEL_MAX_CHARS or not label[0].isalpha():
        return False
    letters = [c for c in label if c.isalpha()]
    if any(not (c.isalnum() or c.isspace() or c in LABEL_PUNCTUATION) for c in label):
        return False
    # "(interpretación del inglés al español)" may follow a name in lower case
    cased = [c for c in re.sub(r"\([^)]*\)", "", label) if c.isupper() or c.islower()]
    if cased:
        # Upper case throughout, and not an acronym ("PT: a favor 35" counts votes).
        return not any(c.islower() for c in cased) and len(letters) >= 4
    # Hebrew, Arabic, Chinese ... have no case: a short name without sentence punctuation.
    return len(label) <= CASELESS_LABEL_MAX_CHARS and len(letters) >= 2 and len(label.split()) <= 5


def _label_key(label: str) -> str:
    decomposed = unicodedata.normalize("NFD", label.split(",")[0])
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).upper().split())


def _turn(label: str) -> _Turn:
    name, _, role = label.partition(",")
    # "JUSTIN TRUDEAU (interpretación del francés al español)": the note is no part of the name
    notes = re.findall(r"\([^)]*\)", name)
    name = " ".join(re.sub(r"\([^)]*\)", " ", name).split()) if notes else name
    name, role = name.strip(" ."), role.strip(" ,.") or " ".join(notes)
    key = _label_key(name)
    return _Turn(
        name=name,
        role=role,
        journalist=is_question_label(key, prefix=True),
        moderator=is_moderator_label(key),
    )


def _clean(paragraph: str) -> str:
    """A paragraph of Markdown as plain text: no images, links as their text, escapes resolved."""
    text = IMAGE.sub("", paragraph)
    heading = HEADING.match(text)
    if heading:
        text = heading.group(2)
    if RULE.match(text):
        return ""
    text = LINK.sub(lambda m: m.group(1).strip() or m.group(2), text)
    text = MARKDOWN.sub(lambda m: m.group(1) or "", text)
    if RULE.match(text):
        return ""
    if text.startswith("> "):
        text = text[2:]
    return " ".join(text.split())


def _header(preamble: list[str], *, titled: bool) -> _Header:
    """`titled`: the front matter gave the title, so a first short line is a place, not a title."""
    header = _Header()
    in_image = previous_was_place = False
    for paragraph in preamble:
        if in_image or (paragraph.startswith("![") and not IMAGE.match(paragraph)):
            # gob.mx wraps long alt texts over blank lines: skip to the `](url)` and its caption
            in_image = not IMAGE_END.search(paragraph)
            continue
        heading = HEADING.match(paragraph)
        if heading:
            text = _clean(heading.group(2))
            if len(heading.group(1)) == 1 and not header.title:
                header.title = text
            elif text:
                header.subtitles.append(text)
            continue
        if IMAGE.match(paragraph):
            continue  # a picture and its caption
        text = _clean(paragraph)
        if not text:
            continue
        byline = BYLINE.match(text)
        date = _parse_date(byline.group(2) if byline else text)
        if date is not None:
            header.date = header.date or date
        elif _is_short_line(text) and not header.title and not titled:
            header.title = text
        elif _is_short_line(text) and (not header.place or previous_was_place):
            # "Aboard Air Force One" / "En Route Columbus, Ohio" on two lines are one place
            header.place = f"{header.place}, {text}" if header.place else text
            previous_was_place = True
            continue
        elif text.startswith("(") and text.endswith(")"):
            header.stage.append(text)
        else:
            header.notes.append(text)
        previous_was_place = False
    if not header.place:
        # gob.mx subtitles say where: "Acto encabezado por el presidente ... desde Palacio Nacional"
        where = next((m for s in header.subtitles if (m := SUBTITLE_PLACE.match(s))), None)
        header.place = where.group(1) if where else ""
    return header


def _is_short_line(text: str) -> bool:
    """A line like "James S. Brady Press Briefing Room": short, not a sentence, not a stage note."""
    return (
        len(text) <= 120
        and " " in text  # "VE-790" is a code, not a place
        and not text.startswith(("(", "["))
        and not text.endswith((".", "?", "!", ":"))
    )


def _parse_date(text: str) -> dt.date | None:
    """A whole line that is a date: ISO, "12 de mayo de 2019", "(March 30, 2021)", "Monday, May 3, 2021"."""
    text = text.strip(" ()")
    for pattern, order in (
        (DATE_ISO, "ymd"),
        (re.compile(WEEKDAY + DATE_DAY_MONTH.pattern), "dmy"),
        (re.compile(WEEKDAY + DATE_MONTH_DAY.pattern), "mdy"),
    ):
        match = pattern.fullmatch(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month = parts["m"] if parts["m"].isdigit() else MONTHS.get(parts["m"].casefold())
        if month is None:
            continue
        try:
            return dt.date(int(parts["y"]), int(month), int(parts["d"]))
        except ValueError:
            continue
    return None


def _metadata(meta: dict[str, Any], header: _Header, source: str) -> dict[str, Any]:
    """The document's keys: front matter first, then what the header lines say, then the file name."""
    data: dict[str, Any] = {}
    for key in TEXT_KEYS:
        value = meta.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # `slug: 2021` is meant as text
        if isinstance(value, str):
            value = " ".join(value.translate(INVISIBLE).split())  # YAML's "\_" is a no-break space
        if value not in (None, ""):
            data[key] = value
    topics = meta.get("topics")
    if isinstance(topics, str):
        topics = [t.strip() for t in topics.split(",") if t.strip()]
    if topics not in (None, []):
        data["topics"] = topics

    stem = Path(source).stem if source else ""
    file_date = _parse_date(stem[:10]) if DATE_ISO.match(stem) else None
    if "title" not in data:
        data["title"] = header.title or " ".join(re.sub(r"[-_]+", " ", stem).split()) or "Untitled"
    date = header.date or file_date
    if "date" not in data and date is not None:
        data["date"] = date.isoformat()
    if "place" not in data and header.place:
        data["place"] = header.place
    if "description" not in data and (header.subtitles or header.notes):
        data["description"] = "\n".join(header.subtitles + header.notes)
    return data


def _speakers(turns: list[_Turn]) -> list[dict[str, str]]:
    roles: dict[str, str] = {}
    for turn in turns:
        if not roles.get(turn.name):
            roles[turn.name] = turn.role
    return [{"name": name, "role": role} if role else {"name": name} for name, role in roles.items()]


def _turn_dicts(turns: list[_Turn]) -> list[dict[str, Any]]:
    """Kinds: questions from journalists, the next other speaker's turn answers the nearest one."""
    result: list[dict[str, Any]] = []
    open_question: int | None = None
    for position, turn in enumerate(turns, start=1):
        item: dict[str, Any] = {"speaker": turn.name}
        if turn.journalist:
            item["kind"] = TurnKind.QUESTION.value
            open_question = position
        elif turn.moderator:
            item["kind"] = TurnKind.MODERATOR.value  # "Next question": the question stays open
        elif open_question is not None:
            item["kind"] = TurnKind.ANSWER.value
            item["reply_to"] = open_question
            open_question = None
        else:
            item["kind"] = TurnKind.STATEMENT.value
        item["text"] = "\n".join(turn.paragraphs)
        result.append(item)
    return result
