"""Throttles whose rates come from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` at request time.

DRF's own classes copy the rates once at import, so a changed setting (or a test's
`override_settings`) would be ignored; a missing or empty rate switches a throttle off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

if TYPE_CHECKING:  # rest_framework.views imports this module (DEFAULT_THROTTLE_CLASSES)
    from rest_framework.request import Request
    from rest_framework.views import APIView


class _RateFromSettings:
    scope: str

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return str(rate) if rate else None


class AnonReadThrottle(_RateFromSettings, AnonRateThrottle):
    """Anonymous clients: `anon` requests per period, per IP address."""

    scope = "anon"


class WriteThrottle(_RateFromSettings, UserRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE): `write` requests per period, per user."""

    scope = "write"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
