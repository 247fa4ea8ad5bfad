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
