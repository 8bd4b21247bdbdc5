"""A contracts file sent to Tandem in a Teams personal chat, imported like one dropped in
Slack's DM (``bot.imports`` decides which files are taken and words the report).

Teams delivers a file a person sends to a bot (the manifest's ``supportsFiles``) as an
attachment of type ``application/vnd.microsoft.teams.file.download.info`` whose
``downloadUrl`` is a short-lived, pre-authorised link into the sender's OneDrive. It is
fetched only from Microsoft's file hosts (the same check as uploads, ``auth.FileHosts``),
without the app's token, following no redirect, and never more than ``imports.MAX_BYTES``.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from microsoft_agents.activity import Activity

from bot import imports
from bot.errors import BadInput
from bot.money import safe_locale

log = logging.getLogger(__name__)

DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
DOWNLOAD_TIMEOUT = 60.0
OFF_HOSTS = ("Teams gave a download address outside Microsoft's OneDrive, so the file was not read; "
             "nothing was imported.")
NOT_HANDED_OVER = "Teams did not hand over {name} (it answered {status}); nothing was imported. Send it again."


def sent_file(activity: Activity) -> tuple[str, str] | None:
    """The (name, download URL) of the file a message carries, or None."""
    for attachment in activity.attachments or []:
        if attachment.content_type != DOWNLOAD_INFO:
            continue
        content = attachment.content if isinstance(attachment.content, dict) else {}
        return (attachment.name or "the file"), str(content.get("downloadUrl") or "")
    return None


async def download(name: str, url: str, hosts) -> bytes:
    """The file's bytes; ``BadInput`` (told to the person) for a host, answer or size Tandem refuses."""
    if not url or not hosts.is_allowed(url):
        raise BadInput(OFF_HOSTS)
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(url, allow_redirects=False) as response:
            if response.status != 200:
                raise BadInput(NOT_HANDED_OVER.format(name=name[:80], status=response.status))
            data = await response.content.read(imports.MAX_BYTES + 1)
    imports.check_file(name, len(data))
    return data


async def import_sent(core, actor: str, activity: Activity, name: str, url: str, hosts) -> str:
    """Checks, downloads and imports a sent file; what the person is told."""
    await asyncio.to_thread(core.contracts.check_can_add, actor)  # refused before anything is downloaded
    imports.check_file(name, None)
    data = await download(name, url, hosts)
    locale = safe_locale(getattr(activity, "locale", None), core.settings.locale)
    return await asyncio.to_thread(imports.report, name, lambda: core.contracts.import_file(
        actor, data, name, locale=locale, date_order=core.settings.date_order))
