"""A replayed slash command, button click, form submission or workflow step run is applied once.

Slack signs the whole body, trigger ID included, and never sends the same trigger twice, so
a second request with a trigger ID already seen is a replay; so is a form submission with
the view ID, hash and values of one already taken. A replay is answered ``200`` (a form
closes) and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging

from slack_bolt import App, BoltResponse

from bot.replays import Replays

log = logging.getLogger(__name__)

INTERACTIVE = ("block_actions", "view_submission", "shortcut", "message_action")


def keys_of(body: dict) -> list[str]:
    """What identifies a command or an interaction: its trigger ID, and for a form its view."""
    if not isinstance(body, dict):
        return []
    event = body.get("event") if body.get("type") == "event_callback" else None
    if isinstance(event, dict) and event.get("type") == "function_executed":
        # A workflow step's run: a retry (X-Slack-Retry-Num) or a replayed body would file
        # the need twice; each run has its own execution ID.
        execution = event.get("function_execution_id")
        return [f"function:{execution}"] if execution else []
    if not body.get("command") and body.get("type") not in INTERACTIVE:
        return []  # other events are deduplicated by their message or event ID
    keys = [f"trigger:{body['trigger_id']}"] if body.get("trigger_id") else []
    view = body.get("view") if body.get("type") == "view_submission" else None
    if isinstance(view, dict) and view.get("id") and view.get("hash"):
        state = json.dumps(view.get("state"), sort_keys=True, default=str)
        digest = hashlib.sha256(state.encode("utf-8", "replace")).hexdigest()[:32]
        keys.append(f"view:{view['id']}:{view['hash']}:{digest}")
    return keys


def register(app: App, replays: Replays) -> None:
    @app.middleware
    def once(body, next):  # noqa: A002 - Bolt's name for the next middleware
        if replays.first_time(keys_of(body)):
            return next()
        log.info("ignored a replayed request (%s)", body.get("command") or body.get("type"))
        return BoltResponse(status=200, body="")
