"""One discussion per request, whichever platform it is written on.

A reply in a request card's thread on one platform (Slack, Teams) is stored as a note and
copied into the card threads of the other platforms (each platform's own card, ``storage.cards``), attributed to
its author ("Alex in Slack: …"). Where each copy went is stored (``comment_mirrors``):
the reply is copied once per platform (a retried delivery is not stored again, so not
copied again), an edit rewrites the copies and a deletion deletes them. Tandem's copies
are its own bot messages, which no platform stores as a reply, so nothing echoes back.

What a copy shows is the shared channel's view (``Visibility.thread_note``): a confidential
or restricted request's reply is not repeated, only that there is one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from bot.notifier import CardNotifier, NotifyError
from bot.requests import Mirror, Note, Request
from bot.visibility import Visibility
from storage import Store
from storage import cards as cards_repo
from storage import mirrors as repo
from storage import requests as requests_repo

log = logging.getLogger(__name__)


def origin_of(external_id: str | None) -> str | None:
    """The platform a thread reply came from: its external ID is ``<platform>:…``."""
    if not external_id or ":" not in external_id:
        return None
    return external_id.split(":", 1)[0]


class ThreadMirrors:
    def __init__(self, store: Store, platforms: Mapping[str, CardNotifier], visibility: Visibility,
                 names: Callable[[str], str]):
        self.store = store
        self.platforms = dict(platforms)  # the platforms that show cards, by name
        self.visibility = visibility
        self.names = names  # a person's display name, as any platform told it

    def copy(self, note: Note, request: Request, external_id: str) -> list[Mirror]:
        """Copies a new thread reply to the other platforms' card threads."""
        origin = origin_of(external_id)
        if origin is None:
            return []
        shown, author = self._shown(request, note.text), self.names(note.author)
        mirrors: list[Mirror] = []
        for name, card in cards_repo.cards_of(self.store.db, request.id).items():
            platform = self.platforms.get(name)
            if name == origin or platform is None:
                continue  # not back where it was written; a platform no longer served
            try:
                mirrors += platform.mirror_note(card, request, shown, author, origin)
            except NotifyError as error:
                # The reply is stored; a copy is never retried, so none is posted twice.
                log.warning("a thread reply on %s could not be copied to %s: %s", request.number, name, error)
        if mirrors:
            with self.store.write() as db:
                repo.save(db, note.id, mirrors)
        return mirrors

    def edited(self, external_id: str) -> None:
        """The reply was edited where it was written: its copies follow."""
        db = self.store.db
        note = requests_repo.note_by_external_id(db, external_id)
        if note is None:
            return
        request = requests_repo.get_request(db, note.request_id)
        shown = self._shown(request, note.text)
        for mirror in repo.of_comment(db, note.id):
            try:
                self._on(mirror).edit_mirror(mirror, request, shown, self.names(note.author),
                                             origin_of(external_id) or "")
            except NotifyError as error:
                log.warning("the copy of an edited reply on %s was not updated on %s: %s", request.number,
                            mirror.platform, error)

    def deleted(self, note: Note) -> None:
        """The reply was deleted where it was written: its copies are deleted too."""
        with self.store.write() as db:
            mirrors = repo.of_comment(db, note.id)
            repo.forget(db, note.id)
        for mirror in mirrors:
            try:
                self._on(mirror).delete_mirror(mirror)
            except NotifyError as error:
                log.warning("the copy of a deleted reply could not be deleted on %s: %s", mirror.platform, error)

    def _on(self, mirror: Mirror) -> CardNotifier:
        platform = self.platforms.get(mirror.platform)
        if platform is None:
            raise NotifyError(f"{mirror.platform} is not served now")
        return platform

    def _shown(self, request: Request, text: str) -> str:
        return self.visibility.thread_note(request, text) or (
            f"replied on {request.number}, which is confidential; see Open on the card.")
