"""Each interface language at its own address: `/he/transcripts/...`, English (the default) bare.

The pages (archive/urls.py) sit inside Django's `i18n_patterns`; the API, the admin, the
feed, the sitemap, the language switch and static files do not, and keep negotiating the
language as before (cookie, then Accept-Language).

An address without a prefix is the default language's page. A reader who chose another
language (the switcher's cookie) or whose browser asks for one, and who arrives there, is
sent to the same page in that language; the prefixed address always shows its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import LocalePrefixPattern, URLResolver, get_resolver, get_script_prefix
from django.urls.exceptions import Resolver404
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.i18n import set_language as django_set_language

from archive.languages import bcp47

# Query parameters that choose a view of the same page, not another page (a canonical link drops them).
VIEW_PARAMETERS = frozenset({"compare"})


def _page_resolver(urlconf: str | None) -> URLResolver | None:
    for pattern in get_resolver(urlconf).url_patterns:
        if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern):
            return pattern
    return None


def is_page(path_info: str, urlconf: str | None = None) -> bool:
    """Whether an unprefixed path is one of the language-prefixed pages (not API, admin, feed...)."""
    resolver = _page_resolver(urlconf)
    if resolver is None:
        return False
    with translation.override(settings.LANGUAGE_CODE):  # the default's prefix is empty
        try:
            resolver.resolve(path_info.removeprefix("/"))  # below the root, paths lose their "/"
        except Resolver404:
            return False
    return True


def strip_language(path: str) -> str:
    """A page path without its language prefix (`/he/speakers/` -> `/speakers/`)."""
    language = translation.get_language_from_path(path)
    if language and language != settings.LANGUAGE_CODE:
        return path[len(language) + 1 :] or "/"
    return path


def in_language(path: str, language: str) -> str:
    """A default-language page path in `language` (`/speakers/`, "he" -> `/he/speakers/`)."""
    return path if language == settings.LANGUAGE_CODE else f"/{language}{path}"


class PageLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware for `i18n_patterns(prefix_default_language=False)` that still honours the
    reader's choice: an unprefixed page redirects to the language the cookie (or the browser) asks
    for; everything outside the pages speaks that language at its one address."""

    # Returning a response (the redirect) from process_request is MiddlewareMixin's contract.
    def process_request(self, request: HttpRequest) -> HttpResponseBase | None:  # type: ignore[override]
        urlconf = getattr(request, "urlconf", None)
        from_path = translation.get_language_from_path(request.path_info)
        preferred = translation.get_language_from_request(request, check_path=False)
        page = not from_path and is_page(request.path_info, urlconf)
        if from_path:
            language = from_path
        elif page:
            language = settings.LANGUAGE_CODE
            if preferred != language and request.method in ("GET", "HEAD"):
                prefix = get_script_prefix()
                target = request.get_full_path().replace(prefix, f"{prefix}{preferred}/", 1)
                response = HttpResponseRedirect(target)
                patch_vary_headers(response, ("Accept-Language", "Cookie"))
                return response
        else:
            language = preferred  # API, admin, feed, sitemap, unknown addresses (their 404 page)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not translation.get_language_from_path(request.path_info):
            patch_vary_headers(response, ("Cookie",))  # the redirect above depends on it
        return super().process_response(request, response)  # type: ignore[no-any-return]


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; `next` is a default-language path, translated to the chosen one."""
    with translation.override(settings.LANGUAGE_CODE):
        return django_set_language(request)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Alternate:
    hreflang: str
    href: str


@dataclass(frozen=True)
class PageAddresses:
    """What a page's <head> says of its addresses."""

    canonical: str
    next_path: str  # the page in the default language, query and all: the switcher's `next`
    alternates: list[Alternate]


def page_addresses(request: HttpRequest) -> PageAddresses:
    default_path = strip_language(request.path_info)
    query = [(k, v) for k, v in request.GET.items() if k not in VIEW_PARAMETERS]
    suffix = f"?{urlencode(query)}" if query else ""
    script = get_script_prefix().rstrip("/")

    def absolute(language: str) -> str:
        return request.build_absolute_uri(f"{script}{in_language(default_path, language)}{suffix}")

    alternates = [Alternate(bcp47(code), absolute(code)) for code, _name in settings.LANGUAGES]
    alternates.append(Alternate("x-default", absolute(settings.LANGUAGE_CODE)))
    return PageAddresses(
        canonical=absolute(translation.get_language() or settings.LANGUAGE_CODE),
        next_path=default_path + (f"?{request.GET.urlencode()}" if request.GET else ""),
        alternates=alternates,
    )
