"""Contracts spreadsheets sent in Slack: a .csv or .xlsx dropped in a DM to Tandem, or chosen
in the import form (``/procure contract import``), imported all or nothing with the command
line's report. Who may import, which files are taken and the report are the core's
(``bot.imports``); this module gets the file from Slack.

The file is downloaded with the bot token from ``url_private_download`` (``files:read``), only
from Slack's file host (or the host of ``SLACK_API_URL``, where tests run a fake), without
following a redirect elsewhere, and never more than ``bot.imports.MAX_BYTES``. The download
and the import run on the work lane, after the ack; a retried event imports once.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from urllib.parse import urlparse

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import InputBlock, Option, SectionBlock, StaticSelectElement
from slack_sdk.models.blocks.block_elements import FileInputElement
from slack_sdk.models.views import View

from bot import imports
from bot.config import Settings
from bot.core import Core
from bot.errors import BadInput
from handlers.slack import blocks, forms
from handlers.slack.errors import Task, guarded
from handlers.slack.ids import DATE_ORDER_BLOCK, IMPORT_FILE_BLOCK, VALUE, Views
from handlers.slack.notifier import SlackNotifier
from handlers.slack.people import SlackLocales

log = logging.getLogger(__name__)

SLACK_FILE_HOST = "files.slack.com"
DOWNLOAD_SECONDS = 30


class DownloadFailed(BadInput):
    """The file could not be fetched from Slack; nothing was imported."""


def import_modal(date_order: str) -> View:
    """The import form: one .csv or .xlsx file, and how text dates are written."""
    options = [Option(text=blocks.plain(label, 75), value=value) for value, label in imports.DATE_ORDER_LABELS.items()]
    initial = next(option for option in options if option.value == date_order)
    return View(
        type="modal",
        callback_id=Views.CONTRACT_IMPORT,
        title=blocks.plain("Import contracts", 24),
        submit=blocks.plain("Import", 24),
        close=blocks.plain("Cancel", 24),
        blocks=[
            SectionBlock(text=blocks.mrkdwn(
                "A .csv or .xlsx file with the contract columns (as `tandem export-contracts` writes them), up to "
                f"{imports.MAX_BYTES // 1024 // 1024} MB. All or nothing: one bad row and nothing is imported; "
                "the report comes in a DM. Amounts are read as you write them.")),
            InputBlock(block_id=IMPORT_FILE_BLOCK, label=blocks.plain("Contracts file"),
                       element=FileInputElement(action_id=VALUE, filetypes=list(imports.TYPES), max_files=1)),
            InputBlock(block_id=DATE_ORDER_BLOCK, label=blocks.plain("Dates written as text"),
                       element=StaticSelectElement(action_id=VALUE, options=options, initial_option=initial)),
        ],
    )


def chosen_file(view: dict) -> dict | None:
    """The file a submitted import form carries."""
    state = ((view.get("state") or {}).get("values") or {}).get(IMPORT_FILE_BLOCK, {}).get(VALUE) or {}
    files = state.get("files") or []
    return files[0] if files else None


def register(app: App, core: Core, notifier: SlackNotifier, locales: SlackLocales, settings: Settings) -> None:
    def in_a_dm_with_a_file(event: dict) -> bool:
        return event.get("channel_type") == "im" and bool(event.get("files")) and not event.get("bot_id")

    @app.event("message", matchers=[in_a_dm_with_a_file])
    @guarded
    def file_in_dm(event: dict, client: WebClient, work: Task) -> None:
        user = event.get("user")
        if not user:
            return
        # Slack sends an event again when it had no answer in time: the file is imported once.
        if not core.replays.first_time([f"slack-file:{event.get('channel')}:{event.get('ts')}"]):
            log.info("ignored a file shared again (a retried event)")
            return
        files = event["files"]
        work.later(lambda: run(client, user, files, settings.date_order))

    @app.view(Views.CONTRACT_IMPORT)
    @guarded
    def import_submitted(ack: Ack, body: dict, view: dict, client: WebClient, work: Task) -> None:
        user = body["user"]["id"]

        def then(form: dict, _):
            file = chosen_file(view)
            if file is None:
                raise BadInput("Choose a .csv or .xlsx file.", field=IMPORT_FILE_BLOCK)
            imports.check_file(file.get("name") or file.get("title") or "", file.get("size"))
            order = imports.date_order(form.get(DATE_ORDER_BLOCK, ""), settings.date_order)
            return lambda: run(client, user, [file], order)

        forms.submitted(ack, view, work, then, field=IMPORT_FILE_BLOCK)

    def run(client: WebClient, user: str, files: list[dict], date_order: str | None) -> None:
        core.contracts.check_can_add(user)  # refused before anything is downloaded
        if len(files) != 1:
            raise BadInput("Send one contracts file at a time; nothing was imported.")
        file = complete(client, files[0])
        name = file.get("name") or file.get("title") or "the file"
        imports.check_file(name, file.get("size"))
        data = download(file.get("url_private_download") or file.get("url_private") or "", settings, name)
        locale = locales(user)
        text = imports.report(name, lambda: core.contracts.import_file(user, data, name, locale=locale,
                                                                       date_order=date_order))
        shown = blocks.escape(text)
        notifier.send_dm(user, blocks.fallback(shown), blocks.section_lines("Contracts import", shown.split("\n")))


def complete(client: WebClient, file: dict) -> dict:
    """Slack sometimes sends only a file's ID (``file_access: check_file_info``): ask ``files.info``."""
    if file.get("url_private_download") and file.get("name") and file.get("size") is not None:
        return file
    try:
        return client.files_info(file=file["id"])["file"]
    except (SlackApiError, KeyError) as error:
        reason = error.response.get("error") if isinstance(error, SlackApiError) else "no file ID"
        raise DownloadFailed(f"Slack did not say where the file is ({reason}); nothing was imported. "
                             f"Send it again.") from None


class _SameHostOnly(urllib.request.HTTPRedirectHandler):
    """The request carries the bot token: it is never sent on to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlparse(newurl).hostname != urlparse(req.full_url).hostname:
            raise urllib.error.HTTPError(newurl, code, "redirected to another host", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def download(url: str, settings: Settings, name: str) -> bytes:
    """The file's bytes, with the bot token, from Slack's file host only."""
    address = urlparse(url)
    allowed = {SLACK_FILE_HOST, urlparse(settings.slack_api_url).hostname}
    if address.hostname not in allowed or (address.scheme != "https" and address.hostname == SLACK_FILE_HOST):
        log.warning("refused to download a file from %s", address.hostname or "-")
        raise DownloadFailed(f"{name} is not on Slack's file server; nothing was imported.")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {settings.slack_bot_token}"})
    opener = urllib.request.build_opener(_SameHostOnly)
    try:
        with opener.open(request, timeout=DOWNLOAD_SECONDS) as response:
            kind = response.headers.get("Content-Type", "")
            data = response.read(imports.MAX_BYTES + 1)
    except (urllib.error.URLError, OSError) as error:
        log.warning("could not download a file from Slack: %s", error)
        raise DownloadFailed(f"I could not download {name} from Slack ({getattr(error, 'code', None) or 'no answer'})"
                             f"; nothing was imported. Send it again.") from None
    if kind.startswith("text/html"):  # Slack's sign-in page: the token may not read files
        raise DownloadFailed(f"Slack did not hand over {name} (is the files:read scope granted? `/procure doctor` "
                             f"checks); nothing was imported.")
    if len(data) > imports.MAX_BYTES:
        imports.check_file(name, len(data))
    return data
