"""search_turns(): what the site, the API and the feeds call to search, and what they get back."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field, replace

from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from archive.models import AnswerStatus, Speaker, Topic, Transcript, TranscriptStatus, Turn, TurnKind
from archive.search.backends import get_search_backend
from archive.search.backends.base import FACETS, SearchRequest
from archive.search.compiler import widen_words
from archive.search.documents import ROLE_FACET, ROLE_FACET_LABEL
from archive.search.errors import QueryRefused
from archive.search.highlight import highlight
from archive.search.parameters import SearchParameters
from archive.search.query import Prefix, parse_query


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchHit:
    transcript: Transcript
    turn: Turn
    highlight: SafeString
    answer: Turn | None = None
    question: Turn | None = None
    translations: list[Turn] = field(default_factory=list)
    score: float = 0.0


@dataclass
class SearchPage:
    count: int
    page: int
    page_size: int
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None = None
    # {"from": the query as typed, "to": with its corrected words} when typo tolerance searched
    # close terms of some words (see archive.search.compiler)
    corrected: dict[str, str] | None = None
    notice: str | None = None
    facets_approximate: bool = False  # counts estimated from a sample of a very large result set
    # True when no turn had every word as typed and the results are of other forms of the words
    # (terms beginning as they do: archive.search.compiler.prepare_widening)
    widened: bool = False

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def search_turns(params: SearchParameters) -> SearchPage:
    """One page of published turns matching the query and filters of `params`, with facets.

    Raises QueryRefused (with a message for the reader) for a costly or invalid query; any
    other input, however malformed, gets an answer. A word found nowhere (or hardly anywhere) is
    also looked for as its close terms unless `params.typos` is False; the page says so in
    `corrected`.
    """
    q, page, page_size = params.q, params.page, params.page_size
    parsed = parse_query(q or "")
    request = SearchRequest(
        query=parsed,
        query_text=q,
        language=params.language or None,
        speaker=params.speaker or None,
        topic=params.topic or None,
        kind=params.kind or None,
        answered=params.answered or None,
        date_from=params.date_from,
        date_to=params.date_to,
        transcripts=params.transcripts,
        sort=params.sort,
        offset=(page - 1) * page_size,
        limit=page_size,
        typos=params.typos,
    )
    backend = get_search_backend()
    found = backend.search(request)
    widened = False
    if found.total == 0 and request.typos and widen_words(parsed.root):
        # Nothing has every word as typed: try their other forms (compiler.prepare_widening). A
        # retry too costly to finish leaves the answer as it was: nothing found.
        with suppress(QueryRefused):
            again = backend.search(replace(request, widen=True))
            if again.total:
                found, widened = again, True
    corrected = found.corrected if found.corrected != request.query_text else None
    # A corrected search is its own did-you-mean; a search finding nothing asks for one.
    suggestion = corrected or (
        backend.suggest(request) if found.total == 0 and parsed.root is not None else None
    )
    turns = _load_turns([hit.turn_id for hit in found.hits])
    hits: list[SearchHit] = []
    leaves = parsed.positive_leaves()
    if corrected:  # the corrected words are what the turns say: marked too
        with suppress(QueryRefused):  # (a few letters longer than the limit: marked as typed only)
            leaves += parse_query(corrected).positive_leaves()
    if widened:  # and so are the other forms found
        leaves += [Prefix(prefix) for prefix in found.widened]
    for backend_hit in found.hits:
        turn = turns.get(backend_hit.turn_id)
        if turn is None:  # deleted or unpublished since the index was written: the outbox catches up
            continue
        hits.append(
            SearchHit(
                transcript=turn.transcript,
                turn=turn,
                highlight=highlight(turn.text, turn.effective_language, leaves),
                score=round(backend_hit.score, 4),
            )
        )
    _attach_replies(hits)
    _attach_translations(hits)
    return SearchPage(
        count=found.total,
        page=page,
        page_size=page_size,
        results=hits,
        facets=_label_facets(found.facets),
        suggestion=suggestion,
        corrected={"from": request.query_text, "to": corrected} if corrected else None,
        notice=" ".join(parsed.notices) or None,
        facets_approximate=found.facets_approximate,
        widened=widened,
    )


def _published_turns() -> Q:
    return Q(transcript__status=TranscriptStatus.PUBLISHED)


def _load_turns(ids: list[int]) -> dict[int, Turn]:
    rows = Turn.objects.filter(_published_turns(), pk__in=ids).select_related("transcript", "speaker")
    return {turn.pk: turn for turn in rows}


def _attach_replies(hits: list[SearchHit]) -> None:
    """A question gets its (first) answer; an answer gets the question it replies to."""
    question_ids = {hit.turn.pk for hit in hits if hit.turn.kind == TurnKind.QUESTION}
    reply_ids = {hit.turn.reply_to_id for hit in hits if hit.turn.reply_to_id}
    if not question_ids and not reply_ids:
        return
    answers: dict[int, Turn] = {}
    questions: dict[int, Turn] = {}
    # One query for both; a reply's transcript is the hit's (set below), not fetched again per turn.
    rows = Turn.objects.filter(Q(reply_to_id__in=question_ids) | Q(pk__in=reply_ids)).select_related(
        "speaker"
    )
    for turn in rows.order_by("-position"):
        if turn.pk in reply_ids:
            questions[turn.pk] = turn
        if turn.reply_to_id in question_ids:
            answers[turn.reply_to_id] = turn  # the first answer wins: positions descend
    transcripts = {hit.transcript.pk: hit.transcript for hit in hits}
    for hit in hits:
        hit.answer = answers.get(hit.turn.pk)
        if hit.turn.reply_to_id:
            hit.question = questions.get(hit.turn.reply_to_id)
        for reply in (hit.answer, hit.question):
            if reply is not None and reply.transcript_id in transcripts:
                reply.transcript = transcripts[reply.transcript_id]


def _attach_translations(hits: list[SearchHit]) -> None:
    """Aligned turns in the transcript's original and its other translations (published only)."""
    families = {hit.transcript.translation_of_slug or hit.transcript.slug for hit in hits}
    if not families:
        return
    # The transcripts of those families first (few, by indexed slugs), then their turns by key.
    members = list(
        Transcript.objects.published()
        .filter(Q(slug__in=families) | Q(translation_of_slug__in=families))
        .only("pk", "slug", "title", "date", "language", "translation_of_slug", "status")
    )
    if not any(t.translation_of_slug for t in members):
        return  # nothing translated among the hits' families
    family_of = {t.pk: t.translation_of_slug or t.slug for t in members}
    wanted: dict[int, tuple[str, int]] = {}  # hit turn id -> (family, original position)
    for hit in hits:
        transcript = hit.transcript
        if transcript.translation_of_slug:
            if hit.turn.original_position is not None:
                wanted[hit.turn.pk] = (transcript.translation_of_slug, hit.turn.original_position)
        else:
            wanted[hit.turn.pk] = (transcript.slug, hit.turn.position)
    # Per family, only its own positions (all positions in every member fetched hundreds of rows).
    positions: dict[str, set[int]] = {}
    for family, position in wanted.values():
        positions.setdefault(family, set()).add(position)
    at = {t.pk: sorted(positions[family_of[t.pk]]) for t in members if family_of[t.pk] in positions}
    rows = Turn.objects.filter(_turns_at(at))
    by_key: dict[tuple[str, int], list[Turn]] = {}
    members_by_pk = {t.pk: t for t in members}
    for turn in rows.select_related("speaker").order_by("transcript_id", "position"):
        transcript = members_by_pk[turn.transcript_id]
        turn.transcript = transcript
        if transcript.translation_of_slug:
            if turn.original_position is None:
                continue
            key = (family_of[turn.transcript_id], turn.original_position)
        else:
            key = (transcript.slug, turn.position)
        by_key.setdefault(key, []).append(turn)
    for hit in hits:
        hit_key = wanted.get(hit.turn.pk)
        if hit_key is not None:
            found = [t for t in by_key.get(hit_key, []) if t.pk != hit.turn.pk]
            hit.translations = sorted(found, key=lambda t: t.transcript.slug)


