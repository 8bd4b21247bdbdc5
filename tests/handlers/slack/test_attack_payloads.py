"""Interaction payloads Tandem did not write, signed as Slack signs them and sent to the running bot.

A payload that is not Slack's shape (Slack never sends it; someone holding the signing secret
might) is refused with ``400`` before any listener reads it: no ``Internal Server Error``, no
"something went wrong", nothing changed, nothing sent. A well-formed payload Tandem has no
listener for (a button or form from an older version, ``view_closed``) is acked and the person
told, instead of Slack showing them a connection error. A button pressed by someone of another
workspace (a Slack Connect guest in a shared channel) is refused: they are told, and they see
nothing of the request.
"""

from __future__ import annotations

import json
import logging

import pytest

from handlers.slack.ids import Actions, Views
from handlers.slack.payloads import STALE_BUTTON, STALE_FORM, STRANGER
from tests.conftest import ADMIN, BUYER, IT, IT2, need
from tests.handlers.slack.conftest import CHANNEL, need_values
from tests.scenario import snapshot as every_row


def snapshot(core) -> dict:
    """Every row Tandem keeps, but the replay guard's note of the trigger IDs it has seen."""
    rows = every_row(core)
    rows.pop("replays", None)
    return rows


def button_press(slack, user: dict | str | None, actions, **extra) -> dict:
    """A block_actions payload on the card in the shared channel, as Slack sends one."""
    payload = {
        "type": "block_actions", "team": {"id": "T0TEAM", "domain": "example"}, "api_app_id": "A0TANDEM",
        "token": "legacy", "trigger_id": slack.trigger(), "response_url": slack.response_url(),
        "container": {"type": "message", "channel_id": CHANNEL, "message_ts": "1"},
        "channel": {"id": CHANNEL, "name": "it-procurement"}, "message": {"ts": "1"}, "actions": actions,
    }
    if user is not None:
        payload["user"] = user
    payload.update(extra)
    return payload


def submission(slack, user: dict, callback_id: str, state, private_metadata="1") -> dict:
    return {
        "type": "view_submission", "team": {"id": "T0TEAM"}, "user": user, "api_app_id": "A0TANDEM",
        "token": "legacy", "trigger_id": slack.trigger(),
        "view": {"id": "V0FORGED", "hash": "1.abc", "type": "modal", "callback_id": callback_id,
                 "private_metadata": private_metadata, "state": state},
    }


def button(action_id: str, **fields) -> dict:
    return {"action_id": action_id, "block_id": "card", "type": "button", "action_ts": "1700000000.1", **fields}


def answers(fake, start: int) -> list[str]:
    """What the person was told: ephemeral answers and DMs."""
    return [call.args.get("text", "") for call in fake.calls[start:]
            if call.method == "response_url" or (call.method == "chat.postMessage" and call.args["channel"] != CHANNEL)]


