from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from archive.api.search import SearchView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/search/", SearchView.as_view(), name="api-search"),
    path("api/v1/", include("archive.api.urls", namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script from a URL, so the CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("archive.urls")),
]
