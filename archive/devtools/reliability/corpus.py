"""Made-up transcripts in nine languages and a search mix over them, for the reliability runs.

The sentences were written for this harness (no corpus needed): every query of `QUERIES`
finds turns in the generated archive, so a non-200 answer is an error, never "no results".
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

SENTENCES: dict[str, list[str]] = {
    "en": [
        "The ministry will publish the new budget for public schools next month.",
        "Farmers in the northern valley asked for more water during the drought.",
        "Our delegation discussed trade, tariffs and the export of solar panels.",
        "The hospital expansion is funded until the end of the decade.",
        "Can you confirm that the railway tender has been cancelled?",
        "Teachers will receive training on the digital curriculum.",
    ],
    "es": [
        "El gobierno presentará el presupuesto de educación la próxima semana.",
        "Los agricultores pidieron más agua para sus cosechas durante la sequía.",
        "La reforma de las pensiones se discutirá en el congreso.",
        "¿Cuándo se abrirán las nuevas escuelas rurales?",
        "El hospital regional contratará a cien enfermeras.",
        "Las exportaciones de aguacate crecieron este año.",
    ],
    "fr": [
        "Le ministre annoncera le budget des universités demain matin.",
        "Les agriculteurs demandent une aide pendant la sécheresse.",
        "La réforme des retraites sera débattue au parlement.",
        "Quand les nouvelles écoles ouvriront-elles dans les villages?",
        "L'hôpital recrutera des infirmières supplémentaires.",
        "Les exportations de vin ont augmenté cette année.",
    ],
    "de": [
        "Die Regierung legt nächste Woche den Haushalt für Schulen vor.",
        "Die Landwirte fordern mehr Wasser während der Dürre.",
        "Die Rentenreform wird im Bundestag beraten.",
        "Wann werden die neuen Schulen auf dem Land eröffnet?",
        "Das Krankenhaus stellt zusätzliche Pflegekräfte ein.",
        "Die Exporte von Maschinen sind in diesem Jahr gestiegen.",
    ],
    "ru": [
        "Министерство опубликует новый бюджет для школ в следующем месяце.",
        "Фермеры попросили больше воды во время засухи.",
        "Пенсионная реформа будет обсуждаться в парламенте.",
        "Когда откроются новые сельские школы?",
        "Больница наймёт дополнительных медсестёр.",
        "Экспорт зерна вырос в этом году.",
    ],
    "zh-Hans": [
        "教育部下个月将公布学校的新预算。",
        "北方的农民在干旱期间要求更多的水。",
        "代表团讨论了贸易、关税和太阳能电池板的出口。",
        "医院的扩建资金一直持续到本世纪末。",
        "你能确认铁路招标已经取消了吗？",
        "教师将接受数字课程的培训。",
    ],
    "ja": [
        "文部科学省は来月、学校の新しい予算を発表します。",
        "農家は干ばつの間、もっと水が必要だと訴えました。",
        "代表団は貿易と関税について話し合いました。",
        "新しい病院はいつ開院しますか。",
        "鉄道の入札は中止されたのですか。",
        "教員はデジタル教材の研修を受けます。",
    ],
    "he": [
        "משרד החינוך יפרסם את התקציב החדש לבתי הספר בחודש הבא.",
        "החקלאים ביקשו יותר מים בזמן הבצורת.",
        "המשלחת דנה בסחר, במכסים ובייצוא של פאנלים סולריים.",
        "מתי ייפתחו בתי הספר החדשים בכפרים?",
        "בית החולים יגייס אחיות נוספות.",
        "הייצוא של פירות הדר גדל השנה.",
    ],
    "ar": [
        "ستنشر وزارة التعليم الميزانية الجديدة للمدارس الشهر المقبل.",
        "طلب المزارعون مزيدا من المياه خلال الجفاف.",
        "ناقش الوفد التجارة والرسوم الجمركية وتصدير الألواح الشمسية.",
        "متى ستفتح المدارس الجديدة في القرى؟",
        "سيوظف المستشفى ممرضات إضافيات.",
        "ارتفعت صادرات التمور هذا العام.",
    ],
}

# Per language: words, stems, phrases, prefixes, an OR, a NOT; each finds turns of the archive.
QUERIES: dict[str, list[str]] = {
    "en": ["budget", "schools", "farmer drought", '"solar panels"', "tariff*", "hospital OR railway",
           "teachers -railway", "export"],
    "es": ["presupuesto", "escuelas rurales", "sequía", '"reforma de las pensiones"', "enfermera*"],
    "fr": ["budget universités", "sécheresse", "retraites", "écoles", "infirmières"],
    "de": ["Haushalt", "Schulen", "Dürre", "Rentenreform", "Krankenhaus"],
    "ru": ["бюджет", "школы", "засуха", "пенсионная реформа", "больница"],
    "zh-Hans": ["预算", "学校", "干旱", "关税", "医院"],
    "ja": ["予算", "学校", "干ばつ", "関税", "病院"],
    "he": ["תקציב", "בתי הספר", "בצורת", "מכסים", "אחיות"],
    "ar": ["الميزانية", "المدارس", "الجفاف", "الجمركية", "المستشفى"],
}  # fmt: skip
KINDS = ("question", "answer")
TOPICS = ("education", "agriculture", "trade", "health", "transport")
SPEAKERS = {
    "en": ["Press Secretary", "Reporter Smith", "Minister Grant"],
    "es": ["Presidenta", "Reportera García"],
    "fr": ["Ministre Dubois", "Journaliste Martin"],
    "de": ["Ministerin Weber", "Reporter Schulz"],
    "ru": ["Министр Петров", "Журналист Иванова"],
    "zh-Hans": ["发言人", "记者"],
    "ja": ["報道官", "記者"],
    "he": ["השר כהן", "הכתבת לוי"],
    "ar": ["الوزير", "الصحفية"],
}
LANGUAGES = tuple(SENTENCES)


def transcript(
    rng: random.Random,
    slug: str,
    turns: int,
    *,
    language: str | None = None,
    marker: str = "",
    status: str = "published",
) -> dict[str, Any]:
    """A qa-archive/1 document; `marker`, if given, is a made-up word in every turn's text."""
    language = language or rng.choice(LANGUAGES)
    speakers = SPEAKERS[language]
    body = []
    for position in range(turns):
        kind = KINDS[position % 2]
        text = " ".join(rng.sample(SENTENCES[language], 2))
        body.append(
            {
                "speaker": speakers[0] if kind == "answer" else rng.choice(speakers[1:]),
                "kind": kind,
                "text": f"{text} {marker}".strip(),
            }
        )
    day = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(5000))
    return {
        "format": "qa-archive/1",
        "slug": slug,
        "title": f"{rng.choice(SENTENCES[language])[:60]} ({slug})",
        "date": day.isoformat(),
        "language": language,
        "status": status,
        "topics": rng.sample(TOPICS, 2),
        "speakers": [{"name": name} for name in speakers],
        "turns": body,
    }


