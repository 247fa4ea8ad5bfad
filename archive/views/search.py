"""/search/: the search engine's results as a page (the engine is `archive.search.search_turns`)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from archive import charts
from archive.api.throttling import SearchPageThrottle
from archive.languages import language_name, reader_language, speaker_name, text_direction, topic_label
from archive.models import Speaker, Topic
from archive.recordings import clock_text, seconds_text, time_range_text, transcripts_with_recordings
from archive.search import QueryRefused, SearchParameters, search_turns
from archive.search.documents import ROLE_FACET, ROLE_FACET_LABEL
from archive.search.parameters import MAX_PAGE, PAGE_BEYOND
from archive.views.common import int_param
from archive.views.transcript_page import answer_status_label, kind_label

FILTERS = ("speaker", "topic", "language", "kind", "year", "answered")
SORT_LABELS = {"relevance": _("Relevance"), "-date": _("Newest first"), "date": _("Oldest first")}
FACET_TITLES = {
    "speaker": _("Speaker"),
    "topic": _("Topic"),
    "language": _("Language"),
    "kind": _("Kind"),
    "year": _("Year"),
    "answered": _("Answered?"),
}


@dataclass
class FacetLink:
    value: str
    label: str
    count: int
    url: str
    active: bool
    lang: str = ""


def _query(request: HttpRequest, **changes: Any) -> str:
    """The current query string with some parameters replaced ('' removes one); back to page 1."""
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _labels(facets: dict[str, list[Any]], filters: dict[str, str]) -> dict[str, dict[str, str]]:
    """Facet values named in the reader's language (speakers and topics in one query each)."""
    language = reader_language()
    speaker_slugs = {value.value for value in facets.get("speaker", [])} | {filters["speaker"]} - {""}
    topic_slugs = {value.value for value in facets.get("topic", [])} | {filters["topic"]} - {""}
    return {
        "speaker": {
            ROLE_FACET: str(ROLE_FACET_LABEL),
            **{s.slug: speaker_name(s, language) for s in Speaker.objects.filter(slug__in=speaker_slugs)},
        },
        "topic": {t.slug: topic_label(t, language) for t in Topic.objects.filter(slug__in=topic_slugs)},
    }


def _label(name: str, value: str, labels: dict[str, dict[str, str]], fallback: str = "") -> str:
    if name == "language":
        return language_name(value)
    if name == "kind":
        return kind_label(value)
    if name == "answered":
        return answer_status_label(value)
    if name in labels:
        return labels[name].get(value) or fallback or value
    return fallback or value


