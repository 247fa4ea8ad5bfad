"""Behaviour every API view shares: JSON errors whatever the format, and conditional GETs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.http import http_date
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response


def _first_message(value: Any) -> str:
    while isinstance(value, (list, dict)) and value:
        value = value[0] if isinstance(value, list) else next(iter(value.values()))
    return str(value)


def uniform_error(data: Any) -> dict[str, Any]:
    """Any 400 body in one shape: `detail` always, `key` and `message` for the first field at fault,
    `errors` with every field's messages (DRF's field -> [messages])."""
    if isinstance(data, dict) and "detail" in data:
        return data
    if isinstance(data, dict) and data:
        key = next(iter(data))
        message = _first_message(data[key])
        return {"detail": f"{key}: {message}", "key": key, "message": message, "errors": data}
    message = _first_message(data)
    return {"detail": message, "key": None, "message": message}


class JsonErrorsMixin:
    """Errors come back as JSON, in one shape, even when a CSV or subtitle format was asked for."""

    def handle_exception(self, exc: Exception) -> HttpResponseBase:
        response = super().handle_exception(exc)  # type: ignore[misc]
        if isinstance(response, Response) and response.status_code == 400:
            response.data = uniform_error(response.data)
        return response  # type: ignore[no-any-return]

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        # Also when negotiation itself failed (no renderer chosen yet).
        chosen = getattr(request, "accepted_renderer", None)
        if (
            isinstance(response, Response)
            and response.status_code >= 400
            and not isinstance(chosen, JSONRenderer)
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


class ConditionalGetMixin(JsonErrorsMixin):
    """An `ETag` (hash of the body) on every successful GET, `Last-Modified` where the view knows it
    (`self.last_modified`), and 304 Not Modified when the client's copy is current.

    The ETag hashes the rendered body, so it changes whenever anything shown changes
    (a speaker's names, a topic's slug...), not only the transcript row.
    """

    last_modified: dt.datetime | None = None

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if not isinstance(response, HttpResponse):  # streaming: no body to hash
            return response
        # Curators see drafts: a shared cache must not give their answer to anyone else.
        patch_vary_headers(response, ["Authorization", "Cookie"])
        if isinstance(response, Response):
            response.render()
        set_response_etag(response)
        if self.last_modified is not None:
            response.headers["Last-Modified"] = http_date(self.last_modified.timestamp())
        conditional = get_conditional_response(
            request,
            etag=response.headers.get("ETag"),
            last_modified=self._last_modified_ts(),
            response=response,
        )
        return conditional if conditional is not None else response

    def _last_modified_ts(self) -> int | None:
        return int(self.last_modified.timestamp()) if self.last_modified is not None else None
