"""The 404 and 500 pages in the site's look and the reader's language (under /api/, JSON like
every other API error), and /favicon.ico."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError
from django.template import loader
from django.templatetags.static import static
from django.views import defaults

from config.errors import error_response

logger = logging.getLogger(__name__)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An address nothing answers: JSON for an API client, templates/404.html for a reader."""
    if request.path.startswith("/api/"):
        return error_response(request, 404, "Nothing is at this address of the API.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django's own handler renders 500.html without the request: no language, no URLs of the page.
    try:
        return HttpResponseServerError(loader.render_to_string("500.html", {}, request))
    except Exception:  # the page itself failed: a server error must still be answered
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(
            b"<!doctype html><html lang=en><title>Server error</title><h1>Server error</h1>",
            content_type="text/html",
        )


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links; the icon is a static file (hashed name)."""
    return HttpResponsePermanentRedirect(static("archive/favicon.svg"))
