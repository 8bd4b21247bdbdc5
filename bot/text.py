"""User text made safe to keep and show: characters that never belong in a message removed,
titles and names kept to one line."""

from __future__ import annotations

import re

_INVISIBLE = re.compile(
    "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f"
    "\u200b\u200c\u2060\ufeff\u180e]"
    "|(?<![\u2600-\u27bf\ufe0f\U0001f000-\U0001faff])\u200d"
    "|\u200d(?![\u2600-\u27bf\U0001f000-\U0001faff])"
)
# Every way of starting a new line: a title or a name is one line.
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def clean_text(value: object, limit: int) -> str:
    """Trims user text and removes characters that never belong in a message: NUL and
    other control characters, lone surrogates, bidirectional controls and zero-width
    characters. Line breaks are kept (details, notes)."""
    return clean_chars(value).strip()[:limit]


def clean_chars(value: object) -> str:
    """``clean_text`` without trimming: for a piece of a longer text."""
    text = "" if value is None else str(value)
    text = text.replace("\x00", "")
    text = text.replace("\r\n", "\n")
    text = re.sub("[\u2028\u2029\x85]", "\n", text)
    return _INVISIBLE.sub("", text)


def clean_line(value: object, limit: int) -> str:
    """``clean_text`` for a title or a name: one line, with runs of spaces made one, so a
    title cannot draw a second line (a fake *Status*) on a card."""
    text = "" if value is None else _LINE_BREAKS.sub(" ", str(value))
    text = clean_text(text, 1_000_000)
    return re.sub(r"[ \t\u00a0\u3000]{2,}", " ", text.replace("\t", " "))[:limit]
