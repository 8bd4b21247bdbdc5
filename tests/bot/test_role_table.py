"""Who may do what, proved for every action and every role.

The expected table is written out here by hand from the product contract; it is not
derived from ``bot.permissions``. The first test checks the one authorization function
against it; the second drives every real service method as every role and checks that a
refusal raises ``NotAllowed`` with a clear message and changes nothing in the database;
the last ones show that the shell and the command line go through the same check.
"""

from __future__ import annotations

import io

import pytest

from handlers.cli import CLI_ACTOR, main, run_shell
from bot.config import Settings
from bot.core import build_core
from bot.errors import NotAllowed
from bot.notifier import NullNotifier
from bot.permissions import Action, authorize
from bot.visibility import Visibility
from handlers.shell.ids import PERSONAS
from tests.conftest import ADMIN, BUYER, IT, need
from tests.contract_samples import GOOD_ROWS, contract_form, csv_file
from tests.scenario import IT_OWNER, PEOPLE, PROC_OWNER, Scenario, roles, snapshot

Y, N = True, False
# One column per person in tests.scenario.PEOPLE, in that order.
# fmt: off
EXPECTED = {
    #                         requester  other  claimer  procurement  by group  admin  IT owner  proc. owner
    Action.VIEW:             (Y,         Y,     Y,       Y,           Y,        Y,     Y,        Y),
    Action.CREATE:           (Y,         Y,     Y,       Y,           Y,        Y,     Y,        Y),
    Action.COMMENT:          (Y,         Y,     Y,       Y,           Y,        Y,     Y,        Y),
    Action.EDIT:             (Y,         N,     N,       N,           N,        Y,     N,        N),
    Action.CANCEL:           (Y,         N,     Y,       Y,           Y,        Y,     N,        N),
    Action.CLAIM:            (N,         N,     Y,       Y,           Y,        Y,     N,        N),
    Action.UNCLAIM:          (N,         N,     Y,       N,           N,        Y,     N,        N),
    Action.CHANGE_STATUS:    (N,         N,     Y,       Y,           Y,        Y,     N,        N),
    Action.ADD_CONTRACT:     (N,         N,     Y,       Y,           Y,        Y,     N,        N),
    Action.MANAGE_CONTRACT:  (N,         N,     Y,       Y,           Y,        Y,     Y,        Y),
    Action.ADMINISTER:       (N,         N,     N,       N,           N,        Y,     N,        N),
    Action.START_RENEWAL:    (N,         N,     Y,       Y,           Y,        Y,     Y,        Y),
    Action.MARK_RENEWED:     (N,         N,     Y,       Y,           Y,        Y,     Y,        Y),
    Action.MARK_CANCELLED:   (N,         N,     Y,       Y,           Y,        Y,     Y,        Y),
}
# Approving and rejecting depend on TANDEM_APPROVERS, not on a role: bot.visibility checks
# them (tests/bot/test_visibility.py).
APPROVALS = {Action.APPROVE, Action.REJECT}
# Deciding together and the risk checks depend on the request (its requester, its owner, its
# data class) as much as on a role: bot.visibility checks them, and tests/bot/test_together.py
# drives each one as each side.
TOGETHER = {Action.ADD_OPTION, Action.RATE_FIT_RISK, Action.RATE_COST_TERMS, Action.SIGN_OFF, Action.TICK_CHECK}
# fmt: on

REFUSALS = {
    Action.EDIT: "Only the requester of #1 (or an admin) can edit it.",
    Action.CANCEL: "Only the requester of #1 or procurement can cancel it.",
    Action.CLAIM: "Only procurement members can claim requests.",
    Action.UNCLAIM: "Only the person who claimed #1 (or an admin) can unclaim it.",
    Action.CHANGE_STATUS: "Only procurement members can change a request's status.",
    Action.ADD_CONTRACT: "Only procurement members can add contracts.",
    Action.MANAGE_CONTRACT: "Only procurement members and the contract's owners can change contract 1.",
    Action.ADMINISTER: "Only Tandem admins can do that.",
    Action.START_RENEWAL: "Only procurement members and the contract's owners can change contract 1.",
    Action.MARK_RENEWED: "Only procurement members and the contract's owners can change contract 1.",
    Action.MARK_CANCELLED: "Only procurement members and the contract's owners can change contract 1.",
}

CONTRACT_ACTIONS = (Action.ADD_CONTRACT, Action.MANAGE_CONTRACT, Action.START_RENEWAL, Action.MARK_RENEWED,
                    Action.MARK_CANCELLED)


