"""Subtitles in: WebVTT (`.vtt`) and SubRip (`.srt`). Cues become turns with start and end times.

Speakers
  * WebVTT voice spans name the speaker: `<v Shimon Peres>Our secret is learning.`
    A voice class that is a turn kind sets the kind: `<v.question Weibo user>`,
    `<v.answer Shimon Peres>` (this is how the VTT export writes kinds).
  * Text outside voice spans (all of an SRT file) may start a line with a label:
    `[NAME] text` or `NAME: text` (also the full-width colon `NAME：text` of Chinese and
    Japanese captions), optionally after a dialogue dash. Broadcast `>>` speaker-change
    markers are dropped. So that ordinary sentences ("The reason is simple: ...",
    "על סדר היום: ...") are not taken for speakers, a label is at most 40 characters and
    five words, without digits or sentence punctuation, and it either
      - counts wherever it occurs: words all capitalised (`MS. PSAKI`, `Shimon Peres`,
        short lowercase particles inside as in `Ursula von der Leyen`), one word of at
        most 16 characters in a script without capitals (`林剑`, `法新社记者`), or a
        question label (below); or
      - counts only if it labels at least two lines of the file: a capitalised first
        word followed by lowercase ones (`Weibo user`), several words in a script
        without capitals (`היו"ר משה גפני`, `أحمد الطيبي`), or any label followed by a
        quotation mark (`他说：“…”` is more often reported speech than a speaker).
    A speaker who says one thing once in such a file is missed (their words go to the
    previous speaker); that is preferred to inventing speakers out of phrases, since
    speakers are people across the whole archive. Voice spans are never guessed.
    `[Applause]`, `[Laughter]` and other common sound descriptions are not speakers.
  * Cues without a label continue the previous speaker (captioners label a speaker
    only when the speaker changes); cues before the first label belong to the archive's
    one unnamed speaker (an empty name, see `archive.interchange.UNNAMED_SPEAKER_SLUG`).

Turns
  Consecutive cues of the same speaker merge into one turn, from the start of the first
  cue to the end of the last. Captions cut speech into two-line pieces sized for reading
  on screen, not at the speaker's sentence or thought; a reader of a transcript (and
  search, and `reply_to`) expects one turn per time a person has the floor. Lines of a
  cue are display wrapping too, so they join with a space (nothing between two Chinese
  or Japanese characters). Exception: a cue identified `turn-N` (what the VTT export
  writes, one cue per turn) is turn N: cues with different turn numbers never merge,
  and its lines are the turn's paragraphs.

Kind: `question` for a speaker labelled `Q`, `Question` (or `Pregunta`, `问`, `質問`,
`שאלה`, `سؤال`: the list in archive/people.py), else `statement`, unless a voice class says
otherwise. Answers are not guessed.

Metadata (WebVTT only; SRT has nowhere to put it)
  `Key: value` lines in the header (the lines right under `WEBVTT`, as YouTube writes
  `Language: en`) or in `NOTE` blocks before the first cue. Keys, case-insensitive:
  Title, Slug, Date (YYYY-MM-DD), Language, Event, Place, Source (the source URL),
  License, Description, Status, Topics (separated by `;`), Translation-Of. Other lines
  are comments. Without `Title:`, the text after `WEBVTT` on the first line is the
  title, else the file name.

Slug: a `Slug:` line, else the date, title and language (`2022-11-21-budget-hearing-he`),
so that the same talk in two languages (`talk.en.srt`, `talk.es.srt`) makes two
transcripts instead of one replacing the other.

Language: a `Language:` header, or the tag before the extension in the file name
(`talk.es.srt`, `talk.zh-Hans.vtt`). A file with neither is rejected, saying how to give
one; a file whose name and header disagree is rejected too.

Times: `HH:MM:SS.mmm` or `MM:SS.mmm` (WebVTT), `HH:MM:SS,mmm` (SRT; a `.` is accepted
there too). Text settings after the times are ignored. A malformed cue rejects the
file, naming the line and what is wrong. Markup (`<i>`, `<b>`, `<c.x>`, `<lang>`,
karaoke timestamps, SRT `{\\an8}`) is removed, ruby annotations (`<rt>`) dropped and
entities (`&amp;`) decoded.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from archive.importers.base import RawDocument
from archive.importers.language_tags import canonical_tag, split_language_suffix
from archive.interchange import FORMAT_NAME, LANGUAGE_TAG, SLUG_MAX_LENGTH, DocumentError
from archive.models import TurnKind
from archive.people import is_question_label

UNNAMED = ""  # the interchange format's unnamed speaker
MAX_LABEL_LENGTH = 40

# Header / NOTE keys (lowercased, without spaces, '-' and '_') -> qa-archive/1 keys.
METADATA_KEYS = {
    "title": "title",
    "slug": "slug",
    "date": "date",
    "language": "language",
    "lang": "language",
    "event": "event",
    "place": "place",
    "location": "place",
    "source": "source_url",
    "sourceurl": "source_url",
    "url": "source_url",
    "license": "license",
    "licence": "license",
    "description": "description",
    "status": "status",
    "topics": "topics",
    "translationof": "translation_of",
}
SOUND_DESCRIPTIONS = frozenset(
    {
        *("applause", "laughter", "laughs", "laughing", "music", "inaudible", "crosstalk", "silence"),
        *("noise", "cheering", "indistinct", "unintelligible", "sighs", "coughs", "pause"),
        *("aplausos", "risas", "música", "掌声", "笑声", "音乐", "听不清", "拍手", "笑い", "音楽"),
        *("מחיאות כפיים", "צחוק", "موسيقى", "تصفيق", "ضحك"),
    }
)
LOWERCASE_PARTICLE_MAX = 3  # von, der, de, la, bin, al ...
MAX_UNCASED_WORD = 16  # 总台央视记者, 总台华语环球节目中心记者
_OPENING_QUOTES = tuple("\"“„«「『‘'")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WEBVTT = re.compile(r"^WEBVTT(?:[ \t]+(.*))?$")
_TIMING = re.compile(r"^\s*(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t]+.*)?$")
_VTT_TIME = re.compile(r"^(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})$")
_SRT_TIME = re.compile(r"^(\d{1,3}):(\d{2}):(\d{2})[,.](\d{3})$")
_METADATA_LINE = re.compile(r"^([A-Za-z][A-Za-z _-]{0,30}?)[ \t]*:[ \t]*(.*)$")
_TURN_ID = re.compile(r"^turn-(\d+)$")
_VOICE = re.compile(r"<v((?:\.[^\s.<>]+)*)(?:[ \t]+([^<>]*))?>")
_RUBY_TEXT = re.compile(r"<(rt|rp)\b[^<>]*>.*?</\1>")
_TAG = re.compile(r"<[^<>]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^{}]*\}")
_SPEAKER_CHANGE = re.compile(r"^>>+\s*")
_DIALOGUE_DASH = re.compile(r"^[-–]\s*")
_BRACKET_LABEL = re.compile(r"^\[([^\[\]]{1,40})\]\s*(\S.*)$")
_COLON_LABEL = re.compile(r"^([^:：\[\]<>]{1,40}?)\s*(?::(?=\s|$)|：)\s*(.*)$")
# Sentence punctuation; names keep '.', quotes and parentheses (MS. PSAKI, היו"ר, Name (Party)).
_NOT_IN_NAMES = set(",;!?“”«»„…。，、？！")


@dataclass
class _Cue:
    line: int  # of the timing line
    identifier: str
    start: float
    end: float
    payload: list[str]

    @property
    def turn_number(self) -> int | None:
        match = _TURN_ID.match(self.identifier)
        return int(match.group(1)) if match else None


@dataclass
class _Run:
    """Text of one cue with one voice (or none): the unit label detection works on."""

    cue: _Cue
    voice: str | None
    kind: str | None
    lines: list[str]


@dataclass
class _Piece:
    """Text of one cue by one speaker (None: whoever spoke before)."""

    cue: _Cue
    speaker: str | None
    kind: str | None
    lines: list[str] = field(default_factory=list)


@dataclass
class _Turn:
    speaker: str
    kind: str | None
    start: float
    end: float
    number: int | None
    text: str = ""


@dataclass
class _Label:
    name: str
    rest: str
    strict: bool


def parse_vtt(text: str, source: str) -> Iterator[RawDocument]:
    try:
        cues, metadata, header_title = _read_vtt(text)
        data = _document(cues, metadata, header_title, source, vtt=True)
    except DocumentError as exc:
        yield RawDocument(source, error=exc)
        return
    yield RawDocument(source, data=data)


def parse_srt(text: str, source: str) -> Iterator[RawDocument]:
    try:
        cues = _read_srt(text)
        data = _document(cues, {}, "", source, vtt=False)
    except DocumentError as exc:
        yield RawDocument(source, error=exc)
        return
    yield RawDocument(source, data=data)


def _blocks(text: str, *, vtt: bool) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with the number of its first line.

    In WebVTT only an empty line ends a block (YouTube's cues hold lines of one space),
    and, as in the WebVTT parser, a second timing line starts a new cue. SRT files are
    looser: a line of spaces ends a cue there.
    """
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if vtt and current and "-->" in line and any("-->" in seen for seen in current):
            blocks.append((first, current))
            current = []
        if line if vtt else line.strip():
            if not current:
                first = number
            current.append(line if vtt else line.rstrip())
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _read_vtt(text: str) -> tuple[list[_Cue], dict[str, str], str]:
    blocks = _blocks(text, vtt=True)
    if not blocks:
        raise DocumentError("is empty: a WebVTT file starts with a line 'WEBVTT'")
    first_line, header = blocks[0]
    signature = _WEBVTT.match(header[0])
    if first_line != 1 or signature is None:
        found = repr(header[0][:60]) if first_line == 1 else "a blank line"
        raise DocumentError(f"is not a WebVTT file: the first line must be 'WEBVTT', found {found}", line=1)
    metadata: dict[str, str] = {}
    for offset, line in enumerate(header[1:], start=1):
        if "-->" in line:
            raise DocumentError(
                "a blank line must separate the WEBVTT header from the first cue", line=first_line + offset
            )
        _read_metadata_line(line, metadata)

    cues: list[_Cue] = []
    for start, lines in blocks[1:]:
        word = lines[0].split(maxsplit=1)[0] if lines[0].strip() else ""
        if word == "NOTE":
            if not cues:  # later NOTEs are comments between cues
                for line in [lines[0][4:], *lines[1:]]:
                    _read_metadata_line(line, metadata)
            continue
        if word in ("STYLE", "REGION") and "-->" not in lines[0]:
            continue
        if "-->" in lines[0]:
            identifier, timing = "", 0
        elif len(lines) > 1 and "-->" in lines[1]:
            identifier, timing = lines[0].strip(), 1
        else:
            raise DocumentError(
                "expected a cue (an optional identifier, then a timing line such as "
                f"'00:01:02.500 --> 00:01:05.000') or a NOTE, found {lines[0][:60]!r}",
                line=start,
            )
        begin, end = _timing(lines[timing], start + timing, vtt=True)
        cues.append(_Cue(start + timing, identifier, begin, end, lines[timing + 1 :]))
    header_title = (signature.group(1) or "").strip().lstrip("-–— ").strip()
    if header_title.casefold() == "file":  # old tools write "WEBVTT FILE"
        header_title = ""
    return cues, metadata, header_title


