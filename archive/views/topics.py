from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from archive import selectors
from archive.languages import language_name, text_direction, topic_label
from archive.models import Topic
from archive.views.common import paginate, str_param

SORTS = {"transcripts": _("Most transcripts"), "slug": _("Alphabetical")}


def topic_list(request: HttpRequest) -> HttpResponse:
    q = str_param(request, "q")
    sort = request.GET.get("sort", "transcripts")
    sort = sort if sort in SORTS else "transcripts"
    topics = list(selectors.topics_browse(sort=sort))
    if q:
        # Labels are in many scripts and stored as JSON: matched here, not in SQL.
        needle = q.casefold()
        topics = [
            topic
            for topic in topics
            if needle in topic.slug.casefold()
            or any(needle in str(label).casefold() for label in topic.labels.values())
        ]
    page = paginate(request, topics, per_page=60)
    return render(
        request,
        "archive/topic_list.html",
        {"page_obj": page, "q": q, "sort": sort, "sorts": SORTS.items(), "section": "topics"},
    )


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        topic = selectors.topic_published(slug)
    except Topic.DoesNotExist:
        raise Http404("No topic of published material has this address.") from None
    label = topic_label(topic)
    labels = [
        {"tag": tag, "language": language_name(tag), "label": text, "dir": text_direction(tag)}
        for tag, text in topic.labels.items()
        if text != label
    ]
    return render(
        request,
        "archive/topic_detail.html",
        {
            "topic": topic,
            "label": label,
            "labels": labels,
            "parent": topic.parent
            if topic.parent and selectors.topics_published().filter(pk=topic.parent.pk).exists()
            else None,
            "children": selectors.topic_children(topic),
            "transcripts": paginate(request, selectors.topic_transcripts(topic), per_page=10, param="tpage"),
            "turns": paginate(request, selectors.topic_turns(topic), per_page=10, param="turns"),
            "section": "topics",
        },
    )
