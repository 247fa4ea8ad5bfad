"""Full-text search over published turns: `search_turns()` (archive/search/service.py) is what the
site and the API call; docs/search.md describes the whole.

    from archive.search import search_turns, SearchPage, SearchHit, FacetValue, QueryRefused
"""

from __future__ import annotations

from archive.search.errors import QueryRefused
from archive.search.service import FacetValue, SearchHit, SearchPage, search_turns

__all__ = ["FacetValue", "QueryRefused", "SearchHit", "SearchPage", "search_turns"]
