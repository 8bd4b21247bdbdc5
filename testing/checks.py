"""Checks every fake platform runs on what Tandem sends it."""

from __future__ import annotations

import json

# The marks of the core's mention token (``bot.markup.mention``): a platform renders every
# person the core names, so neither mark may reach a chat service.
_MENTION_MARKS = ("\u2068", "\u2069")


def unrendered_mentions(payload) -> list[str]:
    """The pieces of ``payload`` (any JSON-like value) that still hold the core's mention token."""
    text = json.dumps(payload, ensure_ascii=False, default=str)
    found = []
    for mark in _MENTION_MARKS:
        at = text.find(mark)
        if at >= 0:
            found.append(text[max(0, at - 60):at + 60])
    return found
