"""The read and write API under /api/v1/ (except search, which lives in `search.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import Token
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import HttpResponseBase, HttpResponsePermanentRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api.csv_export import TURN_CSV_HEADER, CsvExcelRenderer, CsvRenderer, csv_lines, turn_csv_row
from archive.api.filters import SpeakerFilter, TopicFilter, TranscriptFilter, TurnFilter
from archive.api.mixins import ConditionalGetMixin, JsonErrorsMixin
from archive.api.pagination import ArchivePagination
from archive.api.parsers import DocumentJSONParser
from archive.api.permissions import ReadOpenWriteCurators, can_see_unpublished, visible_statuses
from archive.api.popolo import PopoloRenderer, is_popolo, popolo_person
from archive.api.renderers import ExporterRenderer, FormatNegotiation, exporter_renderers, media_type_of
from archive.api.serializers import (
    ApiErrorSerializer,
    SpeakerSerializer,
    StatusChangeSerializer,
    TopicSerializer,
    TranscriptDocumentSerializer,
    TranscriptSummarySerializer,
    TurnSerializer,
)
from archive.exporters import EXPORTERS
from archive.importers import import_documents
from archive.importers.base import RawDocument
from archive.interchange import DocumentError, validate_document
from archive.models import (
    Appearance,
    Speaker,
    SpeakerKind,
    Topic,
    Transcript,
    TranscriptStatus,
    Turn,
)
from archive.people import real_names, real_names_begin, real_names_end
from archive.selectors import count_of, iterate_for_export, transcripts_for_export
from archive.services import speaker_redirect, transcripts_set_status

SOURCE = "request body"  # where a DocumentError says the bad document came from

ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Bad parameter or document (names the key)"),
    401: OpenApiResponse(ApiErrorSerializer, description="No or bad token"),
    403: OpenApiResponse(ApiErrorSerializer, description="Not a curator"),
    404: OpenApiResponse(ApiErrorSerializer, description="No such resource visible to you"),
    409: OpenApiResponse(ApiErrorSerializer, description="A transcript with this slug exists: PUT it"),
}


def errors(*codes: int) -> dict[Any, OpenApiResponse]:
    """Error responses: always JSON, whatever format was asked for (see JsonErrorsMixin)."""
    return {(code, "application/json"): ERRORS[code] for code in codes}


class ExportResponse(Response):
    """An exported file. DRF drops the Content-Type of an empty body, but an empty
    export (an SRT file of a transcript without times) is still a file of its type."""

    @property
    def rendered_content(self) -> Any:
        content = super().rendered_content
        if not content and self.accepted_renderer is not None:
            renderer = self.accepted_renderer
            self["Content-Type"] = f"{renderer.media_type}; charset={renderer.charset}"
        return content


class DocumentRejected(APIException):
    """A document that fails `validate_document` (or the write): 400 with the importer's message."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, error: DocumentError) -> None:
        self.detail = {"detail": str(error), "key": error.key, "message": error.message}  # type: ignore[assignment]


class SlugConflict(APIException):
    status_code = status.HTTP_409_CONFLICT


def write_document(data: Any) -> Transcript:
    """Validate and write one document exactly as the import command does (same messages, same hooks)."""
    report = import_documents([RawDocument(SOURCE, data=data)])
    if report.errors:
        raise DocumentRejected(report.errors[0])
    return Transcript.objects.get(slug=report.slugs[0])


def validated(data: Any) -> Any:
    try:
        return validate_document(data)
    except DocumentError as exc:
        raise DocumentRejected(exc.located(source=SOURCE)) from None


class ApiViewMixin(ConditionalGetMixin):
    pagination_class = ArchivePagination
    content_negotiation_class = FormatNegotiation
    permission_classes = [ReadOpenWriteCurators]
    renderer_classes: list[type[BaseRenderer]] = [JSONRenderer]
    request: Request

    _names_token: Token[bool] | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        # Authenticated now: curators see private speakers' names until the response is rendered.
        self._names_token = real_names_begin(can_see_unpublished(request.user))

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        try:
            return super().finalize_response(request, response, *args, **kwargs)
        finally:
            if self._names_token is not None:
                real_names_end(self._names_token)
                self._names_token = None


