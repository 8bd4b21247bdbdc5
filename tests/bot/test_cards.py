"""Cards per platform: each platform keeps its own card of a request (its own reference,
in ``storage.cards``), and every platform is treated alike: none comes first, one failing
never holds back another, and each catches up at the next change."""

import pytest

from bot.core import build_core
from bot.notifier import CardGone, CardRef
from storage import cards as cards_repo
from tests.conftest import BUYER, IT, need
from testing.notifier import RecordingNotifier


class Platform(RecordingNotifier):
    """A platform whose cards are its own: references in its own shape, deletable."""

    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix
        self.deleted: set[str] = set()

    def post_card(self, request, linked=None) -> CardRef:
        self._record("post_card", request, linked)
        with self._lock:
            self._next_ts += 1
            return CardRef(f"{self.prefix}-channel", f"{self.prefix}-{self._next_ts}")

    def update_card(self, card, request, linked=None) -> None:
        if card.message_id in self.deleted:
            raise CardGone("deleted")
        super().update_card(card, request, linked)


@pytest.fixture
def platforms(settings, clock):
    first, second = Platform("a"), Platform("b")
    core = build_core(settings, RecordingNotifier(), clock=clock, card_platforms={"a": first, "b": second})
    yield core, first, second
    core.close()


def test_each_platform_posts_and_keeps_its_own_card(platforms):
    core, first, second = platforms
    core.requests.create(IT, need())
    assert core.cards.of(1) == {"a": CardRef("a-channel", "a-1"), "b": CardRef("b-channel", "b-1")}
    core.requests.claim(BUYER, 1)
    assert [call[1] for call in first.calls if call[0] == "update_card"] == [CardRef("a-channel", "a-1")]
    assert [call[1] for call in second.calls if call[0] == "update_card"] == [CardRef("b-channel", "b-1")]
    assert core.requests.find_by_card("b", "b-channel", "b-1").id == 1
    assert core.requests.find_by_card("a", "b-channel", "b-1") is None, "a card is found only on its platform"


@pytest.mark.parametrize("down", ["a", "b"])
def test_a_platform_that_failed_gets_its_card_at_the_next_change_whichever_it_is(platforms, down):
    core, first, second = platforms
    failing, working = (first, second) if down == "a" else (second, first)
    failing.fail_with = "service unavailable"
    core.requests.create(IT, need())
    assert list(core.cards.of(1)) == [{"a": "b", "b": "a"}[down]], "the other platform's card is kept"
    failing.fail_with = None
    core.requests.claim(BUYER, 1)
    assert set(core.cards.of(1)) == {"a", "b"}
    assert failing.names() == ["post_card"] and working.names() == ["post_card", "update_card"]


def test_a_deleted_card_is_posted_again_on_its_platform_only(platforms):
    core, first, second = platforms
    core.requests.create(IT, need())
    second.deleted.add("b-1")
    core.requests.claim(BUYER, 1)
    assert core.cards.of(1) == {"a": CardRef("a-channel", "a-1"), "b": CardRef("b-channel", "b-2")}
    assert first.names() == ["post_card", "update_card"]


def test_a_note_goes_under_every_platforms_card_and_a_failure_elsewhere_is_no_loss(platforms, caplog):
    core, first, second = platforms
    core.requests.create(IT, need())
    second.fail_with = "down"
    core.requests.note(BUYER, 1, "Quote requested", source="command")
    assert [call[1:] for call in first.calls if call[0] == "post_in_thread"] == [
        (CardRef("a-channel", "a-1"), "Quote requested", BUYER)]
    assert [n.text for n in core.requests.show(BUYER, 1).notes] == ["Quote requested"], "recorded once all the same"
    assert "post_in_thread" not in second.names()
    assert any("failed on b" in record.getMessage() for record in caplog.records)


def test_no_platform_no_card(settings, clock):
    core = build_core(settings, RecordingNotifier(), clock=clock, card_platforms={})
    try:
        core.requests.create(IT, need())
        assert core.cards.of(1) == {} and cards_repo.cards_of(core.store.db, 1) == {}
    finally:
        core.close()
