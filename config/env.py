"""Tiny typed readers for settings from the environment; a bad value fails loudly."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not an integer") from None


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envpath(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default


# The table of the default cache (DatabaseCache): created by the migration
# archive.0005_cache_table, so `migrate` is all a new database needs.
CACHE_TABLE = "archive_cache"


def cache_from_url(url: str) -> dict[str, Any]:
    """A `CACHES["default"]` entry from `CACHE_URL`; every gunicorn worker must see one cache.

    ""                 the database (DatabaseCache, table `archive_cache`): shared, nothing to run
    redis://host:6379/0, rediss://..., unix:///path/redis.sock   Redis (the `redis` package)
    memcached://host:11211[,host2:11211]   Memcached (needs the `pymemcache` package)
    locmem://          per process: only for a single process (tests, `runserver`)
    """
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if not url:
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}
    if scheme in {"redis", "rediss", "unix"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme in {"memcached", "pymemcache"}:
        return {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": [host.strip() for host in rest.split(",") if host.strip()],
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest or "default"}
    raise ValueError(f"CACHE_URL={url!r}: use redis://, rediss://, unix://, memcached:// or locmem://")


def envorigins(name: str, default: list[str]) -> list[str]:
    """Web origins (`https://host` or `https://host:port`, no path), e.g. for a CSP directive."""
    origins = []
    for item in envlist(name, default):
        origin = item.rstrip("/")
        scheme, sep, rest = origin.partition("://")
        if scheme not in {"http", "https"} or not sep or not rest or any(c in rest for c in "/?#* "):
            raise ValueError(f"{name}: {item!r} is not an origin such as https://media.example.org")
        origins.append(origin)
    return origins


def envjson(name: str, default: dict[str, object]) -> dict[str, object]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name} is not valid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a JSON object")
    return value
