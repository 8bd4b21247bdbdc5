"""People: contract owners given as e-mail addresses become Slack users."""

from __future__ import annotations

import functools
import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import BadInput

log = logging.getLogger(__name__)


def email_resolver(client: WebClient):
    """``users.lookupByEmail``, cached per process: an unknown address is ``None``; any
    other failure stops the import with a message saying why."""

    @functools.lru_cache(maxsize=4096)
    def resolve(email: str) -> str | None:
        try:
            return client.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as error:
            reason = error.response.get("error")
            if reason == "users_not_found":
                return None
            log.warning("users.lookupByEmail failed: %s", reason)
            raise BadInput(f"Slack could not look up {email} ({reason}); nothing was imported.") from error

    return resolve
