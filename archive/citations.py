"""How to cite one turn: a permalink, a plain-text reference and a BibTeX entry.

Dates in citations are ISO (2014-04-10) whatever the interface language: a citation
is copied into papers written in other languages, and ISO dates read the same in all.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.text import slugify
from django.utils.translation import gettext as _

from archive.models import Transcript, Turn
from archive.recordings import moment_query, time_range_text

_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_^~])")
_BIBTEX_REPLACEMENTS = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}


@dataclass(frozen=True)
class Citation:
    permalink: str
    text: str
    bibtex: str


def bibtex_escape(value: str) -> str:
    """A value safe inside BibTeX braces: TeX specials escaped, whitespace collapsed."""
    value = " ".join(value.split())
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_REPLACEMENTS.get(m.group(1), "\\" + m.group(1)), value)


def bibtex_key(transcript: Transcript, position: int) -> str:
    """An ASCII key (classic BibTeX chokes on others): the slug transliterated, else the row id."""
    base = slugify(transcript.slug) or f"transcript-{transcript.pk}"
    return f"{base}-turn-{position}"


def turn_times(turn: Turn) -> tuple[float | None, float | None]:
    """The turn's time range; a translation's turn without one takes its original turn's."""
    if turn.start is None and turn.original_position is not None:
        original = turn.original_turn()
        if original is not None:
            return original.start, original.end
    return turn.start, turn.end


def turn_permalink(page_url: str, position: int, times: tuple[float | None, float | None]) -> str:
    """The turn's address; a timed turn's carries its time range (`?t=61,94.5`), which plays it."""
    start, end = times
    query = f"?{moment_query(start, end)}" if start is not None else ""
    return f"{page_url}{query}#turn-{position}"


def turn_citation(
    *,
    transcript: Transcript,
    turn: Turn,
    speaker: str,
    kind: str,
    permalink: str,
    accessed: dt.date,
    times: tuple[float | None, float | None] | None = None,
) -> Citation:
    """`times`: the turn's (start, end) in the recording, which `permalink` should carry too
    (see `turn_permalink`)."""
    site = _("Q&A Transcript Archive")
    where = ", ".join(
        part
        for part in [transcript.event, transcript.place, transcript.date and transcript.date.isoformat()]
        if part
    )
    text = _("%(speaker)s (%(kind)s, turn %(position)s). “%(title)s”.") % {
        "speaker": speaker,
        "kind": kind,
        "position": turn.position,
        "title": transcript.title,
    }
    if where:
        text += f" {where}."
    start, end = times if times else (None, None)
    if start is not None:
        text += " " + _("Recording, %(range)s.") % {"range": time_range_text(start, end)}
    text += " " + _("%(site)s. %(url)s (accessed %(accessed)s).") % {
        "site": site,
        "url": permalink,
        "accessed": accessed.isoformat(),
    }

    fields: list[tuple[str, str]] = [
        ("author", "{" + bibtex_escape(speaker) + "}"),
        ("title", "{" + bibtex_escape(transcript.title) + "}"),
    ]
    published = ", ".join(part for part in [transcript.event, transcript.place] if part)
    if published:
        fields.append(("howpublished", bibtex_escape(published)))
    if transcript.date:
        fields.append(("year", str(transcript.date.year)))
        fields.append(("date", transcript.date.isoformat()))
    fields += [
        ("language", bibtex_escape(turn.effective_language)),
        ("url", permalink),
        ("urldate", accessed.isoformat()),
        (
            "note",
            bibtex_escape(
                _("%(kind)s, turn %(position)s. %(site)s")
                % {"kind": kind, "position": turn.position, "site": site}
            ),
        ),
    ]
    if start is not None:
        # biblatex prints an addendum after the entry; classic BibTeX styles skip unknown fields.
        fields.append(
            (
                "addendum",
                bibtex_escape(_("Recording, %(range)s") % {"range": time_range_text(start, end, dash="--")}),
            )
        )
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    bibtex = f"@misc{{{bibtex_key(transcript, turn.position)},\n{body}\n}}\n"
    return Citation(permalink=permalink, text=text, bibtex=bibtex)


