from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from archive import selectors
from archive.citations import (
    CSL_JSON_TYPE,
    RIS_TYPE,
    Reference,
    csl_json,
    reference_for,
    ris,
    turn_citation,
    turn_permalink,
    turn_times,
)
from archive.exporters import EXPORTERS
from archive.exporters.webvtt import caption_track
from archive.languages import language_name, reader_language, speaker_name
from archive.models import Transcript, Turn
from archive.views.common import int_param, paginate, str_param
from archive.views.transcript_html import render_blocks, render_parallel
from archive.views.transcript_page import (
    TurnRow,
    build_blocks,
    build_parallel,
    build_rows,
    build_versions,
    export_url,
    kind_label,
)
from archive.views.transcript_player import (
    build_player,
    original_times,
    place_times,
    recordings_of,
    start_time,
)

# Names of the export formats in the reader's language; a format added later without a
# label here is shown by its name and extension (both language-neutral).
FORMAT_LABELS = {
    "json": _("JSON (qa-archive/1 document)"),
    "ndjson": _("NDJSON (one qa-archive/1 document per line)"),
    "csv": _("CSV spreadsheet (one row per turn)"),
    "csv-excel": _("CSV for Excel (one row per turn)"),
    "txt": _("Plain text"),
    "vtt": _("WebVTT subtitles"),
    "srt": _("SubRip subtitles"),
    "tei": _("TEI XML (Parla-CLARIN / ParlaMint)"),
    "akn": _("Akoma Ntoso XML (debate record)"),
}

SORTS = {"-date": _("Newest first"), "date": _("Oldest first"), "title": _("Title")}


def transcript_list(request: HttpRequest) -> HttpResponse:
    filters: dict[str, Any] = {
        "language": str_param(request, "language", limit=35),
        "year": int_param(request, "year"),
        "topic": str_param(request, "topic"),
        "speaker": str_param(request, "speaker"),
        "q": str_param(request, "q"),
    }
    sort = request.GET.get("sort", "-date")
    sort = sort if sort in SORTS else "-date"
    page = paginate(request, selectors.transcripts_browse(**filters, sort=sort))
    facets = selectors.transcript_facets()
    topic = selectors.topics_published().filter(slug=filters["topic"]).first() if filters["topic"] else None
    speaker = (
        selectors.speakers_published().filter(slug=filters["speaker"]).first() if filters["speaker"] else None
    )
    return render(
        request,
        "archive/transcript_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "facets": facets,
            "topic": topic,
            "speaker": speaker,
            "sort": sort,
            "sorts": SORTS.items(),
            "section": "transcripts",
        },
    )


def _published_or_404(slug: str) -> Transcript:
    try:
        return selectors.transcript_published(slug)
    except Transcript.DoesNotExist:
        raise Http404("No published transcript has this address.") from None


def transcript_detail(request: HttpRequest, slug: str) -> HttpResponse:
    transcript = _published_or_404(slug)
    language = reader_language()
    versions_found = selectors.transcript_versions(transcript)
    versions = build_versions(transcript, versions_found)
    alignments = selectors.version_alignments(versions_found) if len(versions_found) > 1 else {}
    turns = selectors.transcript_turns(transcript)
    appearances = list(transcript.appearances.all())
    speakers = selectors.speakers_by_id(
        {turn.speaker_id for turn in turns}, known=[appearance.speaker for appearance in appearances]
    )
    rows = build_rows(
        transcript,
        turns,
        speakers,
        language=language,
        versions=versions,
        alignments=alignments,
        turn_topics=selectors.transcript_turn_topics(transcript),
    )

    compare = None
    parallel = None
    other_rows: list[TurnRow] = []
    compare_slug = str_param(request, "compare")
    if compare_slug and compare_slug != transcript.slug:
        compare = next((v for v in versions if v.transcript.slug == compare_slug), None)
        if compare is None:
            raise Http404("That text is not a published version of this transcript.")
        other_turns = selectors.transcript_turns(compare.transcript)
        other_speakers = selectors.speakers_by_id(
            {turn.speaker_id for turn in other_turns}, known=speakers.values()
        )
        other_rows = build_rows(compare.transcript, other_turns, other_speakers, language=language)
        parallel = build_parallel(rows, other_rows)

    recordings, media_owner = recordings_of(transcript, versions_found)
    player = build_player(recordings, versions_found, current=transcript, start=start_time(request.GET))
    if player is not None:
        place_times(
            transcript=transcript,
            media_owner=media_owner,
            rows=rows,
            compared=compare.transcript if compare else None,
            compared_rows=other_rows,
        )

    blocks = None if parallel is not None else build_blocks(rows)
    return render(
        request,
        "archive/transcript_detail.html",
        {
            "transcript": transcript,
            # For <meta name="description"> and Open Graph: what the transcript is, in a line.
            "summary": transcript.description[:300]
            or " · ".join(
                part
                for part in [
                    language_name(transcript.language),
                    transcript.date.isoformat() if transcript.date else "",
                    transcript.event,
                    transcript.place,
                ]
                if part
            ),
            "appearances": [
                {"appearance": a, "name": speaker_name(a.speaker, language), "speaker": a.speaker}
                for a in appearances
            ],
            "topics": list(transcript.topics.all()),
            # Only web addresses become links: a `javascript:` source would run in the reader's page.
            "source_url": transcript.source_url
            if transcript.source_url.lower().startswith(("http://", "https://"))
            else "",
            "versions": versions,
            "current_version": next(v for v in versions if v.is_current),
            "compare": compare,
            "parallel": parallel,
            "parallel_html": render_parallel(parallel, compare_url=compare.url)
            if parallel and compare
            else "",
            "blocks": blocks,
            "turns_html": render_blocks(blocks) if blocks else "",
            "turn_count": len(rows),
            "player": player,
            "exports": [
                {
                    "name": name,
                    "extension": exporter.extension,
                    "label": FORMAT_LABELS.get(name, name.upper()),
                    "url": export_url(transcript, name),
                }
                for name, exporter in EXPORTERS.items()
                if not exporter.unavailable(transcript, turns)  # no empty SRT of a transcript without times
            ],
            "section": "transcripts",
        },
    )


