"""Public reads on PostgreSQL streaming replicas; every write, and whoever just wrote, on the primary.

With `DATABASE_REPLICA_URLS` set, each replica is a database alias (`replica1`, `replica2`, ...).
`ReplicaReadsMiddleware` decides once per request whether it may read from a replica, and which:

- only safe methods (GET, HEAD, OPTIONS) of anonymous readers: a request with an
  `Authorization` header (API writers), a session cookie (curators, the admin) or the cookie a
  write leaves behind (`REPLICA_STICKY_SECONDS` after any unsafe request) reads the primary, so
  whoever just wrote reads their own writes;
- only a replica that answers, is still in recovery (a promoted replica is no replica) and
  replays within `REPLICA_MAX_LAG_SECONDS` of its primary; a verdict is kept for
  `REPLICA_CHECK_SECONDS` per process. With none healthy, the request reads the primary.

`ReplicaRouter` then sends the reads of the archive's own tables to that replica and everything
else (writes, sessions, the cache behind throttles, background commands) to the primary. A
replica that fails in the middle of a request gives the usual 503 and is skipped from then on
until it checks healthy again.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

# The tables a replica serves. Sessions, the database cache (throttle counts) and django-axes'
# lockout records are read where they are written, on the primary.
REPLICATED_APPS = frozenset({"archive"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STICKY_COOKIE = "primary_reads"

# The replica this request reads from, or None for the primary.
_read_alias: ContextVar[str | None] = ContextVar("read_alias", default=None)

# alias -> (healthy, when checked, on time.monotonic()); per process.
_verdicts: dict[str, tuple[bool, float]] = {}

# Seconds the replica's replay lags its primary: 0 while it has replayed all it received; the age
# of the last replayed transaction otherwise; NULL when the server is not in recovery (promoted).
LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def read_alias() -> str:
    """The database alias this request's reads go to (the primary's outside a public request)."""
    return _read_alias.get() or DEFAULT_DB_ALIAS


def replica_lag(alias: str) -> float | None:
    """The replica's lag in seconds, or None when it is no replica (promoted). Raises DatabaseError
    when it does not answer."""
    with connections[alias].cursor() as cursor:
        cursor.execute(LAG_SQL)
        value = cursor.fetchone()[0]
    return None if value is None else float(value)


def is_healthy(alias: str, *, now: float | None = None) -> bool:
    now = time.monotonic() if now is None else now
    verdict = _verdicts.get(alias)
    if verdict is not None and now - verdict[1] < settings.REPLICA_CHECK_SECONDS:
        return verdict[0]
    healthy, reason = True, ""
    try:
        lag = replica_lag(alias)
    except DatabaseError as exc:
        connections[alias].close()
        first_line = (str(exc).strip().splitlines() or [repr(exc)])[0]
        healthy, reason = False, f"does not answer ({first_line})"
    else:
        if lag is None:
            healthy, reason = False, "is not in recovery (promoted?): not used as a replica"
        elif lag > settings.REPLICA_MAX_LAG_SECONDS:
            healthy, reason = False, f"lags {lag:.1f} s (more than {settings.REPLICA_MAX_LAG_SECONDS} s)"
    if not healthy and (verdict is None or verdict[0]):
        logger.warning("Database replica %s %s; reading from the primary meanwhile.", alias, reason)
    if healthy and verdict is not None and not verdict[0]:
        logger.warning("Database replica %s is healthy again.", alias)
    _verdicts[alias] = (healthy, now)
    return healthy


def mark_unhealthy(alias: str) -> None:
    _verdicts[alias] = (False, time.monotonic())
    connections[alias].close()


def choose_replica() -> str | None:
    """A healthy replica, chosen at random among them to spread the load; None if there is none."""
    healthy = [alias for alias in replica_aliases() if is_healthy(alias)]
    return random.choice(healthy) if healthy else None


def report_replicas() -> None:
    """Check every replica once at start-up, so one that does not answer is logged at once."""
    for alias in replica_aliases():
        _verdicts.pop(alias, None)
        is_healthy(alias)


def may_read_replica(request: HttpRequest) -> bool:
    return (
        request.method in SAFE_METHODS
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and STICKY_COOKIE not in request.COOKIES
        and not request.path.startswith("/admin/")
    )


class ReplicaReadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = bool(replica_aliases())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.enabled:
            return self.get_response(request)
        alias = choose_replica() if may_read_replica(request) else None
        token = _read_alias.set(alias)
        try:
            response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        if request.method not in SAFE_METHODS:
            # Whoever wrote reads the primary for a while: their next page shows their write.
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=settings.REPLICA_STICKY_SECONDS,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        alias = _read_alias.get()
        if alias is not None and isinstance(exception, DatabaseError):
            mark_unhealthy(alias)  # the 503 that follows is DatabaseUnavailableMiddleware's


class ReplicaRouter:
    """Reads of the archive's tables go where the request was assigned; all else to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        alias = _read_alias.get()
        if alias is not None and model._meta.app_label in REPLICATED_APPS:
            return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # replicas hold the primary's very rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == DEFAULT_DB_ALIAS
