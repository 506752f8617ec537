"""Making any text printable with a font: what the font lacks is spelled another way, never an error or a log line.

fpdf2 raises on text a core font cannot encode, and logs the characters a TrueType font lacks, which would put
PHI (a patient's name) in the logs. So every string is filtered before it reaches fpdf2: line breaks are kept,
other control and invisible format characters dropped or turned into spaces, and a character the font lacks is
replaced by its compatibility decomposition's base letters (NFKD: "ﬁ" → "fi", "Å" → "A" under a Latin-1 font)
or, when that leaves nothing printable, by "?".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache

REPLACEMENT = "?"
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"}


class GlyphFilter:
    """Rewrites text into characters a font can draw."""

    def __init__(self, supports: Callable[[str], bool]) -> None:
        """Filter for a font that draws the characters `supports` accepts."""
        self._supports = supports
        self._char = lru_cache(maxsize=4096)(self._one)

    def __call__(self, text: str) -> str:
        """Return the text with every character drawable and line breaks as `\\n`."""
        for old, new in _LINE_BREAKS.items():
            text = text.replace(old, new)
        return "".join(self._char(ch) for ch in text)

    def _one(self, ch: str) -> str:
        if ch == "\n":
            return ch
        category = unicodedata.category(ch)
        if category == "Cc":  # tabs and other controls
            return " "
        if category == "Cf":  # zero-width and bidirectional marks, soft hyphens: invisible anyway
            return ""
        if category != "Cs" and self._supports(ch):
            return ch
        decomposed = unicodedata.normalize("NFKD", ch) if category != "Cs" else ""
        kept = "".join(c for c in decomposed if not unicodedata.combining(c) and c != ch and self._supports(c))
        return kept or REPLACEMENT


def latin1(ch: str) -> bool:
    """Tell whether a PDF core font (Latin-1) draws a character."""
    return ord(ch) < 256
