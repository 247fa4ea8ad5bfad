"""A small multilingual archive for the public-site tests, modelled on the corpus.

An English press conference with Chinese and Hebrew translations (aligned turn by turn), a
Hebrew committee session, an Arabic and a Spanish transcript, and a draft that must never
show. Built from nested literals through the real import service.
"""

from __future__ import annotations

from typing import Any

from archive.models import Topic, Transcript
from tests.base import document, import_document

BRIEFING_EN: dict[str, Any] = {
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

BRIEFING_ZH: dict[str, Any] = {
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

BRIEFING_HE: dict[str, Any] = {
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

KNESSET_HE: dict[str, Any] = {
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

MANANERA_ES: dict[str, Any] = {
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
    **BRIEFING_ZH,
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
    docs = [BRIEFING_EN, BRIEFING_ZH, BRIEFING_HE, KNESSET_HE, PRESS_AR, MANANERA_ES]
    if with_drafts:
        docs += [DRAFT_EN, REVIEW_ZH]
    transcripts = {doc["slug"]: import_document(document(doc)) for doc in docs}
    for slug, labels in TOPIC_LABELS.items():
        Topic.objects.filter(slug=slug).update(labels=labels)
    return transcripts


def long_document(turns: int, *, slug: str = "long-session", language: str = "en") -> dict[str, Any]:
    """A transcript of `turns` turns alternating question and answer among a few speakers."""
    speakers = [{"name": f"Member {n}", "slug": f"member-{n}"} for n in range(1, 9)]
    speakers.append({"name": "Minister", "slug": "minister"})
    body = []
    for position in range(1, turns + 1):
        if position % 2:
            body.append(
                {
                    "speaker": f"Member {position % 8 + 1}",
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
