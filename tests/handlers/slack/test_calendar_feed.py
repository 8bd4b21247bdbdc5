"""The calendar subscription feed, fetched over HTTP as a calendar app fetches it."""

import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from icalendar import Calendar

from bot.config import Settings
from handlers.slack.feed import side_server
from handlers.slack.server import TandemWSGI, serve, stop
from tests.conftest import ADMIN, BUYER, IT
from tests.contract_samples import contract_form
from tests.handlers.slack.conftest import CHANNEL

PUBLIC = "https://tandem.example.com"


@pytest.fixture
def slack_settings(tmp_path, fake):
    from tests.handlers.slack.conftest import SECRET

    return Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_PUBLIC_URL": PUBLIC, "TANDEM_CALENDAR_DOMAIN": "calendar.example.com",
        "TANDEM_HIDE_COSTS": "true", "TANDEM_NOTICE_DAYS": "60,30,7", "TANDEM_DB": str(tmp_path / "t.db"),
    })


def fetch(base: str, path: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def link(slack, fake, user: str, arg: str = "link") -> str:
    fake.reset()
    slack.command("/procure", f"calendar {arg}", user)
    answer = fake.wait_until("response_url", lambda a: PUBLIC in a.get("text", "") or "Only" in a.get("text", ""))
    text = answer.args["text"]
    return text[text.index(PUBLIC) + len(PUBLIC):].split()[0] if PUBLIC in text else text


def test_the_feed_is_served_with_alarms_uids_under_the_domain_and_no_costs(slack, fake, bot):
    bot.core.contracts.add(BUYER, contract_form())  # ends 2027-01-15, notice deadline 2026-12-16, USD 12,000
    path = link(slack, fake, IT)
    assert path.startswith("/calendar/") and path.endswith(".ics")

    status, headers, body = fetch(slack.base, path)
    assert status == 200 and headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(body)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert sorted(events) == ["contract-1-end@calendar.example.com", "contract-1-notice@calendar.example.com"]
    notice = events["contract-1-notice@calendar.example.com"]
    triggers = sorted(alarm.decoded("TRIGGER") for alarm in notice.walk("VALARM"))
    assert triggers == [timedelta(days=-60), timedelta(days=-30), timedelta(days=-7)]
    assert all(str(alarm["ACTION"]) == "DISPLAY" for alarm in notice.walk("VALARM"))
    assert "Annual cost" not in body.decode() and "12,000" not in body.decode(), "TANDEM_HIDE_COSTS"

    again = urllib.request.Request(slack.base + path, headers={"If-None-Match": headers["ETag"]})
    with pytest.raises(urllib.error.HTTPError) as unchanged:
        urllib.request.urlopen(again, timeout=10)
    assert unchanged.value.code == 304


def test_an_admin_rotates_the_link_and_the_old_one_stops_working(slack, fake, bot):
    old = link(slack, fake, IT)
    assert fetch(slack.base, old)[0] == 200
    assert link(slack, fake, IT, "link") == old, "the same link until it is rotated"

    refused = link(slack, fake, BUYER, "rotate")
    assert "admin" in refused.lower() and fetch(slack.base, old)[0] == 200, "only admins rotate"

    new = link(slack, fake, ADMIN, "rotate")
    assert new != old
    status, _, body = fetch(slack.base, old)
    assert status == 404 and b"/procure calendar link" in body
    assert fetch(slack.base, new)[0] == 200
    assert fetch(slack.base, "/calendar/not-a-secret.ics")[0] == 404


def test_socket_mode_listens_for_the_feed_and_healthz_only(bot, fake, slack_settings):
    server = side_server(bot.core, TandemWSGI(None, bot.core).health, host="127.0.0.1", port=0)
    thread = threading.Thread(target=serve, args=(server,), daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.effective_port}"
        path = bot.core.feed.url(IT).removeprefix(PUBLIC)
        status, _, body = fetch(base, path)
        assert status == 200 and Calendar.from_ical(body)["PRODID"] == "-//Tandem//Contract calendar//EN"
        assert fetch(base, "/healthz")[0] == 200
        assert fetch(base, "/slack/events")[0] == 404
    finally:
        stop(server)
        thread.join(timeout=5)
