"""gzip for the pages and the API (HTML and JSON shrink about tenfold), never for the admin.

BREACH needs a secret that stays the same across responses, next to text an attacker can
put into the page. The public pages hold one secret, the CSRF token of the language
switch, and Django masks it with a fresh random key in every response; Django's
GZipMiddleware also pads each response with random bytes ("Heal the BREACH"). The admin,
where a curator's data and actions live, is left uncompressed all the same.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.urls import reverse

# Text compresses; audio, video and images are compressed already.
COMPRESSIBLE = re.compile(
    r"^(text/|application/(json|x-ndjson|xml|javascript|x-subrip)|application/.+\+(json|xml))"
)


class PublicGZipMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if (
            request.path_info.startswith(reverse("admin:index"))
            or response.status_code == 206  # a byte range of the uncompressed file
            or not COMPRESSIBLE.match(response.get("Content-Type", ""))
        ):
            return response
        return super().process_response(request, response)
