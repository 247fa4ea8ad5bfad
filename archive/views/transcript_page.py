"""What the transcript page shows, computed once in Python so the template stays a plain loop.

A transcript can hold thousands of turns: per-turn work here is dictionary look-ups on
data fetched in a handful of queries (see `archive.selectors`), never a query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from archive.languages import label_for, language_name, speaker_name, text_direction
from archive.models import AnswerStatus, Speaker, Transcript, Turn, TurnKind

KIND_LABELS: dict[str, Any] = {
    TurnKind.QUESTION: _("Question"),
    TurnKind.ANSWER: _("Answer"),
    TurnKind.STATEMENT: _("Statement"),
    TurnKind.MODERATOR: _("Moderator"),
    TurnKind.NARRATIVE: _("Narrative"),
}


_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def paragraphs(text: str) -> SafeString:
    """Turn text as HTML: escaped, a paragraph per blank-line-separated block, line breaks kept.

    The same markup as Django's `linebreaks` filter, without its per-call overhead (it runs once
    per turn, thousands of times on a long transcript).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return SafeString(
        "\n\n".join(
            f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in _PARAGRAPH_BREAK.split(text)
        )
    )


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


ANSWER_STATUS_LABELS: dict[str, Any] = {
    AnswerStatus.ANSWERED: _("Answered"),
    AnswerStatus.PARTLY: _("Partly answered"),
    AnswerStatus.UNANSWERED: _("Not answered"),
    AnswerStatus.DEFLECTED: _("Deflected"),
}


def answer_status_label(status: str) -> str:
    return str(ANSWER_STATUS_LABELS.get(status, status))


@dataclass
class Version:
    """One text of the transcript: the original or a translation."""

    transcript: Transcript
    url: str
    language: str
    language_name: str
    dir: str
    is_original: bool
    is_current: bool = False


@dataclass
class TurnLink:
    label: str
    url: str
    lang: str
    compare_url: str = ""  # for a version: this page side by side with it, at this turn


@dataclass
class TurnRow:
    turn: Turn
    position: int
    key: int | None  # position in the original this turn is aligned with
    speaker_name: str
    speaker_url: str
    kind: str
    kind_label: str
    lang: str
    dir: str
    html: SafeString
    reply_to: int | None = None  # position of the question an answer replies to
    replies: list[int] = field(default_factory=list)  # positions of a question's answers
    reply_is_adjacent: bool = False
    topics: list[TurnLink] = field(default_factory=list)
    versions: list[TurnLink] = field(default_factory=list)
    cite_url: str = ""
    correct_url: str = ""
    # Seconds into the recording (its own times, else those of the aligned turn of the original),
    # and the link that plays from there; set by `archive.views.transcript_player.add_times`.
    start: float | None = None
    end: float | None = None
    play_url: str = ""
    answer_status: str = ""  # on a question: archive.models.AnswerStatus

    @property
    def answer_status_label(self) -> str:
        return answer_status_label(self.answer_status)


@dataclass
class Block:
    """Consecutive turns shown together: a question with its answers, or one turn."""

    rows: list[TurnRow]
    is_exchange: bool


@dataclass
class ParallelRow:
    left: list[TurnRow]
    right: list[TurnRow]


def speaker_url(speaker: Speaker) -> str:
    """The speaker's page; "" for a role ("Q", "PREGUNTA"), which is no person and has none."""
    return "" if speaker.is_role else reverse("speaker-detail", kwargs={"slug": speaker.slug})


def build_versions(transcript: Transcript, versions: list[Transcript]) -> list[Version]:
    return [
        Version(
            transcript=version,
            url=version.get_absolute_url(),
            language=version.language,
            language_name=language_name(version.language),
            dir=text_direction(version.language),
            is_original=not version.translation_of_slug,
            is_current=version.pk == transcript.pk,
        )
        for version in versions
    ]


