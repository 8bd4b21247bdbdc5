"""Shortcuts through the wire: "Send to procurement" on a message and "New IT need" from
anywhere, with payloads shaped as Slack sends them (message_action and shortcut)."""

import json

from handlers.slack.ids import Shortcuts, Views
from tests.conftest import IT
from tests.handlers.slack.conftest import CHANNEL, need_values

IT_CHANNEL = "C0ITTEAM"
LONG = "We are out of Zoom seats again " * 10


def message_action(slack, message: dict, channel: str = IT_CHANNEL, user: str = IT) -> tuple[int, str]:
    payload = {
        "type": "message_action", "token": "legacy", "action_ts": "1700000100.000001",
        "team": {"id": "T0TEAM", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM", "name": user.lower()},
        "channel": {"id": channel, "name": "it"}, "is_enterprise_install": False, "enterprise": None,
        "callback_id": Shortcuts.SEND_TO_PROCUREMENT, "trigger_id": "trigger.shortcut",
        "response_url": slack.response_url(), "message_ts": message["ts"],
        "message": {"type": "message", "user": "U0SOMEONE", "team": "T0TEAM", **message},
    }
    return slack.interact(payload)


def opened_form(fake) -> dict:
    [call] = fake.calls_to("views.open")
    return call.args["view"]


def initial(view: dict, block: str):
    [found] = [b for b in view["blocks"] if b.get("block_id") == block]
    return found["element"].get("initial_value")


def test_a_message_becomes_a_prefilled_need_and_its_thread_links_to_the_card(slack, fake, bot):
    text = ("*We're out of Zoom seats* :zoom:  for the <https://example.com/plan|Q1 plan>\n"
            "Need 20 more before &lt;Monday&gt;, ask <@U0BOSS>")
    status, _ = message_action(slack, {"ts": "1700000000.000200", "text": text})
    assert status == 200
    view = opened_form(fake)
    assert view["callback_id"] == Views.NEED
    assert initial(view, "title") == "We're out of Zoom seats for the Q1 plan"
    details = initial(view, "details")
    assert details.startswith("*We're out of Zoom seats* :zoom:  for the Q1 plan (https://example.com/plan)\n")
    assert "Q1 plan (https://example.com/plan)" in details and "before <Monday>, ask @U0BOSS" in details
    [link] = fake.calls_to("chat.getPermalink")
    assert (link.args["channel"], link.args["message_ts"]) == (IT_CHANNEL, "1700000000.000200")
    assert details.endswith(f"From the message: {link.answer['permalink']}")

    fake.reset()
    slack.submit(IT, Views.NEED, need_values(title=initial(view, "title"), details=details),
                 private_metadata=view["private_metadata"])
    card = fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL and "thread_ts" not in a)
    reply = fake.wait_until("chat.postMessage", lambda a: a["channel"] == IT_CHANNEL)
    assert reply.args["thread_ts"] == "1700000000.000200"
    card_link = f"https://example.slack.com/archives/{CHANNEL}/p{card.answer['ts'].replace('.', '')}"
    assert f"<{card_link}|#1>" in reply.args["text"] and "out of Zoom seats" in reply.args["text"]
    assert bot.core.requests.get(1).title == "We're out of Zoom seats for the Q1 plan"


def test_a_reply_in_a_thread_is_answered_in_that_thread_and_long_text_fits_the_form(slack, fake, bot):
    message_action(slack, {"ts": "1700000000.000300", "thread_ts": "1700000000.000100", "text": LONG * 20})
    view = opened_form(fake)
    title, details = initial(view, "title"), initial(view, "details")
    assert len(title) <= 150 and title.endswith("…") and title.startswith("We are out of Zoom seats")
    assert len(details) <= 3000 and "From the message: https://" in details, "the link is always kept"
    fake.reset()
    slack.submit(IT, Views.NEED, need_values(title=title, details=details), private_metadata=view["private_metadata"])
    reply = fake.wait_until("chat.postMessage", lambda a: a["channel"] == IT_CHANNEL)
    assert reply.args["thread_ts"] == "1700000000.000100", "the thread the message is in"


def test_a_confidential_need_shows_only_its_number_in_the_other_channel(slack, fake, bot):
    message_action(slack, {"ts": "1700000000.000400", "text": "Laptop for the acquisition team"})
    view = opened_form(fake)
    slack.submit(IT, Views.NEED, need_values(title="Laptop for Project Falcon", sensitivity="restricted"),
                 private_metadata=view["private_metadata"])
    reply = fake.wait_until("chat.postMessage", lambda a: a["channel"] == IT_CHANNEL)
    assert "#1" in reply.args["text"] and "Falcon" not in reply.args["text"]


