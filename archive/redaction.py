"""Redaction and erasure: removing words from the archive for good.

A redaction replaces a span of a turn's text with `[redacted]` in the stored text. Everything
public is computed from the stored text (pages, highlights, exports, feeds, the API and its
ETags), so it changes with it; the search index is brought up to date as soon as the
transaction commits, whatever the indexer mode, so neither a search nor a did-you-mean can bring
them back; `manage.py purge_index` (`BaseSearchBackend.expunge`) then removes the old documents'
terms from the index's files, which takes a rewrite of the index (run it off-peak).
The redaction log (`Redaction`) keeps who, when, why and how many characters, never the words,
and the audit trail's earlier copies of the turn are scrubbed too (`scrub_history`).

Erasing a person redacts every name they go by wherever a turn mentions it, and makes them
private (`services.speaker_make_private`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from archive.models import REDACTED, Appearance, Redaction, Speaker, Transcript, Turn
from archive.services import speaker_make_private

log = logging.getLogger(__name__)

# Names shorter than this are not looked for when erasing a person: a one-letter alias ("Q")
# would redact every word that has that letter.
MIN_NAME_CHARS = 2


class RedactionError(ValueError):
    """A redaction that cannot be made (a span outside the text, no reason given); nothing changed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class ErasureOutcome:
    speaker: Speaker
    turns: int  # turns whose text was redacted
    characters: int  # characters removed in all


def redact_turn(turn: Turn, start: int, end: int, *, reason: str, user: Any = None) -> Redaction:
    """Replace `turn.text[start:end]` with `[redacted]`; returns the log entry (which has no words)."""
    reason = (reason or "").strip()
    if not reason:
        raise RedactionError("a reason is required", field="reason")
    length = len(turn.text)
    if (
        isinstance(start, bool)
        or isinstance(end, bool)
        or not isinstance(start, int)
        or not isinstance(end, int)
    ):
        raise RedactionError("start and end must be whole numbers (character offsets)", field="start")
    if not 0 <= start < end <= length:
        raise RedactionError(
            f"the span {start}-{end} is not within the turn's text (0 to {length}, start before end)",
            field="end" if 0 <= start < length else "start",
        )
    with transaction.atomic():
        return _redact(turn, [(start, end)], reason=reason, user=user)


