"""Realistic data at scale, written straight into a fresh Tandem database.

The schema comes from the project's own migrations (``storage.Store`` creates the file);
the rows go in with bulk ``executemany`` inserts in one transaction, in exactly the form
the repositories write them (ISO timestamps in UTC, decimals as text, audit events as
sorted JSON). At the full size — 100,000 requests over five years, 10,000 contracts and
2,000 people — that takes well under a minute.

What the data looks like:

* Volume grows over the five years (the last year is about 2.5 times the first), on
  working days and working hours; requesters follow a long tail (a few people ask a lot).
* Each request lives through the real status flow, with the real audit events: created,
  claimed after a few hours, sourcing, approved, ordered, fulfilled over a few weeks;
  some wait on IT or go on hold and resume, some are unclaimed and claimed again, about
  one in nine is cancelled. What has not happened yet by "now" has not happened, so the
  newest requests are still open (a couple of percent of the total, as in a live team).
* About 1.6 comments per request (thread replies and notes), each with its audit event.
* Contracts: most in force with end dates spread over the coming term, the rest ended;
  notice periods of 30/60/90/180 days, auto-renew on about half; owners from IT and
  procurement. In-force contracts all end today or later, as after the daily roll.
* The newest requests (at least ``FRESH``) are new and unclaimed: the morning queue.

``python -m bench.generate --requests 100000 --out /tmp/tandem-100k.db`` writes one file.
"""

from __future__ import annotations

import argparse
import calendar
import itertools
import json
import math
import random
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bot.contracts import match_key
from storage import Store

CHANNEL = "C0SHARED"
FRESH = 16  # the newest requests are new and unclaimed, so there is always something to claim
YEARS = 5
DAY = 86_400.0
HOUR = 3_600.0

CATEGORIES = {"software": 30, "saas": 25, "hardware": 25, "services": 8, "telecom": 7, "other": 5}
URGENCIES = {"low": 20, "normal": 55, "high": 20, "critical": 5}
SENSITIVITIES = {"public": 10, "internal": 60, "confidential": 25, "restricted": 5}
CURRENCIES = {"USD": 80, "EUR": 12, "GBP": 8}
NOTICE_DAYS = {30: 35, 60: 25, 90: 35, 180: 5}
TERMS = {12: 75, 24: 10, 36: 15}

KNOWN_VENDORS = {
    "Microsoft": ["Microsoft 365 E3", "Azure", "Visio", "Project", "Defender"],
    "Zoom": ["Business", "Rooms", "Phone"],
    "Slack": ["Business+", "Enterprise Grid"],
    "Atlassian": ["Jira", "Confluence", "Jira Service Management"],
    "Salesforce": ["Sales Cloud", "Service Cloud", "Tableau"],
    "Adobe": ["Creative Cloud", "Acrobat Pro", "Sign"],
    "Okta": ["Workforce Identity", "Advanced Server Access"],
    "Google": ["Workspace Business", "Cloud Platform"],
    "Dell": ["Latitude laptops", "Monitors", "ProSupport"],
    "Apple": ["MacBook Pro", "iPhone", "AppleCare"],
    "Lenovo": ["ThinkPad", "Premier Support"],
    "Cisco": ["Meraki", "Webex", "SmartNet"],
    "GitHub": ["Enterprise", "Copilot"],
    "Figma": ["Organization"],
    "Miro": ["Business"],
    "Notion": ["Enterprise"],
    "Datadog": ["Infrastructure", "APM", "Logs"],
    "PagerDuty": ["Business"],
    "CrowdStrike": ["Falcon"],
    "1Password": ["Business"],
    "DocuSign": ["eSignature"],
    "HubSpot": ["Marketing Hub", "Sales Hub"],
    "Zendesk": ["Suite"],
    "Vodafone": ["Mobile fleet", "SD-WAN"],
    "AT&T": ["Business fibre", "Mobility"],
}
PREFIXES = ["Acme", "Blue", "Bright", "Cedar", "Clear", "Core", "Delta", "Echo", "First", "Green", "Harbor",
            "Iron", "Jade", "Keystone", "Lumen", "Maple", "North", "Nova", "Orbit", "Pine", "Prime", "Quartz",
            "River", "Silver", "Summit", "Terra", "Union", "Vector", "West", "Zenith"]
SUFFIXES = ["Analytics", "Cloud", "Data", "Devices", "Labs", "Networks", "Security", "Software", "Systems",
            "Telecom", "Works", "Consulting", "Hardware", "Logic", "Apps", "Digital"]
