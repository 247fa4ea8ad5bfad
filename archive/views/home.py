from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from archive import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "archive/home.html",
        {
            "overview": selectors.archive_overview(),
            "recent": selectors.transcripts_recent(limit=8),
            "top_speakers": list(selectors.speakers_browse(sort="turns")[:10]),
            "top_topics": list(selectors.topics_browse()[:12]),
            "section": "home",
        },
    )
