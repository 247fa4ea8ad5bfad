"""The Atom feed of newly published transcripts (linked from every page's <head>)."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from archive.languages import language_name
from archive.models import Transcript

FEED_SIZE = 30


class NewTranscriptsFeed(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Q&A Transcript Archive: new transcripts")

    def subtitle(self) -> str:
        return _("Transcripts newly published in the archive, in every language.")

    def link(self) -> str:
        return reverse("transcript-list")

    def items(self) -> list[Transcript]:
        return list(Transcript.objects.published().order_by("-created", "slug")[:FEED_SIZE])

    def item_title(self, item: Transcript) -> str:
        return item.title

    def item_description(self, item: Transcript) -> str:
        parts = [
            language_name(item.language),
            item.date.isoformat() if item.date else "",
            item.event,
            item.place,
        ]
        summary = " · ".join(part for part in parts if part)
        # Atom's summary is type="html": plain text must be HTML-escaped, or a reader runs its markup.
        return escape(f"{summary}\n{item.description}".strip())

    def item_link(self, item: Transcript) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Transcript) -> dt.datetime:
        return item.created

    def item_updateddate(self, item: Transcript) -> dt.datetime:
        return item.modified