def _read_srt(text: str) -> list[_Cue]:
    cues: list[_Cue] = []
    for start, lines in _blocks(text, vtt=False):
        first = lines[0].strip()
        if first.isdigit():
            if len(lines) < 2 or "-->" not in lines[1]:
                raise DocumentError(
                    f"cue {first} has no timing line: expected one such as "
                    "'00:01:02,500 --> 00:01:05,000' right after the cue number",
                    line=start + 1,
                )
            timing = 1
        elif "-->" in first:
            timing = 0
        else:
            raise DocumentError(
                "expected a cue: a number, then a timing line such as '00:01:02,500 --> 00:01:05,000' "
                f"(is there a blank line inside a cue?), found {first[:60]!r}",
                line=start,
            )
        begin, end = _timing(lines[timing], start + timing, vtt=False)
        identifier = first if timing == 1 else ""
        cues.append(_Cue(start + timing, identifier, begin, end, lines[timing + 1 :]))
    return cues


def _read_metadata_line(line: str, metadata: dict[str, str]) -> None:
    match = _METADATA_LINE.match(line.strip())
    if match is None:
        return
    key = METADATA_KEYS.get(re.sub(r"[\s_-]", "", match.group(1)).lower())
    value = match.group(2).strip()
    if key and value:
        metadata[key] = value


