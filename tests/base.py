"""Shared test helpers: small documents built from nested literals, and the corpus's location."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from archive.interchange import validate_document
from archive.models import Transcript
from archive.services import transcript_import

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
# settings.SHARED_DATA_DIR: ../shared beside the checkout unless SHARED_DATA_DIR says otherwise.
SHARED = Path(settings.SHARED_DATA_DIR)
CORPUS = SHARED / "corpus"

needs_corpus = pytest.mark.skipif(
    not (CORPUS / "sample").is_dir(),
    reason=f"the shared corpus is not at {CORPUS} (corpus-based checks skipped)",
)

PERES_EN: dict[str, Any] = {
    "format": "qa-archive/1",
    "slug": "peres-weibo-test",
    "title": "Shimon Peres answers Weibo users",
    "date": "2014-04-10",
    "language": "en",
    "event": "Weibo live Q&A",
    "place": "Beijing",
    "topics": ["technology"],
    "speakers": [
        {
            "name": "Shimon Peres",
            "slug": "shimon-peres",
            "role": "President of Israel",
            "names": {"he": "שמעון פרס", "zh-Hans": "西蒙·佩雷斯"},
            "aliases": ["Peres"],
        },
        {"name": "Weibo user", "role": "audience"},
    ],
    "turns": [
        {
            "speaker": "Weibo user",
            "kind": "question",
            "text": "What is the secret of Jewish wisdom?",
            "topics": ["education"],
        },
        {
            "speaker": "Shimon Peres",
            "kind": "answer",
            "text": "Our secret is learning.",
            "start": 61.0,
            "end": 94.5,
        },
        {"speaker": "Weibo user", "kind": "question", "text": "Will you visit China again?"},
        {"speaker": "Shimon Peres", "kind": "answer", "text": "I hope so.\nChina is a friend."},
    ],
}

PERES_ZH: dict[str, Any] = {
    "slug": "peres-weibo-test-zh",
    "title": "佩雷斯回答微博网友提问",
    "date": "2014-04-10",
    "language": "zh-Hans",
    "translation_of": "peres-weibo-test",
    "speakers": [{"name": "西蒙·佩雷斯", "role": "以色列总统"}, {"name": "微博网友"}],
    "turns": [
        {"speaker": "微博网友", "kind": "question", "text": "犹太人智慧的秘诀是什么？", "original": 1},
        {"speaker": "西蒙·佩雷斯", "kind": "answer", "text": "我们的秘诀是学习。", "original": 2},
    ],
}


def document(base: dict[str, Any] = PERES_EN, **changes: Any) -> dict[str, Any]:
    """A deep copy of `base` with top-level keys changed (a value of None removes the key)."""
    doc = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


def import_document(data: dict[str, Any]) -> Transcript:
    return transcript_import(validate_document(data)).transcript