def build_rows(
    transcript: Transcript,
    turns: list[Turn],
    speakers: dict[int, Speaker],
    *,
    language: str,
    versions: list[Version] | None = None,
    alignments: dict[int, dict[int, int]] | None = None,
    turn_topics: dict[int, list[tuple[str, dict[str, str]]]] | None = None,
) -> list[TurnRow]:
    """One row per turn, with everything the template shows already resolved."""
    # One reverse() per transcript, not per turn: the per-turn URLs differ only in the number.
    cite_base = reverse("transcript-cite", kwargs={"slug": transcript.slug, "position": 1})[: -len("1/")]
    correct_base = reverse("turn-correct", kwargs={"slug": transcript.slug, "position": 1})[
        : -len("1/correct/")
    ]
    position_of = {turn.pk: turn.position for turn in turns}
    speaker_cache: dict[int, tuple[str, str]] = {
        pk: (speaker_name(speaker, language), speaker_url(speaker)) for pk, speaker in speakers.items()
    }
    other_versions = [v for v in versions or [] if v.transcript.pk != transcript.pk]
    compare_base = {v.transcript.pk: "?" + urlencode({"compare": v.transcript.slug}) for v in other_versions}
    alignments = alignments or {}
    is_translation = bool(transcript.translation_of_slug)
    directions: dict[str, str] = {}
    kind_labels = {kind: kind_label(kind) for kind in TurnKind.values}  # translated once, not per turn
    topic_links: dict[str, TurnLink] = {}
    turn_topics = turn_topics or {}

    rows: list[TurnRow] = []
    by_position: dict[int, TurnRow] = {}
    for turn in turns:
        lang = turn.language or transcript.language
        if lang not in directions:
            directions[lang] = text_direction(lang)
        name, url = speaker_cache[turn.speaker_id]
        key = turn.original_position if is_translation else turn.position
        row = TurnRow(
            turn=turn,
            position=turn.position,
            key=key,
            speaker_name=name,
            speaker_url=url,
            kind=turn.kind,
            kind_label=kind_labels.get(turn.kind) or turn.kind,
            lang=lang,
            dir=directions[lang],
            html=paragraphs(turn.text),
            reply_to=position_of.get(turn.reply_to_id) if turn.reply_to_id else None,
            cite_url=f"{cite_base}{turn.position}/",
            correct_url=f"{correct_base}{turn.position}/correct/",
            answer_status=turn.answer_status if turn.kind == TurnKind.QUESTION else "",
        )
        for slug, labels in turn_topics.get(turn.pk, ()):
            if slug not in topic_links:
                topic_links[slug] = TurnLink(
                    label=label_for(slug, labels, language),
                    url=reverse("topic-detail", kwargs={"slug": slug}),
                    lang=language,
                )
            row.topics.append(topic_links[slug])
        if key is not None:
            for version in other_versions:
                aligned = alignments.get(version.transcript.pk, {}).get(key)
                if aligned is not None:
                    row.versions.append(
                        TurnLink(
                            label=version.language_name,
                            url=f"{version.url}#turn-{aligned}",
                            lang=version.language,
                            compare_url=f"{compare_base[version.transcript.pk]}#turn-{turn.position}",
                        )
                    )
        rows.append(row)
        by_position[row.position] = row

    for row in rows:
        if row.reply_to is not None and row.reply_to in by_position:
            by_position[row.reply_to].replies.append(row.position)
    return rows


def build_blocks(rows: list[TurnRow]) -> list[Block]:
    """Group each question with the answers that follow it and reply to it."""
    blocks: list[Block] = []
    current: Block | None = None
    for row in rows:
        if (
            current is not None
            and row.kind == TurnKind.ANSWER
            and row.reply_to is not None
            and row.reply_to == current.rows[0].position
        ):
            row.reply_is_adjacent = True
            current.rows.append(row)
            current.is_exchange = True
            continue
        current = Block(rows=[row], is_exchange=False) if row.kind == TurnKind.QUESTION else None
        blocks.append(current or Block(rows=[row], is_exchange=False))
    return blocks


def build_parallel(left: list[TurnRow], right: list[TurnRow]) -> list[ParallelRow]:
    """Two versions side by side, one row per turn of the original.

    Turns align through their key (the original's position). A turn of the other version
    with no counterpart on the left gets a row of its own after the last one it followed.
    """
    rows: list[ParallelRow] = []
    row_of_key: dict[int, int] = {}
    for turn in left:
        if turn.key is not None and turn.key in row_of_key:
            rows[row_of_key[turn.key]].left.append(turn)
            continue
        rows.append(ParallelRow(left=[turn], right=[]))
        if turn.key is not None:
            row_of_key[turn.key] = len(rows) - 1
    extras: dict[int, list[ParallelRow]] = {}  # index of the row they follow (-1: before all) -> rows
    last = -1
    for turn in right:
        if turn.key is not None and turn.key in row_of_key:
            last = row_of_key[turn.key]
            rows[last].right.append(turn)
        else:
            extras.setdefault(last, []).append(ParallelRow(left=[], right=[turn]))
    merged: list[ParallelRow] = list(extras.get(-1, []))
    for index, row in enumerate(rows):
        merged.append(row)
        merged.extend(extras.get(index, []))
    return merged


def export_url(transcript: Transcript, name: str) -> str:
    return reverse("transcript-export", kwargs={"slug": transcript.slug, "format": name})
