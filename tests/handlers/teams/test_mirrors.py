"""One discussion on two platforms: a reply in a request card's Slack thread appears in its
Teams card's thread and the other way round, attributed to its author, exactly once, never
echoed back; edits and deletions follow; a confidential request's replies are not repeated.
Slack by signed HTTP events against the fake Web API, Teams by activities to /api/messages."""

import threading

import pytest

from bot.config import Settings
from handlers.platforms import build
from handlers.slack.platform import SlackPlatform
from handlers.slack.server import make_server, serve, stop
from handlers.teams.ids import Verbs
from handlers.teams.platform import TeamsPlatform
from handlers.teams.server import TeamsServer
from tests.handlers.slack.conftest import SECRET, SlackSender
from tests.handlers.teams.conftest import BUYER, CHANNEL, CREDENTIALS, IT, TeamsSender, invoke_text
from tests.handlers.teams.test_lifecycle import NEED
from testing.slack import FakeSlack
from testing.teams import OnlyHosts, app_connections

SLACK_CHANNEL = "C0SHARED"
ALEX = "U0ALEX0001"  # a Slack-only person


@pytest.fixture
def slack_fake():
    fake = FakeSlack().start()
    fake.display_names[ALEX] = "Alex"
    yield fake
    fake.stop()
    assert fake.invalid == []


@pytest.fixture
def both(tmp_path, clock, slack_fake, connector, microsoft_keys):
    settings = Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack_fake.api_url,
        "TANDEM_CHANNEL": SLACK_CHANNEL, "TANDEM_PROCUREMENT": BUYER.aad, "TANDEM_DB": str(tmp_path / "tandem.db"),
        "TEAMS_CHANNEL": CHANNEL, **CREDENTIALS,
    })
    platforms = [SlackPlatform(settings), TeamsPlatform(settings, clock, manager=app_connections(),
                                                        hosts=OnlyHosts(connector.service_url))]
    core = build(settings, platforms, clock)
    slack_bot, teams_bot = platforms[0].bot, platforms[1].bot
    teams_server = TeamsServer(teams_bot, host="127.0.0.1", port=0).start()
    slack_server = make_server(slack_bot.app, core, host="127.0.0.1", port=0, threads=4, asyncore_loop_timeout=0.05)
    thread = threading.Thread(target=serve, args=(slack_server,), daemon=True)
    thread.start()
    slack = SlackSender(f"http://127.0.0.1:{slack_server.effective_port}", slack_fake, settle=slack_bot.work.idle)
    yield core, slack, TeamsSender(teams_server.url, connector)
    stop(slack_server)
    thread.join(timeout=5)
    teams_server.stop()
    for platform in reversed(platforms):
        platform.close()
    core.close()


def post_need(core, teams, connector, slack_fake, **overrides) -> tuple[str, str]:
    """A need posted from Teams: its Slack card's ts and its Teams card's ID."""
    teams.install_in_team()
    teams.say(IT, "help")
    teams.say(BUYER, "help")
    answer = teams.click(IT, Verbs.NEED, {**NEED, **overrides}, where="personal")[1]
    assert "is posted in the channel" in invoke_text(answer)
    [slack_card] = [c for c in slack_fake.calls_to("chat.postMessage") if c.args["channel"] == SLACK_CHANNEL]
    [teams_card] = connector.of("send", CHANNEL)
    return slack_card.answer["ts"], teams_card.answer["id"]


def slack_reply(slack, card_ts: str, text: str, ts: str, user: str = ALEX) -> dict:
    event = {"type": "message", "channel": SLACK_CHANNEL, "user": user, "text": text, "ts": ts, "thread_ts": card_ts,
             "channel_type": "channel", "event_ts": ts}
    assert slack.event(event, event_id=f"Ev{ts.replace('.', '')}")[0] == 200
    return event


def in_slack_thread(slack_fake, card_ts: str) -> list:
    return [c for c in slack_fake.calls_to("chat.postMessage") if c.args.get("thread_ts") == card_ts]


def notes(core) -> list[tuple[str, str]]:
    return [(n.author, n.text) for n in core.requests.show(BUYER.aad, 1).notes]


def test_a_slack_reply_appears_once_in_the_teams_thread_and_follows_edits_and_deletes(
        both, slack_fake, connector):
    core, slack, teams = both
    card_ts, teams_card = post_need(core, teams, connector, slack_fake)
    thread = f"{CHANNEL};messageid={teams_card}"
    connector.reset()

    reply = slack_reply(slack, card_ts, "Quote from Zoom is *attached*", "1700000200.000100")
    [copy] = connector.of("send", thread)
    assert copy.body["text"] == "Alex in Slack: Quote from Zoom is *attached*" and copy.body["textFormat"] == "plain"
    assert notes(core) == [(ALEX, "Quote from Zoom is *attached*")]
    assert in_slack_thread(slack_fake, card_ts) == [], "nothing is posted back into the Slack thread"

    # Slack retries the event (same message): stored once, copied once.
    slack.event(reply, event_id="Ev0RETRY", retry=1)
    assert len(connector.of("send", thread)) == 1 and len(notes(core)) == 1

    # Edited in Slack: the copy in Teams is rewritten in place.
    slack.event({"type": "message", "subtype": "message_changed", "hidden": True, "channel": SLACK_CHANNEL,
                 "ts": "1700000300.000200", "event_ts": "1700000300.000200",
                 "message": {**reply, "text": "Quote from Zoom: 7,200 USD", "edited": {"user": ALEX}},
                 "previous_message": reply}, event_id="Ev0EDIT")
    [edit] = connector.of("update", thread)
    assert edit.activity_id == copy.answer["id"] and edit.body["text"] == "Alex in Slack: Quote from Zoom: 7,200 USD"

    # Deleted in Slack: the note and its copy in Teams are deleted.
    slack.event({"type": "message", "subtype": "message_deleted", "hidden": True, "channel": SLACK_CHANNEL,
                 "ts": "1700000400.000300", "deleted_ts": reply["ts"], "event_ts": "1700000400.000300",
                 "previous_message": reply}, event_id="Ev0DELETE")
    [deleted] = connector.of("delete")
    assert (deleted.conversation, deleted.activity_id) == (thread, copy.answer["id"])
    assert notes(core) == []
    assert core.store.db.execute("select count(*) from comment_mirrors").fetchone()[0] == 0


