"""Hostile input through Slack: ``/procure`` text and modal submissions with random and
hostile values, signed as Slack signs them and sent to the running bot.

Whatever arrives, the HTTP answer is 200 (or a 4xx for a body that is not Slack's), the
user gets an ephemeral answer, a DM or inline form errors, never "Something went wrong",
nothing anyone sees contains a traceback, and nothing the bot posts can ping the channel
or carry a forged link. The fake Slack also validates every Block Kit payload (see the
``fake`` fixture), so hostile text must never break a card, a list or a form.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.contracts import FIELDS as CONTRACT_FIELDS
from handlers.slack.ids import RequestFields, Views
from tests.conftest import ADMIN, BUYER, IT, IT2, need
from tests.contract_samples import contract_form as contract_sample
from tests.handlers.slack.conftest import CHANNEL, need_values
from tests.handlers.slack.test_contracts import contract_values
from tests.hostile import HOSTILE, assert_clear_message, command_text, contract_form, request_form
from tests.scenario import snapshot

# The bot, the fake Slack and the server are built once per test and shared by its examples;
# each example waits for the call that ends its own handling before the next one starts.
SLACK_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
PINGS = ("<!channel>", "<!here>", "<!everyone>")
NEED_BLOCKS = {field.value for field in RequestFields}


def on_the_wire(text: str) -> str:
    """Slack sends commands as UTF-8 form data, which cannot carry a lone surrogate."""
    return text.encode("utf-8", "replace").decode("utf-8")


HOSTILE_TITLE = "<!channel> Laptop <https://evil.example|login> & <@U0BOSS>"


def seed(bot) -> None:
    """Request #1 and contract 1 with hostile names to aim commands at, once per test."""
    if not bot.core.contracts.all():
        bot.core.requests.create(IT, need(title=HOSTILE_TITLE, details="<!here>", preferred_vendor="<!everyone>"))
        bot.core.contracts.add(BUYER, contract_sample(vendor="<!here> Okta", product="SSO <https://evil.example|x>",
                                                      notes="<!channel>"))


def wait_calls(fake, matches, count: int, timeout: float = 10.0) -> list:
    """Blocks until ``count`` recorded calls satisfy ``matches`` (a condition wait, no sleeping)."""
    def found():
        return [call for call in fake.calls if matches(call)]

    with fake._changed:
        done = fake._changed.wait_for(lambda: len(found()) >= count, timeout)
        calls = found()
    assert done, f"expected {count} matching calls, saw {len(calls)}: {[c.method for c in fake.calls]}"
    return calls


def ends_a_command(call) -> bool:
    return call.method in ("response_url", "views.open")


def is_dm(call) -> bool:
    return call.method == "chat.postMessage" and call.args.get("channel") != CHANNEL and not call.args.get("thread_ts")


def shown(call) -> str:
    return json.dumps(call.args, ensure_ascii=False)


def assert_clean(calls) -> None:
    """Nothing the bot sent says something went wrong, shows a traceback, pings anyone, or
    (in the channel) carries a link a user wrote."""
    for call in calls:
        if call.method == "file_upload":
            continue  # the calendar file's bytes: iCalendar text, not a message
        text = shown(call)
        assert "Something went wrong" not in text, text[:500]
        assert "Traceback" not in text, text[:500]
        for ping in PINGS:
            assert ping not in text, f"{call.method} carries {ping}: {text[:500]}"
        if call.method in ("chat.postMessage", "chat.update") and call.args.get("channel") == CHANNEL:
            assert "<https" not in text, f"a forged link in the channel: {text[:500]}"


@SLACK_SETTINGS
@given(text=command_text.map(on_the_wire), user=st.sampled_from([IT, IT2, BUYER, ADMIN]))
@example(text="note 1 <!channel> <https://evil.example|click> & <@U0BOSS>", user=IT2)
@example(text="list all", user=IT)
@example(text="show 1", user=IT)
@example(text="contracts 3650", user=IT)
@example(text="contract show 1", user=IT)
@example(text="claim ²", user=BUYER)
@example(text="status 1 " + "x" * 10_000, user=BUYER)
@example(text="contract show 1'; drop table contracts; --", user=IT)
def test_hostile_procure_text_always_gets_a_clear_ephemeral_answer(slack, fake, bot, text, user):
    seed(bot)
    start = len(fake.calls)
    ended = len(wait_calls(fake, ends_a_command, 0))
    status, _ = slack.command("/procure", text, user)
    assert status == 200
    for call in wait_calls(fake, ends_a_command, ended + 1)[ended:]:
        if call.method == "response_url":
            assert call.args["response_type"] == "ephemeral"
    assert_clean(fake.calls[start:])


@SLACK_SETTINGS
@given(form=request_form, user=st.sampled_from([IT, IT2, BUYER]))
@example(form=need(title=HOSTILE_TITLE, details="<!here> & <@U0BOSS>", preferred_vendor="<!everyone>"), user=IT)
@example(form=need(title="&lt;!here&gt; <!subteam^S0BUYERS>"), user=IT2)
@example(form=need(title="Laptop \ud800", quantity="²", needed_by="2027-02-30"), user=IT)
@example(form=need(title="x" * 10_000, details="'; drop table requests; --"), user=IT2)
def test_hostile_need_forms_get_inline_errors_or_a_posted_card(slack, fake, bot, form, user):
    start = len(fake.calls)
    told = len(wait_calls(fake, is_dm, 0))
    status, body = slack.submit(user, Views.NEED, need_values(**form))
    assert status == 200
    if body:
        answer = json.loads(body)
        assert answer["response_action"] == "errors"
        assert answer["errors"] and set(answer["errors"]) <= NEED_BLOCKS, answer["errors"]
        for message in answer["errors"].values():
            assert_clear_message(message)
    else:
        [dm] = wait_calls(fake, is_dm, told + 1)[told:]
        assert dm.args["text"].startswith(":white_check_mark: Your need"), dm.args["text"]
        assert any(call.method == "chat.postMessage" and call.args["channel"] == CHANNEL
                   for call in fake.calls[start:]), "the card is posted in the channel"
    assert_clean(fake.calls[start:])