def test_a_message_in_a_channel_tandem_is_not_in(slack, fake, bot):
    """The form still opens (the link where Slack gives one); the need is posted; the thread
    reply is refused, so the person is told privately, and nothing is posted twice."""
    fake.not_member.add(IT_CHANNEL)
    message_action(slack, {"ts": "1700000000.000500", "text": "New monitors for the support desk"})
    view = opened_form(fake)
    assert initial(view, "title") == "New monitors for the support desk"
    fake.reset()
    slack.submit(IT, Views.NEED, need_values(title="New monitors", details=initial(view, "details")),
                 private_metadata=view["private_metadata"])
    told = fake.wait_for("response_url")[0]
    assert told.args["response_type"] == "ephemeral" and "/invite @Tandem" in told.args["text"]
    assert "#1" in told.args["text"]
    assert [c.args["channel"] for c in fake.calls_to("chat.postMessage") if "thread_ts" not in c.args
            and c.args["channel"] == CHANNEL] == [CHANNEL], "one card"
    assert len(bot.core.requests.list(IT, "all").items) == 1


def test_a_private_channel_tandem_cannot_see_gives_no_link_but_still_a_form(slack, fake, bot):
    fake.hidden.add("G0PRIVATE")
    message_action(slack, {"ts": "1700000000.000600", "text": "VPN licences"}, channel="G0PRIVATE")
    view = opened_form(fake)
    assert initial(view, "title") == "VPN licences" and initial(view, "details") == "VPN licences"


def test_a_message_with_only_files(slack, fake, bot):
    message_action(slack, {"ts": "1700000000.000700", "text": "",
                           "files": [{"id": "F1", "name": "quote.pdf", "title": "quote.pdf"},
                                     {"id": "F2", "name": "specs.xlsx", "title": "specs"}]})
    view = opened_form(fake)
    assert initial(view, "title") == "Files: quote.pdf, specs.xlsx"
    assert initial(view, "details").startswith("Files: quote.pdf, specs.xlsx\n\nFrom the message: https://")


def test_the_global_shortcut_opens_an_empty_form(slack, fake, bot):
    status, _ = slack.interact({
        "type": "shortcut", "token": "legacy", "action_ts": "1700000100.000002",
        "team": {"id": "T0TEAM", "domain": "example"}, "user": {"id": IT, "username": "it", "team_id": "T0TEAM"},
        "is_enterprise_install": False, "enterprise": None, "callback_id": Shortcuts.NEW_NEED,
        "trigger_id": "trigger.global"})
    assert status == 200
    view = opened_form(fake)
    assert view["callback_id"] == Views.NEED and initial(view, "title") is None
    assert not view.get("private_metadata")
    slack.submit(IT, Views.NEED, need_values())
    assert [c.args["channel"] for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL] == [CHANNEL]


def test_a_forged_form_metadata_is_refused_and_nothing_is_saved(slack, fake, bot):
    status, body = slack.submit(IT, Views.NEED, need_values(), private_metadata=json.dumps({"source": "nonsense"}))
    assert status == 200 and json.loads(body)["response_action"] == "update"
    assert "could not read this form, so nothing was changed" in body
    bot.executor.shutdown(wait=True)
    assert bot.core.requests.list(IT, "all").total == 0
    assert not fake.calls_to("chat.postMessage")


def test_control_and_invisible_characters_of_a_message_never_reach_the_form(slack, fake, bot):
    """A message can carry NUL, other control characters, bidirectional controls and zero-width
    characters; the form is prefilled with them removed, as what is typed into it will be."""
    text = "New\x00 lap\u200btop\u202e for\x07 Ivy\nWhy:\x1b it broke\u2066"
    status, _ = message_action(slack, {"ts": "1700000000.000900", "text": text,
                                       "files": [{"name": "quote\x00.pdf"}]})
    assert status == 200
    view = opened_form(fake)
    assert initial(view, "title") == "New laptop for Ivy"
    details = initial(view, "details")
    assert details.startswith("New laptop for Ivy\nWhy: it broke") and "quote.pdf" in details
    shown = json.dumps(view["blocks"])
    for char in ("\\u0000", "\\u0007", "\\u001b", "\\u200b", "\\u202e", "\\u2066"):
        assert char not in shown
