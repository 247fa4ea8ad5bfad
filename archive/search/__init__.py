"""Full-text search over published turns: `search_turns()` (archive/search/selectors.py) is what the
site, the API and the feeds call, with the `SearchParameters` (archive/search/parameters.py) they
read from a request; docs/search.md describes the whole.

    from archive.search import search_turns, SearchParameters, SearchPage, SearchHit, QueryRefused
"""

from __future__ import annotations

from archive.search.errors import QueryRefused
from archive.search.parameters import SearchParameters
from archive.search.selectors import FacetValue, SearchHit, SearchPage, search_turns

__all__ = ["FacetValue", "QueryRefused", "SearchHit", "SearchPage", "SearchParameters", "search_turns"]
