"""The one error path for every Slack listener.

Domain errors become a friendly ephemeral message (or a DM where Slack gives no reply
channel, as for App Home buttons); anything else is logged with its traceback and the
user is told nothing was changed.

Listeners are wrapped with ``guarded`` rather than left to Bolt's ``@app.error``: an
exception raised after ``ack()`` in a listener running on Bolt's thread pool can make Bolt
report the request as unacknowledged, so errors are caught where they happen and reported
through this same path. ``@app.error`` still covers anything raised outside a listener.
"""

from __future__ import annotations

import inspect
import logging
import time

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.approvals import ApprovalPending
from bot.errors import DomainError
from handlers.slack import blocks

log = logging.getLogger(__name__)
requests_log = logging.getLogger("tandem.requests")

SOMETHING_WENT_WRONG = ":warning: Something went wrong on our side; nothing was changed. Please try again."


def report(error: Exception, body: dict, respond, client, context) -> None:
    if isinstance(error, ApprovalPending):
        text = ":hourglass_flowing_sand: " + blocks.escape_message(error.message)
    elif isinstance(error, DomainError):
        text = ":no_entry: " + blocks.escape_message(error.message)
    else:
        kind = body.get("type") or body.get("command") or "request"
        log.error("unhandled error in %s: %r", kind, error, exc_info=error)
        text = SOMETHING_WENT_WRONG
    tell(text, body, respond, client, context)


def tell(text: str, body: dict, respond, client, context) -> None:
    """Shows ``text`` only to the user who acted."""
    user = context.get("user_id") or (body.get("user") or {}).get("id") or body.get("user_id")
    try:
        if respond is not None and body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif user:
            client.chat_postMessage(channel=user, text=text)
    except SlackApiError as failure:
        log.warning("could not tell %s about an error: %s", user, failure.response.get("error"))


def guarded(listener):
    """Wraps a listener so any error it raises is reported through ``report``, and logs one
    line per handled request: what, who, outcome and milliseconds (never message bodies)."""
    wanted = inspect.getfullargspec(listener).args

    def run(ack, body, respond, client, context, payload, logger):
        available = {"ack": ack, "body": body, "respond": respond, "client": client, "context": context,
                     "payload": payload, "logger": logger}
        for name in ("command", "action", "view", "event"):
            available[name] = payload
        started = time.perf_counter()
        outcome = "ok"
        try:
            return listener(**{name: available[name] for name in wanted})
        except Exception as error:  # the one place listener errors are caught; reported, never swallowed
            outcome = "refused" if isinstance(error, DomainError) else "error"
            report(error, body, respond, client, context)
            return None
        finally:
            requests_log.info(
                "handled kind=%s user=%s outcome=%s ms=%.1f",
                kind_of(body, payload), context.get("user_id") or "-", outcome, (time.perf_counter() - started) * 1000,
            )

    # Not functools.wraps: Bolt would unwrap to the listener and pass only its arguments.
    run.__name__ = run.__qualname__ = listener.__name__
    return run


def kind_of(body: dict, payload: dict) -> str:
    """A short name for what Slack sent: the command, action, view or event."""
    if body.get("command"):
        return body["command"]
    if body.get("type") == "block_actions":
        return "action:" + str((payload or {}).get("action_id"))
    if body.get("type") in ("view_submission", "view_closed"):
        return "view:" + str((body.get("view") or {}).get("callback_id"))
    if body.get("type") == "event_callback":
        event = body.get("event") or {}
        return "event:" + str(event.get("type")) + (f"/{event['subtype']}" if event.get("subtype") else "")
    return str(body.get("type") or "request")


def register(app: App) -> None:
    @app.error
    def handle(error: Exception, body: dict, respond, client, context) -> None:
        report(error, body, respond, client, context)
