"""Setup: one core, built once, served by a list of chat platforms.

A platform is a plug-in (``Platform``): its name, its notifier, whether it can reach a
person, how it finds a user by e-mail address, its ``tandem doctor`` probes, and how it
attaches its listeners to the core, serves and closes. Nothing here names a platform:
the command line (``handlers.cli``) picks the configured ones, so deleting
``handlers/teams/`` or ``handlers/slack/`` leaves a Tandem that builds and runs without it.

With several platforms the core's notifier fans out (``bot.fanout``): the shared channel
on every platform, a person's DMs on the first platform that reaches them. Each platform
keeps its own card per request (``bot.cards``, ``storage.cards``).
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Protocol

from bot.clock import Clock
from bot.config import ConfigError, Settings
from handlers import registry
from bot.core import Core, build_core
from bot.doctor import Probe
from bot.fanout import FanOutNotifier
from bot.fanout import Platform as Delivery
from bot.notifier import Notifier, NullNotifier
from bot.people import EmailLookup
from bot.permissions import GroupResolver, Roles
from bot.schedule import Schedule

log = logging.getLogger("tandem")


class Platform(Protocol):
    name: str
    notifier: Notifier  # also a CardNotifier (bot.notifier): its own cards in its shared channel
    groups: GroupResolver | None  # user groups role entries may name (Slack's S… IDs)
    # This platform's user with an e-mail address, None when nobody has it; None when the
    # platform cannot look people up (Teams: people are met, not looked up).
    find_by_email: EmailLookup | None

    def reaches(self, person: str) -> bool:
        """Whether a direct message to ``person`` (the core's identity) can go here."""

    def probes(self) -> list[tuple[str, Probe]]:
        """``tandem doctor``'s checks of this platform's set-up."""

    # The shared channel as the person running ``tandem digest`` knows it (Slack's channel ID).
    shared_channel: str

    def attach(self, core: Core) -> None:
        """Registers the platform's listeners on the built core."""

    def start_sending(self, core: Core) -> None:
        """Makes the notifier able to send without serving (``tandem digest`` and ``tandem
        remind`` post and send, then close); ``close`` ends what this started."""

    def serve(self, stopping: threading.Event) -> None:
        """Serves until ``stopping`` is set, then stops taking new work; in-flight work finishes."""

    def close(self) -> None:
        """Releases what the platform holds (after serving, before the core closes)."""


def notifier_for(platforms: Sequence[Platform]) -> Notifier:
    if len(platforms) == 1:
        return platforms[0].notifier
    return FanOutNotifier([Delivery(p.name, p.notifier, p.reaches) for p in platforms])


def email_lookup(platforms: Sequence[Platform]) -> EmailLookup | None:
    """The platforms' e-mail lookups in order, the first match wins; None without any."""
    lookups = [p.find_by_email for p in platforms if p.find_by_email is not None]
    if not lookups:
        return None

    def find(email: str) -> str | None:
        for lookup in lookups:
            found = lookup(email)
            if found:
                return found
        return None

    return find


def build(settings: Settings, platforms: Sequence[Platform], clock: Clock | None = None,
          roles: Roles | None = None, attach: bool = True) -> Core:
    """The core, built once for ``platforms``, each platform's listeners attached to it."""
    groups = [p.groups for p in platforms if p.groups is not None]
    core = build_core(
        settings, notifier_for(platforms) if platforms else NullNotifier(), clock=clock,
        groups=groups[0] if groups else None, roles=roles, resolve_email=email_lookup(platforms),
        probes=[probe for p in platforms for probe in p.probes()],
        card_platforms={p.name: p.notifier for p in platforms},
    )
    if attach:
        for platform in platforms:
            platform.attach(core)
    return core


_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def hold_stop_signals() -> None:
    """Blocks SIGTERM and Ctrl-C in this thread and so in every thread started from it (a
    thread inherits its starter's mask) until ``take_stop_signals``. A process-wide signal
    goes to any thread that does not block it; one taken by a worker (Socket Mode runs a
    dozen) sets the stop flag but never wakes the main thread's wait, and Tandem would not
    stop. Called by ``run`` and, earlier, before the platforms are built (they start threads)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)


def take_stop_signals() -> None:
    """The main thread takes SIGTERM and Ctrl-C again (those that came meanwhile arrive now)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def run(settings: Settings, platforms: Sequence[Platform], clock: Clock | None = None) -> int:
    """``tandem run``: the core, the schedule (once, whatever the platforms) and every
    platform serving, until SIGTERM, Ctrl-C or a platform that stops by itself (its error,
    ``StartupFailed`` say, is raised once everything is closed)."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    hold_stop_signals()
    try:
        core = build(settings, platforms, clock)
    except BaseException:
        take_stop_signals()
        raise
    schedule = Schedule(core)
    threads, failures = [], []
    # What start-up built lives as long as the process: out of the collector's way, a full
    # collection walks only what requests made since (on the order of 60 ms to a few ms).
    gc.freeze()
    try:
        schedule.start()
        for platform in platforms:
            thread = threading.Thread(target=_serve, args=(platform, stopping, failures), name=f"tandem-{platform.name}")
            thread.start()
            threads.append(thread)
        take_stop_signals()
        try:
            # Woken now and then as well: a native library's thread (OpenBLAS starts some when
            # imported, before any mask) may still take a signal, and its handler runs only once
            # this thread runs Python again.
            while not stopping.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
    finally:
        take_stop_signals()
        stopping.set()
        for thread in threads:
            thread.join()
        schedule.stop()
        for platform in reversed(platforms):
            platform.close()
        core.close()
    if failures:
        raise failures[0]  # StartupFailed: one line for the person starting Tandem
    return 0


def _serve(platform: Platform, stopping: threading.Event, failures: list[Exception]) -> None:
    try:
        platform.serve(stopping)
    except Exception as error:
        failures.append(error)
    finally:
        stopping.set()  # one platform gone stops Tandem: a supervisor restarts it whole


# --- running them ------------------------------------------------------------------------


def run_platforms(settings: Settings, names: Sequence[str]) -> int:
    """``tandem run``: one core, the schedule once, every configured platform serving."""
    hold_stop_signals()  # the platforms' clients start threads; none of them may take SIGTERM
    try:
        platforms = registry.load_platforms(settings, names)
    except ImportError as error:
        take_stop_signals()
        extra = registry.not_installed(names, error.name or "")
        print(f"{extra} ({error.name} is missing)", file=sys.stderr)
        return 2
    try:
        return run(settings, platforms)
    except ConfigError as error:  # anonymous Teams beside the settings of a real deployment
        print(f"tandem: configuration error: {error}", file=sys.stderr)
        return 2
