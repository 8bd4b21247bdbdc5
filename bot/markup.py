"""Rich text that came from chat, kept platform-neutral: plain text with people, channels,
links and broadcasts as parts, so each platform shows them its own way.

A thread reply arrives in chat's angle-bracket markup (``<@U1>``, ``<#C1|general>``,
``<https://x|label>``, ``<!here>``) with the characters a person typed escaped (``&lt;``).
``parse`` turns it into parts; nothing typed can become a part, because a typed ``<`` is
escaped on the wire. Renderers: Slack keeps people, channels and links live and escapes
the text; Teams and the shell show ``plain`` (``@name``, ``#channel``, ``label (url)``).
A broadcast is never re-sent: it is shown as the words ``@here``.

The core's own messages name people as ``<@id>`` too; ``quoted`` is how they quote user
text so that a ``<@U…>`` typed in a title or a note stays words, not a mention.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Person:
    id: str


@dataclass(frozen=True)
class Channel:
    id: str
    name: str = ""


@dataclass(frozen=True)
class Link:
    url: str
    label: str = ""


@dataclass(frozen=True)
class Broadcast:
    """``@here``, ``@channel``, ``@everyone`` or a user group, shown as words only."""

    name: str


Part = Text | Person | Channel | Link | Broadcast

_TOKEN = re.compile(r"<([^<>\n]+)>")
_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
_PERSON = re.compile(r"@([UW][A-Z0-9]+)(?:\|[^|]*)?$")
_CHANNEL = re.compile(r"#([CGD][A-Z0-9]+)(?:\|([^|]*))?$")
_SPECIAL = re.compile(r"!(subteam\^[A-Z0-9]+|here|channel|everyone|date\^[^|]*)(?:\|([^|]*))?$")
_URL = re.compile(r"(?:https?|mailto|tel|ftp|slack):[^\s|]+$", re.IGNORECASE)


def unescape(text: str) -> str:
    """Chat's three escapes undone (and nothing else: ``&quot;`` stays as typed)."""
    if "&" not in text:
        return text
    for escaped, char in _ESCAPES:
        text = text.replace(escaped, char)
    return text


def parse(markup: str, *, escaped: bool = True) -> tuple[Part, ...]:
    """Parts of chat markup; ``escaped=False`` for text whose ``&lt;`` escapes were already
    undone (notes stored before parts were kept)."""
    parts: list[Part] = []
    at = 0
    for match in _TOKEN.finditer(markup):
        part = _token(match.group(1), escaped)
        if part is None:
            continue
        if match.start() > at:
            parts.append(Text(_text(markup[at:match.start()], escaped)))
        parts.append(part)
        at = match.end()
    if at < len(markup):
        parts.append(Text(_text(markup[at:], escaped)))
    return _merged(parts)


def _text(text: str, escaped: bool) -> str:
    return unescape(text) if escaped else text


def _token(inner: str, escaped: bool) -> Part | None:
    if found := _PERSON.match(inner):
        return Person(found.group(1))
    if found := _CHANNEL.match(inner):
        return Channel(found.group(1), _text(found.group(2) or "", escaped))
    if found := _SPECIAL.match(inner):
        name = found.group(1)
        if name.startswith("date^"):
            return Text(_text(found.group(2) or name.split("^")[-1], escaped))
        label = found.group(2) or ("@" + name.split("^")[0] if not name.startswith("subteam") else "")
        return Broadcast(_text(label.lstrip("@") or "group", escaped))
    url, _, label = inner.partition("|")
    if _URL.match(url):
        return Link(_text(url, escaped), _text(label, escaped))
    return None


def _merged(parts: list[Part]) -> tuple[Part, ...]:
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + part.text)
        elif not (isinstance(part, Text) and not part.text):
            merged.append(part)
    return tuple(merged)


def is_rich(parts: Iterable[Part]) -> bool:
    return any(not isinstance(part, Text) for part in parts)


def link_text(link: Link) -> str:
    """``label (url)``; just the label when it is the address (``mailto:a@b`` as ``a@b``)."""
    url, label = link.url, link.label.strip()
    if not label or label == url or url.lower() in ("mailto:" + label.lower(), "tel:" + label.lower()):
        return label or url
    return f"{label} ({url})"


def plain(parts: Iterable[Part], names: Callable[[str], str] = lambda person: person) -> str:
    """The parts as words: ``@name``, ``#channel``, ``label (url)``, ``@here``."""
    out = []
    for part in parts:
        if isinstance(part, Text):
            out.append(part.text)
        elif isinstance(part, Person):
            out.append("@" + names(part.id).lstrip("@"))
        elif isinstance(part, Channel):
            out.append("#" + (part.name or part.id))
        elif isinstance(part, Link):
            out.append(link_text(part))
        else:
            out.append("@" + part.name)
    return "".join(out)


def dumps(parts: Iterable[Part]) -> str:
    rows = []
    for part in parts:
        kind = type(part).__name__.lower()
        rows.append({"kind": kind, **part.__dict__})
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


_KINDS = {"text": Text, "person": Person, "channel": Channel, "link": Link, "broadcast": Broadcast}


def loads(stored: str | None) -> tuple[Part, ...]:
    if not stored:
        return ()
    return tuple(_KINDS[row.pop("kind")](**row) for row in json.loads(stored))


# U+2060 (word joiner, invisible): user text never holds it (clean_text removes it on input),
# so "<\u2060@U1>" can never be taken for the core's own "<@U1>".
_MENTION_LIKE = re.compile(r"<(?=@)")


def quoted(text: str | None) -> str:
    """User text placed in one of the core's messages: a typed ``<@U…>`` reads the same but
    is no longer the core's mention syntax (platforms escape the rest of it)."""
    return _MENTION_LIKE.sub("<\u2060", text or "")