def _timing(line: str, number: int, *, vtt: bool) -> tuple[float, float]:
    match = _TIMING.match(line)
    example = "00:01:02.500 --> 00:01:05.000" if vtt else "00:01:02,500 --> 00:01:05,000"
    if match is None:
        raise DocumentError(f"malformed timing line {line.strip()[:60]!r}: expected '{example}'", line=number)
    start = _time(match.group(1), "start", number, vtt=vtt)
    end = _time(match.group(2), "end", number, vtt=vtt)
    if end < start:
        raise DocumentError(
            f"the cue ends ({match.group(2)}) before it starts ({match.group(1)})", line=number
        )
    return start, end


def _time(value: str, which: str, number: int, *, vtt: bool) -> float:
    match = (_VTT_TIME if vtt else _SRT_TIME).match(value)
    if match is None:
        expected = "HH:MM:SS.mmm or MM:SS.mmm" if vtt else "HH:MM:SS,mmm"
        hint = ""
        if vtt and re.fullmatch(r"[\d:]+,\d{3}", value):
            hint = " (WebVTT puts '.' before the milliseconds, not ',')"
        raise DocumentError(f"bad {which} time {value!r}: expected {expected}{hint}", line=number)
    hours, minutes, seconds, millis = (int(g) if g else 0 for g in match.groups())
    if minutes > 59 or seconds > 59:
        raise DocumentError(f"bad {which} time {value!r}: minutes and seconds go from 00 to 59", line=number)
    return (((hours * 60 + minutes) * 60 + seconds) * 1000 + millis) / 1000


