"""The schema, as a list of small migrations. Each runs once, in a transaction."""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot import markup

migrations = Migrations("tandem")


@migrations()
def m001_requests(db: Database) -> None:
    db["requests"].create(
        {
            "id": int,
            "title": str,
            "details": str,
            "category": str,
            "quantity": int,
            "estimated_cost": str,  # Decimal as text: no float rounding
            "currency": str,
            "needed_by": str,  # ISO date
            "urgency": str,
            "sensitivity": str,
            "preferred_vendor": str,
            "contract_id": int,
            "requester": str,
            "owner": str,
            "status": str,
            "resume_status": str,
            "created_at": str,
            "updated_at": str,
            "claimed_at": str,
            "closed_at": str,
            "card_channel": str,
            "card_ts": str,
        },
        pk="id",
        not_null={"title", "category", "quantity", "currency", "requester", "status", "created_at", "updated_at"},
        defaults={"details": "", "preferred_vendor": "", "quantity": 1},
    )
    db["requests"].create_index(["status"])
    db["requests"].create_index(["requester"])
    db["requests"].create_index(["owner"])
    db["requests"].create_index(["card_channel", "card_ts"])


@migrations()
def m002_events(db: Database) -> None:
    db["events"].create(
        {
            "id": int,
            "subject": str,
            "subject_id": int,
            "at": str,
            "actor": str,
            "action": str,
            "before": str,
            "after": str,
        },
        pk="id",
        not_null={"subject", "subject_id", "at", "actor", "action"},
    )
    db["events"].create_index(["subject", "subject_id"])
    db["events"].create_index(["at"])
    # The audit log is append-only: the database itself refuses to change history.
    db.execute(
        "CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )


@migrations()
def m003_comments(db: Database) -> None:
    db["comments"].create(
        {
            "id": int,
            "request_id": int,
            "at": str,
            "author": str,
            "text": str,
            "source": str,
            "external_id": str,  # the chat message's identity, so a retried event is stored once
        },
        pk="id",
        not_null={"request_id", "at", "author", "text", "source"},
        foreign_keys=[("request_id", "requests", "id")],
    )
    db["comments"].create_index(["request_id"])
    db["comments"].create_index(["external_id"], unique=True)


@migrations()
def m004_contracts(db: Database) -> None:
    db["contracts"].create(
        {
            "id": int,
            "vendor": str,
            "product": str,
            # Case- and spacing-insensitive forms of vendor and product: how re-imports and
            # needs find a contract (Python's casefold, so non-ASCII names match too).
            "vendor_key": str,
            "product_key": str,
            "it_owner": str,
            "procurement_owner": str,
            "start_date": str,  # ISO date
            "end_date": str,  # ISO date
            "notice_days": int,
            "auto_renew": int,  # 0 or 1
            "term_months": int,
            "annual_cost": str,  # Decimal as text: no float rounding
            "currency": str,
            "seats": int,
            "notes": str,
            "status": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={
            "vendor", "product", "vendor_key", "product_key", "end_date", "notice_days", "auto_renew",
            "term_months", "currency", "status", "created_at", "updated_at",
        },
        defaults={"notes": "", "auto_renew": 0, "term_months": 12},
    )
    # One contract per vendor + product: a re-import updates it instead of adding a copy.
    db["contracts"].create_index(["vendor_key", "product_key"], unique=True)
    db["contracts"].create_index(["status", "end_date"])
    db["contracts"].create_index(["it_owner"])
    db["contracts"].create_index(["procurement_owner"])
    db["requests"].create_index(["contract_id"])


@migrations()
def m005_ledger(db: Database) -> None:
    # What the schedule decided to send, and whether the chat platform took it: one row per
    # digest slot and per (reminder kind, subject, episode, threshold, person, wake).
    db["ledger"].create(
        {
            "id": int,
            "kind": str,  # digest, sweep, notice, stale, unclaimed, needed_by
            "subject": str,  # "channel", "reminders", "contract:3", "request:12"
            "episode": str,  # what the threshold counts from: a notice deadline, a last activity, …
            "threshold": str,  # a digest slot, or the threshold reached (e.g. "30" days)
            "person": str,  # who it goes to; "" for the channel
            "wake": str,  # "" or the end of a snooze this reminder comes back after
            "decided_at": str,
            "attempts": int,
            "last_attempt_at": str,
            "sending_by": str,  # in flight: who is sending it, until when
            "sending_until": str,
            "last_error": str,
            "delivered_at": str,
        },
        pk="id",
        not_null={"kind", "subject", "episode", "threshold", "person", "wake", "decided_at", "attempts"},
        defaults={"episode": "", "person": "", "wake": "", "attempts": 0},
    )
    db["ledger"].create_index(["kind", "subject", "episode", "threshold", "person", "wake"], unique=True)
    db["ledger"].create_index(["delivered_at"])


@migrations()
def m006_lease(db: Database) -> None:
    # Who runs the schedule: one holder per database, renewed while alive.
    db["lease"].create(
        {"name": str, "holder": str, "acquired_at": str, "renewed_at": str, "expires_at": str},
        pk="name",
        not_null={"holder", "acquired_at", "renewed_at", "expires_at"},
    )


@migrations()
def m007_reminder_marks(db: Database) -> None:
    # "Snooze 3 days" and "Done", per reminder kind, subject, episode and person.
    db["reminder_marks"].create(
        {
            "kind": str,
            "subject": str,
            "episode": str,
            "person": str,
            "snoozed_until": str,
            "done_at": str,
            "updated_at": str,
        },
        pk=("kind", "subject", "episode", "person"),
        not_null={"kind", "subject", "episode", "person", "updated_at"},
    )


@migrations()
def m008_approvals(db: Database) -> None:
    db["approval_rounds"].create(
        {"id": int, "request_id": int, "opened_at": str, "opened_by": str, "state": str, "why": str},
        pk="id",
        not_null={"request_id", "opened_at", "opened_by", "state", "why"},
        foreign_keys=[("request_id", "requests", "id")],
    )
    db["approval_rounds"].create_index(["request_id"])
    db["approval_decisions"].create(
        {"id": int, "round_id": int, "approver": str, "approved": int, "reason": str, "at": str},
        pk="id",
        not_null={"round_id", "approver", "approved", "at"},
        foreign_keys=[("round_id", "approval_rounds", "id")],
    )
    # One decision per approver per round: a double click is refused, not counted twice.
    db["approval_decisions"].create_index(["round_id", "approver"], unique=True)


@migrations()
def m009_request_lookups(db: Database) -> None:
    # "Mine", "your claims" and "your open needs" (list mine, App Home) filter by person and
    # status: with both in one index, the count and the page come from the index alone,
    # however long the person's history (a busy buyer has claimed thousands). The
    # one-column indexes are prefixes of these, so they go.
    db["requests"].create_index(["owner", "status"])
    db["requests"].create_index(["requester", "status"])
    db.execute("DROP INDEX IF EXISTS idx_requests_owner")
    db.execute("DROP INDEX IF EXISTS idx_requests_requester")


@migrations()
def m010_notice_deadline_index(db: Database) -> None:
    # Contracts by notice deadline (end date − notice days), computed the way
    # storage.contracts.NOTICE_DEADLINE does: /procure contracts, the digest and the
    # reminder sweep seek the window they need instead of reading every contract in force.
    db.execute(
        "CREATE INDEX idx_contracts_status_notice_deadline "
        "ON contracts (status, date(end_date, '-' || notice_days || ' days'))"
    )


@migrations()
def m011_people_and_teams(db: Database) -> None:
    # One row per chat account; ``person`` is the identity the core uses for it (its own user
    # ID, or that of an account on another platform with the same e-mail address).
    # ``alt_id`` is another ID the platform uses for the account (Teams: the 29:… ID).
    db["people"].create(
        {"platform": str, "user_id": str, "alt_id": str, "email": str, "name": str, "person": str, "seen_at": str},
        pk=("platform", "user_id"),
        not_null={"platform", "user_id", "person", "seen_at"},
    )
    db["people"].create_index(["email"])
    db["people"].create_index(["person"])
    db["people"].create_index(["alt_id"])
    # Teams conversations the bot was added to or spoken to in: the reference a proactive
    # message needs (service URL, tenant, conversation).
    db["teams_conversations"].create(
        {"id": str, "kind": str, "tenant_id": str, "service_url": str, "user_id": str, "team_id": str,
         "reference": str, "updated_at": str},
        pk="id",
        not_null={"kind", "service_url", "reference", "updated_at"},
    )
    db["teams_conversations"].create_index(["user_id"])
    # Each request's card in the Teams channel (the requests table's card columns hold the
    # card of the core's first platform).
    db["teams_cards"].create(
        {"request_id": int, "conversation_id": str, "activity_id": str, "updated_at": str},
        pk="request_id",
        not_null={"conversation_id", "activity_id", "updated_at"},
        foreign_keys=[("request_id", "requests", "id")],
    )


@migrations()
def m012_health_check(db: Database) -> None:
    # The monthly health check: one round per local month.
    db["survey_rounds"].create({"id": int, "month": str, "opened_at": str}, pk="id", not_null={"month", "opened_at"})
    db["survey_rounds"].create_index(["month"], unique=True)
    # Who answered a round, so nobody answers twice; no scores.
    db["survey_participation"].create(
        {"round_id": int, "person": str},
        pk=("round_id", "person"),
        not_null={"round_id", "person"},
        foreign_keys=[("round_id", "survey_rounds", "id")],
    )
    # What was answered: the side, six scores and a comment; no person and no time. The key
    # is random (storage.health), so neither it nor the order rows are kept in follows the
    # order people answered in: nothing pairs an answer with a participant.
    scores = ", ".join(f"{key} INTEGER NOT NULL CHECK ({key} BETWEEN 1 AND 5)"
                       for key in ("planning", "success", "calendar", "risk", "split", "speed"))
    db.execute(
        "CREATE TABLE survey_answers ("
        " id INTEGER PRIMARY KEY,"
        " round_id INTEGER NOT NULL REFERENCES survey_rounds(id),"
        " side TEXT NOT NULL CHECK (side IN ('it', 'procurement')),"
        f" {scores},"
        " comment TEXT NOT NULL DEFAULT ''"
        ")"
    )
    db["survey_answers"].create_index(["round_id"])


@migrations()
def m013_options_and_risk_checks(db: Database) -> None:
    # Deciding together: the options procurement found for a request, ratings from both
    # sides, and the requester's and owner's sign-offs (one each, the latest kept).
    db["options"].create(
        {"id": int, "request_id": int, "letter": str, "vendor": str, "price": str, "currency": str, "terms": str,
         "term_months": int, "quote": str, "added_by": str, "added_at": str},
        pk="id",
        not_null={"request_id", "letter", "vendor", "price", "currency", "added_by", "added_at"},
        foreign_keys=[("request_id", "requests", "id")],
    )
    db["options"].create_index(["request_id", "letter"], unique=True)
    db["option_ratings"].create(
        {"option_id": int, "aspect": str, "score": int, "rated_by": str, "rated_at": str},
        pk=("option_id", "aspect"),
        not_null={"option_id", "aspect", "score", "rated_by", "rated_at"},
        foreign_keys=[("option_id", "options", "id")],
    )
    db["option_signoffs"].create(
        {"request_id": int, "person": str, "letter": str, "rationale": str, "at": str},
        pk=("request_id", "person"),
        not_null={"request_id", "person", "letter", "rationale", "at"},
        foreign_keys=[("request_id", "requests", "id")],
    )
    # IT's risk checks ticked on a request (the checklist itself comes from the rules).
    db["risk_ticks"].create(
        {"request_id": int, "name": str, "done_by": str, "done_at": str},
        pk=("request_id", "name"),
        not_null={"request_id", "name", "done_by", "done_at"},
        foreign_keys=[("request_id", "requests", "id")],
    )


@migrations()
def m014_contract_term_from(db: Database) -> None:
    # The end date a contract's terms are counted from (the one a person set), so the daily
    # roll never drifts at month ends; empty until the first roll.
    db["contracts"].add_column("term_from", str)


@migrations()
def m015_calendar_feed(db: Database) -> None:
    # The secret in the calendar subscription URL: one row; rotating it replaces the row.
    db["calendar_feed"].create(
        {"id": int, "secret": str, "created_at": str, "created_by": str},
        pk="id",
        not_null={"secret", "created_at", "created_by"},
    )


@migrations()
def m016_replays_deleted_comments_and_health_probe(db: Database) -> None:
    # Slash commands and interactions already applied, by trigger ID (and accepted form
    # submissions by view ID and hash), so a replayed signed request is applied once.
    db["replays"].create({"key": str, "seen_at": str}, pk="key", not_null={"seen_at"})
    db["replays"].create_index(["seen_at"])
    # A thread reply deleted in chat: its comment keeps its row (so a late retry of the
    # original message is not stored again) but loses its text.
    db["comments"].add_column("deleted_at", str)
    # /healthz proves the database can be written by writing this one row.
    db["health_probe"].create({"id": int, "at": str}, pk="id", not_null={"at"})


@migrations()
def m017_sync_meetings(db: Database) -> None:
    # The recurring IT–procurement sync meeting: one row per meeting whose agenda went out.
    db["sync_meetings"].create({"id": int, "slot": str, "at": str, "agenda_at": str}, pk="id",
                               not_null={"slot", "at", "agenda_at"})
    db["sync_meetings"].create_index(["slot"], unique=True)
    # Decisions recorded during (or between) meetings, and action items until done.
    db["sync_decisions"].create(
        {"id": int, "meeting_id": int, "text": str, "by": str, "at": str},
        pk="id", not_null={"text", "by", "at"}, foreign_keys=[("meeting_id", "sync_meetings", "id")],
    )
    db["action_items"].create(
        {"id": int, "meeting_id": int, "person": str, "text": str, "due": str, "created_by": str,
         "created_at": str, "done_at": str, "done_by": str},
        pk="id", not_null={"person", "text", "created_by", "created_at"},
        foreign_keys=[("meeting_id", "sync_meetings", "id")],
    )
    db["action_items"].create_index(["done_at"])


@migrations()
def m018_teams_reminder_cards_and_removal(db: Database) -> None:
    # A reminder card sent in Teams, so Snooze and Done can rewrite it in place (Teams sends
    # only the clicked button's data back, not the card).
    db["teams_reminder_cards"].create(
        {"activity_id": str, "conversation_id": str, "content": str, "updated_at": str},
        pk="activity_id", not_null={"activity_id", "conversation_id", "content", "updated_at"},
    )
    # When Tandem was removed from a team or chat: nothing is posted there any more.
    db["teams_conversations"].add_column("removed_at", str)


@migrations()
def m019_savings(db: Database) -> None:
    # Savings recorded when a request reaches ``ordered`` (bot.targets), in the base currency:
    # the first quote or the estimate, and the chosen option or the order price. Once per request.
    db["savings"].create(
        {"request_id": int, "category": str, "baseline": str, "final": str, "basis": str, "at": str},
        pk="request_id", not_null={"category", "baseline", "final", "basis", "at"},
    )
    db["savings"].create_index(["at"])


@migrations()
def m020_comment_markup(db: Database) -> None:
    # Thread replies keep people, channels and links as parts (bot.markup), so each platform
    # shows them as it should. Replies stored before kept Slack's markup with its escapes
    # undone: a "<@U…>", "<#C…|…>", "<https://…|…>" or "<!here>" in them is taken as markup
    # (a typed "<" could not be told apart any more; Slack sends it escaped, so this is rare).
    db["comments"].add_column("markup", str)
    rows = db.query("select id, text from comments where source = 'thread' and deleted_at is null")
    for row in list(rows):
        parts = markup.parse(row["text"], escaped=False)
        if markup.is_rich(parts):
            db.execute("update comments set text = ?, markup = ? where id = ?",
                       [markup.plain(parts), markup.dumps(parts), row["id"]])


@migrations()
def m021_teams_files_and_images(db: Database) -> None:
    # A file offered in a Teams personal chat (file consent card), kept until the person
    # accepts (then uploaded to the URL Teams gives) or declines; the content is dropped then.
    db["teams_files"].create(
        {"token": str, "person": str, "conversation_id": str, "filename": str, "title": str, "content": bytes,
         "state": str, "created_at": str, "updated_at": str},
        pk="token", not_null={"token", "person", "filename", "state", "created_at"},
    )
    # An image (a chart) a channel card shows, served at GET /images/<token>.png.
    db["teams_images"].create({"token": str, "content": bytes, "created_at": str}, pk="token",
                              not_null={"token", "content", "created_at"})


@migrations()
def m022_contract_seats_used(db: Database) -> None:
    # Seats in use (flexible contracts): recorded by command, form or spreadsheet column, so
    # a renewal can be negotiated down to what is used.
    db["contracts"].add_column("seats_used", int)


@migrations()
def m023_comment_mirrors(db: Database) -> None:
    # A thread reply copied into another platform's card thread: where the copy is, so an
    # edit or a deletion of the reply follows it, and a reply is copied once per platform.
    db["comment_mirrors"].create(
        {"comment_id": int, "platform": str, "conversation": str, "message_id": str},
        pk=("comment_id", "platform"), not_null={"conversation", "message_id"},
    )


@migrations()
def m024_slack_dm_channels(db: Database) -> None:
    # Each person's Slack DM channel (conversations.open, Tier 3), so a restart does not open
    # a thousand DMs again before the first reminder sweep.
    db["slack_dm_channels"].create({"user_id": str, "channel": str, "opened_at": str}, pk="user_id",
                                   not_null={"channel", "opened_at"})


@migrations()
def m025_cards_per_platform(db: Database) -> None:
    # Each request's card on each platform, in that platform's own terms; replaces the
    # requests table's card columns (the first platform's card) and Teams' own table.
    db["cards"].create(
        {"request_id": int, "platform": str, "conversation": str, "message_id": str},
        pk=("request_id", "platform"),
        not_null={"request_id", "platform", "conversation", "message_id"},
        foreign_keys=[("request_id", "requests", "id")],
    )
    db["cards"].create_index(["platform", "conversation", "message_id"])
    db.execute("insert into cards (request_id, platform, conversation, message_id) "
               "select request_id, 'teams', conversation_id, activity_id from teams_cards")
    # The card columns held the card of whichever platform came first: Teams' is already
    # copied above, the shell's cards are named card-N, a core with no platform wrote
    # "none"; the rest are Slack's.
    db.execute("insert or ignore into cards (request_id, platform, conversation, message_id) "
               "select id, case when card_ts like 'card-%' then 'shell' else 'slack' end, card_channel, card_ts "
               "from requests where card_ts is not null and card_channel is not null and card_channel != 'none' "
               "and not exists (select 1 from teams_cards t where t.request_id = requests.id "
               "and t.activity_id = requests.card_ts)")
    db["teams_cards"].drop()
    db.execute("drop index if exists idx_requests_card_channel_card_ts")
    db.execute("alter table requests drop column card_channel")
    db.execute("alter table requests drop column card_ts")


@migrations()
def m026_sourcing_stances(db: Database) -> None:
    # The sourcing map (bot.sourcing): IT's stance per category, who set it and when it was
    # last set or confirmed (the quarterly check asks the IT owners by DM).
    db["sourcing_stances"].create(
        {"category": str, "stance": str, "set_by": str, "set_at": str, "confirmed_at": str},
        pk="category", not_null={"stance", "set_by", "set_at", "confirmed_at"},
    )


@migrations()
def m027_request_workflow_runner(db: Database) -> None:
    # A need a Workflow Builder step filed on someone's behalf records who ran the workflow.
    db["requests"].add_column("workflow_runner", str)


@migrations()
def m028_notice_deadline_covering_index(db: Database) -> None:
    # /procure contracts counts the contracts awaiting a decision up to a day and pages them by
    # deadline and vendor: with the end date and vendor in the index, both read only the
    # index and only the page's rows are fetched (about 5 ms to about 1 ms at 10,000 contracts).
    db.execute("DROP INDEX IF EXISTS idx_contracts_status_notice_deadline")
    db.execute(
        "CREATE INDEX idx_contracts_status_notice_deadline "
        "ON contracts (status, date(end_date, '-' || notice_days || ' days'), end_date, vendor COLLATE NOCASE)"
    )


@migrations()
def m029_request_times_indexes(db: Database) -> None:
    # The digest's week in numbers reads the requests opened, claimed or closed in the last
    # seven days: through these, instead of reading all of them (100,000 rows: 50 ms to 15 ms).
    for column in ("created_at", "claimed_at", "closed_at"):
        db["requests"].create_index([column], if_not_exists=True)
