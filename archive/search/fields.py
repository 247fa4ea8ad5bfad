"""Where indexes built before the Whoosh backend became a package find their field type.

Whoosh pickles the schema into the index, naming `archive.search.fields.RepeatedText`: an index
built since names `archive.search.backends.whoosh.schema.RepeatedText`. Nothing imports this
module; it goes once every index has been rebuilt (`manage.py rebuild_index`).
"""

from __future__ import annotations

from archive.search.backends.whoosh.schema import RepeatedText

__all__ = ["RepeatedText"]
