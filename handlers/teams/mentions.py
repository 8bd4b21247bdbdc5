"""What a Teams message says, read from its mention entities.

Teams writes each mention as ``<at>Name</at>`` in the text and names who it is in an
entity (``{"type": "mention", "text": "<at>Name</at>", "mentioned": {"id", "name"}}``).
Every mention of the bot is removed wherever it stands (also when the text's tag differs
from the entity's, in spacing, case or attributes); other mentions stay as ``@Name`` in
what is stored, and are left out of the command that is read. Other text is kept as
typed (Teams sends it plain).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_AT = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Mentioned:
    """Someone other than the bot, @mentioned in the message."""

    id: str  # the Teams user ID (29:…) Teams names them by
    name: str
    aad: str | None = None  # their Entra object ID, when Teams sends it along


@dataclass(frozen=True)
class Said:
    to_bot: bool  # the bot was mentioned (or it is a personal chat)
    command: str  # the text without any mention, to read as a command
    comment: str  # the text without the bot's mentions, others as @Name, to store
    # The text without the bot's mentions and each other person's as a ``<@Teams user ID>``
    # token (``people``, in order), for a command that names a person (``action @person …``).
    tokens: str = ""
    people: tuple[Mentioned, ...] = ()


def _name(mention_text: str) -> str:
    found = _AT.search(mention_text or "")
    return html.unescape(found.group(1) if found else (mention_text or "")).strip()


def _entity(entity) -> dict:
    if hasattr(entity, "model_dump"):
        return entity.model_dump(mode="json", by_alias=True, exclude_none=True)
    return entity if isinstance(entity, dict) else {}


def read(activity) -> Said:
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    bot_names = {(activity.recipient.name or "").strip().lower()} if activity.recipient else set()
    mentioned_bot = False
    others = []
    for entity in map(_entity, activity.entities or []):
        if entity.get("type") != "mention":
            continue
        who = entity.get("mentioned") or {}
        if who.get("id") and who.get("id") == bot_id:
            mentioned_bot = True
            bot_names.add(_name(entity.get("text", "")).lower())
            bot_names.add((who.get("name") or "").strip().lower())
            if entity.get("text"):
                text = text.replace(entity["text"], " ")
        elif who.get("id") and entity.get("text"):
            others.append((entity["text"], Mentioned(str(who["id"]), (who.get("name") or "").strip(),
                                                     who.get("aadObjectId"))))
    bot_names.discard("")
    tokens = text
    for tag, person in others:  # each person's mention, named by the ID Teams gives, for the edge to resolve
        tokens = tokens.replace(tag, f" <@{person.id}> ")

    def comment_part(match: re.Match) -> str:
        name = html.unescape(match.group(1)).strip()
        return " " if name.lower() in bot_names and mentioned_bot else f"@{name}"

    comment = clean(_AT.sub(comment_part, text))
    command = clean(_AT.sub(" ", text))
    people = tuple(dict.fromkeys(person for _, person in others))
    return Said(mentioned_bot, command, comment, clean(_AT.sub(" ", tokens)), people)


def clean(text: str) -> str:
    """Spaces left by removed mentions collapsed; line breaks kept."""
    lines = [_SPACE.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()
