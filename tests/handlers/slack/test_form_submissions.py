"""Every Slack form is submitted in one order (handlers.slack.forms): a form whose fields the
core refuses is answered in the form itself (``response_action="errors"``) and no work is
scheduled, so nothing is saved and nobody is told anything else, whichever form it is."""

from __future__ import annotations

import json

import pytest

from handlers.slack.ids import HealthIds, Views
from tests.conftest import BUYER, IT, need
from tests.handlers.slack.conftest import need_values
from tests.handlers.slack.test_contracts import contract_values
from tests.handlers.slack.test_health import form_state
from tests.handlers.slack.test_renewal_fulfilment import renewal_ordered, renewal_values
from tests.scenario import snapshot


def text(value: str) -> dict:
    return {"value": {"type": "plain_text_input", "value": value}}


def a_need(bot) -> str:
    return str(bot.core.requests.create(IT, need()).id)


def a_renewal(bot) -> str:
    return str(renewal_ordered(bot))


def nothing(bot) -> str:
    return ""


# form, who sends it, its refused values, the metadata Tandem wrote when it opened it (made by
# the setup), and the field the refusal is shown beside.
FORMS = {
    "need": (Views.NEED, IT, lambda: need_values(title=""), nothing, "title"),
    "edit": (Views.NEED_EDIT, IT, lambda: need_values(needed_by="2020-01-01"), a_need, "needed_by"),
    "note": (Views.NOTE, IT, lambda: {"note": text("   ")}, a_need, "note"),
    "contract": (Views.CONTRACT, BUYER, lambda: contract_values(end_date="2025-01-01"), nothing, "end_date"),
    "renewal": (Views.RENEWAL, BUYER, lambda: renewal_values("2026-12-31", "900"), a_renewal, "end_date"),
    "reject": (Views.REJECT, IT, lambda: {"reason": text("")},
               lambda bot: json.dumps({"request": int(a_need(bot)), "channel": "D0X", "ts": "1.1"}), "reason"),
    "sourcing": (Views.SOURCING, IT, lambda: {"software": {"value": {
        "type": "static_select", "selected_option": {"value": "maybe"}}}}, nothing, "software"),
    "health": (HealthIds.FORM, IT, lambda: form_state((4, None, 3, 4, 2, 5)), lambda bot: '{"round": 1}', "success"),
    "import": (Views.CONTRACT_IMPORT, BUYER, dict, nothing, "file"),
}


@pytest.mark.parametrize("name", FORMS)
def test_a_refused_field_is_shown_in_the_form_and_no_work_is_scheduled(slack, fake, bot, monkeypatch, name):
    callback_id, user, values, setup, field = FORMS[name]
    metadata = setup(bot)
    bot.executor.idle()
    scheduled = []
    later = bot.work.later
    monkeypatch.setattr(bot.work, "later", lambda job, busy=None: (scheduled.append(job), later(job, busy)))
    before, calls = snapshot(bot.core), len(fake.calls)

    status, body = slack.submit(user, callback_id, values(), metadata)

    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "errors", body
    assert field in answer["errors"] and all(answer["errors"].values())
    assert scheduled == [], "a refused form schedules no work"
    after = snapshot(bot.core)
    assert {table: rows for table, rows in after.items() if table != "replays"} == \
        {table: rows for table, rows in before.items() if table != "replays"}, "nothing is saved"
    assert [call.method for call in fake.calls[calls:]] == [], \
        "nobody is told anything but the form, and Slack is not asked anything before the ack"


def test_the_same_forms_with_their_fields_fixed_do_schedule_their_work(slack, fake, bot, monkeypatch):
    """The spy sees work when there is some: a valid form is acked empty and its job scheduled."""
    metadata = a_need(bot)
    bot.executor.idle()
    scheduled = []
    later = bot.work.later
    monkeypatch.setattr(bot.work, "later", lambda job, busy=None: (scheduled.append(job), later(job, busy)))
    assert slack.submit(IT, Views.NOTE, {"note": text("Quote received")}, metadata) == (200, "")
    assert len(scheduled) == 1
    assert [note.text for note in bot.core.requests.show(IT, 1).notes] == ["Quote received"]


@pytest.mark.parametrize("name", ["need", "contract"])
def test_a_form_is_read_before_its_ack_without_asking_slack_anything(slack, fake, bot, name):
    """A person Tandem has not looked up yet (its process restarted since the form opened): the
    form is read in TANDEM_LOCALE at once; users.info, held here, is never waited on."""
    callback_id, user, values, setup, field = FORMS[name]
    metadata = setup(bot)
    bot.executor.idle()
    bot.locales._known.clear()
    held = fake.hold("users.info")
    try:
        status, body = slack.submit(user, callback_id, values(), metadata)
        assert status == 200 and json.loads(body)["response_action"] == "errors"
        assert fake.calls_to("users.info:held") == []
    finally:
        held.set()
