"""The health check through Slack: the survey DM, its form by signed requests, `/procure
health`, the digest's section — every payload validated by the fake Slack, and none that
puts a respondent's ID next to their scores."""

import json
import logging
import re
import statistics
from datetime import datetime, timezone

from slack_sdk.models.views import View

from bot import health
from bot.schedule import Schedule
from handlers.slack import health_blocks
from handlers.slack.ids import HealthIds
from storage import health as repo
from tests.anonymity import assert_anonymous
from tests.conftest import ADMIN, BUYER, BUYER2, IT, IT2, need
from tests.handlers.slack.conftest import CHANNEL

DEC = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)  # the first Monday, 10:00: the default cron
NEXT_DIGEST = datetime(2026, 12, 14, 9, 0, tzinfo=timezone.utc)
DECIMAL = re.compile(r"\d\.\d")


def dm_of(user: str) -> str:
    return "D" + user.lstrip("UW")


def survey_dms(fake) -> dict[str, object]:
    """The survey DMs by channel."""
    return {c.args["channel"]: c for c in fake.calls_to("chat.postMessage")
            if c.args.get("text", "").startswith("Tandem health check")}


def send_the_survey(bot, fake, clock, *requesters) -> dict[str, object]:
    for person in requesters:
        request = bot.core.requests.create(person, need(title="Docking stations"))
        bot.core.requests.cancel(person, request.id)  # asked for having posted; the digest lists nobody
    clock.set(DEC)
    fake.reset()
    Schedule(bot.core).tick()
    return survey_dms(fake)


def take_the_check(slack, user: str, dm) -> tuple[int, str]:
    """The "Take the 1-minute check" button on ``user``'s survey DM, as Slack sends it."""
    button = next(e for b in dm.args["blocks"] if b["type"] == "actions" for e in b["elements"])
    payload = {
        "type": "block_actions", "team": {"id": "T0TEAM"}, "user": {"id": user}, "api_app_id": "A0TANDEM",
        "token": "legacy", "trigger_id": f"trigger.{user}.{next(slack._ids)}", "response_url": slack.response_url(),
        "container": {"type": "message", "channel_id": dm.answer["channel"], "message_ts": dm.answer["ts"]},
        "channel": {"id": dm.answer["channel"]},
        "message": {"ts": dm.answer["ts"], "text": dm.args["text"], "blocks": dm.args["blocks"]},
        "actions": [{"action_id": button["action_id"], "block_id": HealthIds.SURVEY_BLOCK, "type": "button",
                     "value": button["value"], "action_ts": "1700000000.3"}],
    }
    return slack.interact(payload)


def form_state(scores, comment: str = "") -> dict:
    """The health check form's state as Slack submits it (a score of None: not chosen)."""
    values = {
        statement.key: {"value": {"type": "static_select",
                                  "selected_option": {"value": str(score)} if score is not None else None}}
        for statement, score in zip(health.STATEMENTS, scores)
    }
    values[health.COMMENT] = {"value": {"type": "plain_text_input", "value": comment or None}}
    return values


def answer(slack, fake, user: str, scores, comment: str = "", dm=None) -> tuple[int, str]:
    """Opens the form from ``user``'s DM and submits it."""
    before = len(fake.calls_to("views.open"))
    assert take_the_check(slack, user, dm)[0] == 200
    opened = fake.wait_for("views.open", before + 1)[-1]
    metadata = opened.args["view"]["private_metadata"]
    return slack.submit(user, HealthIds.FORM, form_state(scores, comment), private_metadata=metadata)