def _document(
    cues: list[_Cue], metadata: dict[str, str], header_title: str, source: str, *, vtt: bool
) -> dict[str, Any]:
    stem, file_language = split_language_suffix(source)
    language = metadata.get("language", "")
    if language and file_language and canonical_tag(language).lower() != file_language.lower():
        raise DocumentError(
            f"the file name says the language is {file_language!r} but its Language: line says "
            f"{language!r}: rename the file or correct the line",
            key="language",
        )
    if LANGUAGE_TAG.match(language):
        language = canonical_tag(language)  # zh-hans -> zh-Hans, as the file-name tag is
    language = language or file_language or ""
    if not language:
        where = "name the file like talk.es.srt or talk.zh-Hans.srt"
        if vtt:
            where = "name the file like talk.es.vtt or talk.zh-Hans.vtt, or put 'Language: es' under WEBVTT"
        raise DocumentError(f"no language given: {where} (a BCP-47 tag)", key="language")

    turns = _turns(cues, vtt=vtt)
    if not turns:
        raise DocumentError("has no cues with text: nothing to import")
    title = metadata.get("title") or header_title or stem.replace("_", " ").strip()
    data: dict[str, Any] = {"format": FORMAT_NAME, "title": title, "language": language}
    # talk.en.srt and talk.es.srt are two transcripts: without a Slug: line, the slug
    # derived from date and title also holds the language, so one never replaces the other.
    data["slug"] = metadata.get("slug") or _slug(f"{metadata.get('date', '')} {title}", language)
    for key in ("date", "event", "place", "source_url", "license", "description", "status"):
        if key in metadata:
            data[key] = metadata[key]
    if "translation_of" in metadata:
        data["translation_of"] = metadata["translation_of"]
    if "topics" in metadata:
        data["topics"] = [t.strip() for t in metadata["topics"].split(";") if t.strip()]
    data["speakers"] = [{"name": name} for name in dict.fromkeys(t.speaker for t in turns)]
    data["turns"] = [
        {
            "speaker": t.speaker,
            "kind": str(t.kind or TurnKind.STATEMENT),
            "text": t.text,
            "start": t.start,
            "end": t.end,
        }
        for t in turns
    ]
    return data


