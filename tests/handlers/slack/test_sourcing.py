"""The sourcing map through Slack: IT's stances set by IT owners and admins, the opportunities,
and the quarterly check by DM, once per quarter and person."""

import json
from datetime import datetime, timezone

from bot.schedule import Schedule
from tests.conftest import ADMIN, BUYER, IT, IT2, need
from tests.handlers.slack.test_contracts import add_contract
from tests.handlers.slack.test_schedule import dm_of
from tests.handlers.slack.test_together import answer
from tests.handlers.slack.test_schedule import click_in_dm as press


def test_stances_opportunities_and_the_quarterly_check(slack, fake, bot, clock):
    refused = answer(slack, fake, IT, "sourcing set software open")
    assert "set by the IT owners of contracts and admins" in refused
    assert "is not a stance" in answer(slack, fake, ADMIN, "sourcing set software maybe")
    add_contract(bot)  # IT owns a contract in force: IT may set stances now
    assert "IT's stance on software is now: open to a supplier." in answer(slack, fake, IT, "sourcing set software open")
    answer(slack, fake, ADMIN, "sourcing set saas in-house")
    answer(slack, fake, IT, "sourcing set telecom open")
    core = bot.core
    core.requests.create(IT, need(category="software", estimated_cost="4000"))
    core.requests.create(IT2, need(category="software", estimated_cost="6000", sensitivity="confidential"))
    core.requests.create(IT, need(category="telecom", estimated_cost="90000"))
    core.requests.create(IT, need(category="saas", estimated_cost="7500"))

    shown = answer(slack, fake, BUYER, "sourcing")
    assert "software — open to a supplier (set by <@U0IT000001> 2026-11-16, confirmed 2026-11-16)" in shown
    assert "saas — keep in-house" in shown and "hardware — not set" in shown
    # Most requests first; the saas spend is IT's to keep and is no opportunity.
    assert "• software — 2 requests, USD 10,000 estimated\\n• telecom — 1 request, USD 90,000 estimated" in shown
    # Someone who may not see the confidential need's cost is not shown it, summed or not.
    assert "software — 2 requests, USD 4,000 estimated" in answer(slack, fake, IT, "sourcing")

    fake.reset()
    clock.set(datetime(2026, 11, 17, 9, 0, tzinfo=timezone.utc))  # a reminder sweep
    Schedule(core, holder="test").tick()
    clock.set(datetime(2026, 11, 18, 9, 0, tzinfo=timezone.utc))
    Schedule(core, holder="test").tick()
    asked = [c for c in fake.calls_to("chat.postMessage")
             if c.args["channel"] == dm_of(IT) and "Sourcing map check" in json.dumps(c.args.get("blocks"))]
    assert len(asked) == 1, "once per quarter"
    assert "Sourcing map check · 2026-Q4" in json.dumps(asked[0].args["blocks"], ensure_ascii=False)
    assert "Confirmed 3 stances" in answer(slack, fake, IT, "sourcing confirm")
    assert "confirmed 2026-11-18" in answer(slack, fake, BUYER, "sourcing")


def click_in_dm(slack, user: str, button: dict, dm) -> None:
    """A press on a button of the sourcing map check's DM, as Slack sends it."""
    assert press(slack, user, button["action_id"], button["value"], dm, block_id="briefing_buttons")[0] == 200


def the_check(slack, fake, bot, clock):
    """IT owns a contract and has set two stances; the quarterly check's DM, and its buttons."""
    add_contract(bot)
    answer(slack, fake, IT, "sourcing set software open")
    answer(slack, fake, IT, "sourcing set saas in-house")
    clock.set(datetime(2026, 11, 17, 9, 0, tzinfo=timezone.utc))
    Schedule(bot.core, holder="test").tick()
    [dm] = [c for c in fake.calls_to("chat.postMessage")
            if c.args["channel"] == dm_of(IT) and "Sourcing map check" in json.dumps(c.args.get("blocks"))]
    [buttons] = [b["elements"] for b in dm.args["blocks"] if b["type"] == "actions"]
    return dm, {button["text"]["text"]: button for button in buttons}


def responses(fake) -> list[str]:
    return [call.args.get("text", "") for call in fake.calls_to("response_url")]


