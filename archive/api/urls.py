"""/api/v1/ (included with the namespace `api`). The search route is added beside these."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from archive.api import citations, views
from archive.api.redactions import TurnRedactionView

app_name = "api"

router = SimpleRouter()
router.register("transcripts", views.TranscriptViewSet, basename="transcript")
router.register("speakers", views.SpeakerViewSet, basename="speaker")
router.register("topics", views.TopicViewSet, basename="topic")

urlpatterns = [
    path("transcripts/<str:slug>/turns/", views.TranscriptTurnsView.as_view(), name="transcript-turns"),
    path("transcripts/<str:slug>/cite/", citations.transcript_citation, name="transcript-cite"),
    path(
        "transcripts/<str:slug>/turns/<int:position>/cite/", citations.transcript_citation, name="turn-cite"
    ),
    path(
        "transcripts/<str:slug>/turns/<int:position>/redactions/",
        TurnRedactionView.as_view(),
        name="turn-redactions",
    ),
    path("turns/", views.TurnListView.as_view(), name="turn-list"),
    path("export/", views.ExportView.as_view(), name="export"),
    *router.urls,
]
