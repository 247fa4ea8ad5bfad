"""The Atom feed of newly published transcripts (linked from every page's <head>).

Entries come in order of publication (the transcript's date, the day its source published
it), not of import: a restore or a bulk import creates rows in an arbitrary order. Each
entry says its own language (`xml:lang`), and its summary is plain text, escaped once by
the XML writer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from xml.sax.xmlreader import AttributesImpl

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import condition

from archive.following import FEED_TRANSCRIPTS, Followed, matching_new_turns
from archive.languages import language_name, speaker_name
from archive.models import Transcript
from archive.search import QueryRefused, SearchHit

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


def followed_of(request: HttpRequest, kwargs: dict[str, str]) -> Followed:
    """The search a feed address names: from the path (a speaker's, a topic's, a language's) or
    the query string."""
    for key in ("speaker", "topic", "language"):
        if key in kwargs:
            return Followed.from_mapping({key: kwargs[key]})
    return Followed.from_mapping({key: request.GET.get(key, "") for key in request.GET})


class FollowedSearchFeed(Feed):
    """The newest published turns matching a search, a speaker, a topic or a language.

    The search's parameters come from the query string (`/feeds/search/?q=...&speaker=...`), or
    from the path for the feeds of a speaker, a topic or a language. Entries are turns, newest
    publication first (archive/following.py), each with its words, its speaker as author, its
    own language and its permalink.
    """

    feed_type = ArchiveAtomFeed

    def get_object(self, request: HttpRequest, **kwargs: str) -> Followed:
        followed = followed_of(request, kwargs)
        try:
            followed.check()
        except QueryRefused as refused:
            raise Http404(str(refused)) from None
        return followed

    def title(self, obj: Followed) -> str:
        return _("Q&A Transcript Archive: %(what)s") % {"what": obj.describe()}

    def subtitle(self, obj: Followed) -> str:
        return _("The newest turns published in the archive that match this search.")

    def author_name(self) -> str:
        return _("Q&A Transcript Archive")

    # Bare (default-language) addresses, as in NewTranscriptsFeed: the same whatever the reader's language.
    def link(self, obj: Followed) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return obj.search_url()

    def feed_url(self, obj: Followed) -> str:
        return obj.feed_url()

    def items(self, obj: Followed) -> list[SearchHit]:
        hits, _count = matching_new_turns(obj, look_back=FEED_TRANSCRIPTS)
        return hits

    def item_title(self, item: SearchHit) -> str:
        name = speaker_name(item.turn.speaker, item.turn.effective_language)
        return f"{name}: {Truncator(item.turn.text).words(12)} ({item.transcript.title})"

    def item_description(self, item: SearchHit) -> str:
        return item.turn.text  # plain text (see ArchiveAtomFeed)

    def item_extra_kwargs(self, item: SearchHit) -> dict[str, Any]:
        return {"language": item.turn.effective_language}

    def item_author_name(self, item: SearchHit) -> str:
        return speaker_name(item.turn.speaker, item.turn.effective_language)

    def item_link(self, item: SearchHit) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return item.turn.get_absolute_url()

    def item_pubdate(self, item: SearchHit) -> dt.datetime:
        return item.transcript.published_at or item.transcript.created

    def item_updateddate(self, item: SearchHit) -> dt.datetime:
        return item.transcript.modified


def followed_feed_view() -> Callable[..., HttpResponse]:
    """The feed, answering conditional requests: a poll while nothing changed costs two queries."""
    feed = FollowedSearchFeed()

    def etag(request: HttpRequest, **kwargs: str) -> str:
        # The search is checked once, by the feed itself (a refused one is a 404 there).
        return followed_of(request, kwargs).etag()

    return condition(etag_func=etag)(feed)
