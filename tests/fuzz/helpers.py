"""Hypothesis settings and input strategies for the fuzz tests (queries, documents, files).

`make test` runs a few hundred examples per test, the same ones every run (profile "quick");
the reliability run (`HYPOTHESIS_PROFILE=reliability`) runs thousands, new ones each run. The
profiles are applied per test with `@FUZZ`, never loaded globally, so other hypothesis users
(schemathesis) keep their own.
"""

from __future__ import annotations

import json
import operator
import os
import string
from functools import partial
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Examples per test: (quick, reliability). Hypothesis's own deadline is off: the tests measure the
# bound that matters (a query answered within QUERY_BOUND seconds) themselves.
_COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,  # leaves nothing behind; a failure prints the @reproduce_failure blob
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}
# `make test` (and so CI) draws the same examples every run: a landing is never blocked by an
# input no earlier run tried. The reliability run draws new ones each time: it explores.
settings.register_profile("quick", max_examples=100, derandomize=True, **_COMMON)
settings.register_profile("reliability", max_examples=2000, **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "quick")
if PROFILE not in ("quick", "reliability"):
    raise RuntimeError(f"HYPOTHESIS_PROFILE={PROFILE!r}: use quick (the default) or reliability")
FUZZ = settings(settings.get_profile(PROFILE))


def examples(quick: int) -> settings:
    """FUZZ with `quick` examples in the quick profile (a cheap test can afford more)."""
    if PROFILE == "reliability":
        return FUZZ
    return settings(FUZZ, max_examples=quick)


# --- Queries --------------------------------------------------------------------------------------

QUERY_WORDS = [
    "tariffs",
    "steel",
    "sanctions",
    "education",
    "peres",
    "Press",
    "Secretary",
    "review",
    "zanzibar",
    "中方",
    "合作",
    "经济",
    "外交部",
    "記者會",
    "שלום",
    "החינוך",
    "ובבית",
    "التعليم",
    "الاتفاقية",
    "オリンピック",
    "準備",
    "ｵﾘﾝﾋﾟｯｸ",
    "Правительство",
    "санкции",
    "educación",
    "café",
    "Ｔａｒｉｆｆｓ",
    "naïve",
    "e\u0301",
    "ﬁnance",
    "Ⅻ",
    "ß",
    "İstanbul",
    "😀",
    "👩\u200d🔬",
    "\u200f",
    "\u200b",
    "a",
    "x" * 80,
]
QUERY_OPERATORS = [
    "OR",
    "AND",
    "NOT",
    "or",
    "-",
    "--",
    "+",
    "|",
    "&&",
    "!",
    "*",
    "**",
    "?",
    "~",
    "~2",
    "^2",
    ":",
    "\\",
    "'",
    '"',
    "“",
    "”",
    "„",
    "«",
    "»",
    "(",
    ")",
    "((",
    "))",
    "()",
    "[",
    "]",
    "{",
    "}",
    "/",
    "speaker:",
    "topic:",
    "kind:",
    "lang:",
    "language:",
    "title:",
    "foo:",
    "speaker:peres",
    "topic:education",
    "kind:question",
    "kind:nonsense",
    "lang:zh",
    "lang:",
    'speaker:"',
    'speaker:"shimon peres"',
    "speaker:(",
    "-speaker:peres",
    "-(",
    '-"',
    "\x00",
    "\x1f",
    "\ufffd",
]
_word = st.sampled_from(QUERY_WORDS)
_token = st.one_of(
    _word,
    st.sampled_from(QUERY_OPERATORS),
    _word.map(lambda w: w + "*"),
    _word.map(lambda w: "*" + w),
    _word.map(lambda w: w[:2] + "*"),
    _word.map(lambda w: f'"{w}'),
    st.tuples(_word, _word).map(lambda ws: f'"{ws[0]} {ws[1]}"'),
    st.text(max_size=12),
)
_separator = st.sampled_from([" ", " ", " ", "", "  ", "\t", "\n", "\u3000", "\u00a0"])
_built_query = st.lists(st.tuples(_token, _separator), max_size=40).map(
    lambda parts: "".join(token + sep for token, sep in parts)
)
_long_query = st.tuples(_token, _separator, st.integers(1, 300)).map(lambda t: (t[0] + t[1]) * t[2])
queries = st.one_of(_built_query, _built_query, _long_query, st.text(max_size=600))
# Filter values as a client may send them; most are nonsense.
filter_values = st.one_of(
    st.none(),
    st.sampled_from(["en", "zh", "zh-Hans", "he", "ja", "es", "xx", "question", "answer", "bogus"]),
    st.sampled_from(["' OR '1'='1", "<script>", "e" * 300, "peres", "education", "中方", "-"]),
    st.text(max_size=20),
)


