"""The public site's pages; config/urls.py puts them under a language prefix (none for English)."""

from __future__ import annotations

from django.urls import path

from archive.views import alerts, corrections, home, search, speakers, topics, transcripts

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
    path("transcripts/<str:slug>/captions.vtt", transcripts.transcript_captions, name="transcript-captions"),
    path("speakers/", speakers.speaker_list, name="speaker-list"),
    path("speakers/<str:slug>/", speakers.speaker_detail, name="speaker-detail"),
    path("topics/", topics.topic_list, name="topic-list"),
    path("topics/<str:slug>/", topics.topic_detail, name="topic-detail"),
    path("alerts/", alerts.subscribe, name="alert-subscribe"),
    path("alerts/confirm/<str:token>/", alerts.confirm, name="alert-confirm"),
    path("alerts/manage/<str:token>/", alerts.manage, name="alert-manage"),
    path("alerts/unsubscribe/<str:token>/", alerts.unsubscribe, name="alert-unsubscribe"),
    path(
        "transcripts/<str:slug>/turns/<int:position>/correct/",
        corrections.suggest_correction,
        name="turn-correct",
    ),
]