def write_archive(path: Path, count: int, turns: tuple[int, int], seed: int = 1) -> int:
    """`count` transcripts as NDJSON at `path`; returns the number of turns."""
    rng = random.Random(seed)
    total = 0
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            size = rng.randint(*turns)
            total += size
            out.write(json.dumps(transcript(rng, f"archive-{n:05d}", size), ensure_ascii=False) + "\n")
    return total


def search_paths(rng: random.Random | None = None) -> list[str]:
    """The searchers' mix: API and site searches, with and without filters, sorts and pages."""
    rng = rng or random.Random(7)
    paths = []
    for language, queries in QUERIES.items():
        for q in queries:
            params: dict[str, str] = {"q": q}
            paths.append("/api/v1/search/?" + urlencode(params))
            paths.append("/search/?" + urlencode({**params, "language": language}))
            variant = dict(params)
            choice = rng.randrange(4)
            if choice == 0:
                variant["kind"] = "answer"
            elif choice == 1:
                variant["sort"] = "date"
            elif choice == 2:
                variant["page"] = "2"
            else:
                variant["topic"] = rng.choice(TOPICS)
            paths.append("/api/v1/search/?" + urlencode({**variant, "language": language}))
    paths.append("/api/v1/search/?" + urlencode({"q": "", "topic": "trade", "sort": "date"}))
    return paths