def search(request: HttpRequest) -> HttpResponse:
    # A parameter the page cannot use (a hand-edited link) is dropped, not an error: the reader
    # still gets results. Only a page beyond the last one anyone may read is refused.
    params, _ = SearchParameters.from_query(request.GET)
    year_text = request.GET.get("year", "").strip()
    year = int(year_text) if year_text.isdecimal() and len(year_text) == 4 else None
    if year:
        params = replace(params, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31))
    q, sort = params.q.strip(), params.sort
    filters = {name: getattr(params, name) for name in FILTERS if name != "year"}
    filters["year"] = str(year) if year else ""

    context: dict[str, Any] = {
        "section": "search",
        "q": q,
        "filters": filters,
        "sort": sort,
        "sorts": [(value, label, _query(request, sort=value)) for value, label in SORT_LABELS.items()],
        "results": None,
        "error": None,
    }
    searched = bool(q or any(filters.values()))
    if searched:
        # Searching costs the engine: counted per client in the shared cache, like the API.
        throttle = SearchPageThrottle()
        if not throttle.allow_request(request, None):
            return throttled(request, throttle.wait())
        try:
            if (int_param(request, "page") or 1) > MAX_PAGE:
                raise QueryRefused(PAGE_BEYOND)
            result = search_turns(replace(params, q=q))
        except QueryRefused as refused:
            context["error"] = str(refused)
        else:
            labels = _labels(result.facets, filters)
            context.update(
                results=result,
                hits=_with_moments([_hit(hit) for hit in result.results]),
                num_pages=max(1, -(-result.count // result.page_size)),
                start_index=(result.page - 1) * result.page_size + 1,
                facets=[
                    {
                        "name": name,
                        "title": FACET_TITLES.get(name, name),
                        "values": [
                            FacetLink(
                                value=value.value,
                                label=_label(name, value.value, labels, value.label),
                                count=value.count,
                                url=_query(request, **{name: value.value}),
                                active=filters.get(name) == value.value,
                                lang=value.value if name == "language" else "",
                            )
                            for value in values
                        ],
                    }
                    for name, values in result.facets.items()
                    if values
                ],
                active_filters=[
                    {
                        "name": name,
                        "title": FACET_TITLES[name],
                        "label": _label(name, filters[name], labels),
                        "remove": _query(request, **{name: ""}),
                    }
                    for name in FILTERS
                    if filters[name]
                ],
                suggestion_url=_query(request, q=result.suggestion) if result.suggestion else None,
                # The words as typed, searched without correcting them.
                uncorrected_url=(
                    _query(request, q=result.corrected["from"], typos="0")
                    if result.corrected
                    else _query(request, typos="0")
                    if result.widened
                    else None
                ),
                year_chart=charts.hits_by_year(
                    [
                        (v.value, v.count, _query(request, year=v.value))
                        for v in result.facets.get("year", [])
                    ],
                    approximate=result.facets_approximate,
                ),
            )
    context["searched"] = searched
    return render(request, "archive/search.html", context)


def throttled(request: HttpRequest, wait: float | None) -> HttpResponse:
    """429 in the site's look, with Retry-After (whole seconds, at least 1)."""
    seconds = max(1, math.ceil(wait or 1))
    response = render(
        request, "archive/throttled.html", {"section": "search", "retry_after": seconds}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response


def _with_moments(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A timed hit whose transcript plays a recording links to that moment (one query, and only
    when some hit has times)."""
    timed = [item for item in hits if item["turn"].start is not None]
    playing = transcripts_with_recordings([item["transcript"] for item in timed]) if timed else set()
    for item in timed:
        turn = item["turn"]
        item["time_range"] = time_range_text(turn.start, turn.end)
        item["start_clock"] = clock_text(turn.start)
        if item["transcript"].pk in playing:
            query = urlencode({"t": seconds_text(turn.start)})
            item["play_url"] = f"{item['transcript'].get_absolute_url()}?{query}#turn-{turn.position}"
    return hits


def _hit(hit: Any) -> dict[str, Any]:
    """What one result shows, with the reader-language names and the links resolved."""
    language = reader_language()
    turn = hit.turn
    transcript = hit.transcript
    turn_language = turn.language or transcript.language
    url = f"{transcript.get_absolute_url()}#turn-{turn.position}"

    def neighbour(other: Any) -> dict[str, Any] | None:
        if other is None:
            return None
        other_language = other.language or transcript.language
        return {
            "turn": other,
            "speaker": speaker_name(other.speaker, language),
            "url": f"{transcript.get_absolute_url()}#turn-{other.position}",
            "lang": other_language,
            "dir": text_direction(other_language),
        }

    translations = []
    for other in hit.translations:
        other_language = other.language or other.transcript.language
        translations.append(
            {
                "turn": other,
                "language": language_name(other.transcript.language),
                "lang": other_language,
                "dir": text_direction(other_language),
                "url": f"{other.transcript.get_absolute_url()}#turn-{other.position}",
                "compare_url": (
                    f"{transcript.get_absolute_url()}?{urlencode({'compare': other.transcript.slug})}"
                    f"#turn-{turn.position}"
                ),
            }
        )
    return {
        "hit": hit,
        "turn": turn,
        "transcript": transcript,
        "speaker": speaker_name(turn.speaker, language),
        "speaker_slug": "" if turn.speaker.is_role else turn.speaker.slug,  # a role has no page
        "kind_label": kind_label(turn.kind),
        "answer_status_label": answer_status_label(turn.answer_status) if turn.answer_status else "",
        "lang": turn_language,
        "dir": text_direction(turn_language),
        "title_dir": text_direction(transcript.language),
        "url": url,
        "question": neighbour(hit.question),
        "answer": neighbour(hit.answer),
        "translations": translations,
        # The engine also matches a turn through its translations: say so, and show them.
        "matched_in_translation": "<mark>" not in str(hit.highlight) and bool(translations),
    }