def test_the_survey_dm_opens_a_form_that_takes_one_answer_per_person(slack, fake, bot, clock):
    dms = send_the_survey(bot, fake, clock, IT)
    assert sorted(dms) == sorted(dm_of(p) for p in (IT, BUYER, BUYER2, ADMIN))
    dm = dms[dm_of(IT)]
    shown = json.dumps(dm.args["blocks"], ensure_ascii=False)
    assert "The December 2026 health check" in shown
    assert all(f"{n}. {s.text}" in shown for n, s in enumerate(health.STATEMENTS, start=1))
    [button] = [e for b in dm.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["text"]["text"]) == (HealthIds.OPEN, "Take the 1-minute check")
    survey = repo.latest_round(bot.core.store.db)
    assert button["value"] == str(survey.id)

    assert take_the_check(slack, IT, dm)[0] == 200
    [opened] = fake.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == HealthIds.FORM and view["submit"]["text"] == "Send anonymously"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == [*health.KEYS, health.COMMENT]
    selects = [b for b in inputs if b["element"]["type"] == "static_select"]
    assert len(selects) == 6 and all(not b.get("optional") for b in selects)
    assert [o["value"] for o in selects[0]["element"]["options"]] == ["1", "2", "3", "4", "5"]
    assert selects[0]["element"]["options"][0]["text"]["text"] == "1 — Strongly disagree"
    assert inputs[-1]["optional"] is True and inputs[-1]["element"]["multiline"] is True
    assert json.loads(view["private_metadata"]) == {"round": survey.id, "channel": dm_of(IT), "ts": dm.answer["ts"]}

    status, body = slack.submit(IT, HealthIds.FORM, form_state((4, 5, 3, 4, 2, 5), "Quotes take weeks"),
                                private_metadata=view["private_metadata"])
    assert (status, body) == (200, "")
    assert [a.scores for a in repo.answers(bot.core.store.db, survey.id)] == [(4, 5, 3, 4, 2, 5)]
    [update] = fake.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (dm_of(IT), dm.answer["ts"])
    assert update.args["text"] == health_blocks.ANSWERED
    thanked = [b for b in update.args["blocks"] if b.get("block_id") == HealthIds.SURVEY_BLOCK]
    assert [b["type"] for b in thanked] == ["context"], "the button became a thank-you"
    assert thanked[0]["elements"][0]["text"] == health_blocks.ANSWERED and "Quotes" not in json.dumps(update.args)

    # A second go: the button says so at once, and a form still open says so in the form.
    take_the_check(slack, IT, dm)
    refusal = fake.wait_until("response_url", lambda a: "already answered" in a.get("text", ""))
    assert "You have already answered the December 2026 health check" in refusal.args["text"]
    status, body = slack.submit(IT, HealthIds.FORM, form_state((1,) * 6), private_metadata=view["private_metadata"])
    reply = json.loads(body)
    assert reply["response_action"] == "update" and "already answered" in json.dumps(reply["view"])
    View(**reply["view"]).to_dict()  # valid Block Kit
    assert len(repo.answers(bot.core.store.db, survey.id)) == 1


def test_the_form_is_validated_field_by_field(slack, fake, bot, clock):
    dms = send_the_survey(bot, fake, clock)
    take_the_check(slack, BUYER, dms[dm_of(BUYER)])
    metadata = fake.wait_for("views.open")[0].args["view"]["private_metadata"]
    status, body = slack.submit(BUYER, HealthIds.FORM, form_state((4, None, 3, 9, 2, 5), "c" * 1001),
                                private_metadata=metadata)
    reply = json.loads(body)
    assert reply["response_action"] == "errors"
    assert reply["errors"] == {"success": "Choose a score from 1 to 5.",
                               "risk": "'9' is not a score; choose one from 1 to 5.",
                               "comment": "Keep the comment under 1000 characters."}
    assert repo.count_answers(bot.core.store.db, repo.latest_round(bot.core.store.db).id) == 0


def test_someone_not_asked_is_told_so(slack, fake, bot, clock):
    dms = send_the_survey(bot, fake, clock)
    take_the_check(slack, IT2, dms[dm_of(BUYER)])  # a forwarded button
    refusal = fake.wait_until("response_url", lambda a: "not sent to you" in a.get("text", ""))
    assert refusal.args["response_type"] == "ephemeral"
    assert fake.calls_to("views.open") == []


ANSWERS = [
    (IT, (4, 5, 3, 4, 2, 5), "Quotes take weeks"),
    (BUYER, (2, 3, 3, 3, 1, 3), "Nobody knows who buys the licences"),
    (ADMIN, (3, 4, 2, 3, 4, 1), "Slow approvals"),
]


