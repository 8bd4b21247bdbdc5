"""The cards table: a database from before it keeps every card, under its platform."""

import sqlite3

from sqlite_utils import Database

from bot.notifier import CardRef
from storage import cards as repo
from storage.migrations import migrations

ROW = {"title": "t", "category": "saas", "quantity": 1, "currency": "USD", "requester": "U1", "status": "new",
       "urgency": "normal", "sensitivity": "internal", "created_at": "2026-11-16T09:00:00+00:00",
       "updated_at": "2026-11-16T09:00:00+00:00"}


def test_cards_of_the_old_columns_and_of_teams_move_to_the_cards_table(tmp_path):
    db = Database(sqlite3.connect(tmp_path / "old.db"))
    migrations.apply(db, stop_before="m025_cards_per_platform")
    db["requests"].insert_all([
        {**ROW, "id": 1, "card_channel": "C0SHARED", "card_ts": "1700000000.000100"},  # Slack's
        {**ROW, "id": 2, "card_channel": "19:abc@thread.tacv2;messageid=171", "card_ts": "171"},  # Teams came first
        {**ROW, "id": 3, "card_channel": "#procurement", "card_ts": "card-3"},  # the shell's
        {**ROW, "id": 4, "card_channel": "none", "card_ts": "4"},  # a core with no platform
        {**ROW, "id": 5},  # no card yet
    ])
    db["teams_cards"].insert_all([
        {"request_id": 1, "conversation_id": "19:abc@thread.tacv2;messageid=170", "activity_id": "170",
         "updated_at": "2026-11-16T09:00:00+00:00"},
        {"request_id": 2, "conversation_id": "19:abc@thread.tacv2;messageid=171", "activity_id": "171",
         "updated_at": "2026-11-16T09:00:00+00:00"},
    ])
    migrations.apply(db)

    assert repo.cards_of(db, 1) == {"slack": CardRef("C0SHARED", "1700000000.000100"),
                                    "teams": CardRef("19:abc@thread.tacv2;messageid=170", "170")}
    assert repo.cards_of(db, 2) == {"teams": CardRef("19:abc@thread.tacv2;messageid=171", "171")}
    assert repo.cards_of(db, 3) == {"shell": CardRef("#procurement", "card-3")}
    assert repo.cards_of(db, 4) == repo.cards_of(db, 5) == {}
    assert "teams_cards" not in db.table_names()
    assert not {"card_channel", "card_ts"} & set(db["requests"].columns_dict)
    assert repo.request_for(db, "teams", "19:abc@thread.tacv2;messageid=171") == 2
    assert repo.request_for(db, "slack", "C0SHARED", "1700000000.000100") == 1
    assert repo.request_for(db, "slack", "C0SHARED", "1700000000.000999") is None
