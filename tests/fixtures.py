"""The tests' data: where the shared corpus and the golden files are, and one small multilingual
corpus built from nested literals, imported through the real import service.

- PERES_EN and PERES_ZH: a Weibo Q&A and its Chinese translation, the running example.
- The public site's archive (`build_archive`): a Foreign Ministry briefing on dialogue among
  civilizations with Chinese and Hebrew translations aligned turn by turn, a Knesset committee,
  an Arabic and a Spanish press conference, and a draft and a transcript in review that must
  never show.
- The search tests' documents (built with `doc`): short transcripts in many languages and
  scripts, each with the words its tests search for.
- `long_document`: generated question time of any length, for paging and query counts.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from archive.interchange import validate_document
from archive.models import Topic, Transcript
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
    """A short qa-archive/1 document from (speaker, kind, text) turns (`document` copies a whole one)."""
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


# The public site's archive (build_archive): modelled on the corpus.

CIVILIZATIONS_BRIEFING_EN: dict[str, Any] = {
    "format": "qa-archive/1",
    "slug": "mfa-briefing-2026-06-10",
    "title": "Foreign Ministry regular press conference",
    "date": "2026-06-10",
    "language": "en",
    "event": "Regular press conference",
    "place": "Beijing",
    "source_url": "https://example.org/mfa/2026-06-10",
    "license": "CC-BY-4.0",
    "topics": ["diplomacy", "middle-east"],
    "speakers": [
        {
            "name": "Lin Jian",
            "slug": "lin-jian",
            "role": "spokesperson",
            "names": {"zh-Hans": "林剑", "he": "לין ג'יאן"},
        },
        {
            "name": "Xinhua News Agency",
            "slug": "xinhua",
            "role": "journalist",
            "names": {"zh-Hans": "新华社记者"},
        },
        {"name": "Bloomberg", "slug": "bloomberg", "role": "journalist"},
    ],
    "turns": [
        {"speaker": "Lin Jian", "kind": "moderator", "text": "Good afternoon. Let's begin."},
        {
            "speaker": "Xinhua News Agency",
            "kind": "question",
            "text": "Today marks the second International Day for Dialogue Among Civilizations. "
            "What is China's comment?",
            "topics": ["civilizations"],
        },
        {
            "speaker": "Lin Jian",
            "kind": "answer",
            "text": "Three years ago, President Xi put forth the Global Civilization Initiative.\n"
            "Dialogue among civilizations matters for peace.",
        },
        {
            "speaker": "Bloomberg",
            "kind": "question",
            "text": "Any comment on the escalation in the Middle East?",
        },
        {
            "speaker": "Lin Jian",
            "kind": "answer",
            "text": "China calls on all parties to exercise restraint & stop fighting {now}.",
            "topics": ["middle-east"],
        },
        {"speaker": "Lin Jian", "kind": "statement", "text": "That concludes today's press conference."},
    ],
}

CIVILIZATIONS_BRIEFING_ZH: dict[str, Any] = {
    "slug": "mfa-briefing-2026-06-10-zh",
    "title": "外交部例行记者会",
    "date": "2026-06-10",
    "language": "zh-Hans",
    "translation_of": "mfa-briefing-2026-06-10",
    "event": "例行记者会",
    "place": "北京",
    "speakers": [
        {"name": "林剑", "slug": "lin-jian", "role": "发言人"},
        {"name": "新华社记者", "slug": "xinhua", "role": "记者"},
        {"name": "彭博社记者", "slug": "bloomberg", "role": "记者"},
    ],
    "turns": [
        {"speaker": "林剑", "kind": "moderator", "text": "下午好。现在开始。", "original": 1},
        {
            "speaker": "新华社记者",
            "kind": "question",
            "text": "今天是第二个“文明对话国际日”。中方对此有何评论？",
            "original": 2,
        },
        {
            "speaker": "林剑",
            "kind": "answer",
            "text": "三年前，习近平主席提出全球文明倡议。\n文明对话对和平至关重要。",
            "original": 3,
        },
        {"speaker": "彭博社记者", "kind": "question", "text": "中方对中东局势升级有何评论？", "original": 4},
        {"speaker": "林剑", "kind": "answer", "text": "中方呼吁各方保持克制，立即停火。", "original": 5},
        {"speaker": "林剑", "kind": "statement", "text": "今天的记者会到此结束。", "original": 6},
    ],
}

CIVILIZATIONS_BRIEFING_HE: dict[str, Any] = {
    "slug": "mfa-briefing-2026-06-10-he",
    "title": "מסיבת העיתונאים הקבועה של משרד החוץ",
    "date": "2026-06-10",
    "language": "he",
    "translation_of": "mfa-briefing-2026-06-10",
    "speakers": [
        {"name": "לין ג'יאן", "slug": "lin-jian", "role": "דובר"},
        {"name": "סוכנות שינחואה", "slug": "xinhua", "role": "עיתונאי"},
        {"name": "בלומברג", "slug": "bloomberg", "role": "עיתונאי"},
    ],
    "turns": [
        {"speaker": "לין ג'יאן", "kind": "moderator", "text": "צהריים טובים. נתחיל.", "original": 1},
        {
            "speaker": "סוכנות שינחואה",
            "kind": "question",
            "text": "היום מצוין היום הבינלאומי השני לדיאלוג בין תרבויות. מה עמדת סין?",
            "original": 2,
        },
        {
            "speaker": "לין ג'יאן",
            "kind": "answer",
            "text": "לפני שלוש שנים הציג הנשיא שי את יוזמת הציוויליזציה הגלובלית (GCI) בשנת 2023.",
            "original": 3,
        },
        {"speaker": "בלומברג", "kind": "question", "text": "תגובה על ההסלמה במזרח התיכון?", "original": 4},
        {
            "speaker": "לין ג'יאן",
            "kind": "answer",
            "text": "סין קוראת לכל הצדדים לגלות איפוק.",
            "original": 5,
        },
    ],
}

ARRANGEMENTS_COMMITTEE_HE: dict[str, Any] = {
    "slug": "knesset-arrangements-committee",
    "title": "הוועדה המסדרת: ישיבה",
    "date": "2022-11-21",
    "language": "he",
    "event": "הוועדה המסדרת",
    "place": "ירושלים",
    "topics": ["knesset"],
    "speakers": [
        {"name": "יואב קיש", "slug": "yoav-kish", "role": 'יו"ר', "names": {"en": "Yoav Kish"}},
        {
            "name": "יעקב טסלר",
            "slug": "yaakov-tessler",
            "role": "חבר כנסת",
            "names": {"en": "Yaakov Tessler"},
        },
    ],
    "turns": [
        {"speaker": "יואב קיש", "kind": "statement", "text": "אני פותח את הישיבה. סדר הדברים יהיה כדלקמן."},
        {"speaker": "יעקב טסלר", "kind": "question", "text": "יש מישהו שמתנגד לגפני? לא נראה לי."},
        {
            "speaker": "יואב קיש",
            "kind": "answer",
            "text": "אני רוצה להסביר. ההצבעה תתקיים ב-15:00, לפי סעיף 12 ב-Rules of Procedure.",
        },
        {
            "speaker": "יואב קיש",
            "kind": "statement",
            "language": "en",
            "text": "Thank you, the session is closed.",
        },
    ],
}

PRESS_AR: dict[str, Any] = {
    "slug": "press-conference-ar",
    "title": "مؤتمر صحفي لوزارة الخارجية",
    "date": "2025-03-02",
    "language": "ar",
    "topics": ["diplomacy"],
    "speakers": [{"name": "المتحدث الرسمي", "slug": "ar-spokesperson", "role": "متحدث"}, {"name": "صحفي"}],
    "turns": [
        {"speaker": "صحفي", "kind": "question", "text": "ما هو موقف الوزارة من المفاوضات؟"},
        {"speaker": "المتحدث الرسمي", "kind": "answer", "text": "نحن ندعم الحوار والحلول السلمية."},
    ],
}

MANANERA_PLANE_ES: dict[str, Any] = {
    "slug": "mananera-2020-02-03",
    "title": "Versión estenográfica de la conferencia de prensa matutina",
    "date": "2020-02-03",
    "language": "es",
    "place": "Palacio Nacional",
    "topics": ["security"],
    "speakers": [
        {"name": "ANDRÉS MANUEL LÓPEZ OBRADOR", "slug": "amlo", "role": "presidente"},
        {"name": "INTERLOCUTORA", "role": "periodista"},
    ],
    "turns": [
        {
            "speaker": "INTERLOCUTORA",
            "kind": "question",
            "text": "¿Qué opina de la rifa del avión presidencial?",
        },
        {
            "speaker": "ANDRÉS MANUEL LÓPEZ OBRADOR",
            "kind": "answer",
            "text": "Vamos a vender el avión. Ya no va a haber lujos.",
        },
    ],
}

DRAFT_EN: dict[str, Any] = {
    "slug": "secret-draft-briefing",
    "title": "Unreleased draft briefing",
    "date": "2026-07-01",
    "language": "en",
    "status": "draft",
    "topics": ["draft-only-topic"],
    "speakers": [{"name": "Hidden Person", "slug": "hidden-person"}, {"name": "Reporter"}],
    "turns": [
        {"speaker": "Reporter", "kind": "question", "text": "Is this visible?"},
        {"speaker": "Hidden Person", "kind": "answer", "text": "It must never be."},
    ],
}

REVIEW_ZH: dict[str, Any] = {
    **CIVILIZATIONS_BRIEFING_ZH,
    "slug": "mfa-briefing-2026-06-10-zh-review",
    "title": "外交部例行记者会（审校中）",
    "status": "review",
}

TOPIC_LABELS = {
    "diplomacy": {
        "en": "Diplomacy",
        "zh-Hans": "外交",
        "he": "דיפלומטיה",
        "es": "Diplomacia",
        "ar": "الدبلوماسية",
    },
    "middle-east": {"en": "Middle East", "zh-Hans": "中东", "he": "המזרח התיכון"},
    "civilizations": {"en": "Civilizations", "zh-Hans": "文明"},
    "knesset": {"he": "הכנסת", "en": "The Knesset"},
    "security": {"es": "Seguridad", "en": "Security"},
}


def build_archive(*, with_drafts: bool = True) -> dict[str, Transcript]:
    """Import every document above; label the topics in several languages."""
    docs = [
        CIVILIZATIONS_BRIEFING_EN,
        CIVILIZATIONS_BRIEFING_ZH,
        CIVILIZATIONS_BRIEFING_HE,
        ARRANGEMENTS_COMMITTEE_HE,
        PRESS_AR,
        MANANERA_PLANE_ES,
    ]
    if with_drafts:
        docs += [DRAFT_EN, REVIEW_ZH]
    transcripts = {data["slug"]: import_document(document(data)) for data in docs}
    for slug, labels in TOPIC_LABELS.items():
        Topic.objects.filter(slug=slug).update(labels=labels)
    return transcripts


# The search tests' documents: each holds the words its tests search for.

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


def long_document(
    turns: int, *, slug: str = "long-session", language: str = "en", members: int = 8
) -> dict[str, Any]:
    """Question time of `turns` turns: the `members` members ask in turn, the minister answers
    (each answer timed, in two paragraphs), and one turn in ten is on the budget."""
    speakers = [{"name": f"Member {n}", "slug": f"member-{n}"} for n in range(1, members + 1)]
    speakers.append({"name": "Minister", "slug": "minister"})
    body: list[dict[str, Any]] = []
    for position in range(1, turns + 1):
        if position % 2:
            body.append(
                {
                    "speaker": f"Member {position % members + 1}",
                    "kind": "question",
                    "text": f"Question {position}: will the minister explain the budget line {position}?",
                    "topics": ["budget"] if position % 10 == 1 else [],
                }
            )
        else:
            body.append(
                {
                    "speaker": "Minister",
                    "kind": "answer",
                    "text": f"Answer {position}. The line is in the annex.\nSecond paragraph {position}.",
                    "start": float(position * 10),
                    "end": float(position * 10 + 9),
                }
            )
    return {
        "format": "qa-archive/1",
        "slug": slug,
        "title": f"Question time with {turns} turns",
        "date": "2024-01-15",
        "language": language,
        "topics": ["budget"],
        "speakers": speakers,
        "turns": body,
    }


def long_translation(original: dict[str, Any], *, slug: str, language: str = "zh-Hans") -> dict[str, Any]:
    """A translation of `original`, aligned turn by turn (texts marked so tests can tell them apart)."""
    return {
        "slug": slug,
        "title": f"[{language}] {original['title']}",
        "date": original["date"],
        "language": language,
        "translation_of": original["slug"],
        "speakers": [{"name": s["name"], "slug": s["slug"]} for s in original["speakers"]],
        "turns": [
            {
                "speaker": turn["speaker"],
                "kind": turn["kind"],
                "text": f"第{position}段：" + turn["text"].replace("\n", "。\n"),
                "original": position,
            }
            for position, turn in enumerate(original["turns"], start=1)
        ],
    }
