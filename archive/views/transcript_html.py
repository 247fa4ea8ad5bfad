"""The transcript's turns as HTML, written in Python rather than with template tags.

A transcript can have thousands of turns; the template language costs about a millisecond
per turn, this a few microseconds. The markup is the same the templates would write:
everything from the data is escaped, everything else is fixed text or already-safe HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from archive.recordings import clock_text, seconds_text
from archive.views.transcript_page import Block, ParallelRow, TurnRow


@dataclass(frozen=True)
class Words:
    """The interface words a turn shows, translated and escaped once per page."""

    question: str
    reply_to: str
    answered_in: str
    cite: str
    correct: str
    also_in: str
    side_by_side: str
    play_from: str

    @classmethod
    def current(cls) -> Words:
        return cls(
            question=escape(_("Question")),
            reply_to=escape(_("In reply to")),
            answered_in=escape(_("Answered in")),
            cite=escape(_("Cite this turn")),
            correct=escape(_("Suggest a correction")),
            also_in=escape(_("Also in:")),
            side_by_side=escape(_("side by side")),
            play_from=escape(_("Play from")),
        )


def _play(row: TurnRow, words: Words) -> str:
    """The play-from-here control of a timed turn: a link that works without JavaScript too."""
    if not row.play_url or row.start is None:
        return ""
    return (
        f' <a class="turn__play" href="{escape(row.play_url)}" data-start="{seconds_text(row.start)}">'
        f'<span aria-hidden="true">▶</span><span class="visually-hidden">{words.play_from}</span> '
        f'<span dir="ltr">{clock_text(row.start)}</span></a>'
    )


def _timing(row: TurnRow) -> str:
    """The turn's times for the player script; a turn without them is not seekable."""
    if row.start is None:
        return ""
    end = f' data-end="{seconds_text(row.end)}"' if row.end is not None else ""
    return f' data-start="{seconds_text(row.start)}"{end}'


def _speaker_link(row: TurnRow, css: str = "") -> str:
    """The speaker's name, linked to their page; a role ("Q") has none."""
    if not row.speaker_url:
        return f"<span{css}><bdi>{escape(row.speaker_name)}</bdi></span>"
    return f'<a{css} href="{escape(row.speaker_url)}"><bdi>{escape(row.speaker_name)}</bdi></a>'


def _head(row: TurnRow, words: Words, *, in_exchange: bool) -> str:
    parts = [
        _speaker_link(row, css=' class="turn__speaker"')
        + f' <span class="kind kind--{row.kind}">{escape(row.kind_label)}</span>'
    ]
    if row.answer_status:
        parts.append(
            f' <span class="answer-status answer-status--{row.answer_status}">'
            f"{escape(row.answer_status_label)}</span>"
        )
    if row.reply_to and not row.reply_is_adjacent:
        parts.append(f' <a class="muted" href="#turn-{row.reply_to}">{words.reply_to} #{row.reply_to}</a>')
    if row.replies and not in_exchange:
        links = "".join(f'<a href="#turn-{p}">#{p}</a> ' for p in row.replies)
        parts.append(f' <span class="muted">{words.answered_in} {links}</span>')
    parts.append(_play(row, words))
    parts.append(f' <a class="turn-number" href="#turn-{row.position}">#{row.position}</a>')
    return "".join(parts)


def _foot(row: TurnRow, words: Words) -> str:
    parts = []
    if row.topics:
        links = "".join(f'<a href="{escape(t.url)}"><bdi>{escape(t.label)}</bdi></a> ' for t in row.topics)
        parts.append(f'<span class="turn__topics">{links}</span>')
    if row.versions:
        links = "".join(
            # The label is in the interface language; hreflang names the language of the page linked.
            f'<a href="{escape(v.url)}" hreflang="{escape(v.lang)}">{escape(v.label)}</a>'
            f' (<a href="{escape(v.compare_url)}" class="compare-link">'
            f"{words.side_by_side}</a>) "
            for v in row.versions
        )
        parts.append(f'<span class="turn__versions">{words.also_in} {links}</span>')
    parts.append(
        f'<a class="cite-link" href="{escape(row.cite_url)}">{words.cite}'
        f'<span class="visually-hidden"> #{row.position}</span></a>'
    )
    parts.append(
        f' <a class="correct-link" href="{escape(row.correct_url)}" rel="nofollow">{words.correct}'
        f'<span class="visually-hidden"> #{row.position}</span></a>'
    )
    return "".join(parts)


def render_blocks(blocks: list[Block], words: Words | None = None) -> SafeString:
    words = words or Words.current()
    out: list[str] = []
    section = ""
    for block in blocks:
        # A heading wherever the agenda item changes (a question and its answers share one).
        if block.rows[0].turn.section != section:
            section = block.rows[0].turn.section
            if section:
                out.append(f'<h3 class="turn-section"><bdi>{escape(section)}</bdi></h3>\n')
        if block.is_exchange:
            first = block.rows[0].position
            out.append(f'<div class="exchange" role="group" aria-label="{words.question} #{first}">')
        for row in block.rows:
            key = f' data-key="{row.key}"' if row.key else ""
            out.append(
                f'<article class="turn turn--{row.kind}" id="turn-{row.position}"{key}{_timing(row)}>'
                f'<header class="turn__head">{_head(row, words, in_exchange=block.is_exchange)}</header>'
                f'<div class="turn__text" lang="{escape(row.lang)}" dir="{row.dir}">{row.html}</div>'
                f'<footer class="turn__foot">{_foot(row, words)}</footer>'
                "</article>\n"
            )
        if block.is_exchange:
            out.append("</div>\n")
    # Safe: every value from the data is escaped above; row.html is escaped by paragraphs().
    return mark_safe("".join(out))


def _parallel_cell(
    turns: list[TurnRow], words: Words, *, id_prefix: str, link_base: str, cite: str = ""
) -> str:
    return "".join(
        f'<div class="pturn" id="{id_prefix}{t.position}"{_timing(t)}><p class="pturn__head">'
        + _speaker_link(t)
        + f' <span class="kind kind--{t.kind}">{escape(t.kind_label)}</span>'
        + _play(t, words)
        + (
            f' <a class="cite-link" href="{escape(t.cite_url)}">{cite}'
            f'<span class="visually-hidden"> #{t.position}</span></a>'
            if cite
            else ""
        )
        + f' <a class="turn-number" href="{escape(link_base)}#turn-{t.position}">#{t.position}</a></p>'
        f'<div class="turn__text" lang="{escape(t.lang)}" dir="{t.dir}">{t.html}</div></div>'
        for t in turns
    )


def render_parallel(rows: list[ParallelRow], *, compare_url: str, words: Words | None = None) -> SafeString:
    words = words or Words.current()
    cite = words.cite
    out = [
        '<tr class="parallel__row"><td class="parallel__cell">'
        f"{_parallel_cell(row.left, words, id_prefix='turn-', link_base='', cite=cite)}</td>"
        '<td class="parallel__cell">'
        f"{_parallel_cell(row.right, words, id_prefix='compare-turn-', link_base=compare_url, cite=cite)}"
        "</td></tr>\n"
        for row in rows
    ]
    return mark_safe("".join(out))  # escaped as in render_blocks