def with_names_of(chunks: Iterator[str], *, curator: bool) -> Iterator[str]:
    """A streamed body written with a curator's view of private names, or the public's. Set around
    each chunk's writing only: between chunks the server's thread is left as it was."""
    while True:
        with real_names(curator):
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk


def _detail_responses() -> dict[Any, Any]:
    """JSON (the document) and one media type per registered exporter."""
    responses: dict[Any, Any] = {(200, "application/json"): TranscriptDocumentSerializer}
    for name, exporter in EXPORTERS.items():
        if name != "json":
            responses[(200, media_type_of(exporter))] = OpenApiResponse(
                OpenApiTypes.STR, description=exporter.description
            )
    return {**responses, **errors(400, 404)}


FORMATS_HELP = ", ".join(f"`{name}` ({e.description})" for name, e in EXPORTERS.items() if name != "json")


@extend_schema(tags=["transcripts"])
@extend_schema_view(
    list=extend_schema(
        summary="List transcripts",
        description="Summaries, newest first. Anonymous clients see published transcripts only.",
        responses={(200, "application/json"): TranscriptSummarySerializer(many=True), **errors(400, 404)},
    ),
    retrieve=extend_schema(
        summary="One transcript as a qa-archive/1 document",
        description=(
            "The document the importer accepts (`url` and `html_url` are read-only extras, ignored on "
            f"import). `?format=` gives it in an export format instead: {FORMATS_HELP}. A format that "
            "cannot hold this transcript (`srt` of a transcript without times) is a 400 that says why."
        ),
        responses=_detail_responses(),
    ),
    create=extend_schema(
        summary="Add a transcript (curators)",
        description="Validated like the import command; a 400 names the key at fault.",
        request=TranscriptDocumentSerializer,
        responses={201: TranscriptDocumentSerializer, **errors(400, 401, 403, 409)},
    ),
    update=extend_schema(
        summary="Replace or create a transcript (curators)",
        description=(
            "The document's slug must be the URL's (or absent). A URL no slug can have (one with a "
            "dot: slugs are letters, digits, hyphens and underscores) is a 404."
        ),
        request=TranscriptDocumentSerializer,
        responses={
            200: TranscriptDocumentSerializer,
            201: TranscriptDocumentSerializer,
            **errors(400, 401, 403, 404),
        },
    ),
    partial_update=extend_schema(
        summary="Change a transcript's status (curators)",
        request=StatusChangeSerializer,
        responses={200: TranscriptDocumentSerializer, **errors(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a transcript (curators)", responses={204: None, **errors(401, 403, 404)}
    ),
)
class TranscriptViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """Transcripts: read by anyone (published ones), written by curators with a token."""

    lookup_field = "slug"
    lookup_value_regex = r"[^/.]+"  # any script; ECMA regexes (OpenAPI) know no Unicode \w
    filterset_class = TranscriptFilter
    parser_classes = [DocumentJSONParser]
    serializer_class = TranscriptDocumentSerializer
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Transcript]:
        statuses = visible_statuses(self.request.user)
        if self.action == "list":
            return (
                Transcript.objects.filter(status__in=statuses)
                .annotate(turn_count=Count("turns"))
                .prefetch_related(
                    "topics",
                    Prefetch(
                        "appearances",
                        queryset=Appearance.objects.select_related("speaker").order_by("position"),
                    ),
                )
                .order_by(F("date").desc(nulls_last=True), "slug")
            )
        # Everything the document needs, fetched in a fixed number of queries.
        return transcripts_for_export(include_drafts=True).filter(status__in=statuses)

    def get_serializer_class(self) -> type[Any]:
        return TranscriptSummarySerializer if self.action == "list" else TranscriptDocumentSerializer

    def get_renderers(self) -> list[BaseRenderer]:
        if getattr(self, "action", None) == "retrieve":
            return [JSONRenderer(), *exporter_renderers(skip=["json"])]
        return [JSONRenderer()]

    def get_object(self) -> Transcript:
        # Filters are for lists: `?language=` must not turn a detail into a 404.
        slug = self.kwargs[self.lookup_field]
        transcript: Transcript = get_object_or_404(self.get_queryset(), slug=slug)
        self.check_object_permissions(self.request, transcript)
        return transcript

    def document_response(self, transcript: Transcript, code: int = status.HTTP_200_OK) -> Response:
        fresh = transcripts_for_export(slugs=[transcript.slug], include_drafts=True).get()
        data = TranscriptDocumentSerializer(fresh, context=self.get_serializer_context()).data
        headers = {"Location": data["url"]} if code == status.HTTP_201_CREATED else {}
        return Response(data, status=code, headers=headers)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        transcript = self.get_object()
        self.last_modified = transcript.modified
        renderer = request.accepted_renderer
        if isinstance(renderer, ExporterRenderer):
            exporter = renderer.exporter
            reason = exporter.unavailable(transcript)
            if reason:
                message = f"this transcript cannot be given as {exporter.name}: {reason}"
                raise ValidationError({"format": [message]})
            try:
                text = exporter.render(transcript)
            except ValueError as exc:  # a format that cannot hold this transcript (e.g. no timings)
                message = f"this transcript cannot be given as {exporter.name}: {exc}"
                raise ValidationError({"format": [message]}) from None
            disposition = content_disposition_header(
                as_attachment=True, filename=exporter.filename(transcript)
            )
            return ExportResponse(text, headers={"Content-Disposition": disposition or ""})
        return Response(self.get_serializer(transcript).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        spec = validated(request.data)
        if Transcript.objects.filter(slug=spec.slug).exists():
            raise SlugConflict(
                {
                    "detail": f"a transcript with slug {spec.slug!r} exists; PUT the document to its URL "
                    "to replace it",
                    "key": "slug",
                }
            )
        return self.document_response(write_document(request.data), status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if kwargs.get("partial"):
            return self.partial_update(request, *args, **kwargs)
        slug = self.kwargs["slug"]
        data = request.data
        if isinstance(data, dict):
            body_slug = data.get("slug")
            if body_slug in (None, ""):
                data = {**data, "slug": slug}
            elif body_slug != slug:
                message = f"{body_slug!r} does not match the transcript's URL ({slug!r})"
                raise DocumentRejected(DocumentError(message, key="slug", source=SOURCE))
        validated(data)
        exists = Transcript.objects.filter(slug=slug).exists()
        if not exists and not request.user.has_perm("archive.add_transcript"):
            raise PermissionDenied("You need the permission to add transcripts to create one with PUT.")
        transcript = write_document(data)
        return self.document_response(transcript, status.HTTP_200_OK if exists else status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        transcript = self.get_object()
        data = request.data
        if not isinstance(data, dict) or "status" not in data:
            raise DocumentRejected(
                DocumentError(
                    'send {"status": "draft" | "review" | "published"}', key="status", source=SOURCE
                )
            )
        for key in data:
            if key != "status":
                message = "cannot be changed with PATCH (only status can); PUT the whole document"
                raise DocumentRejected(DocumentError(message, key=key, source=SOURCE))
        value = data["status"]
        if value not in TranscriptStatus.values:
            message = f"status {value!r} is not one of {', '.join(TranscriptStatus.values)}"
            raise DocumentRejected(DocumentError(message, key="status", source=SOURCE))
        transcripts_set_status([transcript], TranscriptStatus(value))
        return self.document_response(transcript)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A model delete: the search index's signal handlers see it (and the cascaded turns).
        self.get_object().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


def speaker_name_in_transcript() -> Subquery:
    return Subquery(
        Appearance.objects.filter(transcript_id=OuterRef("transcript_id"), speaker_id=OuterRef("speaker_id"))
        .order_by("position")
        .values("name")[:1]
    )


CSV_NOTE = (
    " With `format=csv`: every matching turn as CSV, not paged (`format=csv-excel`: with a "
    "byte-order mark, for Excel)."
)


class TurnListBase(ApiViewMixin, generics.ListAPIView):
    serializer_class = TurnSerializer
    filterset_class = TurnFilter
    renderer_classes = [JSONRenderer, CsvRenderer, CsvExcelRenderer]
    csv_filename = "turns.csv"

    def turns(self) -> QuerySet[Turn]:
        return (
            Turn.objects.filter(transcript__status__in=visible_statuses(self.request.user))
            .select_related("transcript", "speaker", "reply_to")
            .prefetch_related("topics")
            .annotate(speaker_name_here=speaker_name_in_transcript())
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if isinstance(request.accepted_renderer, CsvRenderer):
            turns = self.filter_queryset(self.get_queryset())
            rows = (turn_csv_row(turn) for turn in turns.iterator(chunk_size=500))
            response = StreamingHttpResponse(
                csv_lines(TURN_CSV_HEADER, rows, bom=request.accepted_renderer.bom),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = content_disposition_header(True, self.csv_filename) or ""
            return response
        return super().list(request, *args, **kwargs)


@extend_schema(
    tags=["turns"],
    summary="Turns of all transcripts",
    description="Turns in transcript-slug then spoken order." + CSV_NOTE,
    responses={
        (200, "application/json"): TurnSerializer(many=True),
        (200, "text/csv"): OpenApiTypes.STR,
        **errors(400, 404),
    },
)
class TurnListView(TurnListBase):
    """Every turn the client may see, filtered."""

    def get_queryset(self) -> QuerySet[Turn]:
        return self.turns().order_by("transcript__slug", "position")


@extend_schema(
    tags=["transcripts"],
    summary="Turns of one transcript",
    description="In spoken order; the filters of /turns/ apply." + CSV_NOTE,
    responses={
        (200, "application/json"): TurnSerializer(many=True),
        (200, "text/csv"): OpenApiTypes.STR,
        **errors(400, 404),
    },
)
class TranscriptTurnsView(TurnListBase):
    """The turns of one transcript."""

    def get_queryset(self) -> QuerySet[Turn]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator, without a URL
            return Turn.objects.none()
        transcript = get_object_or_404(
            Transcript.objects.filter(status__in=visible_statuses(self.request.user)),
            slug=self.kwargs["slug"],
        )
        self.last_modified = transcript.modified
        self.csv_filename = f"{transcript.slug}-turns.csv"
        return self.turns().filter(transcript=transcript).order_by("position")


@extend_schema(tags=["speakers"])
@extend_schema_view(
    list=extend_schema(
        summary="List speakers", responses={200: SpeakerSerializer(many=True), **errors(400, 404)}
    ),
    retrieve=extend_schema(summary="One speaker", responses={200: SpeakerSerializer, **errors(404)}),
)
class SpeakerViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """People, with their names in every language; counts include only what the client may see.
    `?format=popolo` gives them as Popolo persons (`{"persons": [...]}`; not described here)."""

    lookup_field = "slug"
    lookup_value_regex = r"[^/.]+"  # any script; ECMA regexes (OpenAPI) know no Unicode \w
    serializer_class = SpeakerSerializer
    filterset_class = SpeakerFilter
    renderer_classes = [JSONRenderer, PopoloRenderer]

    def get_renderers(self) -> list[Any]:
        # `?format=popolo` answers Popolo persons (archive/api/popolo.py), a shape of its own that the
        # OpenAPI schema does not describe: the schema lists the JSON only (docs/api.md says so).
        if getattr(self, "swagger_fake_view", False):
            return [JSONRenderer()]
        return super().get_renderers()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        if is_popolo(request) and isinstance(response.data, dict):
            page = self.paginator.page if self.paginator is not None else None  # type: ignore[attr-defined]
            persons = [popolo_person(s, request) for s in (page.object_list if page is not None else [])]
            response.data = {
                "persons": persons,
                "count": response.data.get("count"),
                "next": response.data.get("next"),
                "previous": response.data.get("previous"),
            }
        return response

    def get_queryset(self) -> QuerySet[Speaker]:
        statuses = visible_statuses(self.request.user)
        appearances = Appearance.objects.filter(transcript__status__in=statuses)
        turns = Turn.objects.filter(transcript__status__in=statuses)
        queryset = Speaker.objects.all()
        params = self.request.query_params
        if getattr(self, "action", None) == "list" and "kind" not in params and "transcript" not in params:
            # The list is of people: a role ("Q", "PREGUNTA") belongs to its transcript.
            queryset = queryset.filter(kind=SpeakerKind.PERSON)
        if not can_see_unpublished(self.request.user):
            # Someone heard only in drafts is not public yet.
            queryset = queryset.filter(
                Exists(appearances.filter(speaker=OuterRef("pk")))
                | Exists(turns.filter(speaker=OuterRef("pk")))
            )
        return queryset.annotate(
            transcript_count=count_of(appearances, "speaker"), turn_count=count_of(turns, "speaker")
        ).order_by("name", "slug")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        slug = self.kwargs[self.lookup_field]
        if not self.get_queryset().filter(slug=slug).exists():
            moved = speaker_redirect(slug, curator=can_see_unpublished(request.user))
            if moved is not None:
                return HttpResponsePermanentRedirect(
                    request.build_absolute_uri(reverse("api:speaker-detail", kwargs={"slug": moved.slug}))
                )
        if is_popolo(request):
            return Response(popolo_person(self.get_object(), request))
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["topics"])
@extend_schema_view(
    list=extend_schema(
        summary="List topics", responses={200: TopicSerializer(many=True), **errors(400, 404)}
    ),
    retrieve=extend_schema(summary="One topic", responses={200: TopicSerializer, **errors(404)}),
)
class TopicViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Topics with their labels in every language; counts include only what the client may see."""

    lookup_field = "slug"
    lookup_value_regex = r"[^/.]+"  # any script; ECMA regexes (OpenAPI) know no Unicode \w
    serializer_class = TopicSerializer
    filterset_class = TopicFilter

    def get_queryset(self) -> QuerySet[Topic]:
        statuses = visible_statuses(self.request.user)
        transcripts = Transcript.topics.through.objects.filter(transcript__status__in=statuses)
        queryset = Topic.objects.select_related("parent")
        if not can_see_unpublished(self.request.user):
            turn_topics = Turn.topics.through.objects.filter(turn__transcript__status__in=statuses)
            used = Q(Exists(transcripts.filter(topic=OuterRef("pk")))) | Q(
                Exists(turn_topics.filter(topic=OuterRef("pk")))
            )
            # A topic only drafts use is not public yet; a parent of a public topic is.
            public = Topic.objects.filter(used)
            queryset = queryset.filter(used | Q(Exists(public.filter(parent=OuterRef("pk")))))
        return queryset.annotate(transcript_count=count_of(transcripts, "topic")).order_by("slug")


def _export_responses() -> dict[Any, Any]:
    responses: dict[Any, Any] = {}
    for exporter in EXPORTERS.values():
        if not exporter.one_file_per_transcript:
            responses[(200, media_type_of(exporter))] = OpenApiResponse(
                OpenApiTypes.STR, description=exporter.description
            )
    return {**responses, **errors(400, 403)}


@extend_schema(
    tags=["export"],
    summary="Bulk dump of every published transcript",
    description=(
        "Streams every published transcript (by slug), by default as NDJSON: one qa-archive/1 "
        "document per line, the same as `manage.py export_transcripts`. Memory stays constant "
        "however large the archive."
    ),
    parameters=[
        OpenApiParameter(
            "include_drafts",
            OpenApiTypes.BOOL,
            description="Curators only: drafts and transcripts in review too.",
        )
    ],
    responses=_export_responses(),
)
class ExportView(JsonErrorsMixin, APIView):
    """The bulk dump."""

    permission_classes = [ReadOpenWriteCurators]
    content_negotiation_class = FormatNegotiation

    def get_renderers(self) -> list[BaseRenderer]:
        return exporter_renderers(streamable_only=True)

    def get(self, request: Request) -> StreamingHttpResponse:
        raw = request.query_params.get("include_drafts", "false").strip().lower()
        if raw not in ("true", "false", "1", "0", ""):
            raise ValidationError({"include_drafts": ["must be true or false"]})
        include_drafts = raw in ("true", "1")
        if include_drafts and not can_see_unpublished(request.user):
            raise PermissionDenied("Only curators can export drafts.")
        renderer = request.accepted_renderer
        assert isinstance(renderer, ExporterRenderer)
        exporter = renderer.exporter
        transcripts = iterate_for_export(transcripts_for_export(include_drafts=include_drafts))
        # The body is written after this view returns: it takes the caller's view of names along.
        chunks = with_names_of(exporter.stream(transcripts), curator=can_see_unpublished(request.user))
        response = StreamingHttpResponse(chunks, content_type=exporter.content_type)
        filename = f"qa-archive.{exporter.extension}"
        response["Content-Disposition"] = content_disposition_header(True, filename) or ""
        return response
