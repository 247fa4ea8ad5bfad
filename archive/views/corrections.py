"""Suggest a correction of one turn: a short form whose proposals wait in the curators' queue."""

from __future__ import annotations

import math

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archive.api.throttling import CorrectionThrottle
from archive.corrections import MAX_NOTE, MAX_TEXT, correction_propose
from archive.languages import speaker_name
from archive.models import Transcript, Turn
from archive.views.alerts import email_problem


def _published_turn(slug: str, position: int) -> Turn:
    turn = (
        Turn.objects.select_related("transcript", "speaker")
        .filter(transcript__slug=slug, transcript__status="published", position=position)
        .first()
    )
    if turn is None:
        raise Http404("No such turn.")
    return turn


@require_http_methods(["GET", "POST"])
def suggest_correction(request: HttpRequest, slug: str, position: int) -> HttpResponse:
    turn = _published_turn(slug, position)
    transcript: Transcript = turn.transcript
    data = request.POST if request.method == "POST" else {}
    context: dict[str, object] = {
        "transcript": transcript,
        "turn": turn,
        "speaker": speaker_name(turn.speaker),
        "text": data.get("text", turn.text),
        "proposed_speaker": data.get("speaker", ""),
        "note": data.get("note", ""),
        "email": data.get("email", ""),
        "max_text": MAX_TEXT,
        "max_note": MAX_NOTE,
        "section": "transcripts",
    }
    if request.method == "GET":
        return render(request, "archive/correction_form.html", context)
    if data.get("website"):  # the honeypot, as on the alert form
        return render(request, "archive/correction_thanks.html", context)
    text, speaker = data.get("text", ""), data.get("speaker", "")
    note, email = data.get("note", ""), data.get("email", "").strip()
    error = None
    if len(text) > MAX_TEXT or len(note) > MAX_NOTE or len(speaker) > 1000:
        error = _("The proposal is too long: at most %(text)s characters of text and %(note)s of note.") % {
            "text": MAX_TEXT,
            "note": MAX_NOTE,
        }
    elif (not text.strip() or text.strip() == turn.text.strip()) and not speaker.strip():
        error = _("Nothing to correct yet: change the text or name the right speaker.")
    elif email and email_problem(email):
        error = email_problem(email)
    throttle = CorrectionThrottle()
    if error is None and not throttle.allow_request(request, None):
        context["error"] = _("Too many corrections from here in an hour: please try again later.")
        response = render(request, "archive/correction_form.html", context, status=429)
        response["Retry-After"] = str(max(1, math.ceil(throttle.wait() or 1)))
        return response
    if error is not None:
        context["error"] = error
        return render(request, "archive/correction_form.html", context, status=400)
    correction_propose(
        turn, text=text, speaker=speaker, note=note, email=email, language=get_language() or "en"
    )
    return render(request, "archive/correction_thanks.html", context)
