"""The chat platforms Tandem knows, each a plug-in under ``handlers/`` loaded by name only when
it is configured, so a platform's folder can be deleted and the rest still installs and runs.
Light on purpose: the command line reads it before anything heavy is imported."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import Settings

TEAMS_EXTRA = "tandem: Teams needs the teams extra: pip install 'tandem[teams]' (or -e '.[teams]' in a clone)"


# The chat platforms, each a plug-in under handlers/ (``handlers.platforms.Platform``), in
# the order a person's DMs try them. Each is imported only when configured, so a platform's
# folder can be deleted and the rest still installs and runs.
PLATFORMS = {
    "slack": ("handlers.slack.platform", "SlackPlatform"),
    "teams": ("handlers.teams.platform", "TeamsPlatform"),
}


def configured(settings: Settings) -> list[str]:
    enabled = {"slack": settings.slack_enabled, "teams": settings.teams_enabled}
    return [name for name in PLATFORMS if enabled[name]]


def load_platforms(settings: Settings, names: Sequence[str]) -> list:
    """The named platforms' plug-ins; ImportError when one's code or SDK is not installed."""
    import importlib

    platforms = []
    for name in names:
        module, cls = PLATFORMS[name]
        platforms.append(getattr(importlib.import_module(module), cls)(settings))
    return platforms


def not_installed(names: Sequence[str], missing: str) -> str:
    """Why a configured platform could not be loaded: Teams' SDK is an extra; a platform's
    folder may have been deleted (each is a plug-in)."""
    gone = next((name for name in names if missing.startswith(f"handlers.{name}")), None)
    if gone is None and "teams" in names or gone == "teams":
        return TEAMS_EXTRA
    return f"tandem: {gone or 'a chat platform'} is configured but not installed"
