from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from archive import charts, selectors
from archive.languages import language_name, reader_language, speaker_name, text_direction
from archive.models import Speaker, TurnKind
from archive.people import hidden
from archive.services import speaker_redirect
from archive.views.common import paginate, str_param
from archive.views.transcript_page import ANSWER_STATUS_LABELS, KIND_LABELS

SORTS = {"name": _("Name"), "turns": _("Most turns")}


def speaker_list(request: HttpRequest) -> HttpResponse:
    q = str_param(request, "q")
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    page = paginate(request, selectors.speakers_browse(q=q, sort=sort), per_page=50)
    return render(
        request,
        "archive/speaker_list.html",
        {"page_obj": page, "q": q, "sort": sort, "sorts": SORTS.items(), "section": "speakers"},
    )


def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        speaker = selectors.speaker_published(slug)
    except Speaker.DoesNotExist:
        moved = speaker_redirect(slug)  # merged into another: the old address keeps working
        if moved is not None:
            return HttpResponsePermanentRedirect(reverse("speaker-detail", kwargs={"slug": moved.slug}))
        raise Http404("No speaker of a published transcript has this address.") from None

    kind_counts = selectors.speaker_kind_counts(speaker)
    # Someone heard only in translations (their original is not in the archive as theirs).
    originals_only = any(kind_counts.values())
    if not originals_only:
        kind_counts = selectors.speaker_kind_counts(speaker, originals_only=False)
    kind = request.GET.get("kind", "")
    if kind not in kind_counts:
        # Answers first: they are what a speaker page is mostly read for.
        kind = max(kind_counts, key=lambda k: (kind_counts[k] > 0, k == TurnKind.ANSWER, kind_counts[k]))
    private = hidden(speaker)  # the public sees a member of the public's pseudonym only
    names = [
        {"tag": tag, "language": language_name(tag), "name": name, "dir": text_direction(tag)}
        for tag, name in ({} if private else speaker.names).items()
    ]
    published = selectors.published_turns(originals_only=originals_only)
    timeline = charts.speaker_timeline(published.filter(speaker=speaker), reader_language())
    return render(
        request,
        "archive/speaker_detail.html",
        {
            "speaker": speaker,
            "display_name": speaker_name(speaker),
            "names": names,
            "private": private,
            "identifiers": [] if private else speaker.identifier_links(),
            "transcripts": paginate(
                request, selectors.speaker_transcripts(speaker), per_page=10, param="tpage"
            ),
            "kind": kind,
            "kinds": [
                {"value": k, "label": KIND_LABELS[k], "count": kind_counts[k]}
                for k in TurnKind.values
                if kind_counts[k]
            ],
            "turns": paginate(
                request,
                selectors.speaker_turns(speaker, kind=kind, originals_only=originals_only),
                per_page=10,
                param="turns",
            ),
            "topics": selectors.speaker_topics(speaker),
            "timeline": timeline,
            "answer_records": charts.answer_records(speaker, published, ANSWER_STATUS_LABELS),
            "section": "speakers",
        },
    )
