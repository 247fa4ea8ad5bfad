"""Full-text search over published turns (see /work/notes/search-contract.md).

from archive.search import search_turns, SearchPage, SearchHit, FacetValue, QueryRefused
"""

from __future__ import annotations

from archive.search.errors import QueryRefused
from archive.search.service import FacetValue, SearchHit, SearchPage, search_turns

__all__ = ["FacetValue", "QueryRefused", "SearchHit", "SearchPage", "search_turns"]
