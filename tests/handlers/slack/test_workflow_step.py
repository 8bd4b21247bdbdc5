"""The Workflow Builder step "Create IT need": ``function_executed`` events as Slack sends them,
through the signed HTTP endpoint, completing or failing the step against the fake Slack."""

import json

import pytest

from handlers.slack.ids import Functions
from tests.conftest import BUYER, IT, IT2
from tests.handlers.slack.conftest import CHANNEL

STEP_TOKEN = "xwfp-step-token"


def ran_by(user: str) -> dict:
    """The ``run_by`` input as Slack fills a ``user_context``: the person who ran the workflow."""
    return {"id": user, "secret": "c2VjcmV0"}


def run_step(slack, inputs: dict, execution: str = "Fx0001", runner: str | None = IT,
             retry: int | None = None) -> tuple[int, str]:
    if runner is not None and "run_by" not in inputs:
        inputs = {**inputs, "run_by": ran_by(runner)}
    return slack.event(retry=retry, event={
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
    run_step(slack, {"title": "Docking stations", "category": "hardware"}, execution="Fx0002", runner=None)
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


def completed(fake) -> dict:
    [done] = fake.wait_for("functions.completeSuccess")
    return done.args["outputs"] if isinstance(done.args["outputs"], dict) else json.loads(done.args["outputs"])


def refused(fake, bot) -> str:
    [failed] = fake.wait_for("functions.completeError")
    assert fake.calls_to("functions.completeSuccess") == []
    assert bot.core.requests.list(BUYER, "all").total == 0, "nothing saved"
    assert [c for c in fake.calls_to("chat.postMessage") if c.args.get("channel") == CHANNEL] == [], "no card"
    return failed.args["error"]


def test_someone_filing_a_need_in_another_persons_name_is_refused(slack, fake, bot):
    run_step(slack, {"title": "Admin rights", "category": "software", "requester": IT2}, runner=IT)
    assert refused(fake, bot) == ("Tandem could not create the IT need: The person who ran the workflow is not the "
                                  "requester, and only procurement members and admins can file a need for someone else.")


def test_a_step_without_who_ran_it_is_refused(slack, fake, bot):
    """A workflow built before the step asked who ran it (or one that never says) files nothing."""
    run_step(slack, {"title": "Docking stations", "category": "hardware", "requester": IT}, runner=None)
    assert refused(fake, bot).startswith("Tandem could not create the IT need: run_by: The step needs to know who "
                                         "ran the workflow")


@pytest.mark.parametrize("person, why", [
    (None, "is not a person in this Slack workspace."),
    ({"deleted": True}, "is deactivated in this Slack workspace."),
    ({"is_bot": True}, "is a bot or an app, not a person."),
    ({"is_app_user": True}, "is a bot or an app, not a person."),
    ({"team_id": "T0OTHER"}, "belongs to another Slack workspace."),
    ({"is_stranger": True}, "belongs to another Slack workspace."),
])
def test_a_requester_who_is_not_a_person_of_this_workspace_is_refused(slack, fake, bot, person, why):
    fake.people[IT2] = person
    run_step(slack, {"title": "Laptop", "category": "hardware", "requester": IT2}, runner=BUYER)
    assert refused(fake, bot) == f"Tandem could not create the IT need: requester: {IT2} {why}"
    assert any(c.args.get("user") == IT2 for c in fake.calls_to("users.info")), "asked Slack, not trusted"


def test_a_runner_who_is_deactivated_is_refused(slack, fake, bot):
    fake.people[BUYER] = {"deleted": True}
    run_step(slack, {"title": "Laptop", "category": "hardware", "requester": IT}, runner=BUYER)
    assert refused(fake, bot) == f"Tandem could not create the IT need: run_by: {BUYER} is deactivated in this Slack workspace."


@pytest.mark.parametrize("requester", ["<!channel>", "U0IT000001 U0IT000002", "<@U0IT000001>", "it@example.com", "U0\u200bIT1"])
def test_a_requester_that_is_not_one_user_id_is_refused_without_echoing_it(slack, fake, bot, requester):
    run_step(slack, {"title": "Laptop", "category": "hardware", "requester": requester})
    error = refused(fake, bot)
    assert error == "Tandem could not create the IT need: requester: This is not one person's user ID."
    assert fake.calls_to("users.info") == []


def test_procurement_files_for_someone_else_and_the_card_history_and_audit_log_say_so(slack, fake, bot):
    run_step(slack, {"title": "Docking stations", "category": "hardware", "requester": IT}, runner=BUYER)
    assert completed(fake)["request_number"] == "#1"
    request = bot.core.requests.get(1)
    assert (request.requester, request.workflow_runner) == (IT, BUYER)
    card = fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL)
    assert f"Filed by a workflow on behalf of <@{IT}>, run by <@{BUYER}>" in json.dumps(card.args["blocks"])
    [created] = bot.core.requests.show(IT, 1).events
    assert (created.actor, created.action, created.after["filed_by"], created.after["requester"]) == \
        (BUYER, "created", "workflow", IT)
    slack.command("/procure", "show 1", IT)
    history = json.dumps(fake.calls[-1].args)
    assert f"<@{BUYER}> filed the request through a workflow on behalf of <@{IT}>" in history


def test_a_need_filed_for_oneself_says_a_workflow_filed_it(slack, fake, bot):
    run_step(slack, {"title": "Docking stations", "category": "hardware", "requester": IT}, runner=IT)
    completed(fake)
    card = fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL)
    text = json.dumps(card.args["blocks"])
    assert f"Filed by a workflow on behalf of <@{IT}>" in text and "run by" not in text


def test_a_retried_step_run_files_the_need_once(slack, fake, bot):
    """Slack retries an event it thinks was not acked (X-Slack-Retry-Num), with a new event ID
    and the same execution: the need is filed and the step completed once."""
    inputs = {"title": "Docking stations", "category": "hardware", "requester": IT}
    assert run_step(slack, inputs)[0] == 200
    assert run_step(slack, inputs, retry=1)[0] == 200
    assert run_step(slack, inputs, retry=2)[0] == 200
    assert len(fake.calls_to("functions.completeSuccess")) == 1
    assert bot.core.requests.list(IT, "all").total == 1
    run_step(slack, inputs, execution="Fx0002")  # another run of the workflow is another need
    assert bot.core.requests.list(IT, "all").total == 2


def test_hostile_step_text_cannot_ping_the_channel_forge_a_link_or_hide_its_direction(slack, fake, bot):
    run_step(slack, {"title": "<!channel> Free \u202eLAPTOPS\u202c <https://evil.example|click>\u200b",
                     "why": "*urgent* <@U0ADMIN001> " + "x" * 5000, "category": "hardware", "requester": IT})
    [failed] = fake.wait_for("functions.completeError")
    assert "why:" in failed.args["error"], "the justification's limit holds for a step as for the form"
    assert bot.core.requests.list(IT, "all").total == 0

    run_step(slack, {"title": "<!channel> Free \u202eLAPTOPS\u202c <https://evil.example|click>\u200b",
                     "why": "*urgent* <@U0ADMIN001>", "category": "hardware", "requester": IT}, execution="Fx0002")
    completed(fake)
    card = json.dumps(fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL).args, ensure_ascii=False)
    assert "<!channel>" not in card and "&lt;!channel&gt;" in card
    assert "<https://evil.example" not in card and "<@U0ADMIN001>" not in card
    assert "\u202e" not in card and "\u200b" not in card
    assert "\u202e" not in bot.core.requests.get(1).title
