"""The confidentiality table: every renderer of every platform × every kind of viewer × every
place, for a confidential and a restricted need carrying marker strings.

Each cell takes the view the core hands that viewer in that place (``bot.visibility``),
renders it as the platform would, and checks where the markers may appear: a renderer that
shows details shows the need's title to its requester, procurement, admins and approvers in
a private place, and no marker to anyone else or anywhere in the shared channel; the files,
chart labels, error messages and log lines never show them. A renderer module's function
that takes a request (or a list, details, digest or reminder) and is neither in the table
nor named as a part of one fails the registry test, so a new renderer cannot be forgotten.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging

import pytest

from bot import commands, dispatch
from bot.chart import flow_chart
from bot.config import Settings
from bot.core import build_core
from bot.errors import DomainError
from bot.reminders import Kind, Reminder
from bot.stats import summary
from bot.visibility import Place
from tests.conftest import ADMIN, BUYER, IT, IT2, need
from testing.notifier import RecordingNotifier

APPROVER = "U0APPROVER"
VIEWERS = {"requester": IT, "other IT": IT2, "procurement": BUYER, "admin": ADMIN, "approver": APPROVER,
           "nobody": "U0NOBODY"}  # someone with no role and nothing to do with the need
SEES_IN_PRIVATE = {"requester", "procurement", "admin", "approver"}
NEEDS = {
    "confidential": {"title": "MKC-TITLE", "details": "MKC-WHY", "note": "MKC-NOTE"},
    "restricted": {"title": "MKR-TITLE", "details": "MKR-WHY", "note": "MKR-NOTE"},
}
NAMES: dict[str, str] = {}


@pytest.fixture(scope="module")
def core(tmp_path_factory):
    from datetime import datetime, timezone

    from bot.clock import FakeClock

    path = tmp_path_factory.mktemp("table") / "t.db"
    settings = Settings.from_env({"TANDEM_DB": str(path), "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
                                  "TANDEM_APPROVERS": APPROVER})
    core = build_core(settings, RecordingNotifier(), clock=FakeClock(datetime(2026, 11, 16, 9, tzinfo=timezone.utc)))
    core.contracts.add(BUYER, {"vendor": "Acme", "product": "Counsel", "end_date": "2027-01-31", "notice_days": "30",
                               "auto_renew": "yes", "it_owner": IT, "annual_cost": "1000"})
    for sensitivity, marks in NEEDS.items():
        request = core.requests.create(IT, need(title=marks["title"], details=marks["details"],
                                                sensitivity=sensitivity, preferred_vendor="Acme",
                                                needed_by="2026-11-18"))
        core.requests.note(IT, request.id, marks["note"], source="command")
    yield core
    core.close()


def request_id(sensitivity: str) -> int:
    return list(NEEDS).index(sensitivity) + 1


# --- the renderers: (core, viewer, place, request id) -> what the platform would show -------------

def _slack():
    from handlers.slack import blocks, contract_blocks, form_blocks, schedule_blocks

    def dumps(value) -> str:
        value = value.to_dict() if hasattr(value, "to_dict") else value
        return json.dumps([b.to_dict() if hasattr(b, "to_dict") else b for b in value]
                          if isinstance(value, list) else value, ensure_ascii=False)

    def view(core, v, place, rid):
        return core.visibility.request(v, core.requests.get(rid), place)

    return {
        "slack.request_card": lambda c, v, p, r: dumps(blocks.request_card(view(c, v, p, r))),
        "slack.card_text": lambda c, v, p, r: blocks.card_text(view(c, v, p, r)),
        "slack.request_details": lambda c, v, p, r: dumps(blocks.request_details(c.requests.show(v, r, p))),
        "slack.details_modal": lambda c, v, p, r: dumps(form_blocks.details_modal(c.requests.show(v, r, p))),
        "slack.request_list": lambda c, v, p, r: dumps(blocks.request_list(c.requests.list(v, "all", place=p), "All")),
        "slack.home_view": lambda c, v, p, r: dumps(blocks.home_view([("All", c.requests.list(v, "all", place=p))],
                                                                     "")),
        "slack.note_modal": lambda c, v, p, r: dumps(form_blocks.note_modal(view(c, v, p, r))),
        "slack.reject_modal": lambda c, v, p, r: dumps(form_blocks.reject_modal(view(c, v, p, r), "{}")),
        "slack.approval_request": lambda c, v, p, r: dumps(blocks.approval_request(view(c, v, p, r), "restricted")),
        "slack.contract_details": lambda c, v, p, r: dumps(contract_blocks.contract_details(c.contracts.show(v, 1, p))),
        "slack.contract_details_modal": lambda c, v, p, r: dumps(
            contract_blocks.contract_details_modal(c.contracts.show(v, 1, p))),
        "slack.digest_blocks": lambda c, v, p, r: dumps(schedule_blocks.digest_blocks(digest(c, v, p))),
        "slack.digest_text": lambda c, v, p, r: schedule_blocks.digest_text(digest(c, v, p)),
        "slack.reminder_blocks": lambda c, v, p, r: dumps(schedule_blocks.reminder_blocks(reminders(c, v, p, r))),
        "slack.reminders_text": lambda c, v, p, r: schedule_blocks.reminders_text(reminders(c, v, p, r)),
        "slack.reply": lambda c, v, p, r: json.dumps(slack_reply(c, v, p, r), ensure_ascii=False,
                                                     default=lambda block: block.to_dict()),
    }


def slack_reply(core, viewer, place, rid):
    from handlers.slack import replies

    return [replies.render(dispatch.run(core, viewer, commands.parse(text), place))
            for text in (f"show {rid}", "list all", "contract show 1")]


def digest(core, viewer, place):
    return core.schedule.digest(viewer=viewer if place is Place.PRIVATE else None)


def reminders(core, viewer, place, rid) -> list[Reminder]:
    """A reminder about the need, as the core hands it to its person (a DM)."""
    reminder = Reminder(Kind.NEEDED_BY, viewer, f"request:{rid}", "e", "3", 2,
                        request=core.requests.get(rid))
    shown = core.schedule.for_person(reminder)
    if place is Place.CHANNEL or viewer is None:  # reminders are never posted in the channel; cut as such
        shown = reminder.__class__(**{**shown.__dict__, "request": core.visibility.request(None, reminder.request,
                                                                                          Place.CHANNEL)})
    return [shown]


def _teams():
    from handlers.teams import cards, contract_cards, schedule_cards

    def view(core, v, place, rid):
        return core.visibility.request(v, core.requests.get(rid), place)

    dumps = lambda card: json.dumps(card, ensure_ascii=False)  # noqa: E731
    return {
        "teams.request_card": lambda c, v, p, r: dumps(cards.request_card(view(c, v, p, r))),
        "teams.card_summary": lambda c, v, p, r: cards.card_summary(view(c, v, p, r)),
        "teams.request_details": lambda c, v, p, r: dumps(cards.request_details(c.requests.show(v, r, p))),
        "teams.request_list": lambda c, v, p, r: dumps(cards.request_list(c.requests.list(v, "all", place=p), "All")),
        "teams.approval_card": lambda c, v, p, r: dumps(cards.approval_card(view(c, v, p, r), "restricted")),
        "teams.contract_details": lambda c, v, p, r: dumps(contract_cards.contract_details(c.contracts.show(v, 1, p))),
        "teams.digest_card": lambda c, v, p, r: dumps(schedule_cards.digest_card(digest(c, v, p))),
        "teams.reminders_card": lambda c, v, p, r: dumps(schedule_cards.reminders_card(reminders(c, v, p, r))),
    }


def _shell():
    from handlers.shell import render, schedule_text

    def view(core, v, place, rid):
        return core.visibility.request(v, core.requests.get(rid), place)

    return {
        "shell.card": lambda c, v, p, r: render.card(view(c, v, p, r), NAMES),
        "shell.details": lambda c, v, p, r: render.details(c.requests.show(v, r, p), NAMES),
        "shell.request_list": lambda c, v, p, r: render.request_list(c.requests.list(v, "all", place=p), "All", NAMES),
        "shell.contract_details": lambda c, v, p, r: render.contract_details(c.contracts.show(v, 1, p), NAMES),
        "shell.digest": lambda c, v, p, r: schedule_text.digest(digest(c, v, p), NAMES),
        "shell.reminders": lambda c, v, p, r: schedule_text.reminders(reminders(c, v, p, r), NAMES),
    }


def refusal(core, viewer, place, rid) -> str:
    """What someone is told when a change is refused (an error message)."""
    said = []
    for attempt in (lambda: core.requests.note(viewer, rid, "x", source="command"),
                    lambda: core.approvals.approve(viewer, rid),
                    lambda: core.requests.edit(viewer, rid, need())):
        try:
            attempt()
        except DomainError as error:
            said.append(error.message)
    return "\n".join(said)


# Renderers that never show a request's details, to anyone, anywhere.
NEVER = {
    "csv.contracts": lambda c, v, p, r: c.contracts.export_csv(),
    "ics.calendar": lambda c, v, p, r: c.contracts.calendar(v).decode(),
    "png.chart_labels": lambda c, v, p, r: "\n".join(summary(c.stats.stats(v, 8))) + str(
        flow_chart(c.stats.stats(v, 8))),
    "error.messages": refusal,
}
DETAILS = {**_slack(), **_teams(), **_shell()}
# A notification's text beside its blocks: counts and kinds, so it need not carry the title.
SUMMARIES = {"slack.digest_text", "slack.reminders_text"}
RENDERERS = {**DETAILS, **NEVER}
CELLS = [(renderer, kind, place, sensitivity) for renderer in RENDERERS for kind in VIEWERS for place in Place
         for sensitivity in NEEDS]


def test_the_table_names_how_many_cells_it_covers():
    assert len(RENDERERS) == 34 and len(VIEWERS) == 6 and len(Place) == 2 and len(NEEDS) == 2
    assert len(CELLS) == 816  # renderers × viewers × places × needs (+ log lines below: 6 × 2 × 2 × 4 commands)


@pytest.mark.parametrize("renderer", list(RENDERERS))
def test_markers_appear_only_where_the_viewer_may_see_them(core, renderer):
    render = RENDERERS[renderer]
    for kind, viewer in VIEWERS.items():
        for place in Place:
            for sensitivity, marks in NEEDS.items():
                shown = render(core, viewer, place, request_id(sensitivity))
                may = renderer in DETAILS and place is Place.PRIVATE and kind in SEES_IN_PRIVATE
                if may and renderer in SUMMARIES:
                    continue  # a notification's one line: it need not name the need, and may
                other = NEEDS["restricted" if sensitivity == "confidential" else "confidential"]
                if may:
                    assert marks["title"] in shown, (renderer, kind, place, sensitivity)
                else:
                    leaked = [m for m in (*marks.values(), *(other.values() if renderer in NEVER else ())) if m in shown]
                    assert not leaked, (renderer, kind, place, sensitivity, leaked)


def test_log_lines_carry_no_marker_at_info_whoever_asks_wherever(core, caplog):
    caplog.set_level(logging.INFO)
    for viewer in VIEWERS.values():
        for place in Place:
            for sensitivity in NEEDS:
                rid = request_id(sensitivity)
                for text in (f"show {rid}", f"note {rid} MKX-LOGGED", "list all", "contract show 1"):
                    try:
                        dispatch.run(core, viewer, commands.parse(text), place)
                    except DomainError:
                        pass
    lines = [record.getMessage() for record in caplog.records if record.levelno >= logging.INFO]
    markers = [m for marks in NEEDS.values() for m in marks.values()] + ["MKX-LOGGED"]
    assert [line for line in lines if any(m in line for m in markers)] == []


# --- the registry: a renderer that is not in the table fails ----------------------------------------

RENDERER_MODULES = ("handlers.slack.blocks", "handlers.slack.contract_blocks", "handlers.slack.schedule_blocks",
                    "handlers.slack.form_blocks",
                    "handlers.teams.cards", "handlers.teams.contract_cards", "handlers.teams.schedule_cards",
                    "handlers.shell.render", "handlers.shell.schedule_text")
SHOWN_TYPES = {"Request", "RequestDetails", "Page", "Digest", "ContractDetails", "Reminder", "Waiting"}
# Functions that draw a part of a renderer in the table (and are checked through it).
PARTS = {
    "handlers.slack.blocks": {"card_actions": "slack.request_card", "confidential_card": "slack.request_card",
                              "headline": "slack.request_card", "request_row": "slack.request_list"},
    "handlers.slack.schedule_blocks": {"headline": "slack.digest_blocks", "week_line": "slack.digest_blocks",
                                       "open_button": "slack.reminder_blocks", "reminder_line": "slack.reminder_blocks"},
    "handlers.teams.cards": {"headline": "teams.request_card", "request_actions": "teams.request_card",
                             "request_inputs": "teams.request_card", "request_row": "teams.request_list"},
    "handlers.teams.schedule_cards": {"open_action": "teams.reminders_card", "reminders_summary": "teams.reminders_card",
                                      "waiting_head": "teams.digest_card"},
    "handlers.shell.render": {"card_actions": "shell.card", "contract_actions": "shell.contract_details"},
}
SHORT = {"handlers.slack.blocks": "slack", "handlers.slack.contract_blocks": "slack",
         "handlers.slack.schedule_blocks": "slack", "handlers.slack.form_blocks": "slack", "handlers.teams.cards": "teams",
         "handlers.teams.contract_cards": "teams", "handlers.teams.schedule_cards": "teams", "handlers.shell.render": "shell",
         "handlers.shell.schedule_text": "shell"}


def test_every_renderer_of_a_request_is_in_the_table():
    missing = []
    for name in RENDERER_MODULES:
        module = importlib.import_module(name)
        for function_name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != name or function_name.startswith("_"):
                continue
            words = set(" ".join(str(a) for a in function.__annotations__.values()).replace("[", " ")
                        .replace("]", " ").replace("|", " ").replace(",", " ").split())
            if not words & SHOWN_TYPES:
                continue
            part_of = PARTS.get(name, {}).get(function_name)
            if part_of is not None:
                assert part_of in RENDERERS
                continue
            if f"{SHORT[name]}.{function_name}" not in RENDERERS:
                missing.append(f"{name}.{function_name}")
    assert missing == [], "renderers that show requests but are not in the confidentiality table"
