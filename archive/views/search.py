from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def search(request: HttpRequest) -> HttpResponse:
    # Placeholder until the search engine lands (branch `engine`): see the report.
    return render(request, "archive/search.html", {"section": "search", "q": request.GET.get("q", "")})
