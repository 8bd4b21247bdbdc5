"""The Workflow Builder step "Create IT need": ``function_executed`` events as Slack sends them,
through the signed HTTP endpoint, completing or failing the step against the fake Slack."""

import json

from handlers.slack.ids import Functions
from tests.conftest import IT
from tests.handlers.slack.conftest import CHANNEL

STEP_TOKEN = "xwfp-step-token"


def run_step(slack, inputs: dict, execution: str = "Fx0001") -> tuple[int, str]:
    return slack.event({
        "type": "function_executed",
        "function": {
            "id": "Fn0CREATE", "callback_id": Functions.CREATE_NEED, "title": "Create IT need",
            "description": "Posts an IT need", "type": "app", "app_id": "A0TANDEM",
            "input_parameters": [{"type": "string", "name": "title", "title": "Title", "is_required": True}],
            "output_parameters": [{"type": "string", "name": "request_number", "title": "Request number"}],
            "date_created": 1700000000, "date_updated": 1700000000, "date_deleted": 0,
        },
        "inputs": inputs,
        "function_execution_id": execution,
        "workflow_execution_id": "Wx0001",
        "event_ts": "1700000000.000900",
        "bot_access_token": STEP_TOKEN,
    })


def test_the_step_creates_the_need_and_completes_with_its_number_and_link(slack, fake, bot):
    status, _ = run_step(slack, {"title": "50 Zoom licences", "why": "Meetings move to Zoom", "category": "saas",
                                 "quantity": 50, "cost": "7500", "needed_by": "2027-01-15", "requester": IT})
    assert status == 200
    [done] = fake.wait_for("functions.completeSuccess")
    card = fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL)
    outputs = done.args["outputs"] if isinstance(done.args["outputs"], dict) else json.loads(done.args["outputs"])
    assert done.args["function_execution_id"] == "Fx0001"
    assert outputs == {"request_number": "#1", "link":
                       f"https://example.slack.com/archives/{CHANNEL}/p{card.answer['ts'].replace('.', '')}"}
    assert done.headers["Authorization"] == f"Bearer {STEP_TOKEN}", "the step's own token"
    request = bot.core.requests.get(1)
    assert (request.requester, request.title, request.quantity, str(request.estimated_cost)) == \
        (IT, "50 Zoom licences", 50, "7500.00")
    assert fake.calls_to("functions.completeError") == []


def test_bad_inputs_fail_the_step_with_a_clear_error_and_save_nothing(slack, fake, bot):
    run_step(slack, {"title": "", "category": "furniture", "quantity": 0, "requester": IT})
    [failed] = fake.wait_for("functions.completeError")
    assert failed.args["function_execution_id"] == "Fx0001"
    error = failed.args["error"]
    assert error.startswith("Tandem could not create the IT need: ")
    assert "title: Give the need a short title." in error and "category:" in error and "quantity:" in error
    assert fake.calls_to("functions.completeSuccess") == []
    assert bot.core.requests.list(IT, "all").total == 0


def test_a_step_without_a_requester_fails(slack, fake, bot):
    run_step(slack, {"title": "Docking stations", "category": "hardware"}, execution="Fx0002")
    [failed] = fake.wait_for("functions.completeError")
    assert failed.args["error"] == ("Tandem could not create the IT need: requester: The step needs a requester "
                                    "(the person the need is for).")
    assert bot.core.requests.list(IT, "all").total == 0


def test_a_card_slack_refuses_still_completes_the_step_with_the_number(slack, fake, bot):
    fake.fail("chat.postMessage", "not_in_channel")
    run_step(slack, {"title": "Docking stations", "category": "hardware", "requester": IT})
    [done] = fake.wait_for("functions.completeSuccess")
    outputs = done.args["outputs"] if isinstance(done.args["outputs"], dict) else json.loads(done.args["outputs"])
    assert outputs == {"request_number": "#1", "link": ""}, "saved; the card follows with the next change"
