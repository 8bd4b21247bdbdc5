"""Every reply type of ``bot.dispatch.Reply`` is shown by the shell: each command of the
table in ``tests.replies`` (one per type) typed as ``/procure`` is answered (a form asks its
first question), never with "something went wrong"."""

import io

from bot import dispatch
from bot.config import Settings
from bot.core import build_core
from bot.permissions import Roles
from handlers.shell.console import Shell
from handlers.shell.ids import PERSONAS, PLATFORM
from handlers.shell.notifier import ShellNotifier
from tests.replies import COMMANDS, reply_types, seed

WRONG = "Something went wrong"


def test_every_reply_type_is_shown_in_the_shell(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db")})
    names = {user: name for name, user in PERSONAS.items()}
    out = io.StringIO()
    notifier = ShellNotifier("#it-procurement", lambda text: out.write(text + "\n"), names, tmp_path / "files")
    core = build_core(settings, notifier, clock=clock, roles=Roles((PERSONAS["buyer"],), (PERSONAS["admin"],)),
                      card_platforms={PLATFORM: notifier})
    try:
        seed(core, requester=PERSONAS["it"], buyer=PERSONAS["buyer"], third=PERSONAS["admin"])
        assert set(COMMANDS) == reply_types()
        for kind, text in COMMANDS.items():
            stdin = io.StringIO(".\n")  # a form's first question is answered "." (cancel)
            out.seek(0)
            out.truncate()
            shell = Shell(core, stdin, out, names, user=PERSONAS["buyer"], notifier=notifier)
            shell.handle(f"/procure {text}")
            shown = out.getvalue()
            assert shown.strip() and WRONG not in shown, text
            if kind is dispatch.OpenForm:
                assert "Cancelled; nothing was changed." in shown, text
            if kind in (dispatch.SendFile, dispatch.StatsShown):
                assert "Tandem sent a file" in shown, text
    finally:
        core.close()
