"""Small helpers the page views share."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, items: Any, *, per_page: int = PAGE_SIZE, param: str = "page") -> Page:
    """One page of `items`; a missing, malformed or too-large page number gives the nearest real page."""
    return Paginator(items, per_page).get_page(request.GET.get(param))


def int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    # isdecimal(), not isdigit(): "²" is a digit that int() refuses
    return int(value) if value.isdecimal() and len(value) <= 6 else None


def str_param(request: HttpRequest, name: str, *, limit: int = 200) -> str:
    return request.GET.get(name, "").strip()[:limit]
