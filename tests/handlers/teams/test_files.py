"""Files the Teams way: in a personal chat the file consent card (accepted → the bytes PUT to
the upload session Teams names, then a file info card; declined → nothing uploaded); in a
channel the chart as an image Tandem serves and the calendar as its subscription link."""

import json
import re
import urllib.error
import urllib.request
from datetime import date, timedelta

import pytest

from bot.config import Settings
from bot.schedule import Schedule
from handlers.teams import files
from handlers.teams.auth import FileHosts
from tests.contract_samples import contract_form
from tests.handlers.teams.conftest import BUYER, CHANNEL, CREDENTIALS, IT

PUBLIC = "https://tandem.example.com"
TODAY = date(2026, 11, 16)
CONTENT_URL = "https://contoso-my.sharepoint.com/personal/ivy_example_com/Documents/Applications/tandem-contracts.ics"


@pytest.fixture
def teams_settings(tmp_path):
    return Settings.from_env({
        "TANDEM_DB": str(tmp_path / "tandem.db"), "TANDEM_PROCUREMENT": BUYER.aad, "TEAMS_CHANNEL": CHANNEL,
        "TANDEM_PUBLIC_URL": PUBLIC, **CREDENTIALS,
    })


def meet(teams, bot) -> None:
    teams.install_in_team()
    teams.say(IT, "help")
    teams.say(BUYER, "help")
    bot.core.contracts.add(BUYER.aad, contract_form(end_date=(TODAY + timedelta(days=40)).isoformat()))


def offered(connector, user) -> dict:
    """The file consent card sent to ``user``'s chat."""
    [sent] = [c for c in connector.of("send", user.chat) if "file.consent" in c.text]
    [attachment] = sent.body["attachments"]
    return attachment


def upload_info(connector, name: str = "s1", url: str | None = None) -> dict:
    return {"name": "tandem-contracts.ics", "uploadUrl": url or connector.upload_url(name), "contentUrl": CONTENT_URL,
            "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C", "fileType": "ics"}


def said(connector, user) -> list[str]:
    return [c.body.get("text") or "" for c in connector.calls if c.conversation == user.chat and c.kind in
            ("send", "reply")]


def get(teams, path: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(teams.url.replace("/api/messages", path), timeout=10) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), ""