def allowed(action: Action, person: str) -> bool:
    return EXPECTED[action][list(PEOPLE).index(person)]


def test_the_table_covers_every_action_and_every_role():
    assert set(EXPECTED) | APPROVALS | TOGETHER == set(Action), "a new action needs a row in the expected table"
    assert all(len(row) == len(PEOPLE) for row in EXPECTED.values())


@pytest.mark.parametrize("action", list(EXPECTED))
def test_authorize_matches_the_table(action):
    the_roles = roles()
    if action in CONTRACT_ACTIONS:
        context = {"subject": "contract 1", "owners": (IT_OWNER, PROC_OWNER)}
    else:
        context = {"subject": "#1", "requester": IT, "owners": (BUYER,)}
    for person, user in PEOPLE.items():
        if allowed(action, person):
            authorize(the_roles, user, action, **context)
        else:
            with pytest.raises(NotAllowed) as refused:
                authorize(the_roles, user, action, **context)
            assert refused.value.message == REFUSALS[action], (action, person)


# Every service method that changes or shows something, with the action it must check.
# Each runs on a fresh copy of the seeded database (see tests.scenario.seed).
IMPORT = csv_file("Okta,SSO,,,2026-01-01,2027-06-30,60,yes,12,9000,USD,300,")
OPERATIONS = [
    # (what, action, changes the database when allowed, call)
    ("show request", Action.VIEW, N, lambda core, user: core.requests.show(user, 1)),
    ("list requests", Action.VIEW, N, lambda core, user: core.requests.list(user, "all")),
    ("show contract", Action.VIEW, N, lambda core, user: core.contracts.show(user, 1)),
    ("list deadlines", Action.VIEW, N, lambda core, user: core.contracts.upcoming(user, 90)),
    ("calendar", Action.VIEW, N, lambda core, user: core.contracts.calendar(user)),
    ("create request", Action.CREATE, Y, lambda core, user: core.requests.create(user, need(title="Headsets"))),
    ("comment", Action.COMMENT, Y,
     lambda core, user: core.requests.note(user, 1, "Any news?", source="command")),
    ("edit request", Action.EDIT, Y, lambda core, user: core.requests.edit(user, 1, need(title="60 Zoom licences"))),
    ("cancel request", Action.CANCEL, Y, lambda core, user: core.requests.cancel(user, 1)),
    ("cancel by status", Action.CANCEL, Y, lambda core, user: core.requests.change_status(user, 1, "cancelled")),
    ("claim", Action.CLAIM, Y, lambda core, user: core.requests.claim(user, 2)),
    ("unclaim", Action.UNCLAIM, Y, lambda core, user: core.requests.unclaim(user, 1)),
    ("change status", Action.CHANGE_STATUS, Y, lambda core, user: core.requests.change_status(user, 1, "sourcing")),
    ("open contract form", Action.ADD_CONTRACT, N, lambda core, user: core.contracts.check_can_add(user)),
    ("add contract", Action.ADD_CONTRACT, Y,
     lambda core, user: core.contracts.add(user, contract_form(vendor="Okta", product="SSO"))),
    ("open contract edit form", Action.MANAGE_CONTRACT, N, lambda core, user: core.contracts.edit_form(user, 1)),
    ("edit contract", Action.MANAGE_CONTRACT, Y,
     lambda core, user: core.contracts.edit(user, 1, contract_form(it_owner=IT_OWNER, procurement_owner=PROC_OWNER,
                                                                    seats="60"))),
    ("cancel contract", Action.MARK_CANCELLED, Y, lambda core, user: core.contracts.cancel(user, 1)),
    ("mark contract renewed", Action.MARK_RENEWED, Y, lambda core, user: core.contracts.mark_renewed(user, 1)),
    ("start renewal", Action.START_RENEWAL, Y, lambda core, user: core.contracts.start_renewal(user, 1)),
    ("import contracts", Action.ADD_CONTRACT, Y, lambda core, user: core.contracts.import_csv(user, IMPORT)),
    ("rotate the calendar link", Action.ADMINISTER, Y, lambda core, user: core.feed.rotate(user)),
]


