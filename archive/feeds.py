"""The Atom feed of newly published transcripts (linked from every page's <head>).

Entries come in order of publication (the transcript's date, the day its source published
it), not of import: a restore or a bulk import creates rows in an arbitrary order. Each
entry says its own language (`xml:lang`), and its summary is plain text, escaped once by
the XML writer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.xmlreader import AttributesImpl

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator

from archive.languages import language_name
from archive.models import Transcript

FEED_SIZE = 30


class ArchiveAtomFeed(Atom1Feed):
    """Django's Atom writer, with `xml:lang` on each entry and a plain-text summary.

    Django writes every summary as `type="html"`: plain text then had to be HTML-escaped
    before the XML writer escaped it again, and readers that show summaries as text
    showed `&lt;`.
    """

    def write_items(self, handler: SimplerXMLGenerator) -> None:
        for item in self.items:
            language = {"xml:lang": item["language"]} if item.get("language") else {}
            handler.startElement("entry", AttributesImpl(language))
            self.add_item_elements(handler, item)
            handler.endElement("entry")

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class NewTranscriptsFeed(Feed):
    feed_type = ArchiveAtomFeed

    def title(self) -> str:
        return _("Q&A Transcript Archive: new transcripts")

    def author_name(self) -> str:
        # Atom requires an author: the archive publishes the feed (its entries name no one person).
        return _("Q&A Transcript Archive")

    def subtitle(self) -> str:
        return _("Transcripts newly published in the archive, in every language.")

    # Links and entry ids are the bare (default-language) addresses, the same in every language of
    # the feed; a reader who prefers another language is redirected there.
    def link(self) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return reverse("transcript-list")

    def items(self) -> list[Transcript]:
        return list(
            Transcript.objects.published().order_by(F("date").desc(nulls_last=True), "-created", "slug")[
                :FEED_SIZE
            ]
        )

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
        return f"{summary}\n{item.description}".strip()  # plain text (see ArchiveAtomFeed)

    def item_extra_kwargs(self, item: Transcript) -> dict[str, Any]:
        return {"language": item.language}

    def item_link(self, item: Transcript) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return item.get_absolute_url()

    def item_pubdate(self, item: Transcript) -> dt.datetime:
        if item.date:  # published by its source that day
            return dt.datetime.combine(item.date, dt.time.min, tzinfo=dt.UTC)
        return item.created

    def item_updateddate(self, item: Transcript) -> dt.datetime:
        return item.modified
