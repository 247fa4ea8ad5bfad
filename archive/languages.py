"""Languages on the public pages: writing direction, tags, names in the reader's language.

Django spells interface languages its own way (`zh-hans`); the archive stores BCP-47
tags (`zh-Hans`). Everything here accepts either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language, get_language_info, to_locale

from archive.people import hidden

# Languages written right to left, and the scripts that make any language so.
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ku-arab", "nqo", "ps", "sd", "syr", "ug", "ur", "yi"}
)
RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "samr", "mand"})


def _subtags(tag: str) -> list[str]:
    return [part for part in tag.replace("_", "-").lower().split("-") if part]


def text_direction(tag: str) -> str:
    """'rtl' or 'ltr' for a BCP-47 tag; a script subtag decides over the language (az-Arab, ku-Latn)."""
    parts = _subtags(tag)
    if not parts:
        return "ltr"
    script = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script is not None:
        return "rtl" if script in RTL_SCRIPTS else "ltr"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


def bcp47(code: str | None = None) -> str:
    """A Django language code (`zh-hans`, default: the active one) as a BCP-47 tag (`zh-Hans`)."""
    code = code or get_language() or "en"
    return to_locale(code).replace("_", "-")


def reader_language() -> str:
    return bcp47(get_language())


def language_name(tag: str) -> str:
    """The name of a language in the reader's language ('Hebrew', 'עברית', '希伯来语'), else the tag."""
    candidates = [tag.lower()]
    parts = _subtags(tag)
    if parts and parts[0] == "zh" and len(parts) > 1:
        # zh-TW / zh-HK are written in traditional characters, zh-CN / zh-SG in simplified.
        candidates.append("zh-hant" if parts[1] in {"hant", "tw", "hk", "mo"} else "zh-hans")
    if parts:
        candidates.append(parts[0])
    for candidate in candidates:
        try:
            return str(get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return tag


def localized(values: Mapping[str, Any], language: str) -> str | None:
    """The value for `language` in a {BCP-47 tag: text} mapping: exact tag first, then the base language."""
    wanted = _subtags(language)
    if not wanted or not values:
        return None
    exact = "-".join(wanted)
    by_tag = {"-".join(_subtags(tag)): text for tag, text in values.items() if text}
    if exact in by_tag:
        return str(by_tag[exact])
    for tag, text in by_tag.items():
        if tag.split("-")[0] == wanted[0]:
            return str(text)
    return None


def speaker_name(speaker: Any, language: str | None = None) -> str:
    """A speaker's name in the reader's language when the archive has it, else the display name;
    a private speaker's pseudonym outside a curator's view."""
    if hidden(speaker):
        return str(speaker.public_name)
    return localized(speaker.names, language or reader_language()) or str(speaker.name)


def topic_label(topic: Any, language: str | None = None) -> str:
    """A topic's label in the reader's language when the archive has it, else English, else the slug."""
    return label_for(topic.slug, topic.labels, language)


def label_for(slug: str, labels: Mapping[str, Any], language: str | None = None) -> str:
    """`topic_label` from a topic's slug and labels (for rows fetched without the model)."""
    return localized(labels, language or reader_language()) or str(labels.get("en") or slug)
