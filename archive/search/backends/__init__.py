"""Search backends, configured like Django's CACHES in `settings.SEARCH_BACKENDS`.

    SEARCH_BACKENDS = {"default": {"BACKEND": "archive.search.backends.whoosh.WhooshBackend",
                                   "PATH": "/var/lib/archive/index"}}

One backend object per alias and process: it keeps its searcher open between requests.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from archive.search.backends.base import BaseSearchBackend

_backends: dict[str, BaseSearchBackend] = {}
_lock = threading.Lock()


def get_search_backend(alias: str = "default") -> BaseSearchBackend:
    with _lock:
        backend = _backends.get(alias)
        if backend is None:
            backend = _backends[alias] = _create(alias)
        return backend


def _create(alias: str) -> BaseSearchBackend:
    try:
        config = dict(settings.SEARCH_BACKENDS[alias])
    except KeyError as exc:
        raise ImproperlyConfigured(f"SEARCH_BACKENDS has no {alias!r} entry") from exc
    path = str(config.pop("BACKEND", "archive.search.backends.whoosh.WhooshBackend"))
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"search backend {path!r} (SEARCH_BACKEND) cannot be imported: {exc}"
        ) from exc
    return backend_class(alias, config)  # type: ignore[no-any-return]


def reset_backends() -> None:
    """Forget the backends (tests that change SEARCH_BACKENDS; a process after fork)."""
    with _lock:
        for backend in _backends.values():
            backend.close()
        _backends.clear()
