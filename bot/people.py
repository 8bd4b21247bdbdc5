"""People: one person, whichever chat platform they use (the data; ``bot.people_service``
keeps the directory).

Each chat account (a Slack user, a Teams user) is a row in the ``people`` table with its
e-mail address when the platform tells it. The core knows a person by one identity, the
``person``: the account's own user ID, unless another platform already knows someone with
the same e-mail address, in which case it is that account's person. So someone who uses
Tandem from Slack and from Teams is one requester, one owner and one role.

Role entries (``TANDEM_PROCUREMENT``, ``TANDEM_ADMINS``) may name any of a person's
accounts or their e-mail address: ``aliases`` gives all of them for a person, and
``persons`` gives the people an entry names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


# Chat user IDs a direct message can go to: Slack (U…, W…), Teams (an Entra object ID, 29:…).
_CHAT_USER = re.compile(
    r"^([UW][A-Z0-9]{2,}"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|29:[A-Za-z0-9_\-]{2,})$"
)


# A user ID a person can type in a form or a CSV column (Slack's U…/W…, in any case). Teams
# people are named by e-mail address there: their IDs are not something anyone types.
_TYPED_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


def looks_like_chat_user(text: str | None) -> bool:
    return bool(text) and bool(_CHAT_USER.match(text))


def typed_user(text: str | None) -> str | None:
    """The user ID ``text`` is, as stored (``u0123abcd`` is ``U0123ABCD``), or ``None``."""
    upper = (text or "").strip().upper()
    return upper if _TYPED_USER.match(upper) else None


@dataclass(frozen=True)
class Account:
    platform: str  # "slack", "teams"
    user_id: str  # the platform's ID for the account
    email: str | None
    name: str
    person: str  # the identity the core uses
    alt_id: str | None = None  # another ID the platform uses for the account (Teams: 29:…)


# Finds the person an e-mail address belongs to on another platform (for example Slack's
# users.lookupByEmail); None when nobody has it.
EmailLookup = Callable[[str], "str | None"]