def test_the_calendar_is_offered_with_a_consent_card_and_uploaded_once_when_accepted(teams, connector, bot):
    meet(teams, bot)
    connector.reset()
    teams.say(IT, "calendar")
    attachment = offered(connector, IT)
    consent = attachment["content"]
    assert attachment["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    assert attachment["name"] == "tandem-contracts.ics" and "contentUrl" not in attachment, "no data: URL any more"
    assert consent["description"] == "Tandem contract calendar"
    assert consent["acceptContext"] == consent["declineContext"] and set(consent["acceptContext"]) == {"file"}
    ics = bot.core.contracts.calendar(IT.aad)
    assert consent["sizeInBytes"] == len(ics)
    connector.reset()

    status, answer = teams.consent(IT, "accept", consent["acceptContext"], upload_info(connector))
    assert status == 200
    [put] = connector.of("upload")
    assert put.method == "PUT" and put.conversation == "/upload/s1"
    assert put.content == ics and put.content.startswith(b"BEGIN:VCALENDAR")
    assert put.headers["content-range"] == f"bytes 0-{len(ics) - 1}/{len(ics)}"
    assert put.headers["content-length"] == str(len(ics)) and "authorization" not in put.headers, \
        "the upload session is pre-authorised: the app's token never goes to it"
    [info] = [c for c in connector.calls if c.conversation == IT.chat and "file.info" in c.text]
    [card] = info.body["attachments"]
    assert card == {"contentType": "application/vnd.microsoft.teams.card.file.info", "contentUrl": CONTENT_URL,
                    "name": "tandem-contracts.ics",
                    "content": {"uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C", "fileType": "ics"}}
    stored = bot.core.store.db["teams_files"].get(consent["acceptContext"]["file"])
    assert stored["state"] == "sent" and stored["content"] is None, "the bytes are not kept once sent"

    # Allow clicked again (or Teams retrying with a new activity): nothing is uploaded twice.
    connector.reset()
    assert teams.consent(IT, "accept", consent["acceptContext"], upload_info(connector, "s2"))[0] == 200
    assert connector.of("upload") == [] and said(connector, IT) == [files.ALREADY_SENT]


def test_declined_nothing_is_uploaded_and_a_later_accept_finds_nothing(teams, connector, bot):
    meet(teams, bot)
    teams.say(IT, "calendar")
    context = offered(connector, IT)["content"]["declineContext"]
    connector.reset()
    assert teams.consent(IT, "decline", context)[0] == 200
    assert said(connector, IT) == ["Okay, not sent."]
    assert bot.core.store.db["teams_files"].get(context["file"])["content"] is None
    connector.reset()
    teams.consent(IT, "accept", context, upload_info(connector))
    assert connector.of("upload") == [] and said(connector, IT) == [files.GONE]


def test_an_upload_url_off_microsofts_file_hosts_or_someone_elses_file_is_refused(teams, connector, bot):
    meet(teams, bot)
    teams.say(IT, "calendar")
    context = offered(connector, IT)["content"]["acceptContext"]
    connector.reset()
    teams.consent(BUYER, "accept", context, upload_info(connector))
    assert connector.of("upload") == [] and said(connector, BUYER) == [files.NOT_YOURS]
    # An activity naming any other host: nothing is PUT there (nor to the fake, which is not that host).
    teams.consent(IT, "accept", context, upload_info(connector, url="https://attacker.example.net/upload/s1"))
    assert connector.of("upload") == [] and said(connector, IT) == [files.BAD_UPLOAD_URL]
    assert teams.consent(IT, "accept", context, upload_info(connector))[0] == 200
    assert connector.of("upload") == [], "a refused upload is not tried again from the same card"


def test_an_upload_onedrive_refuses_sends_no_file_card(teams, connector, bot):
    meet(teams, bot)
    teams.say(IT, "calendar")
    context = offered(connector, IT)["content"]["acceptContext"]
    connector.reset()
    connector.fail("upload", 500)
    assert teams.consent(IT, "accept", context, upload_info(connector))[0] == 200
    assert len(connector.of("upload")) == 1 and said(connector, IT) == [files.UPLOAD_FAILED]
    assert "file.info" not in json.dumps([c.body for c in connector.calls])


@pytest.mark.parametrize("url, allowed", [
    ("https://contoso-my.sharepoint.com/personal/ivy/_api/v2.0/drive/items/x/uploadSession?guid=1", True),
    ("https://contoso.sharepoint.com/sites/it/upload", True),
    ("http://contoso-my.sharepoint.com/upload", False),  # not https
    ("https://attacker.example.net/upload", False),
    ("https://contoso.sharepoint.com.attacker.net/upload", False),
    ("https://sharepoint.com/upload", False),
    ("https://contoso.sharepoint.com:8443/upload", False),
    ("https://user:pw@contoso.sharepoint.com/upload", False),
    ("https://127.0.0.1/upload", False),
    ("not a url", False),
])
def test_uploads_go_only_to_microsofts_file_hosts(url, allowed):
    assert FileHosts().is_allowed(url) is allowed


def test_the_digest_in_the_channel_shows_the_chart_as_an_image_tandem_serves(teams, connector, bot):
    meet(teams, bot)
    connector.reset()
    assert Schedule(bot.core).tick().digest is True
    [digest] = connector.of("send", CHANNEL)
    [image] = [item for item in digest.cards[0]["body"] if item["type"] == "Image"
               and item["altText"] == files.FLOW_CHART_ALT]
    match = re.fullmatch(re.escape(PUBLIC) + r"(/images/[A-Za-z0-9_-]{24}\.png)", image["url"])
    assert match, image["url"]
    assert "data:" not in digest.text
    status, body, media = get(teams, match.group(1))
    assert status == 200 and media == "image/png" and body.startswith(b"\x89PNG")
    assert get(teams, "/images/" + "x" * 24 + ".png")[0] == 404
    assert get(teams, "/images/..%2f..%2ftandem.db.png")[0] == 404


def test_the_first_digest_of_a_month_carries_the_scorecard_and_its_chart_once(teams, connector, bot, clock):
    meet(teams, bot)
    connector.reset()
    Schedule(bot.core, holder="one").tick()
    Schedule(bot.core, holder="one").tick()  # the scheduler fires twice
    Schedule(bot.core, holder="two").tick()  # and a restarted process ticks the same slot
    [digest] = connector.of("send", CHANNEL)
    body = digest.cards[0]["body"]
    shown = json.dumps(body, ensure_ascii=False)
    assert "Tandem digest · Mon 16 Nov 2026" in shown and "Scorecard: working together, measured" in shown
    assert "Largest gap between data and feeling" in shown and "From the work:" in shown
    [heading] = [item for item in body if item.get("text") == "Scorecard: working together, measured"]
    assert heading["separator"] is True
    images = [item for item in body if item["type"] == "Image"]
    assert [image["altText"] for image in images] == [files.FLOW_CHART_ALT, "Scorecard: working together, measured"]
    path = re.fullmatch(re.escape(PUBLIC) + r"(/images/[A-Za-z0-9_-]{24}\.png)", images[1]["url"]).group(1)
    status, png, media = get(teams, path)
    assert status == 200 and media == "image/png" and png.startswith(b"\x89PNG")

    clock.set(clock.now() + timedelta(days=7))  # the next Monday: November has had its scorecard
    Schedule(bot.core, holder="two").tick()
    later = connector.of("send", CHANNEL)[-1]
    assert len(connector.of("send", CHANNEL)) == 2 and "Scorecard" not in json.dumps(later.cards)


def test_calendar_in_a_channel_answers_with_the_feed_link_and_the_file_goes_to_the_personal_chat(
        teams, connector, bot):
    meet(teams, bot)
    connector.reset()
    teams.say_in_channel(IT, "calendar")
    [reply] = connector.of("reply", CHANNEL)
    [card] = reply.cards
    [subscribe] = card["actions"]
    assert subscribe["type"] == "Action.OpenUrl" and subscribe["title"] == "Subscribe"
    path = re.fullmatch(re.escape(PUBLIC) + r"(/calendar/[A-Za-z0-9_-]+\.ics)", subscribe["url"]).group(1)
    assert "personal chat" in reply.text and "file.consent" not in reply.text
    offered(connector, IT)  # the file itself, where file consent works
    status, body, media = get(teams, path)
    assert status == 200 and media.startswith("text/calendar") and body == bot.core.contracts.calendar(IT.aad)
    assert get(teams, "/calendar/" + "A" * 32 + ".ics")[0] == 404
