"""A request the database cannot answer (restarting, unreachable, overloaded) gets a 503.

Django answers a database error with a bare 500, which tells a client (and a load balancer, and
whoever reads the access log) that the site is broken. While PostgreSQL restarts the right answer
is 503 Service Unavailable with Retry-After: the request was fine, try again shortly. The error
is still logged as a server error with its traceback, as a 500 would be.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from config.errors import error_response

logger = logging.getLogger("django.request")

MESSAGE = "The archive's database is not answering right now. Please try again in a few seconds."
RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s %s", request.method, request.path, exc_info=exception)
        response = error_response(request, 503, MESSAGE)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
