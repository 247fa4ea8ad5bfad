"""Template helpers for the public pages: languages, directions, names, query strings."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

from archive import languages, localized_urls
from archive.following import Followed
from archive.snippets import snippet as make_snippet

register = template.Library()


@register.simple_tag
def reader_lang() -> str:
    """The interface language as a BCP-47 tag, for `<html lang>`."""
    return languages.reader_language()


@register.filter
def text_dir(tag: str) -> str:
    return languages.text_direction(tag or "")


@register.filter
def language_name(tag: str) -> str:
    return languages.language_name(tag or "")


@register.filter
def speaker_name(speaker: Any) -> str:
    return languages.speaker_name(speaker)


@register.filter
def topic_label(topic: Any) -> str:
    return languages.topic_label(topic)


@register.filter
def snippet(text: str, limit: int = 240) -> str:
    return make_snippet(text or "", int(limit))


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (None or '' removes one)."""
    request = context.get("request")
    query: QueryDict = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    # A changed filter starts again from the first page.
    if "page" not in changes and any(key != "page" and not key.endswith("page") for key in changes):
        query.pop("page", None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def page_query(context: dict[str, Any], param: str, number: int) -> str:
    """The current query string pointing at page `number` of the list paginated by `param`."""
    request = context.get("request")
    query: QueryDict = request.GET.copy() if request is not None else QueryDict(mutable=True)
    if int(number) == 1:
        query.pop(param, None)
    else:
        query[param] = str(number)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def followed(**params: Any) -> Followed:
    """A followed search of these parameters (empty ones left out): `{% followed q=q as f %}`."""
    return Followed.from_mapping({key: value for key, value in params.items() if isinstance(value, str)})


@register.simple_tag(takes_context=True)
def page_addresses(context: dict[str, Any]) -> Any:
    """The page's canonical address, its alternates in every interface language, the switcher's `next`."""
    request = context.get("request")
    return localized_urls.page_addresses(request) if request is not None else None
