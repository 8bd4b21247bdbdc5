"""Thread replies keep Slack's people, channels and links: live in Slack's views, as words in
Teams and the shell; a typed ``<@U…>`` or ``<!channel>`` never becomes a mention or a
broadcast; shared and forwarded messages are labelled with where they came from."""

import json

from handlers.shell import render as shell
from handlers.teams import cards as teams
from tests.conftest import BUYER, IT, need
from tests.handlers.slack.conftest import CHANNEL
from tests.handlers.slack.test_lifecycle import post_need

REPLY = ("ping <@U043H11ES4V> in <#C0GENERAL|general>, see <https://wiki.example/a?b=1&amp;c=2|the docs> "
         "&lt;@U0BOSS&gt; &lt;!channel&gt; <!here> &amp; <mailto:ann@example.com|ann@example.com>")


def reply(slack, ts, text, n=1, **extra):
    event = {"type": "message", "channel": CHANNEL, "user": IT, "text": text, "ts": f"1700000300.{n:06d}",
             "thread_ts": ts, **extra}
    assert slack.event(event)[0] == 200


def shown(slack, fake, number=1) -> str:
    fake.reset()
    slack.command("/procure", f"show {number}", IT)
    return json.dumps(fake.wait_for("response_url")[0].args["blocks"], ensure_ascii=False)


def comment(shown_blocks: str) -> str:
    return shown_blocks.split("*Comments*")[1].split("*History*")[0]


def test_a_reply_s_people_channels_and_links_stay_live_in_slack_and_typed_markup_stays_words(slack, fake, bot):
    ts = post_need(slack, fake).answer["ts"]
    reply(slack, ts, REPLY)
    text = comment(shown(slack, fake))
    assert "<@U043H11ES4V>" in text and "&lt;@U043H11ES4V&gt;" not in text
    assert "<#C0GENERAL|general>" in text
    assert "<https://wiki.example/a?b=1&amp;c=2|the docs>" in text
    assert "<mailto:ann@example.com|ann@example.com>" in text
    # typed by the person: shown as typed, never a mention or a broadcast
    assert "&lt;@U0BOSS&gt;" in text and "<@U0BOSS>" not in text
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    # a broadcast they sent in the thread is not sent again by Tandem's views
    assert "<!here>" not in text and "@here" in text
    assert " &amp; " in text

    # the same note in Teams and the shell: words
    details = bot.core.requests.show(IT, 1)
    names = {"U043H11ES4V": "Ann Lee", IT: "Ivy"}
    line = shell.details(details, names).split("Comments:")[1]
    assert ("@Ann Lee in #general, see the docs (https://wiki.example/a?b=1&c=2) <@U0BOSS> <!channel> @here & "
            "ann@example.com") in line
    card = json.dumps(teams.request_details(details, names=lambda user: names.get(user, user or "nobody")),
                      ensure_ascii=False).replace("\\\\", "")  # Teams escapes "(", "#" with "\\"
    assert "@Ann Lee in #general, see the docs (https://wiki.example/a?b=1&c=2)" in card
    assert "<@U043H11ES4V>" not in card
    # exports and other plain readers get the words with people's IDs
    assert details.notes[0].text.startswith("ping @U043H11ES4V in #general, see the docs (https://wiki.example/")


def test_an_edited_reply_keeps_its_markup(slack, fake, bot):
    ts = post_need(slack, fake).answer["ts"]
    reply(slack, ts, "first")
    slack.event({"type": "message", "channel": CHANNEL, "subtype": "message_changed", "ts": "1700000300.000009",
                 "message": {"user": IT, "text": "ask <@U043H11ES4V>", "ts": "1700000300.000001", "thread_ts": ts}})
    text = comment(shown(slack, fake))
    assert "ask <@U043H11ES4V>" in text and "first" not in text


def test_a_shared_or_forwarded_message_is_labelled_with_where_it_came_from(slack, fake, bot):
    ts = post_need(slack, fake).answer["ts"]
    # "Share message" / forward: the shared message in an attachment, the person's words in text
    reply(slack, ts, "FYI", 1, attachments=[{
        "is_share": True, "is_msg_unfurl": True, "channel_id": "C0GENERAL", "channel_name": "general",
        "author_id": "U043H11ES4V", "ts": "1699999999.000100", "text": "Renewal quote from <@U043H11ES4V>",
        "from_url": "https://example.slack.com/archives/C0GENERAL/p1699999999000100"}])
    # forwarded from a DM, with no words of their own and only a fallback
    reply(slack, ts, "", 2, attachments=[{"is_share": True, "channel_id": "D0ANN", "channel_name": "Direct Message",
                                          "fallback": "the price is final"}])
    # a file with no words
    reply(slack, ts, "", 3, subtype="file_share", files=[{"id": "F1", "name": "quote.pdf"}])
    text = comment(shown(slack, fake))
    assert "FYI\\nshared a message from <#C0GENERAL|general>: Renewal quote from <@U043H11ES4V>" in text
    assert "shared a message from a direct message: the price is final" in text
    assert "shared a file: quote.pdf" in text
    assert "(shared a file)" not in text
    plain = [note.text for note in bot.core.requests.show(IT, 1).notes]
    assert plain == ["FYI\nshared a message from #general: Renewal quote from @U043H11ES4V",
                     "shared a message from a direct message: the price is final", "shared a file: quote.pdf"]


def test_a_typed_mention_in_a_title_quoted_by_tandem_stays_words(slack, fake, bot):
    bot.core.requests.create(IT, need(title="Laptop for <@U0BOSS> <!channel>"))
    fake.reset()
    slack.command("/procure", "claim 1", BUYER)
    answer = json.dumps(fake.wait_for("response_url")[0].args, ensure_ascii=False)
    assert "You claimed #1 Laptop for" in answer
    assert "<@U0BOSS>" not in answer and "<!channel>" not in answer


def test_a_typed_mention_in_an_action_item_quoted_by_tandem_stays_words(slack, fake, bot):
    fake.reset()
    slack.command("/procure", f"action <@{BUYER}> ask <@U0BOSS> about <!here> by 2030-01-01", IT)
    answer = json.dumps(fake.wait_for("response_url")[0].args, ensure_ascii=False)
    assert f"<@{BUYER}>" in answer  # the person Tandem names stays a mention
    assert "<@U0BOSS>" not in answer and "<!here>" not in answer