# --- qa-archive/1 documents ---------------------------------------------------------------------

LANGUAGES = ["en", "zh-Hans", "zh-Hant", "he", "ar", "ja", "es", "ru", "sr-Latn-RS", "en-GB", "tlh", "sw"]
# Any code point but surrogates and NUL (the mutations add those), control characters included.
_characters = st.characters(codec="utf-8", exclude_characters="\x00")
_any_text = st.text(_characters, max_size=40)
_name = st.one_of(
    st.sampled_from(["Shimon Peres", "林剑", "שמעון פרס", "أحمد الطيبي", "MS. PSAKI", "Q", "", " "]),
    _any_text,
)
_nonblank = st.text(_characters, min_size=1, max_size=200).filter(lambda t: t.strip() != "")
_slug = st.from_regex(r"[a-z0-9][-a-z0-9_]{0,30}", fullmatch=True)
_seconds = st.floats(min_value=0, max_value=1e7, allow_nan=False)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid qa-archive/1 document: any scripts, any text, optional keys present or not."""
    names = draw(st.lists(_name, min_size=1, max_size=4, unique_by=lambda n: n.strip()))
    speakers: list[dict[str, Any]] = []
    for name in names:
        speaker: dict[str, Any] = {"name": name}
        if draw(st.booleans()):
            speaker["slug"] = draw(_slug)
        if draw(st.booleans()):
            speaker["role"] = draw(_any_text)
        if draw(st.booleans()):
            speaker["names"] = draw(st.dictionaries(st.sampled_from(LANGUAGES), _nonblank, max_size=3))
        if draw(st.booleans()):
            speaker["aliases"] = draw(st.lists(_nonblank, max_size=3))
        speakers.append(speaker)
    count = draw(st.integers(1, 8))
    turns: list[dict[str, Any]] = []
    clock = 0.0  # starts follow the turns' order, as the format requires
    for position in range(1, count + 1):
        turn: dict[str, Any] = {"speaker": draw(st.sampled_from(names)), "text": draw(_nonblank)}
        if draw(st.booleans()):
            turn["kind"] = draw(st.sampled_from(["question", "answer", "statement", "moderator"]))
        if count > 1 and draw(st.booleans()):
            turn["reply_to"] = draw(st.integers(1, count).filter(partial(operator.ne, position)))
        if draw(st.booleans()):
            start = clock + draw(_seconds)
            turn["start"], turn["end"] = start, start + draw(_seconds)
            clock = start
        if draw(st.booleans()):
            turn["topics"] = draw(st.lists(_nonblank, max_size=3))
        if draw(st.booleans()):
            turn["language"] = draw(st.sampled_from(LANGUAGES))
        turns.append(turn)
    data: dict[str, Any] = {
        "format": "qa-archive/1",
        "title": draw(_nonblank),
        "language": draw(st.sampled_from(LANGUAGES)),
        "speakers": speakers,
        "turns": turns,
    }
    if draw(st.booleans()):
        data["slug"] = draw(_slug)
    if draw(st.booleans()):
        data["date"] = draw(st.dates()).isoformat()
    for key in ("event", "place", "license", "description"):
        if draw(st.booleans()):
            data[key] = draw(_any_text)
    if draw(st.booleans()):  # a valid document links its source over the web only
        scheme = draw(st.sampled_from(["http", "https"]))
        data["source_url"] = f"{scheme}://example.org/{draw(_slug)}"
    if draw(st.booleans()):
        data["status"] = draw(st.sampled_from(["draft", "review", "published"]))
    if draw(st.booleans()):
        data["topics"] = draw(st.lists(_nonblank, max_size=3))
    return data


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (the root is ())."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*path, index)))
    return found


def _replace(data: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replace(data[path[0]], path[1:], new)
    return copy


def _delete(data: Any, path: tuple[Any, ...]) -> Any:
    if len(path) == 1:
        copy: Any = dict(data) if isinstance(data, dict) else list(data)
        del copy[path[0]]
        return copy
    return _replace(data, path[:1], _delete(data[path[0]], path[1:]))


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    """A document, maybe broken: a key gone, a value of the wrong type, a huge or odd string."""
    data = draw(documents())
    for _ in range(draw(st.integers(0, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["delete", "replace", "huge", "odd", "nul", "surrogate", "key"]))
        current = _at(data, path)
        if action == "delete" and path:
            data = _delete(data, path)
        elif action == "replace":
            data = _replace(data, path, draw(json_values))
        elif action == "huge":
            data = _replace(
                data, path, draw(st.sampled_from(["x", "中", "ש ", "😀"])) * draw(st.integers(500, 20_000))
            )
        elif action == "odd":
            odd = draw(
                st.sampled_from(
                    ["\u2028", "\u0085", "\ufeff", "\u200f", "\r", "\x1b[31m", "\ufffd", "\U0010ffff"]
                )
            )
            data = _replace(data, path, f"{current}{odd}" if isinstance(current, str) else odd)
        elif action in ("nul", "surrogate"):
            bad = "\x00" if action == "nul" else draw(st.sampled_from(["\ud800", "\udfff", "\udc80"]))
            data = _replace(data, path, f"{current}{bad}" if isinstance(current, str) else bad)
        elif action == "key" and isinstance(current, dict):
            data = _replace(data, path, {**current, draw(st.text(max_size=10)): draw(json_values)})
    return data


def as_ndjson(data: Any) -> bytes:
    """As a client or a file would carry it (ensure_ascii escapes NULs and surrogates as \\u)."""
    return json.dumps(data).encode() + b"\n"


# --- Published text and subtitle files ------------------------------------------------------------

_label = st.one_of(
    st.sampled_from(
        [
            "MS. PSAKI:",
            "Q",
            "Q:",
            "Q  ",
            "**PREGUNTA:**",
            "THE PRESIDENT:",
            "INTERLOCUTOR(A):",
            "MODERATOR:",
            "JORGE ALCOCER VARELA, SECRETARIO DE SALUD:",
            "שאלה:",
            "سؤال:",
            "记者：",
            "SENIOR ADMINISTRATION OFFICIAL:",
        ]
    ),
    st.text(alphabet=string.ascii_uppercase + " .,'", min_size=1, max_size=30).map(lambda s: s + ":"),
)
_line = st.one_of(
    st.text(_characters, max_size=120),
    st.sampled_from(
        [
            "",
            "",
            "7:06 P.M. EST",
            "END",
            "END 12:45 P.M. EDT",
            "# Title",
            "## Subtitle",
            "* * *",
            "James S. Brady Press Briefing Room",
            "Presidencia de la República | 12 de mayo de 2019",
            "[Applause]",
            "![img](x.png)",
            "[link](http://x)",
            "\\*escaped\\*",
            "---",
            "...",
        ]
    ),
    st.tuples(_label, st.text(_characters, max_size=80)).map(lambda t: f"{t[0]} {t[1]}"),
)
_front_matter_line = st.one_of(
    st.sampled_from(
        [
            "title: A briefing",
            "date: '2021-01-20'",
            "date: 2021-13-45",
            "date: [1, 2]",
            "language: es",
            "language: zz-!!",
            "language: 42",
            "topics: [a, b]",
            "topics: a, b",
            "topics: {x: 1}",
            "status: draft",
            "status: secret",
            "slug: 2021",
            "slug: 'bad slug!'",
            "title: &a [x]",
            "event: *a",
            "place: !!binary aGk=",
            "? [a, b]\n: c",
            "<<: {title: merged}",
            "title: |\n  multi\n  line",
            "translation_of: itself",
            "speakers: [1]",
            "title: [[[[[[",
            "key: {",
            "source_url: javascript:alert(1)",
        ]
    ),
    st.tuples(st.text(_characters, max_size=10), st.text(_characters, max_size=30)).map(
        lambda t: f"{t[0]}: {t[1]}"
    ),
)


@st.composite
def published_texts(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, content) of a transcript as published on the web, maybe malformed."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines += ["---", *draw(st.lists(_front_matter_line, max_size=6))]
        if draw(st.integers(0, 9)):
            lines.append("---")
    lines += draw(st.lists(_line, max_size=30))
    name = draw(st.sampled_from(["briefing.txt", "2021-01-20-briefing.md", "notes.md", "x.TXT"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return name, newline.join(lines).encode("utf-8", "surrogatepass")


def _timestamp(draw: st.DrawFn, *, srt: bool) -> str:
    hours, minutes, seconds = draw(st.integers(0, 120)), draw(st.integers(0, 75)), draw(st.integers(0, 75))
    millis = draw(st.integers(0, 1200))
    text = f"{hours:02d}:{minutes:02d}:{seconds:02d}{',' if srt else '.'}{millis:03d}"
    if draw(st.integers(0, 9)) == 0:
        text = draw(
            st.sampled_from(["", "1:2:3", "00:00.000", "99:99:99.999", "-00:00:01.000", "aa:bb:cc.ddd"])
        )
    return text


@st.composite
def subtitle_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, content) of a WebVTT or SRT file, maybe malformed."""
    srt = draw(st.booleans())
    lines: list[str] = []
    if not srt:
        lines.append(draw(st.sampled_from(["WEBVTT", "WEBVTT Budget hearing", "WEBVTT", "webvtt", ""])))
        lines += draw(
            st.lists(
                st.sampled_from(
                    [
                        "Language: en",
                        "Language: zz!",
                        "Title: x",
                        "Date: 2021-02-30",
                        "Topics: a; b",
                        "Status: draft",
                        "Slug: s",
                        "Translation-Of: s",
                        "Kind: captions",
                    ]
                ),
                max_size=3,
            )
        )
        lines.append("")
    for number in range(1, draw(st.integers(0, 8)) + 1):
        if srt or draw(st.booleans()):
            lines.append(draw(st.sampled_from([str(number), f"turn-{number}", "x", str(number)])))
        start, end = _timestamp(draw, srt=srt), _timestamp(draw, srt=srt)
        lines.append(
            draw(
                st.sampled_from([f"{start} --> {end}", f"{start} --> {end} align:start", f"{start}-->{end}"])
            )
        )
        for _ in range(draw(st.integers(0, 3))):
            lines.append(
                draw(
                    st.one_of(
                        st.text(_characters, max_size=60),
                        st.tuples(_name, st.text(_characters, max_size=40)).map(
                            lambda t: f"<v {t[0]}>{t[1]}"
                        ),
                        st.tuples(_name, st.text(_characters, max_size=40)).map(
                            lambda t: f"<v.question {t[0]}>{t[1]}</v>"
                        ),
                        st.tuples(_label, st.text(_characters, max_size=40)).map(
                            lambda t: f"- {t[0]} {t[1]}"
                        ),
                        st.sampled_from(
                            [
                                "<i>",
                                "</b>",
                                "&amp;",
                                "&#0;",
                                "&#xD800;",
                                "<ruby>字<rt>zì</rt></ruby>",
                                "{\\an8}",
                                ">> ",
                                "[Laughter]",
                                "NOTE x",
                                "<00:00:01.000>",
                            ]
                        ),
                    )
                )
            )
        lines.append("")
    name = draw(st.sampled_from(["talk.en.srt", "talk.srt", "talk.zh-Hans.vtt", "talk.vtt", "talk.he.vtt"]))
    if srt != name.endswith(".srt"):
        name = name.rsplit(".", 1)[0] + (".srt" if srt else ".vtt")
    return name, "\n".join(lines).encode("utf-8", "surrogatepass")
