"""Small documents in many languages for the search tests (written for these tests)."""

from __future__ import annotations

import copy
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from archive.interchange import validate_document
from archive.models import SearchOutbox, Transcript
from archive.search import indexer
from archive.search.backends import reset_backends
from archive.search.documents import IndexDocument
from archive.services import transcript_import

WHOOSH = "archive.search.backends.whoosh.WhooshBackend"


@contextmanager
def temp_search_index(backend: str = WHOOSH, **options: Any) -> Iterator[Path]:
    """A fresh, empty index of `backend` in a new temp folder (yielded) as the default search
    backend for the block; after it the settings are restored and the folder removed.

    In a test: `self.enterContext(temp_search_index())` in setUp, or
    `cls.enterClassContext(...)` in setUpClass for an index shared by the class.
    """
    folder = Path(tempfile.mkdtemp(prefix="search-test-"))
    saved = settings.SEARCH_BACKENDS
    settings.SEARCH_BACKENDS = {"default": {"BACKEND": backend, "PATH": folder, **options}}
    reset_backends()  # the next get_search_backend() opens this index
    try:
        yield folder
    finally:
        reset_backends()
        settings.SEARCH_BACKENDS = saved
        shutil.rmtree(folder, ignore_errors=True)


_inherited: list[Any] = []


def drain_a_backlog_repeatedly(transcript_ids: list[int], draining: Event, stop: Event) -> None:
    """In a forked child: run_indexer working through a backlog, one batch after another, until
    stopped; the outbox is refilled after each pass (on SQLite the child has its own copy of the
    test database, on PostgreSQL it shares the parent's).

    Each batch holds the write lock about a second, as one of 100 real transcripts does.
    """
    if connection.vendor == "postgresql":
        _inherited.append(connection.connection)  # the parent's session: closing it here would end it
        connection.connection = None  # the child opens one of its own
    read = indexer.transcript_documents

    def slow_read(ids: list[int]) -> dict[int, list[IndexDocument]]:
        draining.set()  # holding the write lock
        time.sleep(1)
        return read(ids)

    indexer.transcript_documents = slow_read  # type: ignore[assignment]  # only in this child
    while not stop.is_set():
        SearchOutbox.objects.bulk_create([SearchOutbox(transcript_id=tid) for tid in transcript_ids])
        indexer.drain(wait=60, batch=1)


def doc(
    slug: str,
    language: str,
    turns: list[tuple[str, str, str]],
    *,
    title: str | None = None,
    date: str = "2024-03-01",
    status: str = "published",
    **extra: Any,
) -> dict[str, Any]:
    """A qa-archive/1 document; turns are (speaker, kind, text)."""
    speakers = list(dict.fromkeys(s for s, _, _ in turns))
    data: dict[str, Any] = {
        "format": "qa-archive/1",
        "slug": slug,
        "title": title or f"Test transcript {slug}",
        "date": date,
        "language": language,
        "status": status,
        "speakers": [{"name": name} for name in speakers],
        "turns": [{"speaker": s, "kind": k, "text": t} for s, k, t in turns],
    }
    data.update(copy.deepcopy(extra))
    return data


def import_doc(data: dict[str, Any]) -> Transcript:
    return transcript_import(validate_document(data)).transcript


BRIEFING_EN = doc(
    "briefing-en",
    "en",
    [
        ("Reporter", "question", "Has the administration sanctioned the companies exporting drones?"),
        ("Press Secretary", "answer", "We announced new sanctions on three companies this morning."),
        ("Reporter", "question", "What about the tariffs on steel?"),
        ("Press Secretary", "answer", "The tariffs stay in place until the review is finished."),
    ],
    title="Press briefing on trade",
    date="2023-05-02",
    topics=["trade"],
)

MANANERA_ES = doc(
    "mananera-es",
    "es",
    [
        ("Reportera", "question", "¿Qué planes hay para la educación pública en las comunidades rurales?"),
        ("Presidente", "answer", "Vamos a contratar más maestros y construir escuelas nuevas."),
    ],
    title="Conferencia de prensa matutina",
    date="2021-09-14",
)

