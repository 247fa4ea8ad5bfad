from __future__ import annotations

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from archive.api.search import SearchView
from archive.feeds import NewTranscriptsFeed, followed_feed_view
from archive.localized_urls import set_language
from archive.sitemaps import SITEMAPS
from archive.views.errors import favicon
from archive.views.recordings import recording_file

# One address for everything that is not a page in the reader's language: the API, the admin,
# the feed, the sitemap, the language switch (archive/localized_urls.py).
urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/search/", SearchView.as_view(), name="api-search"),
    path("api/v1/", include("archive.api.urls", namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script from a URL, so the CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("feed/", NewTranscriptsFeed(), name="feed"),
    # Feeds of turns: any search, a speaker's, a topic's, a language's (archive/following.py).
    path("feeds/search/", followed_feed_view(), name="feed-search"),
    path("feeds/speakers/<str:speaker>/", followed_feed_view(), name="feed-speaker"),
    path("feeds/topics/<str:topic>/", followed_feed_view(), name="feed-topic"),
    path("feeds/languages/<str:language>/", followed_feed_view(), name="feed-language"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("i18n/setlang/", set_language, name="set_language"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", favicon),
    # Uploaded recordings, with range requests (no language prefix: one address per file).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", recording_file, name="recording-file"),
]
# The pages: English bare (/transcripts/), every other interface language under its prefix (/he/transcripts/).
urlpatterns += i18n_patterns(path("", include("archive.urls")), prefix_default_language=False)

handler404 = "archive.views.errors.page_not_found"
handler500 = "archive.views.errors.server_error"
