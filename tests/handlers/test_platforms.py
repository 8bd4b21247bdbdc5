"""Slack, Teams and the shell are each a ``handlers.platforms.Platform``: every method the
setup and the command line call is there, and the shell's platform builds and serves a core."""

import io
import threading

from bot.config import Settings
from handlers.platforms import Platform, build
from handlers.shell.notifier import ShellNotifier
from handlers.shell.platform import ShellPlatform
from handlers.slack.platform import SlackPlatform
from handlers.teams.platform import TeamsPlatform

METHODS = [name for name, value in vars(Platform).items() if callable(value) and not name.startswith("_")]


def test_every_platform_has_every_method_of_the_protocol():
    assert {"reaches", "probes", "attach", "start_sending", "serve", "close"} <= set(METHODS)
    for platform in (SlackPlatform, TeamsPlatform, ShellPlatform):
        missing = [name for name in METHODS if not callable(getattr(platform, name, None))]
        assert missing == [], platform.__name__
        assert hasattr(platform, "shared_channel"), platform.__name__


def test_the_shell_is_a_platform_the_setup_builds_a_core_for(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_CHANNEL": "it-buying"})
    out = io.StringIO()
    platform = ShellPlatform(settings, ShellNotifier("#it-buying", lambda text: out.write(text + "\n"), {}))
    core = build(settings, [platform], clock=clock)
    try:
        assert platform.core is core and core.notifier is platform.notifier and platform.shared_channel == "#it-buying"
        platform.talk(io.StringIO("/procure list\n/quit\n"), out)
        stopping = threading.Event()
        platform.serve(stopping)
        assert stopping.is_set() and "Open requests" in out.getvalue()
    finally:
        platform.close()
        core.close()


def test_a_configured_platform_that_is_not_installed_is_named_in_one_line():
    """A platform's folder may be deleted (each is a plug-in); Teams' SDK is an extra."""
    from handlers.registry import TEAMS_EXTRA, not_installed

    assert not_installed(["slack"], "handlers.slack") == "tandem: slack is configured but not installed"
    assert not_installed(["slack", "teams"], "handlers.slack.platform").startswith("tandem: slack is")
    assert not_installed(["slack", "teams"], "microsoft_agents") == TEAMS_EXTRA
    assert not_installed(["teams"], "handlers.teams") == TEAMS_EXTRA