def test_every_service_method_enforces_the_table_and_a_refusal_changes_nothing(tmp_path):
    scenario = Scenario(tmp_path)
    checked = set()
    for what, action, writes, call in OPERATIONS:
        for person, user in PEOPLE.items():
            core = scenario.core()
            try:
                before = snapshot(core)
                if allowed(action, person):
                    call(core, user)
                    after = snapshot(core)
                    if writes:
                        assert after != before, (what, person)
                        assert after["events"][-1][4] == user, f"{what} by {person} is audited under their name"
                    else:
                        assert after == before, f"{what} by {person} must not write"
                else:
                    with pytest.raises(NotAllowed) as refused:
                        call(core, user)
                    assert refused.value.message == REFUSALS[action], (what, person)
                    assert snapshot(core) == before, f"refused {what} by {person} changed the database"
                    assert core.notifier.calls == [], f"refused {what} by {person} told someone"
            finally:
                core.close()
            checked.add(action)
    assert checked == set(EXPECTED), "every action is driven through a real service method"


# --- the shell and the command line use the same check -------------------------------------


def spy_on_authorize(monkeypatch) -> list[tuple[str, Action]]:
    """Records every call to the real check, wherever the services call it."""
    seen: list[tuple[str, Action]] = []

    def checking(the_roles, user, action, **context):
        seen.append((user, action))
        return authorize(the_roles, user, action, **context)

    real_require = Visibility.require

    def requiring(self, viewer, action, subject):
        seen.append((viewer, action))
        return real_require(self, viewer, action, subject)

    monkeypatch.setattr("bot.request_service.authorize", checking)
    monkeypatch.setattr("bot.contract_service.authorize", checking)
    monkeypatch.setattr(Visibility, "require", requiring)
    return seen


SHELL_NEED = ["/need Laptop", "", "For the new hire", "hardware", "1", "1500", "", "", "", "", ""]


def drive_shell(settings, clock, *lines) -> str:
    out = io.StringIO()
    run_shell(settings, stdin=io.StringIO("\n".join([*lines, "/quit"]) + "\n"), stdout=out, clock=clock)
    return out.getvalue()


def test_the_shell_goes_through_the_same_check(tmp_path, clock, monkeypatch):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "shell.db")})
    drive_shell(settings, clock, *SHELL_NEED)
    before = snapshot(tmp_path / "shell.db")
    assert len(before["requests"]) == 1

    seen = spy_on_authorize(monkeypatch)
    out = drive_shell(settings, clock, "/procure claim 1", "/procure status 1 sourcing", "/procure contract add",
                      "/as U0STRANGER", "/procure cancel 1")
    assert "(only you can see this) Only procurement members can claim requests." in out
    assert "(only you can see this) Only procurement members can change a request's status." in out
    assert "(only you can see this) Only procurement members can add contracts." in out
    assert "(only you can see this) Only the requester of #1 or procurement can cancel it." in out
    assert snapshot(tmp_path / "shell.db") == before
    it = PERSONAS["it"]
    assert seen == [(it, Action.CLAIM), (it, Action.CHANGE_STATUS), (it, Action.ADD_CONTRACT),
                    ("U0STRANGER", Action.CANCEL)]

    out = drive_shell(settings, clock, "/as buyer", "/procure claim 1")
    assert "You claimed #1 Laptop." in out
    assert (PERSONAS["buyer"], Action.CLAIM) in seen


def test_the_cli_imports_as_the_admin_cli_actor_through_the_same_check(tmp_path, monkeypatch, capsys):
    env = {"TANDEM_DB": str(tmp_path / "cli.db"), "TANDEM_ADMINS": ADMIN}
    source = tmp_path / "contracts.csv"
    source.write_text(csv_file(GOOD_ROWS[0]), encoding="utf-8")
    seen = spy_on_authorize(monkeypatch)
    assert main(["import-contracts", str(source)], environ=env) == 0
    assert "1 added" in capsys.readouterr().out
    assert seen == [(CLI_ACTOR, Action.ADD_CONTRACT)]
    events = snapshot(tmp_path / "cli.db")["events"]
    assert [(row[4], row[5]) for row in events] == [(CLI_ACTOR, "imported")]

    # The CLI's right is the admin role it is given, not a way around the check: the same
    # database opened with the configured roles alone refuses the "cli" actor.
    core = build_core(Settings.from_env(env), NullNotifier())
    try:
        before = snapshot(core)
        with pytest.raises(NotAllowed, match="Only procurement members can add contracts."):
            core.contracts.import_csv(CLI_ACTOR, csv_file(GOOD_ROWS[2]))
        assert snapshot(core) == before
    finally:
        core.close()