def transcript_export(request: HttpRequest, slug: str, format: str) -> HttpResponse:
    exporter = EXPORTERS.get(format)
    transcript = selectors.transcripts_for_export(slugs=[slug]).first()
    if exporter is None or transcript is None:
        raise Http404("No such transcript or export format.")
    reason = exporter.unavailable(transcript)
    if reason:
        raise Http404(f"This transcript cannot be given as {exporter.name}: {reason}.")
    disposition = content_disposition_header(as_attachment=True, filename=exporter.filename(transcript))
    return HttpResponse(
        exporter.render(transcript),
        content_type=exporter.content_type,
        headers={"Content-Disposition": disposition or "attachment"},
    )


def transcript_cite(request: HttpRequest, slug: str, position: int | None = None) -> HttpResponse:
    """How to cite a transcript or one turn: a page, or `?format=csl-json` / `?format=ris`."""
    transcript = _published_or_404(slug)
    turn = None
    if position is not None:
        turn = transcript.turns.select_related("speaker").filter(position=position).first()
        if turn is None:
            raise Http404("This transcript has no turn at that position.")
    reference, permalink, cited, times = cited_reference(request, transcript, turn)
    wanted = request.GET.get("format", "")
    if wanted:
        return citation_response(reference, wanted)
    with translation.override(settings.LANGUAGE_CODE):
        citation = None
        if turn is not None:
            citation = turn_citation(
                transcript=transcript,
                turn=turn,
                speaker=cited,
                kind=kind_label(turn.kind),
                permalink=permalink,
                accessed=timezone.localdate(),
                times=times,
            )
    return render(
        request,
        "archive/transcript_cite.html",
        {
            "transcript": transcript,
            "turn": turn,
            "speaker": speaker_name(turn.speaker) if turn is not None else "",
            "kind": kind_label(turn.kind) if turn is not None else "",
            "citation": citation,
            "permalink": permalink,
            "csl_json": json.dumps(csl_json(reference), ensure_ascii=False, indent=2),
            "ris": ris(reference),
            "csl_json_url": f"{request.path}?format=csl-json",
            "ris_url": f"{request.path}?format=ris",
            "section": "transcripts",
        },
    )


def transcript_captions(request: HttpRequest, slug: str) -> HttpResponse:
    """The transcript's WebVTT, for a player's <track>: its turns without times of their own take
    those of the turn of the original they are aligned with."""
    transcript = selectors.transcripts_for_export(slugs=[slug]).first()
    if transcript is None:
        raise Http404("No published transcript has this address.")
    original = (
        Transcript.objects.published().filter(slug=transcript.translation_of_slug).first()
        if transcript.translation_of_slug
        else None
    )
    return HttpResponse(
        caption_track(transcript, original_times(original) if original else None),
        content_type="text/vtt; charset=utf-8",
    )


def cited_reference(
    request: HttpRequest, transcript: Transcript, turn: Turn | None
) -> tuple[Reference, str, str, tuple[float | None, float | None]]:
    """What cites the transcript or one turn, the same for every reader (the page around it is in
    the reader's language): the site's language for its address, the speaker's name in the turn's
    language, a timed turn's range in its permalink. (reference, permalink, speaker, times)"""
    times = turn_times(turn) if turn is not None else (None, None)
    with translation.override(settings.LANGUAGE_CODE):
        if turn is not None:
            address = turn_permalink(transcript.get_absolute_url(), turn.position, times)
        else:
            address = transcript.get_absolute_url()
        permalink = request.build_absolute_uri(address)
    cited = speaker_name(turn.speaker, turn.effective_language) if turn is not None else ""
    return reference_for(transcript, permalink, turn, cited), permalink, cited, times


def citation_response(reference: Reference, wanted: str) -> HttpResponse:
    """The reference as a CSL-JSON or RIS file (the same for the site and the API)."""
    if wanted == "csl-json":
        body, content_type, extension = (
            json.dumps(csl_json(reference), ensure_ascii=False, indent=2),
            CSL_JSON_TYPE,
            "json",
        )
    elif wanted == "ris":
        body, content_type, extension = ris(reference), RIS_TYPE, "ris"
    else:
        return HttpResponse(
            "Unknown citation format: use format=csl-json or format=ris.\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    disposition = content_disposition_header(as_attachment=False, filename=f"{reference.key}.{extension}")
    return HttpResponse(
        body,
        content_type=f"{content_type}; charset=utf-8",
        headers={"Content-Disposition": disposition or "inline"},
    )