def test_confirm_on_the_quarterly_check_applies_once_and_only_for_who_may(slack, fake, bot, clock):
    dm, buttons = the_check(slack, fake, bot, clock)
    assert list(buttons) == ["Confirm", "Change"]
    assert buttons["Confirm"]["value"] == "sourcing confirm 2026-Q4" and buttons["Confirm"]["style"] == "primary"
    db = bot.core.store.db
    confirmations = lambda: db.execute(  # noqa: E731
        "select count(*) from events where action = 'stances confirmed'").fetchone()[0]

    clock.set(datetime(2026, 11, 17, 10, 0, tzinfo=timezone.utc))
    click_in_dm(slack, BUYER, buttons["Confirm"], dm)  # not an IT owner: refused, nothing recorded
    fake.wait_for("response_url")
    assert "set by the IT owners of contracts and admins" in responses(fake)[-1] and confirmations() == 0

    click_in_dm(slack, IT, buttons["Confirm"], dm)
    fake.wait_for("response_url", 2)
    assert "Confirmed 2 stances as they are" in responses(fake)[-1]
    click_in_dm(slack, IT, buttons["Confirm"], dm)  # a double click
    fake.wait_for("response_url", 3)
    assert responses(fake)[-1] == "You already confirmed the stances for 2026-Q4 on Tue 17 Nov; nothing was changed."
    assert confirmations() == 1
    assert "confirmed 2026-11-17" in answer(slack, fake, BUYER, "sourcing")

    forged = {**buttons["Confirm"], "value": "contract cancel 1"}  # a button may run only what the core allows
    click_in_dm(slack, IT, forged, dm)
    fake.wait_for("response_url", 5)
    assert "That button does nothing now" in json.dumps([c.args for c in fake.calls_to("response_url")][-1])
    assert bot.core.contracts.get(1).status.value == "active"


def test_change_opens_the_form_and_saving_it_twice_applies_once(slack, fake, bot, clock):
    dm, buttons = the_check(slack, fake, bot, clock)
    click_in_dm(slack, BUYER, buttons["Change"], dm)  # no form for someone who may not change stances
    fake.wait_for("response_url")
    assert "set by the IT owners of contracts and admins" in responses(fake)[-1]
    assert fake.calls_to("views.open") == []

    click_in_dm(slack, IT, buttons["Change"], dm)
    [opened] = fake.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "sourcing_modal"
    fields = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert list(fields) == ["hardware", "software", "saas", "telecom", "services", "other"]
    assert fields["software"]["initial_option"]["value"] == "open"
    assert fields["saas"]["initial_option"]["value"] == "in-house" and "initial_option" not in fields["hardware"]

    status, body = slack.submit(IT, "sourcing_modal", {"software": select("maybe")})
    assert status == 200 and json.loads(body)["response_action"] == "errors"  # refused inline, nothing saved

    chosen = {"software": select("managed"), "saas": select("in-house"), "hardware": select(None)}
    for _ in range(2):  # a retried submission
        assert slack.submit(IT, "sourcing_modal", chosen)[0] == 200
    said = [c.args["text"] for c in fake.calls_to("chat.postMessage") if c.args["channel"] == dm_of(IT)][-2:]
    assert said[0].endswith("IT's stances changed — software: supplier-managed. The others are confirmed as they are.")
    assert said[1].endswith("No stance changed; 2 stances confirmed as they are.")
    db = bot.core.store.db
    assert db.execute("select count(*) from events where action = 'stance set'").fetchone()[0] == 3  # 2 + 1
    assert "software — supplier-managed (set by <@U0IT000001>" in answer(slack, fake, BUYER, "sourcing")

    forged = slack.submit(BUYER, "sourcing_modal", {"software": select("in-house")})  # no form was opened for them
    assert forged[0] == 200
    assert "software — supplier-managed" in answer(slack, fake, BUYER, "sourcing")


def select(value):
    return {"value": {"type": "static_select",
                      "selected_option": None if value is None else {"value": value, "text": {"type": "plain_text",
                                                                                              "text": value}}}}


