"""Test doubles that stand in for a chat platform (never for the code under test)."""

from __future__ import annotations

import threading

from bot.notifier import CardRef, LinkedContract, NotifyError
from bot.requests import Request


class RecordingNotifier:
    """Records what the core asked the platform to do; can be told to fail."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.fail_with: str | None = None
        self.unreachable: set[str] = set()  # people whose DMs fail
        self._lock = threading.Lock()
        self._next_ts = 0

    def _record(self, *call):
        with self._lock:
            if self.fail_with:
                raise NotifyError(self.fail_with)
            self.calls.append(call)

    def _record_dm(self, user: str, *call):
        if user in self.unreachable:
            raise NotifyError("user_not_found")
        self._record(*call)

    def names(self) -> list[str]:
        return [call[0] for call in self.calls]

    def post_card(self, request: Request, linked: LinkedContract | None = None) -> CardRef:
        self._record("post_card", request, linked)
        with self._lock:
            self._next_ts += 1
            return CardRef("C_SHARED", f"1700000000.{self._next_ts:06d}")

    def update_card(self, card: CardRef, request: Request, linked: LinkedContract | None = None) -> None:
        self._record("update_card", card, request, linked)

    def post_in_thread(self, card: CardRef, text: str, author: str) -> None:
        self._record("post_in_thread", card, text, author)

    def mirror_note(self, card, request: Request, text: str, author: str, origin: str) -> list:
        self._record("mirror_note", card, request, text, author, origin)
        return []

    def edit_mirror(self, mirror, request: Request, text: str, author: str, origin: str) -> None:
        self._record("edit_mirror", mirror, request, text, author, origin)

    def delete_mirror(self, mirror) -> None:
        self._record("delete_mirror", mirror)

    def send_dm(self, user: str, text: str) -> None:
        self._record("send_dm", user, text)

    def send_file(self, user: str, filename: str, content: bytes, title: str) -> None:
        self._record("send_file", user, filename, content, title)

    def ask_approval(self, approver: str, request: Request, why) -> None:
        self._record("ask_approval", approver, request, str(why))

    def post_briefing(self, briefing) -> None:
        self._record("post_briefing", briefing)

    def send_briefing(self, user: str, briefing) -> None:
        self._record_dm(user, "send_briefing", user, briefing)

    def post_digest(self, digest) -> None:
        self._record("post_digest", digest)

    def send_digest_preview(self, user: str, digest) -> None:
        self._record_dm(user, "send_digest_preview", user, digest)

    def send_reminders(self, user: str, reminders: list) -> None:
        self._record_dm(user, "send_reminders", user, list(reminders))

    def send_health_check(self, user: str, survey) -> None:
        self._record_dm(user, "send_health_check", user, survey)

    def digests(self) -> list:
        return [call[1] for call in self.calls if call[0] == "post_digest"]

    def reminders(self) -> list:
        """Every reminder sent, flattened: one per item of each DM."""
        return [item for call in self.calls if call[0] == "send_reminders" for item in call[2]]

    def surveys(self) -> list[tuple[str, object]]:
        """Every health check sent: (person, round)."""
        return [(call[1], call[2]) for call in self.calls if call[0] == "send_health_check"]


def card_id(core, request_id: int, platform: str = "chat") -> str | None:
    """The message ID of the request's card on ``platform`` (``core.cards``), None without one."""
    card = core.cards.of(request_id).get(platform)
    return card.message_id if card is not None else None
