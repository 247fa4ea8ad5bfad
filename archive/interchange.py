"""The interchange format `qa-archive/1`: validation of incoming documents.

Every importer (JSON, NDJSON, published text, subtitles) turns its input into a
`qa-archive/1` dict and hands it to `validate_document`, so all input is held to one
set of rules and gets the same messages. A `DocumentError` names the file, the line
(for NDJSON) and the key at fault; the writer in `services.py` only ever sees a
`DocumentSpec` that passed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify

from archive.models import WEB_SCHEMES, AnswerStatus, SpeakerKind, TranscriptStatus, TurnKind
from archive.recordings import RecordingError, check_type, check_url

FORMAT_NAME = "qa-archive/1"
SLUG_MAX_LENGTH = 200
# BCP-47 as used here: a 2-3 letter language, then subtags (script, region, variant).
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
SLUG = re.compile(r"^[-\w]+$")
SURROGATE = re.compile("[\ud800-\udfff]")
# Column sizes (archive.models) by key; longer text is rejected with a clear message.
MAX_LENGTHS = {
    "title": 1000,
    "event": 1000,
    "place": 1000,
    "source_url": 2000,
    "license": 1000,
    "name": 1000,
    "pseudonym": 200,
    "role": 1000,
    "slug": 200,
    "translation_of": 200,
    "status": 10,
    "kind": 10,
    "language": 35,
    "section": 1000,
    "answer_status": 10,
}
# Where a document's speaker has an empty name, the turns go to this one person.
UNNAMED_SPEAKER_SLUG = "unnamed-speaker"


class DocumentError(ValueError):
    """A document that breaks the format. Rejected whole; nothing of it is written."""

    def __init__(
        self, message: str, *, key: str | None = None, source: str = "", line: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.key = key
        self.source = source
        self.line = line

    def located(self, *, source: str, line: int | None = None) -> DocumentError:
        """This error, placed in a file (and line) if it did not know where it was."""
        return DocumentError(
            self.message,
            key=self.key,
            source=self.source or source,
            line=self.line if self.line is not None else line,
        )

    def __str__(self) -> str:
        where = self.source or "<document>"
        if self.line is not None:
            where += f", line {self.line}"
        if self.key:
            where += f", key {self.key}"
        return f"{where}: {self.message}"


@dataclass
class SpeakerSpec:
    name: str
    slug: str = ""
    role: str = ""
    names: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    # "" when the document does not say: a role label ("Q", "PREGUNTA") makes a role, else a person.
    kind: str = ""
    private: bool | None = None  # None: the document does not say (an existing speaker keeps theirs)
    identifiers: dict[str, str] = field(default_factory=dict)
    pseudonym: str = ""  # what the public sees of a private speaker; kept so a restore keeps it


@dataclass
class TurnSpec:
    speaker: str
    text: str
    kind: str = TurnKind.STATEMENT
    section: str = ""
    language: str = ""
    reply_to: int | None = None
    original: int | None = None
    topics: list[str] = field(default_factory=list)
    start: float | None = None
    end: float | None = None
    answer_status: str = ""


@dataclass
class MediaSpec:
    type: str
    label: str = ""
    url: str = ""  # an outside URL on an allowed origin, or
    file_name: str = ""  # a file already in the default storage


@dataclass
class DocumentSpec:
    slug: str
    title: str
    language: str
    speakers: list[SpeakerSpec]
    turns: list[TurnSpec]
    date: dt.date | None = None
    event: str = ""
    place: str = ""
    source_url: str = ""
    license: str = ""
    description: str = ""
    status: str = TranscriptStatus.PUBLISHED
    topics: list[str] = field(default_factory=list)
    translation_of: str = ""
    media: list[MediaSpec] = field(default_factory=list)


# Every key the format knows, where it may appear (FORMAT.md, with its additions). A key not
# here is reported, never silently dropped: `"privat": true` must not make a name public.
DOCUMENT_KEYS = (
    "format", "slug", "title", "date", "language", "event", "place", "source_url", "license",
    "description", "status", "topics", "translation_of", "speakers", "turns", "media",
)  # fmt: skip
SPEAKER_KEYS = ("name", "slug", "role", "names", "aliases", "kind", "private", "identifiers", "pseudonym")
TURN_KEYS = (
    "speaker", "kind", "text", "language", "reply_to", "original", "topics", "start", "end",
    "section", "answer_status",
)  # fmt: skip


def unknown_keys(data: Any) -> list[DocumentError]:
    """One error per key the format does not know, naming the closest known key (`privat` ->
    `private`). The importer reports them as warnings, or rejects the document with `strict`."""
    if not isinstance(data, dict):
        return []
    name = data.get("slug") or data.get("title")
    document = f" in document {name!r}" if isinstance(name, str) and name.strip() else ""
    found = [_unknown(key, DOCUMENT_KEYS, "", document) for key in data if key not in DOCUMENT_KEYS]
    for part, known in (("speakers", SPEAKER_KEYS), ("turns", TURN_KEYS)):
        items = data.get(part)
        if isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, dict):
                    found.extend(
                        _unknown(k, known, f"{part}[{index}].", document) for k in item if k not in known
                    )
    return found


def _unknown(key: Any, known: tuple[str, ...], prefix: str, document: str) -> DocumentError:
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else f" (known keys: {', '.join(known)})"
    return DocumentError(f"unknown key {str(key)!r}{document}, ignored{hint}", key=f"{prefix}{key}")


def derive_slug(title: str, date: dt.date | None) -> str:
    """A slug from date and title, for documents that do not bring their own."""
    base = slugify(f"{date.isoformat() if date else ''} {title}", allow_unicode=True)
    return base[:SLUG_MAX_LENGTH].strip("-") or "transcript"


def validate_document(data: Any, *, strict: bool = False) -> DocumentSpec:
    """Check a decoded `qa-archive/1` document and return it normalised, or raise.

    Keys the format does not know are in `unknown_keys(data)`; `strict` rejects the document
    for the first of them.
    """
    if not isinstance(data, dict):
        raise DocumentError(f"a document must be a JSON object, not {_type_name(data)}")
    _check_characters(data)
    if strict:
        unknown = unknown_keys(data)
        if unknown:
            raise DocumentError(unknown[0].message.replace(", ignored", ""), key=unknown[0].key)
    fmt = data.get("format")
    if fmt is not None and fmt != FORMAT_NAME:
        raise DocumentError(f"unknown format {fmt!r} (expected {FORMAT_NAME!r})", key="format")

    title = _required_text(data, "title")
    language = _language(data, "language", required=True)
    date = _date(data.get("date"), "date")
    slug = _optional_text(data, "slug")
    if slug:
        _check_slug(slug, "slug")
    else:
        slug = derive_slug(title, date)
    status = _optional_text(data, "status") or TranscriptStatus.PUBLISHED
    if status not in TranscriptStatus.values:
        raise DocumentError(
            f"status {status!r} is not one of {', '.join(TranscriptStatus.values)}", key="status"
        )
    translation_of = _optional_text(data, "translation_of")
    if translation_of:
        _check_slug(translation_of, "translation_of")
        if translation_of == slug:
            raise DocumentError("a transcript cannot be a translation of itself", key="translation_of")

    media = _media(data.get("media"))
    speakers = _speakers(data.get("speakers"))
    turns = _turns(data.get("turns"), {s.name for s in speakers}, language)

    return DocumentSpec(
        slug=slug,
        title=title,
        language=language,
        date=date,
        event=_optional_text(data, "event"),
        place=_optional_text(data, "place"),
        source_url=_web_address(_optional_text(data, "source_url"), "source_url"),
        license=_optional_text(data, "license"),
        description=_optional_text(data, "description"),
        status=status,
        topics=_string_list(data.get("topics"), "topics"),
        translation_of=translation_of,
        speakers=speakers,
        turns=turns,
        media=media,
    )


def _media(value: Any) -> list[MediaSpec]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DocumentError(f"must be a list of recordings, not {_type_name(value)}", key="media")
    media: list[MediaSpec] = []
    for index, item in enumerate(value):
        key = f"media[{index}]"
        if not isinstance(item, dict):
            raise DocumentError(f"must be an object with url and type, not {_type_name(item)}", key=key)
        url = _required_text(item, "url", key)
        kind = _required_text(item, "type", key)
        label = _optional_text(item, "label", key)
        for name, text, limit in (("url", url, 2000), ("type", kind, 100), ("label", label, 1000)):
            if len(text) > limit:
                raise DocumentError(
                    f"is {len(text)} characters long; at most {limit} fit", key=f"{key}.{name}"
                )
        try:
            kind = check_type(kind)
            source = check_url(url)
        except RecordingError as exc:
            raise DocumentError(exc.message, key=f"{key}.{exc.field}") from None
        media.append(MediaSpec(type=kind, label=label, url=source.url, file_name=source.file_name))
    return media


def _check_characters(data: Any) -> None:
    """No NUL and no lone surrogate in any key or text: neither can be stored (PostgreSQL refuses a
    NUL in text, UTF-8 has no surrogates), and JSON can carry both as \\u escapes."""
    pending: list[tuple[Any, str]] = [(data, "")]  # a loop, not recursion: JSON may nest deep
    # Each list or dict once: YAML front matter can alias one list many times over (or into itself).
    seen: set[int] = set()
    while pending:
        value, key = pending.pop()
        if isinstance(value, dict | list):
            if id(value) in seen:
                continue
            seen.add(id(value))
        if isinstance(value, str):
            if "\x00" in value:
                raise DocumentError(
                    "contains a NUL character (\\u0000), which cannot be stored", key=key or None
                )
            if SURROGATE.search(value):
                raise DocumentError(
                    "contains a lone surrogate (\\ud800-\\udfff), which is not a character", key=key or None
                )
        elif isinstance(value, dict):
            for name, item in reversed(value.items()):
                pending.append((item, f"{key}.{name}" if key else str(name)))
                pending.append((name, key))
        elif isinstance(value, list):
            pending.extend((item, f"{key}[{index}]") for index, item in reversed(list(enumerate(value))))


def _speakers(value: Any) -> list[SpeakerSpec]:
    if value is None:
        raise DocumentError("is required: list everyone who speaks", key="speakers")
    if not isinstance(value, list) or not value:
        raise DocumentError("must be a non-empty list of speakers", key="speakers")
    speakers: list[SpeakerSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        key = f"speakers[{index}]"
        if not isinstance(item, dict):
            raise DocumentError(f"must be an object, not {_type_name(item)}", key=key)
        name = item.get("name")
        if not isinstance(name, str):
            raise DocumentError("is required and must be text", key=f"{key}.name")
        # An empty name is allowed (real protocols have unattributed lines); see UNNAMED_SPEAKER_SLUG.
        name = _within_limit(name.strip(), f"{key}.name")
        if name in seen:
            raise DocumentError(f"the name {name!r} is listed twice", key=f"{key}.name")
        seen.add(name)
        slug = _optional_text(item, "slug", prefix=key)
        if slug:
            _check_slug(slug, f"{key}.slug")
        names = item.get("names") or {}
        if not isinstance(names, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in names.items()
        ):
            raise DocumentError(
                'must map language tags to names, e.g. {"he": "שמעון פרס"}', key=f"{key}.names"
            )
        for tag in names:
            if not LANGUAGE_TAG.match(tag):
                raise DocumentError(f"{tag!r} is not a language tag", key=f"{key}.names")
        kind = _optional_text(item, "kind", prefix=key)
        if kind and kind not in SpeakerKind.values:
            raise DocumentError(
                f"kind {kind!r} is not one of {', '.join(SpeakerKind.values)}", key=f"{key}.kind"
            )
        private = item.get("private")
        if private is not None and not isinstance(private, bool):
            raise DocumentError(f"must be true or false, not {_type_name(private)}", key=f"{key}.private")
        speakers.append(
            SpeakerSpec(
                name=name,
                slug=slug,
                role=_optional_text(item, "role", prefix=key),
                names={k: v.strip() for k, v in names.items()},
                aliases=_string_list(item.get("aliases"), f"{key}.aliases"),
                kind=kind,
                private=private,
                identifiers=_identifiers(item.get("identifiers"), f"{key}.identifiers"),
                pseudonym=_optional_text(item, "pseudonym", prefix=key),
            )
        )
    return speakers


IDENTIFIER_SCHEME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def _identifiers(value: Any, key: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str)
        and IDENTIFIER_SCHEME.match(k)
        and isinstance(v, str)
        and v.strip()
        and len(v) <= 200
        for k, v in value.items()
    ):
        raise DocumentError(
            'must map schemes (lower case) to identifiers, e.g. {"wikidata": "Q11621"}', key=key
        )
    return {k: v.strip() for k, v in value.items()}


# TurnKind.values builds its list on every call: once per turn was a tenth of an import's CPU.
_TURN_KINDS = tuple(TurnKind.values)
_ANSWER_STATUSES = tuple(AnswerStatus.values)


def _turns(value: Any, speaker_names: set[str], language: str) -> list[TurnSpec]:
    if value is None:
        raise DocumentError("is required: a transcript has at least one turn", key="turns")
    if not isinstance(value, list) or not value:
        raise DocumentError("must be a non-empty list of turns", key="turns")
    turns: list[TurnSpec] = []
    count = len(value)
    last_question: int | None = None
    last_start: tuple[int, float] | None = None  # (position, start) of the last timed turn
    for index, item in enumerate(value):
        key = f"turns[{index}]"
        position = index + 1
        if not isinstance(item, dict):
            raise DocumentError(f"must be an object, not {_type_name(item)}", key=key)
        speaker = item.get("speaker")
        if not isinstance(speaker, str):
            raise DocumentError("is required and must be a name from speakers", key=f"{key}.speaker")
        speaker = speaker.strip()
        if speaker not in speaker_names:
            raise DocumentError(
                f"speaker {speaker!r} is not in the document's speakers list", key=f"{key}.speaker"
            )
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise DocumentError("is required and must be non-empty text", key=f"{key}.text")
        if len(text) > (limit := settings.TURN_TEXT_MAX_CHARS):
            raise DocumentError(
                f"turn {position} is {len(text)} characters long; a turn holds at most {limit} "
                "(TURN_TEXT_MAX_CHARS): split it into several turns",
                key=f"{key}.text",
            )
        kind = _optional_text(item, "kind", prefix=key) or TurnKind.STATEMENT
        if kind not in _TURN_KINDS:
            raise DocumentError(f"kind {kind!r} is not one of {', '.join(_TURN_KINDS)}", key=f"{key}.kind")
        reply_to = _position(item.get("reply_to"), f"{key}.reply_to")
        if reply_to is not None and not (1 <= reply_to <= count and reply_to != position):
            raise DocumentError(
                f"{reply_to} is out of range: it must be the position (1 to {count}) "
                f"of another turn of this document",
                key=f"{key}.reply_to",
            )
        if reply_to is None and kind == TurnKind.ANSWER:
            reply_to = last_question  # the format's default: the nearest question before
        if kind == TurnKind.QUESTION:
            last_question = position
        start = _seconds(item.get("start"), f"{key}.start")
        end = _seconds(item.get("end"), f"{key}.end")
        if start is not None and end is not None and end < start:
            raise DocumentError(f"end {end} is before start {start}", key=f"{key}.end")
        if start is not None:
            if last_start is not None and start < last_start[1]:
                raise DocumentError(
                    f"start {start} is before the start of turn {last_start[0]} ({last_start[1]}): "
                    "times must follow the order of the turns",
                    key=f"{key}.start",
                )
            last_start = (position, start)
        turn_language = _language(item, "language", prefix=key)
        answer_status = _optional_text(item, "answer_status", prefix=key)
        if answer_status and answer_status not in _ANSWER_STATUSES:
            raise DocumentError(
                f"answer_status {answer_status!r} is not one of {', '.join(_ANSWER_STATUSES)}",
                key=f"{key}.answer_status",
            )
        if answer_status and kind != TurnKind.QUESTION:
            raise DocumentError(
                f"answer_status is only for questions, and this turn is a {kind}", key=f"{key}.answer_status"
            )
        turns.append(
            TurnSpec(
                speaker=speaker,
                text=text,
                kind=kind,
                section=_optional_text(item, "section", prefix=key),
                language="" if turn_language == language else turn_language,
                reply_to=reply_to,
                original=_position(item.get("original"), f"{key}.original"),
                topics=_string_list(item.get("topics"), f"{key}.topics"),
                start=start,
                end=end,
                answer_status=answer_status,
            )
        )
    return turns


def _required_text(data: dict[str, Any], name: str, prefix: str = "") -> str:
    key = f"{prefix}.{name}" if prefix else name
    value = data.get(name)
    if value is None:
        raise DocumentError("is required", key=key)
    if not isinstance(value, str) or not value.strip():
        raise DocumentError("must be non-empty text", key=key)
    return _within_limit(value.strip(), key)


def _optional_text(data: dict[str, Any], name: str, prefix: str = "") -> str:
    value = data.get(name)
    if value is None:
        return ""
    key = f"{prefix}.{name}" if prefix else name
    if not isinstance(value, str):
        raise DocumentError(f"must be text, not {_type_name(value)}", key=key)
    return _within_limit(value.strip(), key)


def _web_address(value: str, key: str) -> str:
    """An http or https URL (the site links to it: `javascript:` and the like never get through)."""
    if value:
        try:
            URLValidator(schemes=WEB_SCHEMES)(value)
        except ValidationError:
            raise DocumentError(f"{value[:100]!r} is not an http or https address", key=key) from None
    return value


def _within_limit(value: str, key: str) -> str:
    """Text no longer than the database column that will hold it."""
    limit = MAX_LENGTHS.get(key.rsplit(".", 1)[-1])
    if limit is not None and len(value) > limit:
        raise DocumentError(f"is {len(value)} characters long; at most {limit} fit", key=key)
    return value


def _language(data: dict[str, Any], name: str, *, prefix: str = "", required: bool = False) -> str:
    key = f"{prefix}.{name}" if prefix else name
    tag = _required_text(data, name, prefix) if required else _optional_text(data, name, prefix)
    if tag and not LANGUAGE_TAG.match(tag):
        raise DocumentError(f"{tag!r} is not a BCP-47 language tag (e.g. en, zh-Hans)", key=key)
    return tag


def _date(value: Any, key: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise DocumentError(f"must be a date YYYY-MM-DD, not {_type_name(value)}", key=key)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DocumentError(f"{value!r} is not a date of the form YYYY-MM-DD", key=key) from None


def _check_slug(slug: str, key: str) -> None:
    if len(slug) > SLUG_MAX_LENGTH or not SLUG.match(slug):
        raise DocumentError(
            f"{slug!r} is not a slug (letters, digits, '-' and '_', at most {SLUG_MAX_LENGTH})",
            key=key,
        )


def _string_list(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DocumentError("must be a list of non-empty strings", key=key)
    return list(dict.fromkeys(v.strip() for v in value))


def _position(value: Any, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DocumentError(f"must be a turn position (a whole number from 1), not {value!r}", key=key)
    return value


def _seconds(value: Any, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise DocumentError(f"must be a number of seconds, not {value!r}", key=key)
    if value < 0:
        raise DocumentError(f"must not be negative ({value})", key=key)
    return float(value)


def _type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
