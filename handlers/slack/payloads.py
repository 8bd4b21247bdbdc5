"""What Slack sends, checked before any listener reads it.

Slack's interaction payloads have one shape; a body that is signed but not that shape (no
``actions``, a ``user`` that is not an object, a ``value`` that is not text, form ``state`` that is
not objects of objects) is refused with ``400`` before Bolt builds a listener's arguments (Bolt
itself fails with a 500 on an empty ``actions``), and nothing changes.

Two more refusals are answered here, once, instead of in every listener:

- a button pressed by someone of another workspace (a Slack Connect guest in a shared channel):
  Tandem works for the people of its own workspace (or its Enterprise Grid organisation), like
  the workflow step (``handlers.slack.people.workspace_person``); they are told so and nothing
  changes;
- a button that carries no value (Tandem writes one on every button): an older or foreign
  button, answered "does nothing now".

``register_fallbacks`` (called after every other listener) answers what no listener took: a
button or a form Tandem no longer has (from an older version, or not Tandem's) is acked and the
person told it does nothing now, instead of Slack showing them a connection error; a form closed
with ``notify_on_close`` is acked and forgotten.
"""

from __future__ import annotations

import json
import logging
import re

from slack_bolt import Ack, App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from handlers.slack import blocks
from handlers.slack.errors import Task, guarded, tell
from handlers.slack.work import Work

log = logging.getLogger(__name__)

STALE_BUTTON = ":no_entry: That button does nothing now; nothing was changed. Type `/procure help` to see what Tandem does."
STALE_FORM = ":no_entry: Tandem no longer takes this form, so nothing was changed. Please start again from Tandem."
STRANGER = (":no_entry: Tandem works only for people of the workspace it is installed in; nothing was changed. "
            "Ask someone there to do this for you.")

# The payloads that carry a person and what they did.
PEOPLE_PAYLOADS = ("block_actions", "view_submission", "view_closed", "shortcut", "message_action")
# What an input element may carry in a form's state: text, or nothing.
TEXT_KEYS = ("value", "selected_date", "selected_user", "selected_time", "selected_channel", "selected_conversation")


def malformed(body: object) -> str | None:
    """Why ``body`` is not the shape of a Slack interaction payload (``None``: it is)."""
    if not isinstance(body, dict):
        return "not an object"
    kind = body.get("type")
    if kind not in PEOPLE_PAYLOADS:
        return None  # commands and events: Bolt and the listeners read them defensively
    user = body.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
        return "no user"
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return "no actions"
        for action in actions:
            if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
                return "an action without an action_id"
            if "value" in action and not isinstance(action["value"], str):
                return "a value that is not text"
            option = action.get("selected_option")
            if option is not None and not (isinstance(option, dict) and isinstance(option.get("value"), str)):
                return "a selected option without a value"
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
            return "no view"
        if not isinstance(view.get("private_metadata", ""), str):
            return "private_metadata that is not text"
        if kind == "view_submission":
            return malformed_state(view.get("state"))
    return None


def malformed_state(state: object) -> str | None:
    """A submitted form's ``state``: ``{"values": {block_id: {action_id: element}}}``."""
    if not isinstance(state, dict) or not isinstance(state.get("values"), dict):
        return "no state values"
    for elements in state["values"].values():
        if not isinstance(elements, dict):
            return "a block that is not an object"
        for element in elements.values():
            if not isinstance(element, dict):
                return "an element that is not an object"
            if any(element.get(key) is not None and not isinstance(element[key], str) for key in TEXT_KEYS):
                return "a value that is not text"
            option = element.get("selected_option")
            if option is not None and not (isinstance(option, dict) and isinstance(option.get("value"), str)):
                return "a selected option without a value"
    return None


def stranger(body: dict, team: str | None, enterprise: str | None) -> bool:
    """Whether the person acting belongs to another workspace. Slack gives their workspace as
    ``user.team_id`` (their organisation's ``E…`` ID on Enterprise Grid); none given: ours."""
    theirs = body["user"].get("team_id")
    return bool(theirs) and theirs not in {team, enterprise} - {None}


def without_value(body: dict) -> bool:
    """A button or menu whose press carries nothing Tandem wrote: no value and no option."""
    action = body["actions"][0]
    return "value" not in action and "selected_option" not in action


def unselected(body: dict) -> bool:
    """A menu whose choice was cleared: Slack sends ``selected_option: null``; nothing to do."""
    action = body["actions"][0]
    return "selected_option" in action and action["selected_option"] is None and "value" not in action


def notice(text: str) -> View:
    return View(type="modal", title=blocks.plain("Tandem", 24), close=blocks.plain("Close", 24),
                blocks=[SectionBlock(text=blocks.mrkdwn(text))])


class WellFormed(Middleware):
    """The first middleware: refuses what is not Slack's shape, then people of other workspaces."""

    def __init__(self, work: Work):
        self.work = work

    def process(self, *, req: BoltRequest, resp: BoltResponse, next) -> BoltResponse:  # noqa: A002 - Bolt's name
        body = req.body
        problem = malformed(body)
        if problem is not None:
            log.info("refused a %s payload that is not Slack's shape (%s)",
                     body.get("type") if isinstance(body, dict) else "-", problem)
            return BoltResponse(status=400, body=json.dumps({"ok": False, "error": "invalid_payload"}))
        kind = body.get("type")
        if kind not in PEOPLE_PAYLOADS:
            return next()
        authorized = req.context.authorize_result
        team = authorized.team_id if authorized is not None else None
        enterprise = authorized.enterprise_id if authorized is not None else None
        if stranger(body, team, enterprise):
            log.info("refused a %s by a person of another workspace", kind)
            return self.refuse(req, STRANGER)
        if kind == "block_actions" and unselected(body):
            return BoltResponse(status=200, body="")
        if kind == "block_actions" and without_value(body):
            log.info("refused a button press without a value (%s)", body["actions"][0]["action_id"][:50])
            return self.refuse(req, STALE_BUTTON)
        return next()

    def refuse(self, req: BoltRequest, text: str) -> BoltResponse:
        """Acks; a form turns into ``text``, anything else tells the person."""
        body = req.body
        if body.get("type") == "view_submission":
            view = notice(text).to_dict()
            return BoltResponse(status=200, body=json.dumps({"response_action": "update", "view": view}),
                                headers={"content-type": "application/json;charset=utf-8"})
        if body.get("type") == "view_closed":
            return BoltResponse(status=200, body="")
        context = req.context
        self.work.form(lambda: tell(text, body, context.respond, context.client, context))
        return BoltResponse(status=200, body="")


def register(app: App, work: Work) -> None:
    """The shape check; registered before any other middleware."""
    app.use(WellFormed(work))


def register_fallbacks(app: App) -> None:
    """What no other listener took; registered after every other listener."""
    anything = re.compile(".*")

    @app.action(anything)
    @guarded
    def stale_button(ack: Ack, body: dict, action: dict, respond, client, context, work: Task) -> None:
        ack()
        log.info("a press on a button Tandem has no listener for (%s)", str(action.get("action_id"))[:50])
        work.form(lambda: tell(STALE_BUTTON, body, respond, client, context))

    @app.view(anything)
    @guarded
    def stale_form(ack: Ack, view: dict) -> None:
        log.info("a form Tandem has no listener for (%s)", str(view.get("callback_id"))[:50])
        ack(response_action="update", view=notice(STALE_FORM))

    @app.view_closed(anything)
    @guarded
    def closed(ack: Ack) -> None:
        ack()  # nothing Tandem keeps depends on a form being open
