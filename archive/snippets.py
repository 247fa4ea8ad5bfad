"""Short excerpts of turns for lists, cut where a reader would not notice a cut.

A cut never falls inside a character as the reader sees it (a letter and its combining
marks, an emoji sequence, a Hangul syllable in jamo); in scripts that separate words
with spaces it falls between words.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
ZWJ = "\u200d"


def _continues_previous(char: str) -> bool:
    """True when `char` belongs to the character before it (so no cut may fall in front of it)."""
    code = ord(char)
    return (
        unicodedata.category(char).startswith("M")  # combining marks, vowel signs
        or char == ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences
        or 0x1160 <= code <= 0x11FF  # Hangul medial and final jamo
        or 0xD7B0 <= code <= 0xD7FF
    )


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def safe_cut(text: str, limit: int) -> int:
    """The largest index <= limit at which `text` can be cut without splitting a character."""
    cut = min(limit, len(text))
    while 0 < cut < len(text) and (_continues_previous(text[cut]) or text[cut - 1] == ZWJ):
        cut -= 1
    if 0 < cut < len(text) and _is_regional_indicator(text[cut]):
        # Flags are pairs of regional indicators: count the run to know whether `cut` splits one.
        start = cut
        while start > 0 and _is_regional_indicator(text[start - 1]):
            start -= 1
        if (cut - start) % 2:
            cut -= 1
    return cut


def snippet(text: str, limit: int = 240) -> str:
    """At most `limit` characters of `text` (whitespace collapsed), with '…' when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = safe_cut(text, max(limit - 1, 1))
    space = text.rfind(" ", 0, cut + 1)
    # Prefer the last word boundary, unless it would throw away most of the excerpt
    # (scripts without spaces between words: Chinese, Japanese, Thai).
    if space > cut * 0.6:
        cut = space
    return text[:cut].rstrip() + ELLIPSIS
