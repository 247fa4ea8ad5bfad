"""The default search backend: a Whoosh index on local disk (`WhooshBackend`, in backend.py).

A rebuild writes a new generation of the index beside the live one and swaps a symlink to it,
so searches never see a half-built index (storage.py). Each language has its own text fields
and analyzer (schema.py). A query is translated into Whoosh queries (compiler.py) but evaluated
a posting list at a time (evaluation.py, weighed by weighting.py); facets and sorting read
column values held as tuples (columns.py). Whoosh's private state is touched in internals.py
only, which refuses a Whoosh version it was not written for when the backend starts.
"""

from __future__ import annotations

from archive.search.backends.whoosh.backend import WhooshBackend

__all__ = ["WhooshBackend"]