def test_a_teams_reply_appears_once_in_the_slack_thread_and_tandems_copies_are_never_stored(
        both, slack_fake, connector):
    core, slack, teams = both
    card_ts, teams_card = post_need(core, teams, connector, slack_fake)
    slack_fake.reset()

    assert teams.reply_in_thread(BUYER, "I asked <Zoom> for a quote", teams_card, message_id="1700000001111")[0] in \
        (200, 202)
    [copy] = in_slack_thread(slack_fake, card_ts)
    assert copy.args["text"] == "Bo Buyer in Teams: I asked &lt;Zoom&gt; for a quote", "escaped: nothing pings"
    assert notes(core) == [(BUYER.aad, "I asked <Zoom> for a quote")]
    assert connector.of("send", f"{CHANNEL};messageid={teams_card}") == [], "nothing posted back in Teams"

    # Teams delivers the message again: one note, one copy.
    teams.reply_in_thread(BUYER, "I asked <Zoom> for a quote", teams_card, message_id="1700000001111")
    assert len(in_slack_thread(slack_fake, card_ts)) == 1 and len(notes(core)) == 1

    # Slack tells Tandem about its own copy (a bot message): it is not stored, not copied back.
    connector.reset()
    slack.event({"type": "message", "subtype": "bot_message", "channel": SLACK_CHANNEL, "bot_id": "B0TANDEM",
                 "text": copy.args["text"], "ts": copy.answer["ts"], "thread_ts": card_ts,
                 "event_ts": copy.answer["ts"]}, event_id="Ev0ECHO")
    slack.event({"type": "message", "channel": SLACK_CHANNEL, "bot_id": "B0TANDEM", "user": "U0TANDEM",
                 "text": copy.args["text"], "ts": "1700000900.000900", "thread_ts": card_ts,
                 "event_ts": "1700000900.000900"}, event_id="Ev0ECHO2")
    assert len(notes(core)) == 1 and connector.of("send") == []
    # Nor a Teams activity from Tandem itself, should Teams ever deliver one.
    own = teams.base(BUYER, *teams.channel(teams_card))
    own.update(type="message", text="Alex in Slack: hi", textFormat="plain", replyToId=teams_card, id="17000000999",
               **{"from": {"id": own["recipient"]["id"], "name": "Tandem"}})
    teams.post(own)
    assert len(notes(core)) == 1 and len(in_slack_thread(slack_fake, card_ts)) == 1

    # Edited, then deleted in Teams: the Slack copy follows.
    teams.edit_in_thread(BUYER, "1700000001111", "I asked Zoom and Webex for quotes", teams_card)
    [edit] = [c for c in slack_fake.calls_to("chat.update") if c.args["ts"] == copy.answer["ts"]]
    assert edit.args["text"] == "Bo Buyer in Teams: I asked Zoom and Webex for quotes"
    teams.delete_in_thread(BUYER, "1700000001111", teams_card)
    [deleted] = slack_fake.calls_to("chat.delete")
    assert (deleted.args["channel"], deleted.args["ts"]) == (SLACK_CHANNEL, copy.answer["ts"])
    assert notes(core) == []


def test_a_confidential_requests_replies_are_not_repeated_in_the_other_channel(both, slack_fake, connector):
    core, slack, teams = both
    card_ts, teams_card = post_need(core, teams, connector, slack_fake, sensitivity="confidential")
    connector.reset()
    slack_reply(slack, card_ts, "The admin password is hunter2", "1700000200.000100")
    [copy] = connector.of("send", f"{CHANNEL};messageid={teams_card}")
    assert copy.body["text"] == "Alex in Slack: replied on #1, which is confidential; see Open on the card."
    assert "hunter2" not in copy.text
    assert notes(core) == [(ALEX, "The admin password is hunter2")], "stored for those who may see it"


def test_a_copy_one_platform_refuses_does_not_lose_the_reply(both, slack_fake, connector):
    core, slack, teams = both
    card_ts, teams_card = post_need(core, teams, connector, slack_fake)
    connector.reset()
    connector.fail("send", 503)
    slack_reply(slack, card_ts, "Budget approved", "1700000200.000100")
    assert notes(core) == [(ALEX, "Budget approved")]
    assert core.store.db.execute("select count(*) from comment_mirrors").fetchone()[0] == 0
