"""Thread replies stored before notes kept their parts: the migration turns the Slack markup
they hold into parts, and leaves every other comment as it was."""

import sqlite3

from sqlite_utils import Database

from bot.markup import Channel, Link, Person, Text
from storage import Store
from storage import requests as repo
from storage.migrations import migrations


def test_old_thread_replies_get_their_people_channels_and_links_as_parts(tmp_path):
    path = tmp_path / "old.db"
    db = Database(sqlite3.connect(path, isolation_level=None))
    migrations.apply(db, stop_before="m020_comment_markup")
    db["requests"].insert({"id": 1, "title": "Laptop", "status": "new", "requester": "U1", "created_at": "2026-01-01",
                           "updated_at": "2026-01-01", "category": "hardware", "quantity": 1, "currency": "USD",
                           "urgency": "normal", "sensitivity": "internal"})
    rows = [("thread", "ask <@U043H11ES4V> in <#C0GEN|general>: <https://x.example/q?a=1&b=2|quote>"),
            ("thread", "plain words & <b>"),
            ("command", "typed <@U0BOSS> by command")]
    for n, (source, text) in enumerate(rows, 1):
        db["comments"].insert({"id": n, "request_id": 1, "at": "2026-01-02T00:00:00+00:00", "author": "U1",
                               "text": text, "source": source, "external_id": f"slack:C:{n}" if source == "thread" else None})
    db.conn.close()

    store = Store(path)
    notes = repo.notes_for(store.db, 1)
    assert notes[0].parts == (Text("ask "), Person("U043H11ES4V"), Text(" in "), Channel("C0GEN", "general"),
                              Text(": "), Link("https://x.example/q?a=1&b=2", "quote"))
    assert notes[0].text == "ask @U043H11ES4V in #general: quote (https://x.example/q?a=1&b=2)"
    assert (notes[1].text, notes[1].parts) == ("plain words & <b>", ())
    assert (notes[2].text, notes[2].parts) == ("typed <@U0BOSS> by command", ())