def _slug(text: str, language: str) -> str:
    suffix = "-" + language.lower()
    base = slugify(text, allow_unicode=True)[: SLUG_MAX_LENGTH - len(suffix)].strip("-")
    return (base or "transcript") + suffix


def _turns(cues: list[_Cue], *, vtt: bool) -> list[_Turn]:
    runs = [run for cue in cues for run in _runs(cue, vtt=vtt)]
    # Loose labels ("Weibo user:") count only when they label more than one line.
    loose = Counter(
        label.name
        for run in runs
        if run.voice is None
        for line in run.lines
        if (label := _label(line)) is not None and not label.strict
    )
    turns: list[_Turn] = []
    speaker: str | None = None
    for piece in (p for run in runs for p in _pieces(run, loose)):
        name = piece.speaker if piece.speaker is not None else (speaker if speaker is not None else UNNAMED)
        speaker = name
        number = piece.cue.turn_number
        # Lines of an exported turn cue are paragraphs; other cues' lines are display wrapping.
        text = "\n".join(piece.lines) if number is not None else _join_lines(piece.lines)
        current = turns[-1] if turns else None
        if (
            current is not None
            and current.speaker == name
            and (number is None or number == current.number)
            and (piece.kind is None or current.kind is None or piece.kind == current.kind)
        ):
            current.end = max(current.end, piece.cue.end)
            current.kind = current.kind or piece.kind
            if number is not None and current.text and text:
                current.text += "\n" + text
            else:
                current.text = _join_lines([current.text, text])
            continue
        turns.append(_Turn(name, piece.kind, piece.cue.start, piece.cue.end, number, text))
    return [turn for turn in turns if turn.text.strip()]


def _runs(cue: _Cue, *, vtt: bool) -> Iterator[_Run]:
    """A cue's text split at voice spans, cleaned of markup, line by line."""
    payload = "\n".join(cue.payload)
    spans: list[tuple[str | None, str | None, str]] = []
    if vtt:
        matches = list(_VOICE.finditer(payload))
        spans.append((None, None, payload[: matches[0].start()] if matches else payload))
        for index, match in enumerate(matches):
            end = matches[index + 1].start() if index + 1 < len(matches) else len(payload)
            classes = [c for c in match.group(1).split(".") if c]
            kind = next((c for c in classes if c in TurnKind.values), None)
            voice = " ".join(html.unescape(match.group(2) or "").split()) or None
            spans.append((voice, kind, payload[match.end() : end]))
    else:
        spans.append((None, None, payload))
    # A cue the VTT export wrote holds a turn's paragraphs verbatim; keep them so.
    exact = cue.turn_number is not None
    for voice, kind, text in spans:
        if exact and voice is not None:
            lines = [_clean(line, vtt=vtt, exact=True) for line in text.split("\n")]
        else:
            lines = [cleaned for line in text.split("\n") if (cleaned := _clean(line, vtt=vtt))]
        if voice is not None and kind is None and is_question_label(voice):
            kind = TurnKind.QUESTION
        if lines or voice is not None:
            yield _Run(cue, voice, kind, lines)


