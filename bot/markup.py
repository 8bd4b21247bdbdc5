"""Rich text that came from chat, kept platform-neutral: plain text with people, channels,
links and broadcasts as parts, so each platform shows them its own way.

A thread reply arrives in chat's angle-bracket markup (``<@U1>``, ``<#C1|general>``,
``<https://x|label>``, ``<!here>``) with the characters a person typed escaped (``&lt;``).
``parse`` turns it into parts; nothing typed can become a part, because a typed ``<`` is
escaped on the wire. Renderers: Slack keeps people, channels and links live and escapes
the text; Teams and the shell show ``plain`` (``@name``, ``#channel``, ``label (url)``).
A broadcast is never re-sent: it is shown as the words ``@here``.

The core's own messages name people with ``mention(person)``, a token no platform uses and
nobody can type; each platform renders it (``message_parts``/``render``): Slack as its live
mention, Teams and the shell as the person's name. ``quoted`` is how the core places user
text in its messages.
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


# A person named in one of the core's messages: "@" and their ID between U+2068 and U+2069
# (first-strong isolate, pop directional isolate). ``clean_chars`` removes both from everything a
# person types, so no title, note or command can hold a mention; and a renderer that forgot the
# token still shows "@U123", not markup.
_MENTION_OPEN, _MENTION_CLOSE = "\u2068@", "\u2069"
_MENTION = re.compile("\u2068@([^\u2068\u2069\\s]+)\u2069")
_MARKS = re.compile("[\u2068\u2069]")


def mention(person: str) -> str:
    """``person`` named in one of the core's messages; every platform renders it its own way."""
    return f"{_MENTION_OPEN}{person}{_MENTION_CLOSE}"


def mentioned(text: str) -> str | None:
    """The person, when ``text`` is one mention and nothing else (``action @person …``)."""
    found = _MENTION.fullmatch(text.strip())
    return found[1] if found else None


def message_parts(message: str) -> tuple[Text | Person, ...]:
    """One of the core's messages as its words and the people it names."""
    parts: list[Text | Person] = []
    at = 0
    for found in _MENTION.finditer(message):
        if found.start() > at:
            parts.append(Text(message[at:found.start()]))
        parts.append(Person(found[1]))
        at = found.end()
    if at < len(message):
        parts.append(Text(message[at:]))
    return tuple(parts)


def render(message: str, person: Callable[[str], str], text: Callable[[str], str] = lambda words: words) -> str:
    """One of the core's messages with each person as ``person(id)`` and the words between
    as ``text(words)`` (a platform's escaping)."""
    return "".join(person(part.id) if isinstance(part, Person) else text(part.text) for part in message_parts(message))


def quoted(text: str | None) -> str:
    """User text placed in one of the core's messages: it can never carry a mention (input is
    cleaned of the token's marks already; text from elsewhere, such as a directory name, too)."""
    return _MARKS.sub("", text or "")