def redact_words(turn: Turn, words: str, *, reason: str, user: Any = None) -> Redaction | None:
    """Redact every occurrence of `words` (exactly as written) in the turn; None when there is none."""
    reason = (reason or "").strip()
    if not reason:
        raise RedactionError("a reason is required", field="reason")
    if not words:
        raise RedactionError("give the words to redact", field="words")
    spans = [m.span() for m in re.finditer(re.escape(words), turn.text)]
    if not spans:
        return None
    with transaction.atomic():
        return _redact(turn, spans, reason=reason, user=user)


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for all the names, longest first; a name that begins or ends with a Latin
    letter or digit must stand as a word there ("Peres" is not redacted in "Peresvet"), names in
    scripts without spaces between words (Chinese, Japanese) match anywhere."""
    parts: list[str] = []
    for name in sorted({n.strip() for n in names if len(n.strip()) >= MIN_NAME_CHARS}, key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in name.split())
        head = r"(?<!\w)" if name[0].isascii() and name[0].isalnum() else ""
        tail = r"(?!\w)" if name[-1].isascii() and name[-1].isalnum() else ""
        parts.append(f"{head}{body}{tail}")
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def erase_person(speaker: Speaker, *, reason: str, user: Any = None) -> ErasureOutcome:
    """Redact every name `speaker` goes by in every turn that mentions it, and make them private."""
    reason = (reason or "").strip()
    if not reason:
        raise RedactionError("a reason is required", field="reason")
    names = [*speaker.all_names(), *Appearance.objects.filter(speaker=speaker).values_list("name", flat=True)]
    pattern = name_pattern(names)
    turns = characters = 0
    with transaction.atomic():
        if pattern is not None:
            # A cheap narrowing in the database (case-insensitive containment), the exact test here.
            wanted = Q()
            for name in {n.strip() for n in names if len(n.strip()) >= MIN_NAME_CHARS}:
                wanted |= Q(text__icontains=name)
            for turn in Turn.objects.filter(wanted).select_related("transcript").order_by("pk"):
                spans = [m.span() for m in pattern.finditer(turn.text)]
                if spans:
                    entry = _redact(turn, spans, reason=reason, user=user, erasure_of=speaker.slug)
                    turns += 1
                    characters += entry.characters
            scrub_history(pattern)
        # Private everywhere from now on: a pseudonym, a new slug, the index told.
        speaker_make_private(speaker)
    return ErasureOutcome(speaker=speaker, turns=turns, characters=characters)


def _redact(
    turn: Turn, spans: list[tuple[int, int]], *, reason: str, user: Any, erasure_of: str = ""
) -> Redaction:
    """Apply `spans` (sorted, not overlapping) to the turn; log, scrub its history, reindex."""
    text = turn.text
    removed = [text[s:e] for s, e in spans]
    pieces: list[str] = []
    last = 0
    for s, e in spans:
        pieces.append(text[last:s])
        pieces.append(REDACTED)
        last = e
    pieces.append(text[last:])
    turn.text = "".join(pieces)
    # The audit trail records this save as a redaction (no words: the new text has none).
    turn._change_reason = f"redaction: {reason}"  # type: ignore[attr-defined]
    if getattr(user, "is_authenticated", False):
        turn._history_user = user  # type: ignore[attr-defined]  # (an API call has no admin request)
    turn.save(update_fields=["text"])
    # Conditional GETs by date (If-Modified-Since) must not answer "not modified" with the old text.
    Transcript.objects.filter(pk=turn.transcript_id).update(modified=timezone.now())
    if not erasure_of:  # an erasure scrubs every copy by its names at the end, at once
        scrub_history(_exact(removed), transcript_id=turn.transcript_id)
    entry = Redaction.objects.create(
        turn=turn,
        transcript_slug=turn.transcript.slug,
        position=turn.position,
        curator=user if getattr(user, "is_authenticated", False) else None,
        curator_name=user.get_username() if getattr(user, "is_authenticated", False) else "",
        reason=reason,
        start=spans[0][0],
        characters=sum(e - s for s, e in spans),
        spans=len(spans),
        erasure_of=erasure_of,
    )
    transaction.on_commit(reindex_now, robust=True)
    return entry


def scrub_history(pattern: re.Pattern[str], *, transcript_id: int | None = None) -> int:
    """Replace what `pattern` matches with `[redacted]` in the audit trail's copies of turns (of
    one transcript, or all); returns how many copies changed. Copies of the transcript's earlier
    turns (before a re-import gave them new rows) are scrubbed too, and any other turn's copies
    holding the same words: the history is for curators, but it must not undo a redaction."""
    history = Turn.history.model  # type: ignore[attr-defined]
    rows = history.objects.all()
    if transcript_id is not None:
        rows = rows.filter(transcript_id=transcript_id)
    changed = 0
    for pk, text in rows.values_list("pk", "text").iterator():
        scrubbed = pattern.sub(REDACTED, text)
        if scrubbed != text:
            history.objects.filter(pk=pk).update(text=scrubbed)
            changed += 1
    return changed


def _exact(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))


def reindex_now() -> None:
    """After commit: apply the outbox now, whatever the indexer mode (when the index is busy, the
    outbox keeps the change for the indexer). Searches and suggestions skip the old documents at
    once; `manage.py purge_index` then removes their terms from the index's files."""
    from archive.search.indexer import drain

    try:
        drain(wait=10.0)
    except Exception:  # the redaction stands; the indexer applies the outbox on its next run
        log.exception("the search index could not be updated at once after a redaction")