PRODUCTS = ["Platform", "Enterprise", "Team plan", "Support", "Licences", "Subscription", "Managed service",
            "Hardware lease", "Maintenance", "Professional services", "Add-on", "Premium"]
ITEMS = {
    "hardware": ["MacBook Pro 14", "ThinkPad X1", "27-inch monitors", "USB-C docks", "YubiKeys", "headsets",
                 "iPhones", "conference room camera", "firewall appliance", "NAS storage"],
    "software": ["IDE licences", "Visio licences", "Adobe Acrobat Pro", "database licences", "backup software",
                 "diagram tool", "PDF editor", "statistics package"],
    "saas": ["Zoom seats", "Figma seats", "Miro seats", "Notion workspace", "Datadog hosts", "GitHub seats",
             "1Password seats", "survey tool"],
    "telecom": ["SIM cards", "office fibre line", "SD-WAN circuit", "mobile data plan", "desk phones"],
    "services": ["penetration test", "network audit", "migration consultants", "training days", "SOC 2 audit"],
    "other": ["ergonomic chairs", "server rack", "cables and adapters", "shredding service", "spare parts"],
}
PHRASES = ["Quote received", "Asked the vendor for a discount", "Need this for the new hires",
           "Security review done", "Can we co-term with the existing contract?", "Budget approved by finance",
           "Shipping next week", "Which cost centre?", "Delivered to the office", "Waiting on legal",
           "Is the data processing agreement signed?", "Updated the quantity", "Thanks!"]


@dataclass
class Dataset:
    """What was generated, and what the benchmarks need to know about it."""

    path: str
    requests: int
    contracts: int
    users: int
    comments: int
    events: int
    open_requests: int
    now: str
    seconds: float
    procurement: list[str] = field(default_factory=list)
    admins: list[str] = field(default_factory=list)
    requesters: list[str] = field(default_factory=list)  # the most active first
    claimable: list[list] = field(default_factory=list)  # [request id, card ts] of new, unclaimed requests

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: str | Path) -> "Dataset":
        return cls(**json.loads(Path(path).read_text()))


