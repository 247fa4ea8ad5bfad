from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from archive.api.search import SearchView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/search/", SearchView.as_view(), name="api-search"),
    path("", include("archive.urls")),
]