def test_stances_per_system_in_the_map_the_check_and_its_form(slack, fake, bot, clock):
    add_contract(bot, vendor="Salesforce", product="Sales Cloud", annual_cost="30000")
    assert "set by the IT owners of contracts and admins" in answer(slack, fake, BUYER, "sourcing set system CRM open")
    said = answer(slack, fake, IT, "sourcing set system Salesforce open")
    assert "IT's stance on Salesforce (system) is now: open to a supplier." in said
    assert "IT's stance on Salesforce (system) is now: supplier-managed." in \
        answer(slack, fake, IT, "sourcing set system salesforce managed")  # the same system, whatever the case
    answer(slack, fake, IT, "sourcing set system Payroll Engine in-house")
    assert "Name the system in plain words" in answer(slack, fake, IT, "sourcing set system <!channel> open")
    answer(slack, fake, IT, "sourcing set system Salesforce open")

    shown = answer(slack, fake, BUYER, "sourcing")
    assert "IT's stance per system" in shown
    assert "Payroll Engine — keep in-house (set by <@U0IT000001> 2026-11-16, confirmed 2026-11-16) · 0 contracts " \
           "in force" in shown
    assert "Salesforce — open to a supplier (set by <@U0IT000001> 2026-11-16, confirmed 2026-11-16) · 1 contract " \
           "in force, USD 30,000 a year" in shown
    assert "Salesforce (system) — 1 contract in force, USD 30,000 a year" in shown  # an opportunity
    assert shown.count("Salesforce —") == 1 and "salesforce" not in shown.replace("Salesforce", "")
    assert "2 of 6 categories" not in answer(slack, fake, BUYER, "scorecard")  # systems are not categories

    # The quarterly check's Change form has each system too; saving changes one.
    clock.set(datetime(2026, 11, 17, 9, 0, tzinfo=timezone.utc))
    Schedule(bot.core, holder="test").tick()
    [dm] = [c for c in fake.calls_to("chat.postMessage")
            if c.args["channel"] == dm_of(IT) and "Sourcing map check" in json.dumps(c.args.get("blocks"))]
    assert "Salesforce — open to a supplier" in json.dumps(dm.args["blocks"], ensure_ascii=False)
    [buttons] = [b["elements"] for b in dm.args["blocks"] if b["type"] == "actions"]
    click_in_dm(slack, IT, buttons[1], dm)
    [opened] = fake.wait_for("views.open")
    inputs = {b["block_id"]: b for b in opened.args["view"]["blocks"] if b["type"] == "input"}
    assert list(inputs)[-2:] == ["system:Payroll Engine", "system:Salesforce"]
    assert inputs["system:Salesforce"]["label"]["text"] == "Salesforce (system)"
    assert inputs["system:Salesforce"]["element"]["initial_option"]["value"] == "open"
    slack.submit(IT, "sourcing_modal", {"system:Salesforce": select("in-house"), "system:Unknown": select("open")})
    fake.wait_until("chat.postMessage", lambda a: "Salesforce: keep in-house" in a.get("text", ""))
    stances = bot.core.sourcing.stances()
    assert stances["system:Salesforce"].stance.value == "in-house" and "system:Unknown" not in stances


def test_a_stance_is_cleared_by_who_may_set_it_audited_and_clearing_nothing_says_so(slack, fake, bot):
    db = bot.core.store.db
    cleared = lambda: [(row["actor"], json.loads(row["before"]), json.loads(row["after"])) for row in db.query(  # noqa: E731
        "select * from events where action = 'stance cleared' order by id")]
    add_contract(bot)  # IT owns a contract in force
    answer(slack, fake, IT, "sourcing set software open")
    answer(slack, fake, IT, "sourcing set system Salesforce managed")

    # Someone who may not set a stance may not clear one either; nothing is removed.
    assert "set by the IT owners of contracts and admins" in answer(slack, fake, BUYER, "sourcing clear software")
    assert "set by the IT owners of contracts and admins" in answer(slack, fake, BUYER, "sourcing clear system Salesforce")
    assert set(bot.core.sourcing.stances()) == {"software", "system:Salesforce"} and cleared() == []

    # The system is found whatever the case it is typed in.
    assert ("IT's stance on Salesforce (system) is cleared; the map no longer lists it."
            in answer(slack, fake, IT, "sourcing clear system SALESFORCE"))
    shown = answer(slack, fake, BUYER, "sourcing")
    assert "Salesforce" not in shown and "No system has a stance of its own" in shown
    assert ("IT's stance on software is cleared; the map shows it as not set."
            in answer(slack, fake, ADMIN, "sourcing clear software"))
    assert "software — not set" in answer(slack, fake, BUYER, "sourcing")
    assert cleared() == [(IT, {"category": "system:Salesforce", "stance": "managed"}, {"category": "system:Salesforce"}),
                         (ADMIN, {"category": "software", "stance": "open"}, {"category": "software"})]

    # Clearing what has no stance says so and writes nothing.
    assert "IT has no stance on software; nothing was cleared." in answer(slack, fake, IT, "sourcing clear software")
    assert ("IT has no stance on Zoom (system); nothing was cleared."
            in answer(slack, fake, IT, "sourcing clear system Zoom"))
    assert "'gadgets' is not a category" in answer(slack, fake, IT, "sourcing clear gadgets")
    assert "`sourcing clear &lt;category&gt;`, `sourcing clear system &lt;name&gt;`" in answer(
        slack, fake, IT, "sourcing clear")  # the usage names both
    assert len(cleared()) == 2 and bot.core.sourcing.stances() == {}