def scale(requests: int) -> tuple[int, int]:
    """Contracts and people for a number of requests: 100,000 → 10,000 contracts, 2,000 people."""
    return max(20, requests // 10), min(2_000, max(60, requests // 50))


# --- small helpers ------------------------------------------------------------------------------


class _Weighted:
    """Draws from fixed weights quickly (cumulative weights computed once)."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def __call__(self, rng: random.Random):
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


_PICKERS: dict[int, _Weighted] = {}


def _pick(rng: random.Random, weights: dict):
    picker = _PICKERS.get(id(weights))
    if picker is None:
        picker = _PICKERS[id(weights)] = _Weighted(weights, weights.values())
    return picker(rng)


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(int(seconds), timezone.utc).isoformat()


def _status(value: str) -> str:
    return f'{{"status": "{value}"}}'


def _zipf_weights(n: int, s: float) -> list[float]:
    return [1.0 / (rank ** s) for rank in range(1, n + 1)]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


class _People:
    def __init__(self, rng: random.Random, users: int):
        buyers = max(5, users // 50)
        self.admins = [f"U0A{i:07d}" for i in range(1, 4)]
        self.procurement = [f"U0B{i:07d}" for i in range(1, buyers + 1)]
        self.requesters = [f"U0R{i:07d}" for i in range(1, users - buyers - len(self.admins) + 1)]
        self._requester = _Weighted(self.requesters, _zipf_weights(len(self.requesters), 0.8))
        self._buyer = _Weighted(self.procurement, _zipf_weights(len(self.procurement), 0.5))
        self.rng = rng

    def requester(self) -> str:
        return self._requester(self.rng)

    def buyer(self) -> str:
        return self._buyer(self.rng)


# --- contracts ------------------------------------------------------------------------------------

_CONTRACT_COLUMNS = ("id", "vendor", "product", "vendor_key", "product_key", "it_owner", "procurement_owner",
                     "start_date", "end_date", "notice_days", "auto_renew", "term_months", "annual_cost",
                     "currency", "seats", "notes", "status", "created_at", "updated_at")
_CONTRACT_AUDITED = ("vendor", "product", "it_owner", "procurement_owner", "start_date", "end_date", "notice_days",
                     "auto_renew", "term_months", "annual_cost", "currency", "seats", "notes", "status")


def _vendors(count: int) -> list[tuple[str, list[str]]]:
    vendors = [(name, products) for name, products in KNOWN_VENDORS.items()]
    for form in ("{} {}", "{} {} Inc", "{} {} GmbH", "{} {} Ltd", "{} {} BV"):
        for prefix in PREFIXES:
            for suffix in SUFFIXES:
                vendors.append((form.format(prefix, suffix), PRODUCTS))
    return vendors[:max(count, len(KNOWN_VENDORS))]


def _contracts(rng: random.Random, people: _People, count: int, now: float, today: date):
    vendors = _vendors(max(40, count // 5))
    pick_vendor = _Weighted(vendors, _zipf_weights(len(vendors), 0.7))
    seen: set[tuple[str, str]] = set()
    rows, events, in_force_by_vendor = [], [], {}
    for contract_id in range(1, count + 1):
        vendor, products = pick_vendor(rng)
        product = rng.choice(products)
        team = 1
        while (match_key(vendor), match_key(product)) in seen:
            team += 1
            product = f"{rng.choice(products)} — team {team}"
        seen.add((match_key(vendor), match_key(product)))
        term = _pick(rng, TERMS)
        notice = _pick(rng, NOTICE_DAYS)
        auto_renew = rng.random() < 0.55
        roll = rng.random()
        if roll < 0.70:  # in force: ends within its current term
            end = today + timedelta(days=rng.randint(0, term * 30))
            status = "active" if roll < 0.64 else "renewing" if roll < 0.675 else "renewed"
        elif roll < 0.73:  # notice given, still running
            end = today + timedelta(days=rng.randint(0, term * 30))
            status = "cancelled"
        else:  # ended some time in the last five years
            end = today - timedelta(days=rng.randint(1, YEARS * 365))
            status = "expired" if rng.random() < 0.75 else "cancelled"
        start = _add_months(end, -term)
        created = min(now - rng.uniform(0, 30) * DAY, datetime(start.year, start.month, start.day, 9,
                                                               tzinfo=timezone.utc).timestamp())
        created = max(created, now - YEARS * 365 * DAY)
        cost = _lognormal(rng, 12_000, 1.2) if rng.random() < 0.92 else None
        row = {
            "id": contract_id, "vendor": vendor, "product": product, "vendor_key": match_key(vendor),
            "product_key": match_key(product),
            "it_owner": people.requester() if rng.random() < 0.95 else None,
            "procurement_owner": people.buyer() if rng.random() < 0.90 else None,
            "start_date": start.isoformat(), "end_date": end.isoformat(), "notice_days": notice,
            "auto_renew": int(auto_renew), "term_months": term,
            "annual_cost": f"{cost:.2f}" if cost is not None else None, "currency": _pick(rng, CURRENCIES),
            "seats": int(_lognormal(rng, 40, 1.3)) + 1 if rng.random() < 0.6 else None,
            "notes": rng.choice(PHRASES) if rng.random() < 0.2 else "",
            "status": status, "created_at": _iso(created), "updated_at": _iso(created),
        }
        audited = {name: row[name] for name in _CONTRACT_AUDITED}
        audited["auto_renew"] = bool(audited["auto_renew"])
        audited["status"] = "active"
        events.append(("contract", contract_id, row["created_at"], "cli", "imported", "{}",
                       json.dumps(audited, sort_keys=True)))
        if status != "active":
            changed_at = min(now, created + rng.uniform(1, 300) * DAY)
            action = {"renewing": "renewal started", "renewed": "renewed", "cancelled": "cancelled",
                      "expired": "expired"}[status]
            actor = "tandem" if status == "expired" else row["procurement_owner"] or people.buyer()
            events.append(("contract", contract_id, _iso(changed_at), actor, action,
                           json.dumps({"status": "active"}), json.dumps({"status": status})))
            row["updated_at"] = _iso(max(created, changed_at))
        if status in ("active", "renewing", "renewed"):
            in_force_by_vendor.setdefault(vendor, contract_id)
        rows.append(tuple(row[name] for name in _CONTRACT_COLUMNS))
    return rows, events, in_force_by_vendor, [vendor for vendor, _ in vendors]


# --- requests -------------------------------------------------------------------------------------

_REQUEST_COLUMNS = ("id", "title", "details", "category", "quantity", "estimated_cost", "currency", "needed_by",
                    "urgency", "sensitivity", "preferred_vendor", "contract_id", "requester", "owner", "status",
                    "resume_status", "created_at", "updated_at", "claimed_at", "closed_at")
_CARD_COLUMNS = ("request_id", "platform", "conversation", "message_id")
_COMMENT_COLUMNS = ("id", "request_id", "at", "author", "text", "source", "external_id")
_EVENT_COLUMNS = ("subject", "subject_id", "at", "actor", "action", "before", "after")


def _creation_times(rng: random.Random, count: int, now: float) -> list[float]:
    """``count`` moments over five years, growing over time, on working days and hours."""
    growth = 1.5  # the density rises linearly to 2.5 times its start
    span = YEARS * 365 * DAY
    start = now - span
    times = []
    for _ in range(count):
        y = rng.random()
        u = (-1 + math.sqrt(1 + 2 * growth * y * (1 + growth / 2))) / growth
        moment = start + u * span
        day_start = moment - moment % DAY
        weekday = datetime.fromtimestamp(day_start, timezone.utc).weekday()
        if weekday >= 5 and rng.random() < 0.9:  # most weekend moments move to a working day
            day_start += (7 - weekday) * DAY if rng.random() < 0.5 else -(weekday - 4) * DAY
        hour = min(20.0, max(7.0, rng.gauss(13.0, 2.5)))
        times.append(min(now - 60, max(start, day_start + hour * HOUR + rng.uniform(0, 60))))
    times.sort()
    return times


class _Requests:
    """Builds request rows with their comments and audit events."""

    def __init__(self, rng: random.Random, people: _People, now: float, in_force_by_vendor: dict[str, int],
                 vendors: list[str]):
        self.rng, self.people, self.now = rng, people, now
        self.in_force_by_vendor = in_force_by_vendor
        self.contract_vendors = list(in_force_by_vendor) or vendors
        self.pick_vendor = _Weighted(self.contract_vendors, _zipf_weights(len(self.contract_vendors), 0.9))
        self.other_vendors = vendors
        self.rows: list[tuple] = []
        self.comments: list[tuple] = []
        self.cards: list[tuple] = []  # each request's Slack card
        self.events: list[tuple] = []
        self.claimable: list[list] = []
        self.open = 0
        self.comment_count = 0
        self.event_count = 0

    def flush(self, conn: sqlite3.Connection) -> None:
        """Writes what was built so far, so memory stays bounded at any size."""
        _insert(conn, "requests", _REQUEST_COLUMNS, self.rows)
        _insert(conn, "comments", _COMMENT_COLUMNS, self.comments)
        _insert(conn, "cards", _CARD_COLUMNS, self.cards)
        _insert(conn, "events", _EVENT_COLUMNS, self.events)
        self.event_count += len(self.events)
        self.rows, self.comments, self.cards, self.events = [], [], [], []

    def need(self, request_id: int, created: float) -> dict:
        rng = self.rng
        category = _pick(rng, CATEGORIES)
        item = rng.choice(ITEMS[category])
        quantity = 1 if rng.random() < 0.55 else int(_lognormal(rng, 8, 1.1)) + 1
        title = f"{quantity} {item}" if quantity > 1 else item[:1].upper() + item[1:]
        vendor, contract_id = "", None
        roll = rng.random()
        if roll < 0.45:
            vendor = self.pick_vendor(rng)
            contract_id = self.in_force_by_vendor.get(vendor)
        elif roll < 0.65:
            vendor = rng.choice(self.other_vendors)
        cost = _lognormal(rng, 1_500, 1.4) * (quantity ** 0.5) if rng.random() < 0.85 else None
        needed_by = None
        if rng.random() < 0.55:
            needed_by = (datetime.fromtimestamp(created, timezone.utc).date()
                         + timedelta(days=rng.randint(5, 60))).isoformat()
        return {
            "title": title, "details": f"{rng.choice(PHRASES)}. For the {rng.choice(['EMEA', 'US', 'APAC'])} team.",
            "category": category, "quantity": quantity,
            "estimated_cost": f"{cost:.2f}" if cost is not None else None, "currency": _pick(rng, CURRENCIES),
            "needed_by": needed_by, "urgency": _pick(rng, URGENCIES), "sensitivity": _pick(rng, SENSITIVITIES),
            "preferred_vendor": vendor, "contract_id": contract_id,
        }

    def add(self, request_id: int, created: float, fresh: bool = False) -> None:
        rng, now = self.rng, self.now
        need = self.need(request_id, created)
        requester = self.people.requester()
        state = {"status": "new", "owner": None, "resume": None, "claimed": None, "closed": None}
        events: list[tuple[float, str, str, str, str]] = []
        public = {**need, "owner": None, "status": "new"}
        events.append((created, requester, "created", "{}", json.dumps(public, sort_keys=True)))
        last = created
        plan = [] if fresh else self._plan(created, requester)
        for moment, actor, action, before, after, changes in plan:
            if moment > now:
                break
            events.append((moment, actor, action, before, after))
            state.update(changes)
            last = moment
        # Comments between creation and the close (or now), each with its audit event.
        end = state["closed"] or now
        for _ in range(0 if fresh else self._comment_count()):
            at = rng.uniform(created, end)
            author = state["owner"] if state["owner"] and rng.random() < 0.5 else requester
            self.comment_count += 1
            comment_id = self.comment_count
            source = "thread" if rng.random() < 0.8 else "command"
            external = f"{CHANNEL}:{int(at)}.{comment_id:06d}" if source == "thread" else None
            self.comments.append((comment_id, request_id, _iso(at), author, rng.choice(PHRASES), source, external))
            events.append((at, author, "commented", "{}", f'{{"comment": {comment_id}}}'))
            last = max(last, at)
        events.sort(key=lambda event: event[0])
        for at, actor, action, before, after in events:
            self.events.append(("request", request_id, _iso(at), actor, action, before, after))
        card_ts = f"{int(created)}.{request_id % 1_000_000:06d}"
        status = state["status"]
        if status not in ("fulfilled", "cancelled"):
            self.open += 1
            if status == "new":
                self.claimable.append([request_id, card_ts])
        self.rows.append((
            request_id, need["title"], need["details"], need["category"], need["quantity"], need["estimated_cost"],
            need["currency"], need["needed_by"], need["urgency"], need["sensitivity"], need["preferred_vendor"],
            need["contract_id"], requester, state["owner"], status, state["resume"], _iso(created), _iso(last),
            _iso(state["claimed"]) if state["claimed"] else None, _iso(state["closed"]) if state["closed"] else None,
        ))
        self.cards.append((request_id, "slack", CHANNEL, card_ts))

    def _comment_count(self) -> int:
        count = 0
        while self.rng.random() < 0.62:  # geometric: about 1.6 on average
            count += 1
        return count

    def _plan(self, created: float, requester: str) -> list[tuple]:
        """The request's whole future: (moment, actor, action, before, after, state changes)."""
        rng = self.rng
        plan = []
        t = created
        if rng.random() < 0.03:  # withdrawn before anyone claimed it
            t += _lognormal(rng, DAY, 1.0)
            return [(t, requester, "cancelled", '{"status": "new"}', '{"status": "cancelled"}',
                     {"status": "cancelled", "closed": t})]
        t += _lognormal(rng, 5 * HOUR, 1.0)
        owner = self.people.buyer()
        plan.append((t, owner, "claimed", '{"owner": null, "status": "new"}',
                     json.dumps({"owner": owner, "status": "claimed"}), {"status": "claimed", "owner": owner,
                                                                          "claimed": t}))
        if rng.random() < 0.03:  # handed back and claimed again by someone else
            t += _lognormal(rng, DAY, 0.8)
            plan.append((t, owner, "unclaimed", json.dumps({"owner": owner, "status": "claimed"}),
                         '{"owner": null, "status": "new"}', {"status": "new", "owner": None, "claimed": None}))
            t += _lognormal(rng, 4 * HOUR, 1.0)
            owner = self.people.buyer()
            plan.append((t, owner, "claimed", '{"owner": null, "status": "new"}',
                         json.dumps({"owner": owner, "status": "claimed"}),
                         {"status": "claimed", "owner": owner, "claimed": t}))
        steps = [("sourcing", DAY), ("approved", 2.5 * DAY), ("ordered", 1.5 * DAY), ("fulfilled", 6 * DAY)]
        pause_at = rng.randrange(len(steps)) if rng.random() < 0.22 else None
        cancel_at = rng.randrange(len(steps)) if rng.random() < 0.08 else None
        current = "claimed"
        for index, (target, median) in enumerate(steps):
            if index == pause_at:
                pause = "awaiting_it" if rng.random() < 0.65 else "on_hold"
                t += _lognormal(rng, 0.7 * DAY, 0.8)
                plan.append((t, owner, "status", _status(current), _status(pause),
                             {"status": pause, "resume": current}))
                t += _lognormal(rng, 1.5 * DAY if pause == "awaiting_it" else 5 * DAY, 0.8)
                actor = requester if pause == "awaiting_it" else owner
                plan.append((t, actor, "status", _status(pause), _status(current),
                             {"status": current, "resume": None}))
            t += _lognormal(rng, median, 0.8)
            if index == cancel_at:
                actor = requester if rng.random() < 0.5 else owner
                plan.append((t, actor, "cancelled", _status(current), '{"status": "cancelled"}',
                             {"status": "cancelled", "closed": t}))
                return plan
            changes = {"status": target}
            if target == "fulfilled":
                changes["closed"] = t
            plan.append((t, owner, "status", _status(current), _status(target),
                         changes))
            current = target
        return plan


# --- writing ----------------------------------------------------------------------------------------


def _insert(conn: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    sql = f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})"
    for start in range(0, len(rows), 50_000):
        conn.executemany(sql, rows[start:start + 50_000])


