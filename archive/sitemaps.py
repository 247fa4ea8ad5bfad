"""/sitemap.xml: every public page a search engine should know, published material only,
in each interface language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from archive import selectors
from archive.models import Speaker, Topic, Transcript


class LocalizedSitemap(Sitemap):
    """Every page in every interface language, each listing the others (hreflang) and x-default."""

    i18n = True
    alternates = True
    x_default = True


class StaticPagesSitemap(LocalizedSitemap):
    priority = 0.6

    def items(self) -> list[str]:
        return ["home", "transcript-list", "speaker-list", "topic-list"]

    def location(self, item: str) -> str:
        return reverse(item)


class TranscriptSitemap(LocalizedSitemap):
    priority = 0.8
    limit = 5000

    def items(self) -> Any:
        return Transcript.objects.published().order_by("slug").only("slug", "modified")

    def lastmod(self, item: Transcript) -> dt.datetime:
        return item.modified


class SpeakerSitemap(LocalizedSitemap):
    priority = 0.5
    limit = 5000

    def items(self) -> Any:
        return selectors.speakers_published().order_by("slug").only("slug")

    def location(self, item: Speaker) -> str:
        return reverse("speaker-detail", kwargs={"slug": item.slug})


class TopicSitemap(LocalizedSitemap):
    priority = 0.4
    limit = 5000

    def items(self) -> Any:
        return selectors.topics_published().order_by("slug").only("slug")

    def location(self, item: Topic) -> str:
        return reverse("topic-detail", kwargs={"slug": item.slug})


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "transcripts": TranscriptSitemap,
    "speakers": SpeakerSitemap,
    "topics": TopicSitemap,
}