def errors_logged(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.fixture
def seeded(bot):
    bot.core.requests.create(IT, need())
    return bot


# --- not Slack's shape: 400, nothing changed, nothing sent ---------------------------------------

NOT_SLACK_ACTIONS = {
    # Bolt reads actions[0] to build every middleware's arguments: these were a 500 from the server.
    "actions empty": (lambda s: button_press(s, {"id": BUYER}, [])),
    "actions null": (lambda s: button_press(s, {"id": BUYER}, None)),
    "actions missing": (lambda s: {k: v for k, v in button_press(s, {"id": BUYER}, []).items() if k != "actions"}),
    # These reached the listener and ended in "Something went wrong" with an ERROR and a traceback.
    "user missing": (lambda s: button_press(s, None, [button(Actions.CLAIM, value="1")])),
    "user a string": (lambda s: button_press(s, BUYER, [button(Actions.CLAIM, value="1")])),
    "user without id": (lambda s: button_press(s, {"name": "buyer"}, [button(Actions.CLAIM, value="1")])),
    "value a number": (lambda s: button_press(s, {"id": BUYER}, [button(Actions.CLAIM, value=1)])),
    "value null": (lambda s: button_press(s, {"id": BUYER}, [button("contract_renew", value=None)])),
    "value a list": (lambda s: button_press(s, {"id": BUYER}, [button(Actions.CLAIM, value=["1"])])),
    "option a string": (lambda s: button_press(s, {"id": BUYER}, [
        {"action_id": Actions.STATUS, "type": "static_select", "selected_option": "1:sourcing"}])),
    "action not an object": (lambda s: button_press(s, {"id": BUYER}, ["request_claim"])),
}


@pytest.mark.parametrize("case", NOT_SLACK_ACTIONS, ids=list(NOT_SLACK_ACTIONS))
def test_a_button_press_that_is_not_slack_s_shape_is_refused_with_400(slack, fake, seeded, caplog, case):
    before, start = snapshot(seeded.core), len(fake.calls)
    status, body = slack.interact(NOT_SLACK_ACTIONS[case](slack))
    assert status == 400, (status, body)
    assert json.loads(body) == {"ok": False, "error": "invalid_payload"}
    assert snapshot(seeded.core) == before, "nothing changed"
    assert fake.calls[start:] == [], "nothing was sent to anyone"
    assert errors_logged(caplog) == []


def text_element(value) -> dict:
    return {"value": {"type": "plain_text_input", "value": value}}


NOT_SLACK_FORMS = {
    "state null": None,
    "state values null": {"values": None},
    "state values a list": {"values": []},
    "a block not an object": {"values": {**need_values(), "title": "50 Zoom licences"}},
    "an element not an object": {"values": {**need_values(), "title": {"value": "50 Zoom licences"}}},
    "a number for text": {"values": {**need_values(), "quantity": text_element(50)}},
    "a list for text": {"values": {**need_values(), "title": text_element(["50 Zoom licences"])}},
    "an option that is a string": {"values": {**need_values(),
                                              "category": {"value": {"type": "static_select", "selected_option": "saas"}}}},
    "a date that is a number": {"values": {**need_values(),
                                           "needed_by": {"value": {"type": "datepicker", "selected_date": 20270115}}}},
}


@pytest.mark.parametrize("case", NOT_SLACK_FORMS, ids=list(NOT_SLACK_FORMS))
def test_a_form_that_is_not_slack_s_shape_is_refused_with_400_and_files_nothing(slack, fake, bot, caplog, case):
    before, start = snapshot(bot.core), len(fake.calls)
    status, body = slack.interact(submission(slack, {"id": IT}, Views.NEED, NOT_SLACK_FORMS[case], ""))
    assert status == 400, (status, body)
    assert snapshot(bot.core) == before, "no need was filed"
    assert fake.calls[start:] == []
    assert errors_logged(caplog) == []


def test_a_form_whose_view_or_metadata_is_not_slack_s_shape_is_refused(slack, fake, seeded, caplog):
    before = snapshot(seeded.core)
    note = {"values": {"note": text_element("hello")}}
    no_view = submission(slack, {"id": IT}, Views.NOTE, note)
    del no_view["view"]
    numeric_metadata = submission(slack, {"id": IT}, Views.NOTE, note, private_metadata=1)
    for payload in (no_view, numeric_metadata):
        status, _ = slack.interact(payload)
        assert status == 400
    assert snapshot(seeded.core) == before, "no note was added"
    assert errors_logged(caplog) == []


# --- well-formed, but not a button or form Tandem has now: acked and told -----------------------

def test_a_button_tandem_has_no_listener_for_is_acked_and_the_person_told(slack, fake, seeded, caplog):
    before, start = snapshot(seeded.core), len(fake.calls)
    status, body = slack.interact(button_press(slack, {"id": BUYER}, [button("request_archive", value="1")]))
    assert (status, body) == (200, ""), "acked: Slack shows no connection error on the button"
    assert answers(fake, start) == [STALE_BUTTON]
    assert snapshot(seeded.core) == before
    assert errors_logged(caplog) == []


def test_a_button_without_a_value_does_nothing_and_says_so(slack, fake, seeded, caplog):
    before, start = snapshot(seeded.core), len(fake.calls)
    status, _ = slack.interact(button_press(slack, {"id": BUYER}, [button(Actions.CLAIM)]))
    assert status == 200
    assert answers(fake, start) == [STALE_BUTTON], "not 'something went wrong'"
    assert snapshot(seeded.core) == before, "#1 is not claimed"
    assert errors_logged(caplog) == []


def test_a_status_menu_cleared_to_nothing_is_acked_and_changes_nothing(slack, fake, seeded, caplog):
    """Slack sends ``selected_option: null`` when a menu's choice is cleared."""
    before, start = snapshot(seeded.core), len(fake.calls)
    cleared = {"action_id": Actions.STATUS, "block_id": "card", "type": "static_select", "selected_option": None}
    status, _ = slack.interact(button_press(slack, {"id": BUYER}, [cleared]))
    assert status == 200
    assert fake.calls[start:] == [], "nothing to say: nothing was chosen"
    assert snapshot(seeded.core) == before
    assert errors_logged(caplog) == []


def test_a_form_tandem_has_no_listener_for_turns_into_a_notice(slack, fake, bot, caplog):
    before = snapshot(bot.core)
    status, body = slack.interact(submission(slack, {"id": IT}, "need_modal_v0", {"values": need_values()}, ""))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "update"
    assert STALE_FORM in json.dumps(answer["view"])
    assert snapshot(bot.core) == before, "the old form filed nothing"
    assert errors_logged(caplog) == []


def test_a_closed_form_is_acked_and_changes_nothing(slack, fake, seeded, caplog):
    before, start = snapshot(seeded.core), len(fake.calls)
    closed = {"type": "view_closed", "team": {"id": "T0TEAM"}, "user": {"id": IT}, "api_app_id": "A0TANDEM",
              "token": "legacy", "is_cleared": False,
              "view": {"id": "V0NOTE", "type": "modal", "callback_id": Views.NOTE, "private_metadata": "1",
                       "state": {"values": {}}}}
    assert slack.interact(closed) == (200, "")
    assert fake.calls[start:] == []
    assert snapshot(seeded.core) == before
    assert errors_logged(caplog) == []


# --- values that are not what Tandem wrote: a clear answer, nothing changed ----------------------

@pytest.mark.parametrize("value, said", [
    ("garbage", "'garbage' is not a request number"),
    ("9" * 5000, "is not a request number"),
    ('{"request": 1}', "is not a request number"),
    ("999", "There is no request #999."),
])
def test_a_claim_button_with_a_value_tandem_did_not_write_is_refused_clearly(slack, fake, seeded, caplog, value, said):
    before, start = snapshot(seeded.core), len(fake.calls)
    status, _ = slack.interact(button_press(slack, {"id": BUYER}, [button(Actions.CLAIM, value=value)]))
    assert status == 200
    [answer] = answers(fake, start)
    assert answer.startswith(":no_entry: ") and said in answer, answer
    assert len(answer) < 300, "the refusal does not echo a wall of input"
    assert snapshot(seeded.core) == before
    assert errors_logged(caplog) == []


def test_a_claim_button_forged_by_someone_outside_procurement_is_refused(slack, fake, seeded):
    """The value names a real request; the press runs under the presser's own rights."""
    before, start = snapshot(seeded.core), len(fake.calls)
    slack.interact(button_press(slack, {"id": IT2}, [button(Actions.CLAIM, value="1")]))
    [answer] = answers(fake, start)
    assert answer.startswith(":no_entry: "), answer
    assert snapshot(seeded.core) == before, "#1 is not claimed"


@pytest.mark.parametrize("value", ['["sourcing", "confirm"]', '{"command": "claim 1"}', "x" * 3000, "claim 1"])
def test_a_briefing_button_with_a_forged_command_does_nothing_and_says_so_briefly(slack, fake, seeded, caplog,
                                                                                  value):
    before, start = snapshot(seeded.core), len(fake.calls)
    slack.interact(button_press(slack, {"id": BUYER}, [button("briefing_button_0", value=value)]))
    assert answers(fake, start) == [":no_entry: That button does nothing now. Type `/procure help` to see what "
                                    "Tandem does."], "not the whole usage, not the value echoed back"
    assert snapshot(seeded.core) == before
    assert errors_logged(caplog) == []


# --- people of another workspace -----------------------------------------------------------------

STRANGER_USER = {"id": "U0GUEST001", "username": "vendor.rep", "team_id": "T0VENDOR"}


@pytest.mark.parametrize("action_id", [Actions.OPEN, Actions.ADD_NOTE, Actions.CLAIM, Actions.EDIT])
def test_a_card_button_pressed_by_someone_of_another_workspace_is_refused(slack, fake, seeded, caplog, action_id):
    """A Slack Connect guest in the shared channel sees the card; pressing its buttons shows
    them nothing more (no details, no note form) and changes nothing."""
    before, start = snapshot(seeded.core), len(fake.calls)
    status, _ = slack.interact(button_press(slack, STRANGER_USER, [button(action_id, value="1")]))
    assert status == 200
    assert answers(fake, start) == [STRANGER]
    assert not [call for call in fake.calls[start:] if call.method.startswith("views.")], "no modal opened"
    assert snapshot(seeded.core) == before
    assert errors_logged(caplog) == []


def test_a_form_sent_by_someone_of_another_workspace_adds_nothing(slack, fake, seeded):
    before, start = snapshot(seeded.core), len(fake.calls)
    status, body = slack.interact(submission(slack, STRANGER_USER, Views.NOTE, {"values": {"note": text_element("hi")}}))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "update" and STRANGER in json.dumps(answer["view"])
    assert snapshot(seeded.core) == before, "no note was added"
    assert [call for call in fake.calls[start:] if call.method == "chat.postMessage"] == []


@pytest.mark.parametrize("team", ["T0TEAM", None])
def test_a_person_of_this_workspace_still_presses_buttons(slack, fake, seeded, team):
    user = {"id": BUYER, **({"team_id": team} if team else {})}
    slack.interact(button_press(slack, user, [button(Actions.CLAIM, value="1")]))
    assert seeded.core.requests.get(1).owner == BUYER


# --- a form with more fields than a modal holds ----------------------------------------------------

def test_the_sourcing_change_form_with_110_systems_fits_a_modal_and_says_how_many_more(slack, fake, bot, caplog):
    """Before: the form listed every system, Slack's 100-block limit was passed and the admin
    got "Something went wrong" (logged at ERROR)."""
    from bot.sourcing import Stance

    for i in range(110):
        bot.core.sourcing.set(ADMIN, bot.core.sourcing.system_key(f"System {i:03d}"), Stance.MANAGED)
    start = len(fake.calls)
    slack.command("/procure", "sourcing change", ADMIN)
    [opened] = [call for call in fake.calls[start:] if call.method == "views.open"]
    view = opened.args["view"]
    assert len(view["blocks"]) <= 100
    shown = json.dumps(view)
    assert "System 039 (system)" in shown and "System 040 (system)" not in shown
    assert "70 more systems are not in this form and kept as they are" in shown
    assert errors_logged(caplog) == []

    # Saving it changes the systems it shows and keeps the others.
    values = {block["block_id"]: {"value": {"type": "static_select", "selected_option": None}}
              for block in view["blocks"] if block["type"] == "input"}
    values["system:System 000"]["value"]["selected_option"] = {"value": "open"}
    status, body = slack.submit(ADMIN, "sourcing_modal", values)
    assert (status, body) == (200, "")
    stances = bot.core.sourcing.stances()
    assert stances["system:System 000"].stance is Stance.OPEN
    assert stances["system:System 109"].stance is Stance.MANAGED


# --- text that escaping makes longer than Block Kit takes ----------------------------------------

@pytest.mark.parametrize("vendor, product", [("&" * 100, "<" * 100), ("Okta & Co " * 10, "SSO <" * 20),
                                             ("Ok" * 50, "S" * 100)])
def test_a_contract_named_in_control_characters_still_shows_its_mark_cancelled_button(slack, fake, bot, vendor,
                                                                                       product):
    """Before: the *Mark cancelled* confirmation quoted the name escaped (``&`` is ``&amp;``),
    past the 300 characters a confirm's text holds, so ``contract show 1`` was refused by Slack
    (the fake records it in ``invalid``, which the fixture asserts is empty)."""
    from tests.contract_samples import contract_form

    bot.core.contracts.add(BUYER, contract_form(vendor=vendor, product=product))
    start = len(fake.calls)
    slack.command("/procure", "contract show 1", BUYER)
    [answer] = [call for call in fake.calls[start:] if call.method == "response_url"]
    [confirm] = [element["confirm"] for block in answer.args["blocks"] if block["type"] == "actions"
                 for element in block["elements"] if element["action_id"] == "contract_cancel"]
    assert len(confirm["text"]["text"]) <= 300
    assert confirm["text"]["text"].startswith("Notice is given: ")
    assert "<" not in confirm["text"]["text"].removeprefix("Notice is given: "), "the name stays escaped"
    assert fake.invalid == []
