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


def turn_citation(
    *,
    transcript: Transcript,
    turn: Turn,
    speaker: str,
    kind: str,
    permalink: str,
    accessed: dt.date,
) -> Citation:
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
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    bibtex = f"@misc{{{bibtex_key(transcript, turn.position)},\n{body}\n}}\n"
    return Citation(permalink=permalink, text=text, bibtex=bibtex)