def test_results_from_three_answers_in_procure_health_and_the_next_digest(slack, fake, bot, clock, caplog):
    caplog.set_level(logging.INFO)
    dms = send_the_survey(bot, fake, clock, IT)
    for person, scores, comment in ANSWERS[:2]:
        assert answer(slack, fake, person, scores, comment, dm=dms[dm_of(person)]) == (200, "")

    slack.command("/procure", "health", IT2)
    waiting = fake.wait_until("response_url", lambda a: "results appear" in a.get("text", "") or
                              "results appear" in json.dumps(a.get("blocks", [])))
    assert "Health check · December 2026: 2 answers so far; results appear from 3 answers up." in \
        json.dumps(waiting.args["blocks"], ensure_ascii=False)
    assert not DECIMAL.search(json.dumps(waiting.args["blocks"])), "two answers: no numbers"

    person, scores, comment = ANSWERS[2]
    assert answer(slack, fake, person, scores, comment, dm=dms[dm_of(person)]) == (200, "")
    slack.command("/procure", "health", IT2)
    shown = fake.wait_until("response_url", lambda a: a.get("blocks") and a["blocks"][0]["type"] == "header")
    text = json.dumps(shown.args["blocks"], ensure_ascii=False)
    averages = [statistics.mean(column) for column in zip(*[s for _, s, _ in ANSWERS])]
    lowest = min(range(6), key=lambda i: (averages[i], i))
    assert "Health check · December 2026" in text and "3 answers (IT 1, procurement 2)" in text
    for statement, value in zip(health.STATEMENTS, averages):
        assert f"*{value:.1f}* · {statement.text}" in text
    assert f"*Lowest: {health.STATEMENTS[lowest].text}* ({averages[lowest]:.1f})" in text
    low_comments = [c for _, s, c in ANSWERS if s[lowest] <= 3]
    assert low_comments and all(f"> {c}" in text for c in low_comments)
    assert "Slow approvals" not in text, "a comment from someone who rated the lowest statement 4"

    clock.set(NEXT_DIGEST)
    Schedule(bot.core).tick()
    digest = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL
              and c.args.get("text", "").startswith("Tandem digest")][-1]
    posted = json.dumps(digest.args["blocks"], ensure_ascii=False)
    assert ":handshake: *Health check · December 2026*" in posted
    assert all(f"*{value:.1f}* · {statement.text}" in posted for statement, value in zip(health.STATEMENTS, averages))

    outputs = [json.dumps(call.args, ensure_ascii=False, default=repr) for call in fake.calls]
    outputs += [record.getMessage() for record in caplog.records]
    assert any("Nobody knows who buys the licences" in text for text in outputs), "comments are shown"
    assert_anonymous(outputs, ANSWERS)


def test_many_long_comments_stay_inside_one_section_and_a_quiet_digest_still_shows_the_check():
    from bot.digest import Digest, WeekNumbers
    from handlers.slack import schedule_blocks

    survey = health.HealthCheck(1, "2026-12", DEC)
    answers = [health.Answer("it" if n % 2 else "procurement", (3, 3, 3, 3, 1, 3),
                             f"Note {n} <!channel> " + "x" * 600) for n in range(60)]
    results = health.summarize(survey, answers)
    blocks = health_blocks.results_blocks(results)
    for block in blocks:
        block.to_dict()
    lowest = blocks[-1].text.text
    assert len(lowest) <= 3000 and lowest.endswith("more") and "…and " in lowest
    assert "<!channel>" not in lowest and "&lt;!channel&gt;" in lowest

    quiet = Digest(DEC.date(), 90, 5, [], [], [], [], WeekNumbers(0, 0, None, None), True, health=results)
    shown = schedule_blocks.digest_blocks(quiet)
    assert [b.type for b in shown[:3]] == ["header", "section", "divider"]
    assert shown[2:] == health_blocks.digest_section(results) and len(shown) <= 50
