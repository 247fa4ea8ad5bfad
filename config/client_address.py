"""The client's address: the one answer the throttles, the admin lockout and the logs all use.

`TRUSTED_PROXIES` says how many reverse proxies stand in front of the application (0 by
default: clients connect directly). Each proxy appends the address it received the request
from to `X-Forwarded-For`, so the chain, read from the right, is trustworthy for exactly that
many hops; everything to the left of it was written by the client and may be forged.

    chain = X-Forwarded-For entries + [REMOTE_ADDR]
    client = chain[-1 - TRUSTED_PROXIES]

With 0 trusted proxies that is `REMOTE_ADDR`, whatever the headers say; with 1 it is the last
`X-Forwarded-For` entry (the one our proxy appended). The address is taken literally: a
private or loopback address there is still the client (never "the first public one", which a
client could choose by forging a public address to the left).
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.core.checks import CheckMessage, Warning
from django.http import HttpRequest


def forwarded_chain(request: HttpRequest) -> list[str]:
    """`X-Forwarded-For`'s entries (several headers are joined by commas) then `REMOTE_ADDR`."""
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in header.split(",")] if header else []
    return [*entries, str(request.META.get("REMOTE_ADDR") or "")]


def client_address(request: HttpRequest) -> str:
    """The address `TRUSTED_PROXIES` hops from the right of the forwarding chain (see above).

    An entry that is not an IP address (a proxy that adds a port, or a broken header) is read
    without its port; failing that, the nearest valid hop to its right is used instead, so
    the answer is always an address the database and the cache can key on."""
    chain = forwarded_chain(request)
    hops = max(int(getattr(settings, "TRUSTED_PROXIES", 0)), 0)
    # A chain shorter than that (a request that did not pass every proxy): its leftmost entry.
    index = max(len(chain) - 1 - hops, 0)
    for candidate in chain[index:]:
        address = _address(candidate)
        if address is not None:
            return address
    return "0.0.0.0"  # no address at all (a test client without REMOTE_ADDR): one shared bucket


def _address(entry: str) -> str | None:
    entry = entry.strip()
    for candidate in (entry, _without_port(entry)):
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def _without_port(entry: str) -> str:
    if entry.startswith("["):  # [2001:db8::1]:443
        return entry[1:].partition("]")[0]
    if entry.count(":") == 1:  # 203.0.113.7:443
        return entry.partition(":")[0]
    return entry


class ClientAddressFilter(logging.Filter):
    """Puts `client` (the address above, or "-") on every log record, for the log format."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if not hasattr(record, "client"):
            record.client = client_address(request) if isinstance(request, HttpRequest) else "-"
        return True


def check_trusted_proxies(**kwargs: object) -> list[CheckMessage]:
    """Behind a proxy with no trusted hop, every client would share the proxy's address."""
    if getattr(settings, "BEHIND_PROXY", False) and getattr(settings, "TRUSTED_PROXIES", 0) < 1:
        return [
            Warning(
                "BEHIND_PROXY is on but TRUSTED_PROXIES is 0: every client would be counted as "
                "the proxy's address by the throttles and the admin lockout.",
                hint="Set TRUSTED_PROXIES to the number of proxies that append to X-Forwarded-For.",
                id="archive.W001",
            )
        ]
    return []
