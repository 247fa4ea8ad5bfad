"""Language tags found in file names (`talk.es.srt`, `talk.zh-Hans.vtt`), the subtitle convention.

Only a subtag whose language is a real ISO 639 code counts, so `notes.old.srt` or
`briefing.final.vtt` are not mistaken for languages: two-letter ISO 639-1 codes, and a
short list of three-letter codes with no two-letter form that archives of spoken Q&A
meet (Cantonese `yue`, Filipino `fil`, ...).
"""

from __future__ import annotations

import re
from pathlib import PurePath

ISO_639_1 = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
    la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny
    oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss
    st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo
    za zh zu
    """.split()  # noqa: SIM905 (a list literal of 183 codes would be a page long)
)
THREE_LETTER = frozenset(
    {"yue", "cmn", "nan", "hak", "wuu", "fil", "haw", "ast", "ckb", "hsb", "dsb", "kab", "lad"}
)
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


def canonical_tag(tag: str) -> str:
    """BCP-47 casing: `zh-hans` -> `zh-Hans`, `pt_br` -> `pt-BR`."""
    subtags = tag.replace("_", "-").split("-")
    out = [subtags[0].lower()]
    for sub in subtags[1:]:
        if len(sub) == 4 and sub.isalpha():
            out.append(sub.title())  # script
        elif (len(sub) == 2 and sub.isalpha()) or (len(sub) == 3 and sub.isdigit()):
            out.append(sub.upper())  # region
        else:
            out.append(sub.lower())
    return "-".join(out)


def is_known_language(tag: str) -> bool:
    if not _TAG.match(tag):
        return False
    base = tag.replace("_", "-").split("-")[0].lower()
    return base in ISO_639_1 or base in THREE_LETTER


def split_language_suffix(source: str) -> tuple[str, str | None]:
    """A file name's stem and the language tag just before its extension, if it has one.

    `briefings/talk.zh-Hans.vtt` -> (`talk`, `zh-Hans`); `talk.vtt` -> (`talk`, None).
    """
    parts = PurePath(source).name.split(".")
    if len(parts) >= 3 and parts[-2] and is_known_language(parts[-2]):
        return ".".join(parts[:-2]), canonical_tag(parts[-2])
    return ".".join(parts[:-1]) if len(parts) > 1 else parts[0], None
