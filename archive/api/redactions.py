"""POST /api/v1/transcripts/<slug>/turns/<position>/redactions/: a curator redacts a span of a turn."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api.mixins import JsonErrorsMixin
from archive.api.serializers import ApiErrorSerializer
from archive.curators import is_curator
from archive.models import Redaction, Turn
from archive.redaction import RedactionError, redact_turn


class CuratorsWhoChangeTurns(BasePermission):
    message = "Only curators who may change turns can redact them."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user: Any = request.user
        if not user or not user.is_authenticated:
            return False  # DRF answers 401 with WWW-Authenticate: Token
        return is_curator(user) and bool(user.has_perm("archive.change_turn"))


class RedactionRequestSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0, help_text="Offset of the first character to remove")
    end = serializers.IntegerField(min_value=1, help_text="Offset just past the last character to remove")
    reason = serializers.CharField(min_length=1, max_length=2000, help_text="Why (kept in the redaction log)")


class RedactionSerializer(serializers.ModelSerializer):
    """A redaction log entry: who, when, why and how many characters, never the words removed."""

    transcript = serializers.CharField(source="transcript_slug")
    curator = serializers.CharField(source="curator_name")
    text = serializers.SerializerMethodField(help_text="The turn's text after the redaction")

    class Meta:
        model = Redaction
        fields = ["transcript", "position", "curator", "created", "reason", "start", "characters", "text"]

    def get_text(self, obj: Redaction) -> str:
        return obj.turn.text if obj.turn is not None else ""


class TurnRedactionView(JsonErrorsMixin, APIView):
    permission_classes = [CuratorsWhoChangeTurns]

    @extend_schema(
        tags=["transcripts"],
        summary="Redact a span of a turn (curators)",
        description=(
            "The characters from `start` to `end` (offsets in the turn's text) become `[redacted]`, "
            "at once everywhere: pages, search, exports, feeds. The log keeps who, when, why and "
            "how many characters, never the words."
        ),
        request=RedactionRequestSerializer,
        responses={
            201: RedactionSerializer,
            400: OpenApiResponse(ApiErrorSerializer, description="A span outside the text, or no reason"),
            401: OpenApiResponse(ApiErrorSerializer, description="No or bad token"),
            403: OpenApiResponse(ApiErrorSerializer, description="Not a curator"),
            404: OpenApiResponse(ApiErrorSerializer, description="No such turn"),
        },
    )
    def post(self, request: Request, slug: str, position: int) -> Response:
        turn = get_object_or_404(
            Turn.objects.select_related("transcript"), transcript__slug=slug, position=position
        )
        params = RedactionRequestSerializer(data=request.data)
        if not params.is_valid():
            return Response({"detail": "Invalid redaction.", "errors": params.errors}, status=400)
        data = params.validated_data
        try:
            entry = redact_turn(turn, data["start"], data["end"], reason=data["reason"], user=request.user)
        except RedactionError as exc:
            return Response(
                {"detail": f"{exc.field}: {exc.message}", "key": exc.field, "message": exc.message},
                status=400,
            )
        return Response(RedactionSerializer(entry).data, status=status.HTTP_201_CREATED)
