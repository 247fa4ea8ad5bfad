"""Readers' corrections of a turn: proposed on the site, decided by curators in the admin.

Accepting applies the proposal to the turn (its text, its speaker) in one transaction; the turn's
save goes through the search outbox like any edit, so the index follows. Rejecting keeps the
reason. A reader who left an address is told the outcome, in the language they wrote in.
"""

from __future__ import annotations

import difflib

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from archive.models import Correction, CorrectionStatus, Speaker, Turn

MAX_TEXT = 20_000  # characters of a proposed text
MAX_NOTE = 2_000


class CorrectionRefused(Exception):
    """A decision that cannot be applied, with the reason for the curator."""


def correction_propose(
    turn: Turn, *, text: str, speaker: str, note: str, email: str, language: str
) -> Correction:
    return Correction.objects.create(
        turn=turn,
        proposed_text=text if text.strip() and text.strip() != turn.text.strip() else "",
        proposed_speaker=speaker.strip() if speaker.strip() != turn.speaker.name else "",
        note=note.strip(),
        email=email.strip(),
        original_text=turn.text,
        original_speaker=turn.speaker.name,
        language=language,
    )


def speaker_named(turn: Turn, name: str) -> Speaker | None:
    """The speaker of the turn's transcript (by the name it uses there, or theirs) called `name`."""
    wanted = name.strip().casefold()
    for appearance in turn.transcript.appearances.select_related("speaker"):
        if wanted in {appearance.name.casefold(), appearance.speaker.name.casefold()}:
            return appearance.speaker
    return None


def correction_accept(correction: Correction, *, curator: AbstractBaseUser | AnonymousUser) -> None:
    with transaction.atomic():
        correction = Correction.objects.select_for_update().select_related("turn").get(pk=correction.pk)
        if correction.status != CorrectionStatus.PENDING:
            raise CorrectionRefused(f"This correction was already {correction.get_status_display().lower()}.")
        turn = correction.turn
        fields = []
        if correction.proposed_text:
            turn.text = correction.proposed_text
            fields.append("text")
        if correction.proposed_speaker:
            speaker = speaker_named(turn, correction.proposed_speaker)
            if speaker is None:
                raise CorrectionRefused(
                    f"No speaker of this transcript is called “{correction.proposed_speaker}”: add them "
                    "to the transcript first, or edit the turn by hand."
                )
            turn.speaker = speaker
            fields.append("speaker")
        if fields:
            turn.save(update_fields=fields)
        _decide(correction, CorrectionStatus.ACCEPTED, "", curator)
    _tell_the_reader(correction)


def correction_reject(
    correction: Correction, *, reason: str, curator: AbstractBaseUser | AnonymousUser
) -> None:
    with transaction.atomic():
        correction = Correction.objects.select_for_update().get(pk=correction.pk)
        if correction.status != CorrectionStatus.PENDING:
            raise CorrectionRefused(f"This correction was already {correction.get_status_display().lower()}.")
        _decide(correction, CorrectionStatus.REJECTED, reason, curator)
    _tell_the_reader(correction)


def _decide(
    correction: Correction, status: str, reason: str, curator: AbstractBaseUser | AnonymousUser
) -> None:
    correction.status = status
    correction.reason = reason
    correction.decided_at = timezone.now()
    correction.decided_by = curator if isinstance(curator, AbstractBaseUser) else None  # type: ignore[assignment]
    correction.save(update_fields=["status", "reason", "decided_at", "decided_by"])


def _tell_the_reader(correction: Correction) -> None:
    if not correction.email:
        return
    context = {
        "correction": correction,
        "turn_url": settings.SITE_URL.rstrip("/") + correction.turn.get_absolute_url(),
        "accepted": correction.status == CorrectionStatus.ACCEPTED,
    }
    with translation.override(correction.language or "en"):
        subject = render_to_string("archive/email/correction_outcome_subject.txt", context).strip()
        body = render_to_string("archive/email/correction_outcome.txt", context)
    send_mail(" ".join(subject.split()), body, None, [correction.email])


def text_diff(before: str, after: str) -> SafeString:
    """Word by word, what the proposal removes (<del>) and adds (<ins>), escaped."""
    old, new = before.split(), after.split()
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(' '.join(old[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(' '.join(new[j1:j2]))}</ins>")
    return mark_safe(" ".join(parts))  # every piece escaped above
