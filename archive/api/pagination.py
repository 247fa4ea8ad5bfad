"""Page-number pagination with a page size the client may choose, up to a cap."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class ArchivePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    page_size_query_description = "Results per page (at most API_MAX_PAGE_SIZE, 100 unless configured)."

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        return int(getattr(settings, "API_MAX_PAGE_SIZE", 100))
