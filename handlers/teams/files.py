"""Files the Teams way.

In a personal chat a file (the contract calendar, a chart) is offered with a file consent
card: Teams asks the person whether Tandem may put it in their OneDrive. *Allow* arrives as
a ``fileConsent/invoke`` with an upload URL; Tandem PUTs the bytes there (one request with
``Content-Range``, as Microsoft documents for files up to a few megabytes) and then sends a
file info card, which Teams shows as the file itself. *Decline* is answered "Okay, not sent."
and nothing is uploaded. The file waits in ``teams_files`` until then (a week at most), and a
second click on the same card changes nothing.

The upload URL comes in an activity, so it is checked like a connector URL: https on
Microsoft's SharePoint / OneDrive hosts only (``auth.FileHosts``; tests inject the fake's).

Teams offers file consent only in personal chats. A channel card shows a chart as an image
Tandem serves at ``GET /images/<token>.png`` under ``TANDEM_PUBLIC_URL`` (a PNG chart is
25-45 KB, over Teams' 28 KB message limit as a ``data:`` URI), and the calendar as a link to
its subscription feed (``GET /calendar/<secret>.ics``).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import timedelta

import aiohttp
from microsoft_agents.activity import Activity, ActivityTypes, Attachment
from microsoft_agents.hosting.core import TurnContext, TurnState

from handlers.teams import cards, replays
from storage import teams as repo

log = logging.getLogger(__name__)

FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"
KEPT = timedelta(days=7)  # an offered file not accepted by then is dropped
IMAGES_KEPT = timedelta(days=90)  # a channel card's chart stays visible this long
UPLOAD_TIMEOUT = 60.0

DECLINED = "Okay, not sent."
GONE = "That file is no longer waiting (offered over a week ago, or already answered). Ask Tandem for it again."
ALREADY_SENT = "Tandem already put this file in your OneDrive."
NOT_YOURS = "This file was offered to someone else; nothing was sent."
BAD_UPLOAD_URL = "Teams gave an upload address outside Microsoft's OneDrive, so nothing was sent. Ask again."
UPLOAD_FAILED = "Your OneDrive did not take the file, so nothing was sent. Ask Tandem for it again."


def text_activity(text: str) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, text_format="plain")


def consent_activity(token: str, filename: str, size: int, title: str) -> Activity:
    context = {"file": token}
    return Activity(type=ActivityTypes.message, summary=title[:300], attachments=[Attachment(
        content_type=FILE_CONSENT, name=filename,
        content={"description": title, "sizeInBytes": size, "acceptContext": context, "declineContext": context},
    )])


def info_activity(name: str, content_url: str, unique_id: str, file_type: str) -> Activity:
    return Activity(type=ActivityTypes.message, attachments=[Attachment(
        content_type=FILE_INFO, name=name, content_url=content_url,
        content={"uniqueId": unique_id, "fileType": file_type},
    )])


def calendar_link_activity(url: str) -> Activity:
    """``calendar`` in a channel: the subscription link in place (the feed shows what the
    shared channel may see), the file itself in the asker's personal chat."""
    content = cards.card([
        cards.text("**The contract calendar**"),
        cards.text("Subscribe to it in Outlook (Add calendar → Subscribe from web) or any calendar app; it stays "
             "current by itself. Keep the link to the team: anyone with it can read the calendar."),
        cards.text(url, fontType="Monospace"),
        cards.text("The .ics file is waiting in your personal chat with Tandem.", isSubtle=True),
    ], [{"type": "Action.OpenUrl", "title": "Subscribe", "url": url}])
    return Activity(type=ActivityTypes.message, summary="The contract calendar",
                    attachments=[Attachment(content_type=cards.CONTENT_TYPE, content=content)])


def new_token() -> str:
    return secrets.token_urlsafe(18)


async def upload(url: str, content: bytes) -> None:
    """One PUT of the whole file to the upload session Teams opened; raises on any failure."""
    size = len(content)
    headers = {"Content-Length": str(size), "Content-Range": f"bytes 0-{size - 1}/{size}"}
    timeout = aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.put(url, data=content, headers=headers, allow_redirects=False) as response:
            response.raise_for_status()


def register(bot) -> None:
    core, directory, notifier = bot.core, bot.directory, bot.notifier

    def token_of(consent) -> str:
        context = consent.context if isinstance(consent.context, dict) else {}
        return str(context.get("file") or "")

    def take(token: str, actor: str, to_state: str) -> tuple[repo.OfferedFile | None, str | None]:
        """The offered file moved out of "offered", or the answer to give instead."""
        with core.store.write() as db:
            offered = repo.offered_file(db, token) if token else None
            if offered is None:
                return None, GONE
            if offered.person != actor:
                return None, NOT_YOURS
            if offered.state == repo.SENT:
                return None, ALREADY_SENT
            if offered.state == repo.DECLINED:
                return None, DECLINED if to_state == repo.DECLINED else GONE
            if not repo.move_file(db, token, repo.OFFERED, to_state, core.clock.now()):
                return None, "Tandem is already sending this file."
        return offered, None

    def settle(token: str, to_state: str) -> None:
        with core.store.write() as db:
            repo.move_file(db, token, repo.UPLOADING, to_state, core.clock.now())

    @bot.teams.file_consent.accept
    async def accept(context: TurnContext, state: TurnState, consent) -> None:
        if not await replays.first_time(core.replays, context):
            return
        actor = await directory.actor(context)
        token = token_of(consent)
        offered, answer = await asyncio.to_thread(take, token, actor, repo.UPLOADING)
        if offered is None:
            await context.send_activity(text_activity(answer))
            return
        info = consent.upload_info
        if info is None or not info.upload_url or not notifier.file_hosts.is_allowed(info.upload_url):
            log.warning("refused a file upload URL that is not on Microsoft's file hosts")
            await asyncio.to_thread(settle, token, repo.FAILED)
            await context.send_activity(text_activity(BAD_UPLOAD_URL))
            return
        try:
            await upload(info.upload_url, offered.content)
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
            log.warning("a file upload to OneDrive failed: %r", error)
            await asyncio.to_thread(settle, token, repo.FAILED)
            await context.send_activity(text_activity(UPLOAD_FAILED))
            return
        await asyncio.to_thread(settle, token, repo.SENT)
        await context.send_activity(info_activity(info.name or offered.filename, info.content_url or "",
                                                  info.unique_id or "", info.file_type or file_type(offered.filename)))

    @bot.teams.file_consent.decline
    async def decline(context: TurnContext, state: TurnState, consent) -> None:
        if not await replays.first_time(core.replays, context):
            return
        actor = await directory.actor(context)
        offered, answer = await asyncio.to_thread(take, token_of(consent), actor, repo.DECLINED)
        await context.send_activity(text_activity(DECLINED if offered is not None else answer))


FLOW_CHART_ALT = "Requests opened and fulfilled per week, and days waiting on IT and on procurement"


def add_image(content: dict, url: str | None, alt: str) -> dict:
    """The card with the image at ``url`` at its end (no image without a URL)."""
    if url:
        content["body"].append({"type": "Image", "url": url, "altText": alt[:300], "size": "Stretch",
                                "spacing": "Medium"})
    return content


def image_path(token: str) -> str:
    return f"/images/{token}.png"


def file_type(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