# --- CSL-JSON and RIS: what reference managers (Zotero, Mendeley, EndNote) read ---
#
# Unlike the plain text above, these entries are the same for every reader: no interface
# language, no access date (the reference manager records its own), English kind labels.

CSL_JSON_TYPE = "application/vnd.citationstyles.csl+json"
RIS_TYPE = "application/x-research-info-systems"
PUBLISHER = "Q&A Transcript Archive"
KIND_NAMES = {
    "question": "Question",
    "answer": "Answer",
    "statement": "Statement",
    "moderator": "Moderation",
    "narrative": "Narrative",
}


def time_range(start: float | None, end: float | None) -> str:
    """`00:01:01–00:01:34` (or just the start), for a turn with times."""
    if start is None:
        return ""

    def clock(seconds: float) -> str:
        whole = int(seconds)
        return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"

    return clock(start) + (f"–{clock(end)}" if end is not None else "")


@dataclass(frozen=True)
class Reference:
    """One citable thing, a transcript or one turn of it, in the terms both formats share."""

    key: str
    title: str
    authors: list[str]
    permalink: str
    language: str
    date: dt.date | None
    event: str
    place: str
    note: str
    turn: int | None = None


def reference_for(
    transcript: Transcript, permalink: str, turn: Turn | None = None, speaker: str = ""
) -> Reference:
    """The transcript, or one of its turns (`speaker` the name readers see for it)."""
    if turn is None:
        return Reference(
            key=slugify(transcript.slug) or f"transcript-{transcript.pk}",
            title=" ".join(transcript.title.split()),
            authors=[],
            permalink=permalink,
            language=transcript.language,
            date=transcript.date,
            event=transcript.event,
            place=transcript.place,
            note="Transcript",
        )
    parts = [f"{KIND_NAMES.get(turn.kind, turn.kind)}, turn {turn.position}"]
    times = time_range(turn.start, turn.end)
    if times:
        parts.append(times)
    return Reference(
        key=bibtex_key(transcript, turn.position),
        title=" ".join(transcript.title.split()),
        authors=[speaker] if speaker else [],
        permalink=permalink,
        language=turn.effective_language,
        date=transcript.date,
        event=transcript.event,
        place=transcript.place,
        note=", ".join(parts),
        turn=turn.position,
    )


def csl_json(reference: Reference) -> list[dict[str, object]]:
    """A CSL-JSON array of one item (`type: speech`)."""
    item: dict[str, object] = {"id": reference.key, "type": "speech", "title": reference.title}
    if reference.authors:
        # A literal name: speakers' names come in every script and order; splitting them guesses.
        item["author"] = [{"literal": name} for name in reference.authors]
    if reference.date:
        item["issued"] = {"date-parts": [[reference.date.year, reference.date.month, reference.date.day]]}
    if reference.event:
        item["event"] = " ".join(reference.event.split())
    if reference.place:
        item["event-place"] = " ".join(reference.place.split())
    if reference.turn is not None:
        item["locator"] = str(reference.turn)
    item.update(
        {
            "genre": reference.note,
            "publisher": PUBLISHER,
            "language": reference.language,
            "URL": reference.permalink,
        }
    )
    return [item]


def ris(reference: Reference) -> str:
    """A RIS record (`TY  - GEN`), one tag per line, CRLF as the format has it."""

    def line(tag: str, value: str) -> str:
        return f"{tag}  - {' '.join(value.split())}"

    lines = [line("TY", "GEN"), line("ID", reference.key)]
    lines += [line("AU", name) for name in reference.authors]
    lines.append(line("TI", reference.title))
    if reference.event:
        lines.append(line("T2", reference.event))
    if reference.place:
        lines.append(line("CY", reference.place))
    if reference.date:
        lines.append(line("PY", str(reference.date.year)))
        lines.append(line("DA", reference.date.strftime("%Y/%m/%d")))
    lines += [
        line("M3", reference.note),
        line("LA", reference.language),
        line("PB", PUBLISHER),
        line("UR", reference.permalink),
        "ER  - ",
    ]
    return "\r\n".join(lines) + "\r\n"