def _turns_at(at: dict[int, list[int]]) -> Q:
    """Turns of each transcript (a key) at one of its positions, in the transcript's own numbering
    or in its original's. Written as SQL: the ORM compiling it a clause at a time took longer than
    the query (about 10 ms for a page of hits in twenty transcripts)."""
    table = Turn._meta.db_table
    clauses: list[str] = []
    params: list[int] = []
    for transcript, transcript_positions in at.items():
        listed = ", ".join(["%s"] * len(transcript_positions))
        clauses.append(
            f'("{table}"."transcript_id" = %s AND ("{table}"."position" IN ({listed})'
            f' OR "{table}"."original_position" IN ({listed})))'
        )
        params += [transcript, *transcript_positions, *transcript_positions]
    if not clauses:
        return Q(pk__in=[])
    return Q(RawSQL(" OR ".join(clauses), params, output_field=BooleanField()))


def _label_facets(raw: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    facets: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
    slugs = [v for v, _ in raw.get("speaker", [])]
    speakers = {s.slug: s.shown_as(s.name) for s in Speaker.objects.filter(slug__in=slugs)}
    speakers[ROLE_FACET] = str(ROLE_FACET_LABEL)  # every role speaker: no person
    topics = {t.slug: t for t in Topic.objects.filter(slug__in=[v for v, _ in raw.get("topic", [])])}
    ui_language = get_language()
    kinds = dict(TurnKind.choices)
    statuses = dict(AnswerStatus.choices)
    for name, values in raw.items():
        for value, count in values:
            if name == "speaker":
                label = speakers.get(value, value)
            elif name == "topic":
                topic = topics.get(value)
                label = topic.label(ui_language) if topic else value
            elif name == "language":
                label = language_name(value)
            elif name == "kind":
                label = str(kinds.get(value, value))
            elif name == "answered":
                label = str(statuses.get(value, value))
            else:
                label = value
            facets.setdefault(name, []).append(FacetValue(value=value, label=label, count=count))
    return facets


def language_name(tag: str) -> str:
    """The language's own name for a BCP-47 tag ("简体中文" for zh-Hans), else the tag."""
    from django.utils.translation import get_language_info

    for candidate in (tag.lower(), tag.split("-")[0].lower()):
        try:
            return str(get_language_info(candidate)["name_local"])
        except KeyError:
            continue
    return tag