def generate(path: str | Path, requests: int = 100_000, contracts: int | None = None, users: int | None = None,
             now: datetime | None = None, seed: int = 7) -> Dataset:
    """Writes a fresh database at ``path`` (replacing any file there) and describes it."""
    started = time.perf_counter()
    default_contracts, default_users = scale(requests)
    contracts = default_contracts if contracts is None else contracts
    users = default_users if users is None else users
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    moment = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    now_s = moment.timestamp()
    today = moment.date()
    rng = random.Random(seed)
    people = _People(rng, users)

    store = Store(path)  # the schema, from the project's migrations
    store.close()

    contract_rows, contract_events, in_force, vendors = _contracts(rng, people, contracts, now_s, today)
    built = _Requests(rng, people, now_s, in_force, vendors)
    times = _creation_times(rng, requests, now_s)
    fresh = min(FRESH, requests)
    # The morning queue: the newest requests arrived in the last hours and nobody has claimed them yet.
    for index in range(requests - fresh, requests):
        times[index] = now_s - (requests - index) * rng.uniform(600, 3_000)
    times[requests - fresh:] = sorted(times[requests - fresh:])
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("BEGIN")
    _insert(conn, "contracts", _CONTRACT_COLUMNS, contract_rows)
    _insert(conn, "events", _EVENT_COLUMNS, contract_events)
    for index, created in enumerate(times):
        built.add(index + 1, created, fresh=index >= requests - fresh)
        if len(built.rows) >= 5_000:
            built.flush(conn)
    built.flush(conn)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()

    return Dataset(
        path=str(path), requests=requests, contracts=contracts, users=users, comments=built.comment_count,
        events=built.event_count + len(contract_events), open_requests=built.open, now=moment.isoformat(),
        seconds=time.perf_counter() - started, procurement=people.procurement, admins=people.admins,
        requesters=people.requesters[:200], claimable=built.claimable,
    )


