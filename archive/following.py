"""What a reader follows: a search (with its filters), a speaker, a topic or a language.

A followed search is the search page's parameters. Its feed lists the newest matching turns by
publication (a transcript's first publication, not its date: an old sitting imported today is
news to the reader), and its alerts send, once a day or a week, the matching turns of what was
published since the last digest. Both ask the search backend for the turns of newly published
transcripts only (`search_turns(transcripts=...)`), a batch of transcripts at a time, so a
followed search costs what a search of those transcripts costs, whatever the archive's size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from archive.languages import language_name, speaker_name
from archive.models import Speaker, Topic, Transcript
from archive.search import SearchHit, SearchPage, SearchParameters, search_turns

# The parameters a followed search keeps, as the search page takes them.
SEARCH_KEYS = ("q", "language", "speaker", "topic", "kind")
MAX_Q_CHARS = 500
BATCH = 50  # newly published transcripts searched together
FEED_SIZE = 30
FEED_TRANSCRIPTS = 1000  # a feed looks this far back (newest published transcripts) at most
DIGEST_SIZE = 50  # turns listed in one email; the rest are counted and linked


@dataclass(frozen=True)
class Followed:
    """A followed search: its parameters (the empty ones left out), in a stable order."""

    params: tuple[tuple[str, str], ...]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Followed:
        """The search of `data` (a query string or stored JSON); unknown keys are ignored."""
        params = []
        for key in SEARCH_KEYS:
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                params.append((key, value.strip()[:MAX_Q_CHARS]))
        return cls(tuple(params))

    @property
    def as_dict(self) -> dict[str, str]:
        return dict(self.params)

    def query_string(self) -> str:
        return urlencode(self.params)

    def search_url(self) -> str:
        return reverse("search") + (f"?{self.query_string()}" if self.params else "")

    def feed_url(self) -> str:
        return reverse("feed-search") + (f"?{self.query_string()}" if self.params else "")

    def describe(self) -> str:
        """What is followed, in the reader's language: "“housing” · speaker: Jen Psaki"."""
        parts = []
        values = self.as_dict
        if values.get("q"):
            parts.append(f"“{values['q']}”")
        if values.get("speaker"):
            speaker = Speaker.objects.filter(slug=values["speaker"]).first()
            name = speaker_name(speaker) if speaker else values["speaker"]
            parts.append(_("speaker: %(name)s") % {"name": name})
        if values.get("topic"):
            topic = Topic.objects.filter(slug=values["topic"]).first()
            parts.append(
                _("topic: %(name)s") % {"name": topic.label(get_language()) if topic else values["topic"]}
            )
        if values.get("language"):
            parts.append(_("language: %(name)s") % {"name": language_name(values["language"])})
        if values.get("kind"):
            parts.append(_("kind: %(kind)s") % {"kind": values["kind"]})
        return " · ".join(parts) or _("everything new in the archive")

    def check(self) -> None:
        """Raise QueryRefused (with the reader's message) when this search cannot run."""
        self.search(transcripts=[], page=1, page_size=1)

    def search(self, *, transcripts: Collection[int], page: int, page_size: int) -> SearchPage:
        """One page of this search among the turns of `transcripts`."""
        values = self.as_dict
        return search_turns(
            SearchParameters(
                q=values.get("q", ""),
                language=values.get("language", ""),
                speaker=values.get("speaker", ""),
                topic=values.get("topic", ""),
                kind=values.get("kind", ""),
                page=page,
                page_size=page_size,
                transcripts=frozenset(transcripts),
            )
        )

    def etag(self) -> str:
        """Changes whenever what the feed shows may change: a publication, an edit, an unpublishing."""
        published = Transcript.objects.published().aggregate(
            latest=Max("modified"), newest=Max("published_at"), count=Count("pk")
        )
        state = [self.params, published["latest"], published["newest"], published["count"]]
        return hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:32]


def _published_in_order(since: dt.datetime | None, until: dt.datetime | None) -> QuerySet[Transcript]:
    transcripts = Transcript.objects.published().exclude(published_at=None)
    if since is not None:
        transcripts = transcripts.filter(published_at__gt=since)
    if until is not None:
        transcripts = transcripts.filter(published_at__lte=until)
    return transcripts.order_by("-published_at", "-pk")


def _batches(transcripts: QuerySet[Transcript], limit: int | None) -> Iterator[dict[int, Transcript]]:
    rows = transcripts.only("pk", "published_at")
    if limit is not None:
        rows = rows[:limit]
    batch: dict[int, Transcript] = {}
    for transcript in rows.iterator(chunk_size=BATCH):
        batch[transcript.pk] = transcript
        if len(batch) == BATCH:
            yield batch
            batch = {}
    if batch:
        yield batch


def matching_new_turns(
    followed: Followed,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = FEED_SIZE,
    look_back: int | None = None,
) -> tuple[list[SearchHit], int]:
    """The newest turns matching `followed` among transcripts first published in (since, until].

    Newest by publication, then in spoken order; at most `limit` of them, with the number of all
    matches. Raises QueryRefused when the search cannot run.
    """
    hits: list[SearchHit] = []
    total = 0
    for batch in _batches(_published_in_order(since, until), look_back):
        page_number = 1
        while True:
            page = followed.search(transcripts=batch.keys(), page=page_number, page_size=100)
            if page_number == 1:
                total += page.count
            hits.extend(page.results)
            if not page.has_next or len(hits) >= limit:
                break
            page_number += 1
        if len(hits) >= limit:
            break
    order = {pk: n for n, pk in enumerate(_order_of(hits))}
    hits.sort(key=lambda hit: (order[hit.transcript.pk], hit.turn.position))
    return hits[:limit], total


def _order_of(hits: list[SearchHit]) -> list[int]:
    """The hits' transcripts, newest publication first."""
    transcripts = {hit.transcript.pk: hit.transcript for hit in hits}
    return sorted(transcripts, key=lambda pk: (transcripts[pk].published_at, pk), reverse=True)
