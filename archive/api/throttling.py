"""Throttles whose rates come from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` at request time.

DRF's own classes copy the rates once at import, so a changed setting (or a test's
`override_settings`) would be ignored; a missing or empty rate switches a throttle off.
Clients are told apart by `config.client_address` (never by the raw X-Forwarded-For), and
the counts live in the `default` cache, which all workers share (settings `CACHES`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from config.client_address import client_address

if TYPE_CHECKING:  # rest_framework.views imports this module (DEFAULT_THROTTLE_CLASSES)
    from rest_framework.request import Request
    from rest_framework.views import APIView


class _RateFromSettings:
    scope: str

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return str(rate) if rate else None

    def get_ident(self, request: Any) -> str:
        # A DRF Request or a plain HttpRequest (the search page): both carry META.
        return client_address(getattr(request, "_request", request))


class AnonReadThrottle(_RateFromSettings, AnonRateThrottle):
    """Anonymous clients: `anon` requests per period, per client address."""

    scope = "anon"


class WriteThrottle(_RateFromSettings, UserRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE): `write` requests per period, per user."""

    scope = "write"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class SearchPageThrottle(_RateFromSettings, SimpleRateThrottle):
    """The HTML search page: `search_page` requests per period, per signed-in user or client address.

    Used by the page's view directly (no DRF view): `allow_request(request, None)`, then
    `wait()` seconds for Retry-After."""

    scope = "search_page"

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = getattr(request, "user", None)
        ident = f"user-{user.pk}" if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class _HourlyPerClient(SimpleRateThrottle):
    """A fixed rate per client address, for a page's form (no DRF view): `allow_request(request,
    None)`, then `wait()` seconds for Retry-After."""

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class AlertClientThrottle(_HourlyPerClient):
    """Alert subscriptions asked from one client address."""

    scope = "alerts_client"
    rate = "20/hour"


class AlertAddressThrottle(SimpleRateThrottle):
    """Alert subscriptions asked for one email address, whoever asks."""

    scope = "alerts_address"
    rate = "5/hour"

    def get_cache_key(self, request: Any, view: Any) -> str:
        address = str(request.POST.get("email", "")).strip().lower()
        return self.cache_format % {"scope": self.scope, "ident": address}


class CorrectionThrottle(_HourlyPerClient):
    """Readers' corrections sent from one client address."""

    scope = "corrections"
    rate = "10/hour"