@SLACK_SETTINGS
@given(form=contract_form, user=st.sampled_from([BUYER, BUYER, IT2]),
       metadata=st.sampled_from(["", "", "1", "²", "x"]))  # private_metadata: the contract an edit is for
@example(form=contract_sample(vendor="<!channel>", product="<https://evil.example|x>", notes="n" * 3000),
         user=BUYER, metadata="")
@example(form=contract_sample(notice_days="²", end_date="2027-02-30", it_owner="nobody@example.com"),
         user=BUYER, metadata="")
@example(form=contract_sample(vendor="Okta\ud800", product="SSO"), user=BUYER, metadata="1")
@example(form=contract_sample(vendor="Okta", product="SSO"), user=IT2, metadata="")
def test_hostile_contract_forms_get_inline_errors_or_a_dm(slack, fake, bot, form, user, metadata):
    seed(bot)
    start = len(fake.calls)
    told = len(wait_calls(fake, is_dm, 0))
    status, body = slack.submit(user, Views.CONTRACT, contract_values(**form), private_metadata=metadata)
    assert status == 200
    if body and json.loads(body)["response_action"] == "update":  # valid fields, a contract Tandem never named
        assert metadata not in ("", "1") and "could not read this form, so nothing was changed" in body
    elif body:
        answer = json.loads(body)
        assert answer["response_action"] == "errors"
        assert answer["errors"] and set(answer["errors"]) <= set(CONTRACT_FIELDS), answer["errors"]
        for message in answer["errors"].values():
            assert_clear_message(message)
    else:
        [dm] = wait_calls(fake, is_dm, told + 1)[told:]
        assert dm.args["text"].startswith((":white_check_mark: ", ":no_entry: ")), dm.args["text"]
    assert_clean(fake.calls[start:])


# --- bodies and headers that are not Slack's ----------------------------------------------------

SECRET = b"test-signing-secret"


def send_raw(slack, body: bytes, content_type: str, *, sign: bool = True, timestamp: str | None = None,
             headers: dict | None = None) -> int:
    """Posts raw bytes (which need not be UTF-8), signed with the app's secret unless told not to."""
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    signature = "v0=" + hmac.new(SECRET, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature if sign else "v0=" + "0" * 64}
    sent.update(headers or {})
    request = urllib.request.Request(slack.base + "/slack/events", data=body, method="POST",
                                     headers={name: value for name, value in sent.items() if value is not None})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
NOT_SLACK = [
    ("a JSON array, unsigned", b"[]", JSON, {"sign": False}),
    ("a JSON array", b"[]", JSON, {}),
    ("a JSON string", b'"event_callback"', JSON, {}),
    ("a JSON number", b"42", JSON, {}),
    ("a payload that is a JSON array", b"payload=%5B%5D", FORM, {}),
    ("a payload that is a JSON string, unsigned", b"payload=%22x%22", FORM, {"sign": False}),
    ("a body that is not UTF-8", b"command=/procure&text=\xff\xfe&user_id=U0IT000001", FORM, {}),
    ("JSON that is not UTF-8", b'{"type": "event_callback", "event": {"text": "\xff"}}', JSON, {}),
    ("a timestamp that is not a number", b"command=/need&text=x", FORM, {"timestamp": "yesterday"}),
    # Computed when the test runs, not when the suite is collected (a slow suite would close the gap).
    ("a timestamp ten minutes ahead", b"command=/need&text=x", FORM, {"timestamp": lambda: str(int(time.time()) + 600)}),
    ("no signature headers", b"command=/need&text=x", FORM,
     {"headers": {"X-Slack-Request-Timestamp": None, "X-Slack-Signature": None}}),
]


@pytest.mark.parametrize("kind, body, content_type, options", NOT_SLACK, ids=[case[0] for case in NOT_SLACK])
def test_a_request_that_is_not_slack_s_gets_a_4xx_and_changes_nothing(slack, fake, bot, caplog, kind, body,
                                                                      content_type, options):
    seed(bot)
    before, calls = snapshot(bot.core), len(fake.calls)
    options = {key: value() if callable(value) else value for key, value in options.items()}
    status = send_raw(slack, body, content_type, **options)
    assert 400 <= status < 500, f"{kind}: {status}"
    assert snapshot(bot.core) == before
    assert fake.calls[calls:] == []
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
)
_bodies = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(HOSTILE).map(lambda text: text.encode("utf-8", "replace")),
    _json.map(lambda value: json.dumps(value).encode()),
    _json.map(lambda value: b"payload=" + urllib.parse.quote(json.dumps(value)).encode()),
)


@SLACK_SETTINGS
@given(body=_bodies, content_type=st.sampled_from([FORM, JSON, "text/plain", "multipart/form-data", ""]),
       sign=st.booleans())
def test_random_bodies_never_get_a_server_error(slack, fake, bot, body, content_type, sign):
    seed(bot)
    before = snapshot(bot.core)
    status = send_raw(slack, body, content_type, sign=sign)
    assert status < 500, f"{status} for {body[:200]!r} ({content_type}, signed={sign})"
    assert snapshot(bot.core) == before