def generate_reminders(path: str | Path, people: int = 1_000, now: datetime | None = None,
                       seed: int = 7) -> Dataset:
    """A database where a reminder sweep owes exactly ``people`` direct messages: each person
    owns one to three active contracts whose notice deadline is 20 days away (the 30-day
    threshold is reached), and nothing else is due."""
    started = time.perf_counter()
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    moment = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    today = moment.date()
    rng = random.Random(seed)
    store = Store(path)
    store.close()
    owners = [f"U0D{i:07d}" for i in range(1, people + 1)]
    rows, contract_id = [], 0
    for owner in owners:
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            contract_id += 1
            notice = _pick(rng, NOTICE_DAYS)
            end = today + timedelta(days=20 + notice)
            vendor, product = f"Vendor {contract_id}", rng.choice(PRODUCTS)
            created = _iso(moment.timestamp() - 200 * DAY)
            rows.append((contract_id, vendor, product, match_key(vendor), match_key(product), owner, None,
                         _add_months(end, -12).isoformat(), end.isoformat(), notice, 1, 12, "12000.00", "USD", 25,
                         "", "active", created, created))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    _insert(conn, "contracts", _CONTRACT_COLUMNS, rows)
    conn.execute("COMMIT")
    conn.close()
    return Dataset(path=str(path), requests=0, contracts=contract_id, users=people, comments=0, events=0,
                   open_requests=0, now=moment.isoformat(), seconds=time.perf_counter() - started,
                   procurement=["U0B0000001"], admins=["U0A0000001"], requesters=owners)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--out", required=True, help="the database file to write (replaced if it exists)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    data = generate(args.out, args.requests, seed=args.seed)
    data.save(args.out + ".json")
    print(f"{data.requests:,} requests ({data.open_requests:,} open), {data.contracts:,} contracts, "
          f"{data.users:,} people, {data.comments:,} comments, {data.events:,} audit events "
          f"in {data.seconds:.1f} s -> {data.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