KNESSET_HE = doc(
    "knesset-he",
    "he",
    [
        ("חבר הכנסת כהן", "question", "מתי יוצגו התכניות החדשות לבתי הספר?"),
        ("שרת החינוך", "answer", "משרד החינוך יציג את התכנית בחודש הבא, שָׁלוֹם לכולם."),
    ],
    title="ועדת החינוך",
    date="2022-11-07",
)

MFA_ZH = doc(
    "mfa-zh",
    "zh-Hans",
    [
        ("记者", "question", "请问中方如何看待双方的经济合作前景？"),
        ("发言人", "answer", "我们愿同各方继续加强经济合作，实现互利共赢。"),
    ],
    title="外交部发言人例行记者会",
    date="2026-06-01",
)

MFA_EN = doc(
    "mfa-en",
    "en",
    [
        ("Reporter", "question", "How does China view the prospects of economic cooperation?"),
        ("Spokesperson", "answer", "We are ready to strengthen economic cooperation for mutual benefit."),
    ],
    title="Foreign Ministry regular press conference",
    date="2026-06-01",
    translation_of="mfa-zh",
)
# doc() takes (speaker, kind, text) triples: add the alignment by hand.
MFA_EN["turns"] = [
    {"speaker": "Reporter", "kind": "question", "original": 1, "text": MFA_EN["turns"][0]["text"]},
    {"speaker": "Spokesperson", "kind": "answer", "original": 2, "text": MFA_EN["turns"][1]["text"]},
]

TOKYO_JA = doc(
    "tokyo-ja",
    "ja",
    [
        ("委員", "question", "オリンピックの準備状況について伺います。"),
        ("局長", "answer", "テストイベントは予定どおり実施しております。"),
    ],
    title="東京都議会 委員会",
    date="2019-07-10",
)

MINISTRY_AR = doc(
    "ministry-ar",
    "ar",
    [
        ("صحفي", "question", "هل وقّعت الحكومة الاتفاقية الجديدة؟"),
        ("المتحدث", "answer", "نعم، وقّعنا الاتّفاقيّة صباح اليوم."),
    ],
    title="مؤتمر صحفي",
    date="2020-02-02",
)

# Languages whose letters readers often type without their marks, and inflected languages.
TYPED_FORMS = [
    doc("meclis-tr", "tr", [("Milletvekili", "question", "Bu soruların sorulması hükümet için zor.")]),
    doc("iklim-tr", "tr", [("Milletvekili", "question", "Küresel ısınma hızlanıyor. İSTANBUL hazır mı?")]),
    doc("bundestag-de", "de", [("Abgeordnete", "question", "Die Straße in München wird im März gesperrt.")]),
    doc("vouli-el", "el", [("Βουλευτής", "question", "Η κυβέρνηση συζήτησε τις μεταρρυθμίσεις.")]),
    doc("sejm-pl", "pl", [("Poseł", "question", "Odznaczenie wojskowe dla żołnierza z Łodzi.")]),
    doc("duma-ru", "ru", [("Депутат", "question", "Ещё одна ёлка у Кремля.")]),
    doc("rada-uk", "uk", [("Депутат", "question", "Уряд ухвалив нові закони про освіту.")]),
    doc("sabor-bg", "bg", [("Депутат", "question", "Комисията обсъди законите през седмицата.")]),
]

OTHERS = [
    doc("presse-fr", "fr", [("Journaliste", "question", "Où en sont les négociations commerciales ?")]),
    doc("pressekonferenz-de", "de", [("Journalist", "question", "Wann fallen die Zölle auf Stahl?")]),
    doc("briefing-ru", "ru", [("Журналист", "question", "Правительство обсуждало новые санкции.")]),
    # Swahili has no stemmer: its words as written and their lemmas, never English stemming.
    doc("mkutano-sw", "sw", [("Mwandishi", "question", "Serikali imetangaza mpango wa running elimu.")]),
]