def _clean(line: str, *, vtt: bool, exact: bool = False) -> str:
    line = _RUBY_TEXT.sub("", line)
    line = _TAG.sub("", line)
    if not vtt:
        line = _ASS_OVERRIDE.sub("", line)
    line = html.unescape(line)
    if exact:
        return "" if line.isspace() else line
    return _SPEAKER_CHANGE.sub("", " ".join(line.split()))


def _pieces(run: _Run, loose: Counter[str]) -> Iterator[_Piece]:
    """A run cut where a line starts with a speaker label (only outside voice spans)."""
    if run.voice is not None:
        yield _Piece(run.cue, run.voice, run.kind, list(run.lines))
        return
    piece = _Piece(run.cue, None, None)
    for line in run.lines:
        label = _label(line)
        if label is not None and (label.strict or loose[label.name] >= 2):
            if piece.lines or piece.speaker is not None:
                yield piece
            kind = TurnKind.QUESTION if is_question_label(label.name) else None
            piece = _Piece(run.cue, label.name, kind, [label.rest] if label.rest else [])
        else:
            piece.lines.append(line)
    if piece.lines or piece.speaker is not None:
        yield piece


def _label(line: str) -> _Label | None:
    body = _DIALOGUE_DASH.sub("", line)
    bracket = _BRACKET_LABEL.match(body)
    if bracket is not None:
        name, rest = bracket.group(1).strip(), bracket.group(2)
        if name.casefold() in SOUND_DESCRIPTIONS:
            return None
    else:
        colon = _COLON_LABEL.match(body)
        if colon is None:
            return None
        name, rest = colon.group(1).strip(), colon.group(2)
    shape = _name_shape(name)
    if shape is None:
        return None
    # Before a quotation it may be reported speech (他说：“……”): a label only if it recurs.
    return _Label(name, rest, strict=shape and not rest.startswith(_OPENING_QUOTES))


def _name_shape(name: str) -> bool | None:
    """True: a label on its own; False: a label if it recurs; None: not a label."""
    words = name.split()
    if not words or len(words) > 5 or len(name) > MAX_LABEL_LENGTH:
        return None
    if any(ch.isdigit() or ch in _NOT_IN_NAMES for ch in name):
        return None
    if is_question_label(name):
        return True
    if not any(ch.isupper() or ch.islower() for ch in name):
        # No capitals to go by (Chinese, Hebrew, Arabic ...): one short word is a name or
        # title (林剑, 法新社记者); several words may be a phrase ("על סדר היום").
        return len(words) == 1 and len(name) <= MAX_UNCASED_WORD
    if not _capitalised(words[0]):
        return None
    last = len(words) - 1
    if all(
        _capitalised(w) or (0 < i < last and w.isalpha() and len(w) <= LOWERCASE_PARTICLE_MAX)
        for i, w in enumerate(words)
    ):
        return True
    return False if len(words) <= 4 else None


def _capitalised(word: str) -> bool:
    letter = next((ch for ch in word if ch.isalpha()), None)
    return letter is not None and not letter.islower()  # uppercase, or a script without case


def _join_lines(lines: list[str]) -> str:
    """Caption lines joined into running text: a space, except between two CJK characters."""
    text = ""
    for line in lines:
        if not line:
            continue
        if text and not (_is_wide(text[-1]) and _is_wide(line[0])):
            text += " "
        text += line
    return text


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def cue_times(text: str, *, vtt: bool) -> list[tuple[int, float, float]]:
    """(line, start, end) of each cue of a WebVTT or SRT file, in file order; DocumentError if malformed.

    For taking a transcript's times from a subtitle file, turn by turn (`archive.timing`).
    """
    cues = _read_vtt(text)[0] if vtt else _read_srt(text)
    return [(cue.line, cue.start, cue.end) for cue in cues]
