"""What the shell prints where Slack or Teams would post: ``ShellNotifier`` implements the
core's ``Notifier`` port by writing each post, DM and file as a line of the transcript."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.digest import Digest
from bot.health import HealthCheck
from bot.notifier import Briefing, CardRef, LinkedContract
from bot.reminders import Reminder
from bot.requests import Request
from handlers.shell import render, schedule_text


def channel_label(channel: str | None) -> str:
    if not channel:
        return "#it-procurement"
    return channel if channel.startswith("#") else "#" + channel


class ShellNotifier:
    """Prints what the bot would post in Slack."""

    def __init__(self, channel_name: str, write: Callable[[str], None], names: dict[str, str],
                 files: Path | None = None):
        self.channel_name = channel_name
        self.write = write
        self.names = names
        self.files = files  # where files "sent" in the shell are written (None: only announced)

    def post_card(self, request: Request, linked: LinkedContract | None = None) -> CardRef:
        self.write(f"[{self.channel_name}] Tandem posted a card:\n{render.card(request, self.names, linked)}")
        return CardRef(self.channel_name, f"card-{request.id}")

    def update_card(self, card: CardRef, request: Request, linked: LinkedContract | None = None) -> None:
        self.write(f"[{self.channel_name}] card {request.number} updated:\n{render.card(request, self.names, linked)}")

    def post_in_thread(self, card: CardRef, text: str, author: str) -> None:
        number = card.message_id.removeprefix("card-")
        who = render.person(author, self.names)
        self.write(f"[{self.channel_name} › thread of #{number}] Tandem: {who} added a note: {text}")

    def mirror_note(self, card, request, text: str, author: str, origin: str) -> list:
        return []  # the shell is the only platform here: there is no other thread to copy a reply to

    def edit_mirror(self, mirror, request, text: str, author: str, origin: str) -> None:
        pass

    def delete_mirror(self, mirror) -> None:
        pass

    def send_dm(self, user: str, text: str) -> None:
        self.write(f"[DM to {render.person(user, self.names)}] Tandem: {render.mentions(text, self.names)}")

    def send_file(self, user: str, filename: str, content: bytes, title: str) -> None:
        self.write(f"[DM to {render.person(user, self.names)}] Tandem sent a file: {self._save(filename, content)}"
                   f" — {title}")

    def ask_approval(self, approver: str, request: Request, why) -> None:
        self.write(f"[DM to {render.person(approver, self.names)}] Tandem: approval needed for {request.number} "
                   f"{request.title}: it needs approval because {why}. Answer with /procure approve "
                   f"{request.id} or /procure reject {request.id} <reason>.")

    def post_digest(self, digest: Digest) -> None:
        self.write(f"[{self.channel_name}] Tandem posted the digest:\n{schedule_text.digest(digest, self.names)}")
        if digest.chart:
            self.write(f"[{self.channel_name} › thread of the digest] Tandem attached tandem-flow.png "
                       f"({len(digest.chart):,} bytes; `tandem stats --png FILE` writes it locally)")
        if digest.scorecard is not None and digest.scorecard.chart:
            self.write(f"[{self.channel_name} › thread of the digest] Tandem attached "
                       f"{self._save('tandem-scorecard.png', digest.scorecard.chart)}")

    def _save(self, filename: str, content: bytes) -> str:
        """``filename`` as the shell shows a file: its size, and where it was saved (``tandem-files/``)."""
        where = ""
        if self.files is not None:
            self.files.mkdir(parents=True, exist_ok=True)
            path = self.files / Path(filename).name
            path.write_bytes(content)
            where = f", saved as {path}"
        return f"{filename} ({len(content)} bytes{where})"

    def send_digest_preview(self, user: str, digest: Digest) -> None:
        text = schedule_text.digest(digest, self.names, title="Digest preview (only you see this)")
        self.write(f"[DM to {render.person(user, self.names)}] Tandem:\n{text}")

    def send_reminders(self, user: str, reminders: list[Reminder]) -> None:
        text = schedule_text.reminders(reminders, self.names)
        self.write(f"[DM to {render.person(user, self.names)}] Tandem: {text}")

    def send_health_check(self, user: str, survey: HealthCheck) -> None:
        self.write(f"[DM to {render.person(user, self.names)}] Tandem: {schedule_text.survey(survey)}")

    def post_briefing(self, briefing: Briefing) -> None:
        self.write(f"[{self.channel_name}] Tandem posted:\n{schedule_text.briefing(briefing, self.names)}")

    def send_briefing(self, user: str, briefing: Briefing) -> None:
        self.write(f"[DM to {render.person(user, self.names)}] Tandem:\n{schedule_text.briefing(briefing, self.names)}")
