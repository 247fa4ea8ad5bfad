from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from archive.api.search import SearchView
from archive.views.recordings import recording_file

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/search/", SearchView.as_view(), name="api-search"),
    path("api/v1/", include("archive.api.urls", namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script from a URL, so the CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Uploaded recordings, with range requests (no language prefix: one address per file).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", recording_file, name="recording-file"),
    path("", include("archive.urls")),
]
