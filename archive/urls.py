"""The public site's addresses. Paths carry no language prefix: the reader's choice is a cookie."""

from __future__ import annotations

from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from archive.feeds import NewTranscriptsFeed
from archive.sitemaps import SITEMAPS
from archive.views import home, search, speakers, topics, transcripts

urlpatterns = [
    path("", home.home, name="home"),
    path("search/", search.search, name="search"),
    path("transcripts/", transcripts.transcript_list, name="transcript-list"),
    path("transcripts/<str:slug>/", transcripts.transcript_detail, name="transcript-detail"),
    path("transcripts/<str:slug>/cite/<int:position>/", transcripts.transcript_cite, name="transcript-cite"),
    path("transcripts/<str:slug>/cite/", transcripts.transcript_cite, name="transcript-cite-whole"),
    path(
        "transcripts/<str:slug>/export.<str:format>", transcripts.transcript_export, name="transcript-export"
    ),
    path("speakers/", speakers.speaker_list, name="speaker-list"),
    path("speakers/<str:slug>/", speakers.speaker_detail, name="speaker-detail"),
    path("topics/", topics.topic_list, name="topic-list"),
    path("topics/<str:slug>/", topics.topic_detail, name="topic-detail"),
    path("feed/", NewTranscriptsFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("i18n/", include("django.conf.urls.i18n")),
]
