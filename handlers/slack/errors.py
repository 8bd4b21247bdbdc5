"""The one error path for every Slack listener.

Domain errors become a friendly ephemeral message (or a DM where Slack gives no reply
channel, as for App Home buttons); anything else is logged with its traceback and the
user is told nothing was changed.

Listeners are wrapped with ``guarded`` rather than left to Bolt's ``@app.error``: most of a
listener's work runs after the ack on ``handlers.slack.work``'s lanes, where Bolt no longer
sees it, so errors are caught where they happen and reported through this same path.
``@app.error`` still covers anything raised outside a listener. A write that could not get the
database lock in time is "busy, nothing changed, try again": its transaction was rolled back.
"""

from __future__ import annotations

import inspect
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from slack_bolt import App
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from bot.approvals import ApprovalPending
from bot.errors import DomainError
from handlers.slack import blocks
from handlers.slack.work import Work

log = logging.getLogger(__name__)
requests_log = logging.getLogger("tandem.requests")

BUSY = ":hourglass_flowing_sand: Tandem is too busy to do that right now; nothing was changed. Please try again."
BUSY_PARTLY = (":hourglass_flowing_sand: Tandem is too busy to finish that right now. Your change is saved; "
               "Slack catches up with it on the next change.")
SOMETHING_WENT_WRONG = ":warning: Something went wrong on our side; nothing was changed. Please try again."
FORM_UNREADABLE = "Tandem could not read this form, so nothing was changed. Please open it again from Tandem."

T = TypeVar("T")


class UnreadableForm(Exception):
    """A form's ``private_metadata`` (set by Tandem when it opened the form) did not parse."""


def form_metadata(view: dict, parse: Callable[[str], T]) -> T:
    """What Tandem put in a form's ``private_metadata``, read by ``parse``. Metadata that does not
    parse was not written by Tandem: logged at WARNING (never the metadata itself) and refused
    with ``UnreadableForm``, which the listener answers with ``refuse_form``."""
    try:
        return parse(view.get("private_metadata") or "")
    except (ValueError, KeyError, TypeError, DomainError) as error:
        log.warning("refused a %s form whose private_metadata did not parse (%s)", view.get("callback_id") or "-",
                    type(error).__name__)
        raise UnreadableForm from None


def refuse_form(ack) -> None:
    """Answers an unreadable form in the form itself: it turns into a notice; nothing was changed."""
    ack(response_action="update", view=View(type="modal", title=blocks.plain("Tandem", 24),
                                            close=blocks.plain("Close", 24),
                                            blocks=[SectionBlock(text=blocks.mrkdwn(":no_entry: " + FORM_UNREADABLE))]))


def report(error: Exception, body: dict, respond, client, context, partly: bool = False) -> None:
    """``partly``: the failed work had already committed part of its change."""
    if is_busy(error):
        log.warning("the database stayed locked; %s", "part of a change was saved" if partly else "nothing was changed")
        text = BUSY_PARTLY if partly else BUSY
    elif isinstance(error, ApprovalPending):
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
    """Wraps a listener, which runs on the thread that answers Slack (see ``handlers.slack.work``).

    The listener validates, acks, and hands the rest to ``work`` (a ``Task``): ``work.form(job)``
    for ``views.open``, ``work.later(job)`` for everything else. Errors raised by the listener or
    any of its jobs are reported through ``report``; one line is logged per handled request:
    what, who, outcome and milliseconds (never message bodies)."""
    wanted = inspect.getfullargspec(listener).args

    def run(ack, body, respond, client, context, payload, logger):
        task = Task(context["work"], ack, body, respond, client, context, payload)
        available = {"ack": ack, "body": body, "respond": respond, "client": client, "context": context,
                     "payload": payload, "logger": logger, "work": task}
        for name in ("command", "action", "view", "event"):
            available[name] = payload
        try:
            listener(**{name: available[name] for name in wanted})
        except UnreadableForm:  # read before the ack: the form turns into a notice, nothing changes
            if ack.response is None:
                refuse_form(ack)
            task.listener_done()
        except Exception as error:  # noqa: BLE001 - the one place listener errors are caught; reported
            if ack.response is None:
                ack()
            task.failed(error)
        else:
            task.listener_done()

    # Not functools.wraps: Bolt would unwrap to the listener and pass only its arguments.
    run.__name__ = run.__qualname__ = listener.__name__
    return run


class Task:
    """What one request still has to do after its ack, on ``Work``'s lanes."""

    def __init__(self, work: Work, ack, body: dict, respond, client, context, payload):
        self.work, self.ack, self.body, self.respond, self.client = work, ack, body, respond, client
        self.context, self.payload = context, payload
        self.started = time.perf_counter()
        self.scheduled = 0
        # Events have nobody waiting: their jobs run however long they queued.
        self.person = body.get("type") != "event_callback"

    def form(self, job) -> None:
        """Runs ``job`` (which opens a modal) at once, ahead of all other work."""
        self.scheduled += 1
        self.work.form(self._guard(job))

    def later(self, job) -> None:
        """Runs ``job`` on the bounded work lane; if it cannot start in time the person is
        told "busy, nothing changed" and it never runs."""
        self.scheduled += 1
        self.work.later(self._guard(job), busy=self._busy if self.person else None)

    def listener_done(self) -> None:
        if not self.scheduled:
            self._log("ok")

    def failed(self, error: Exception, partly: bool = False) -> None:
        self._log(outcome_of(error))
        report(error, self.body, self.respond, self.client, self.context, partly=partly)

    def _guard(self, job):
        def run() -> None:
            commits = self.work.commits()
            try:
                job()
            except Exception as error:  # noqa: BLE001 - reported to the person, logged if unexpected
                self.failed(error, partly=self.work.commits() != commits)
            else:
                self._log("ok")
        return run

    def _busy(self) -> None:
        self._log("busy")
        tell(BUSY, self.body, self.respond, self.client, self.context)

    def _log(self, outcome: str) -> None:
        requests_log.info(
            "handled kind=%s user=%s outcome=%s ms=%.1f", kind_of(self.body, self.payload),
            self.context.get("user_id") or "-", outcome, (time.perf_counter() - self.started) * 1000,
        )


def outcome_of(error: Exception) -> str:
    if isinstance(error, DomainError):
        return "refused"
    return "busy" if is_busy(error) else "error"


def is_busy(error: Exception) -> bool:
    """SQLite's write lock was held by someone else for longer than its busy timeout."""
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))


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
