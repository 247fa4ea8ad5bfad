"""GET /api/v1/search/: search_turns() as JSON.

Bad parameters and refused queries answer 400 with a message; nothing a client sends
can make this view answer 500.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api.csv_export import SEARCH_CSV_COLUMNS, CsvExcelRenderer, CsvRenderer
from archive.api.mixins import JsonErrorsMixin
from archive.api.renderers import FormatNegotiation
from archive.api.serializers import ApiErrorSerializer
from archive.languages import speaker_name
from archive.models import AnswerStatus, Transcript, Turn, TurnKind
from archive.search import QueryRefused, SearchHit, SearchPage, SearchParameters, search_turns
from archive.search.parameters import CHOICES, MAX_FILTER_CHARS, MAX_PAGE, default_page_size, max_page_size


def search_parameters_schema() -> list[OpenApiParameter]:
    """The query parameters of GET /api/v1/search/, as SearchParameters reads them."""

    def choice(name: str, description: str = "") -> OpenApiParameter:
        values = CHOICES[name]
        blank = () if name == "sort" else ("",)
        schema: dict[str, Any] = {"enum": [*values, *blank], "type": "string"}
        schema.update({"default": "relevance", "minLength": 1} if name == "sort" else {"default": ""})
        listed = "\n".join(f"* `{value}` - {value}" for value in values)
        return OpenApiParameter(
            name, schema, description="\n\n".join(part for part in (description, listed) if part)
        )

    def text(name: str) -> OpenApiParameter:
        schema: dict[str, Any] = {"type": "string", "default": ""}
        if name in MAX_FILTER_CHARS:
            schema["maxLength"] = MAX_FILTER_CHARS[name]
        return OpenApiParameter(name, schema)

    def number(name: str, high: int, default: int) -> OpenApiParameter:
        return OpenApiParameter(name, {"type": "integer", "minimum": 1, "maximum": high, "default": default})

    def day(name: str) -> OpenApiParameter:
        return OpenApiParameter(name, {"type": "string", "format": "date", "nullable": True})

    return [
        choice("answered", "Questions with this answer status"),
        day("date_from"),
        day("date_to"),
        choice("kind"),
        text("language"),
        number("page", MAX_PAGE, 1),
        number("page_size", max_page_size(), default_page_size()),
        text("q"),
        choice("sort"),
        text("speaker"),
        text("topic"),
        OpenApiParameter(
            "typos",
            OpenApiTypes.BOOL,
            default=True,
            description="false: search the words exactly as typed, never their close terms (see `corrected`)",
        ),
    ]


def transcript_json(transcript: Transcript) -> dict[str, Any]:
    return {
        "slug": transcript.slug,
        "title": transcript.title,
        "date": transcript.date.isoformat() if transcript.date else None,
        "language": transcript.language,
    }


def turn_json(turn: Turn) -> dict[str, Any]:
    return {
        "position": turn.position,
        # The name in the turn's own language (as its transcript names the speaker), if known.
        "speaker": speaker_name(turn.speaker, turn.effective_language),
        "speaker_slug": turn.speaker.slug,
        "kind": turn.kind,
        "answer_status": turn.answer_status or None,
        "language": turn.effective_language,
        "text": turn.text,
    }


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {
        "transcript": transcript_json(hit.transcript),
        "turn": turn_json(hit.turn),
        "highlight": str(hit.highlight),
        "answer": turn_json(hit.answer) if hit.answer else None,
        "question": turn_json(hit.question) if hit.question else None,
        "translations": [
            {
                "transcript": t.transcript.slug,
                "position": t.position,
                "language": t.effective_language,
                "text": t.text,
            }
            for t in hit.translations
        ],
        "score": hit.score,
    }


def page_json(page: SearchPage) -> dict[str, Any]:
    return {
        "count": page.count,
        "page": page.page,
        "page_size": page.page_size,
        "results": [hit_json(hit) for hit in page.results],
        "facets": {
            name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
            for name, values in page.facets.items()
        },
        "facets_approximate": page.facets_approximate,
        "suggestion": page.suggestion,
        "corrected": page.corrected,
        "widened": page.widened,
        "notice": page.notice,
    }


# The response's shape, for the OpenAPI schema (the view builds the JSON in page_json).
class _TurnOut(serializers.Serializer):
    position = serializers.IntegerField()
    speaker = serializers.CharField(help_text="The speaker's name in the turn's language, if known")
    speaker_slug = serializers.CharField()
    kind = serializers.ChoiceField(choices=TurnKind.values)
    answer_status = serializers.ChoiceField(
        choices=AnswerStatus.values, allow_null=True, help_text="On a question: was it answered?"
    )
    language = serializers.CharField()
    text = serializers.CharField()


class _TranscriptOut(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    language = serializers.CharField()


class _TranslationOut(serializers.Serializer):
    transcript = serializers.CharField(help_text="Slug of the transcript holding the aligned turn")
    position = serializers.IntegerField()
    language = serializers.CharField()
    text = serializers.CharField()


class _HitOut(serializers.Serializer):
    transcript = _TranscriptOut()
    turn = _TurnOut()
    highlight = serializers.CharField(help_text="The turn's text, HTML-escaped, with <mark> around hits")
    answer = _TurnOut(allow_null=True, help_text="For a question: its answer")
    question = _TurnOut(allow_null=True, help_text="For an answer: the question it replies to")
    translations = _TranslationOut(many=True)
    score = serializers.FloatField()


class _FacetValueOut(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class _FacetsOut(serializers.Serializer):
    speaker = _FacetValueOut(many=True)
    topic = _FacetValueOut(many=True)
    language = _FacetValueOut(many=True)
    kind = _FacetValueOut(many=True)
    year = _FacetValueOut(many=True)
    answered = _FacetValueOut(many=True, help_text="Questions by answer status")


class _CorrectedOut(serializers.Serializer):
    # "from" is a Python keyword: the field is declared under another name and renamed.
    from_ = serializers.CharField(help_text="The query as sent")
    to = serializers.CharField(help_text="The query with its corrected words, as written in the archive")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class SearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = _HitOut(many=True)
    facets = _FacetsOut()
    facets_approximate = serializers.BooleanField(
        help_text="True when the facet counts are estimates: a search matching very many turns has its "
        "facets counted on an even sample of its matches, scaled to the total (`count` stays exact)"
    )
    suggestion = serializers.CharField(allow_null=True, help_text="A did-you-mean query")
    widened = serializers.BooleanField(
        help_text="True when no turn had every word of the query as typed (nor as corrected) and the "
        "results are turns with other forms of the words: terms beginning with the same letters (the "
        "shortest beginning of at least three letters that few terms share). Those rank below exact "
        "matches. Send `typos=false` to search the words as typed only."
    )
    corrected = _CorrectedOut(
        allow_null=True,
        help_text="Set when some words of the query matched nothing (or very little) and their close "
        "terms were searched too (typo tolerance): `from` is the query as sent, `to` the query with the "
        "corrected words as written in the archive. Exact matches rank above corrected ones. Send "
        "`typos=false` to search the words as typed only. Null when the query was searched as sent.",
    )
    notice = serializers.CharField(allow_null=True, help_text="What was repaired in a malformed query")


class SearchView(JsonErrorsMixin, APIView):
    """Search published turns. Parameters: q, language, speaker, topic, kind, answered, date_from, date_to,
    sort (relevance, date, -date), page, page_size (at most API_MAX_PAGE_SIZE). `?format=csv` gives the page
    of results as CSV, one row per hit (`?format=csv-excel`: with a byte-order mark, for Excel)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    renderer_classes = [JSONRenderer, CsvRenderer, CsvExcelRenderer]
    # An unknown `?format=` is the same 400 as on every other endpoint, and errors are JSON.
    content_negotiation_class = FormatNegotiation
    csv_columns = SEARCH_CSV_COLUMNS
    csv_filename = "search.csv"

    @extend_schema(
        parameters=search_parameters_schema(),
        responses={
            200: SearchPageSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (400, "application/json"): OpenApiResponse(
                ApiErrorSerializer, description="Bad parameters, or a query refused as too costly"
            ),
        },
    )
    def get(self, request: Request) -> Response:
        params, errors = SearchParameters.from_query(request.query_params)
        if errors:
            return Response({"detail": "Invalid search parameters.", "errors": errors}, status=400)
        try:
            page = search_turns(params)
        except QueryRefused as exc:
            return Response({"detail": exc.message}, status=400)
        return Response(page_json(page))
