"""The ``tandem`` command line (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence

from bot.config import ConfigError, Settings
from handlers.registry import PLATFORMS, TEAMS_EXTRA, configured, load_platforms
from bot.errors import StartupFailed

log = logging.getLogger("tandem")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tandem", description="IT needs and the contract calendar, in chat.")
    parser.add_argument("--env-file", help="read settings from this file (default: .env, if it exists)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="run the bot (Slack and/or Teams when configured, otherwise the local shell)")
    sub.add_parser("shell", help="a local console that plays any user in the channel or a DM")
    sub.add_parser("teams", help="serve Microsoft Teams alone (anonymous, for local testing, without TEAMS_APP_ID)")
    package = sub.add_parser("teams-package", help="write the Teams app package (manifest and icons) to a zip file")
    package.add_argument("file", metavar="FILE.zip")
    backup = sub.add_parser("backup", help="copy the database safely, even while the bot runs")
    backup.add_argument("file")
    imports = sub.add_parser("import-contracts",
                             help="import contracts from .csv or .xlsx (all or nothing; re-import updates)")
    imports.add_argument("file", metavar="FILE.csv|FILE.xlsx")
    imports.add_argument("--locale", help="how amounts are written in the file, like de_DE (default TANDEM_LOCALE)")
    imports.add_argument("--date-order", choices=("DMY", "MDY"), type=str.upper,
                         help="day order of text dates like 03/04/2027 (default TANDEM_DATE_ORDER; "
                              "unset: only ISO and unambiguous dates)")
    exports = sub.add_parser("export-contracts", help="export every contract as .csv or .xlsx (the import format)")
    exports.add_argument("file", metavar="FILE.csv|FILE.xlsx")
    exports.add_argument("--excel", action="store_true", help="CSV for Excel: start with a UTF-8 byte-order mark")
    calendar = sub.add_parser("export-calendar", help="export notice deadlines and end dates as iCalendar")
    calendar.add_argument("file", metavar="FILE.ics")
    digest = sub.add_parser("digest", help="post the digest now (--preview: print it; nothing is sent or recorded)")
    digest.add_argument("--preview", action="store_true", help="print the digest instead of posting it")
    remind = sub.add_parser("remind", help="run the reminder sweep now (--preview: print what is due; nothing is sent)")
    remind.add_argument("--preview", action="store_true", help="print the reminders instead of sending them")
    audit = sub.add_parser("audit", help="export the append-only audit log (all of it, or --since a date)")
    audit.add_argument("--since", metavar="YYYY-MM-DD", help="only events on or after this day (UTC)")
    audit.add_argument("--csv", metavar="FILE", help="write CSV to FILE instead of printing")
    sub.add_parser("doctor", help="check the set-up: tokens, scopes, channel, user groups, database, schedule "
                                  "(exit 1 when anything fails)")
    stats = sub.add_parser("stats", help="print the flow of requests, cycle times and whose court")
    stats.add_argument("--weeks", type=int, default=8, help="how many weeks, this one included (default 8)")
    stats.add_argument("--png", metavar="FILE", help="also write the chart to FILE")
    return parser


class Failed(Exception):
    """A command line failure: one line on stderr, exit code 1."""


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Every failure is one line on stderr and exit code 1 (configuration errors: 2), never a
    traceback: a path that cannot be read or written, a reader that left (`tandem stats | head`),
    a missing --env-file."""
    try:
        code = _main(argv, environ)
        sys.stdout.flush()  # a reader that left shows here, not at interpreter exit
        return code
    except Failed as error:
        print(f"tandem: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader of our output went away: nothing more can be said there, and Python must
        # not complain about it when it flushes at exit.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"tandem: {where}{error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tandem: interrupted", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None, environ: Mapping[str, str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if environ is None:
        from dotenv import dotenv_values

        env_file = args.env_file or ".env"
        if args.env_file and not os.path.exists(args.env_file):
            raise Failed(f"--env-file {args.env_file}: no such file")
        environ = {**dotenv_values(env_file), **os.environ} if os.path.exists(env_file) else dict(os.environ)
    try:
        settings = Settings.from_env(environ)
    except ConfigError as error:
        print(f"tandem: configuration error: {error}", file=sys.stderr)
        return 2
    from bot.logs import configure

    configure(settings.log_level)
    command = args.command or "run"
    try:
        return _command(command, args, settings)
    except StartupFailed as error:
        print(f"tandem: {error}", file=sys.stderr)
        return 1


def _command(command: str, args, settings: Settings) -> int:
    if command == "run":
        from bot.approvals import approvers_warning

        if warning := approvers_warning(settings):
            log.warning(warning)
        if configured(settings):
            from handlers.platforms import run_platforms

            return run_platforms(settings, configured(settings))
        print("No SLACK_BOT_TOKEN set: starting the local shell (see README to connect Slack, or Teams with "
              "TEAMS_APP_ID).")
        return run_shell(settings)
    if command == "teams":
        from handlers.platforms import run_platforms

        return run_platforms(settings, ["teams"])
    if command == "teams-package":
        return teams_package(settings, args.file)
    if command == "shell":
        return run_shell(settings)
    if command == "backup":
        from storage import Store

        if _same_file(args.file, settings.db_path):
            raise Failed(f"backup: {args.file} is the database itself (TANDEM_DB); choose another file")
        store = Store(settings.db_path)
        store.backup(args.file)
        store.close()
        print(f"Backed up {settings.db_path} to {args.file}.")
        return 0
    if command == "import-contracts":
        return import_contracts(settings, args.file, args.locale, args.date_order)
    if command == "export-contracts":
        return export_contracts(settings, args.file, args.excel)
    if command in CONTRACT_COMMANDS:
        return CONTRACT_COMMANDS[command](settings, args.file)
    if command in SCHEDULE_COMMANDS:
        return SCHEDULE_COMMANDS[command](settings, args.preview)
    if command == "audit":
        return export_audit(settings, args.since, args.csv)
    if command == "doctor":
        return doctor_command(settings)
    if command == "stats":
        return print_stats(settings, args.weeks, args.png)
    raise SystemExit(f"tandem: unknown command {command}")


# The command line acts as this user in the audit log, with an admin's rights: whoever can
# run it can already read and write the database file.
CLI_ACTOR = "cli"


def _cli_core(settings: Settings):
    from bot.core import build_core
    from bot.notifier import NullNotifier
    from bot.permissions import Roles

    from handlers.platforms import email_lookup

    roles = Roles(settings.procurement, (*settings.admins, CLI_ACTOR))
    # Owners given as e-mail addresses become the configured platforms' users (Slack's).
    resolve_email = email_lookup(load_platforms(settings, configured(settings)))
    return build_core(settings, NullNotifier(), roles=roles, resolve_email=resolve_email)


def import_contracts(settings: Settings, path: str, locale: str | None = None, date_order: str | None = None) -> int:
    from bot.contract_sheets import ImportRejected
    from bot.money import normal_locale

    try:
        locale = normal_locale(locale) if locale else None
    except ValueError as error:
        print(f"tandem: --locale: {error}", file=sys.stderr)
        return 2
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        print(f"tandem: cannot read {path}: {error}", file=sys.stderr)
        return 1
    core = _cli_core(settings)
    try:
        result = core.contracts.import_file(CLI_ACTOR, data, path, locale=locale, date_order=date_order)
    except ImportRejected as rejected:
        for problem in rejected.problems:
            print(problem, file=sys.stderr)
        for note in rejected.notes:
            print(f"note: {note}", file=sys.stderr)
        count = len(rejected.problems)
        print(f"tandem: nothing was imported ({count} problem{'s' if count != 1 else ''}).", file=sys.stderr)
        return 1
    finally:
        core.close()
    print(f"Imported {path}: {result}.")
    for warning in result.warnings:
        print(f"note: {warning}")
    return 0


def export_contracts(settings: Settings, path: str, excel: bool = False) -> int:
    core = _cli_core(settings)
    try:
        if path.lower().endswith(".xlsx"):
            data = core.contracts.export_xlsx()
        else:
            data = core.contracts.export_csv(excel=excel).encode("utf-8")
        count = len(core.contracts.all())
    finally:
        core.close()
    with open(path, "wb") as file:
        file.write(data)
    print(f"Exported {count} contract{'s' if count != 1 else ''} to {path}.")
    return 0


def export_calendar(settings: Settings, path: str) -> int:
    core = _cli_core(settings)
    try:
        content = core.contracts.calendar(CLI_ACTOR)
    finally:
        core.close()
    with open(path, "wb") as file:
        file.write(content)
    from icalendar import Calendar

    events = len(Calendar.from_ical(content).walk("VEVENT"))  # parsed: text inside a note never counts
    print(f"Wrote {events} event{'s' if events != 1 else ''} to {path}.")
    return 0


CONTRACT_COMMANDS = {
    "import-contracts": import_contracts,
    "export-contracts": export_contracts,
    "export-calendar": export_calendar,
}


def _schedule_core(settings: Settings, clock=None, platforms: Sequence | None = None, send: bool = True):
    """The core for ``tandem digest`` and ``tandem remind``, and the platforms it sends
    through: every configured one (Slack and/or Teams, ``platforms`` when given), with
    ``send`` able to send without serving; with none, it prints what the shell would post."""
    from handlers.platforms import build

    if platforms is None and configured(settings):
        platforms = load_platforms(settings, configured(settings))
    if not platforms:  # the shell's platform prints what would be posted and sent
        from handlers.shell.notifier import ShellNotifier, channel_label
        from handlers.shell.platform import ShellPlatform

        core = build(settings, [ShellPlatform(settings, ShellNotifier(channel_label(settings.channel), print, {}))],
                     clock=clock, attach=False)
        return core, []
    core = build(settings, platforms, clock=clock, attach=False)
    for platform in platforms if send else ():
        platform.start_sending(core)
    return core, list(platforms)


def _close(core, platforms) -> None:
    for platform in reversed(platforms):
        platform.close()
    core.close()


PREVIEW_NOTE = "(preview: nothing was sent and nothing was recorded)"


def digest_command(settings: Settings, preview: bool, clock=None, platforms: Sequence | None = None) -> int:
    """Posts the digest now, or prints it with ``preview``. A posted digest is recorded
    under its own time, so it never stands in for a scheduled slot."""
    from handlers.shell import schedule_text

    core, platforms = _schedule_core(settings, clock, platforms, send=not preview)
    try:
        if preview:
            now = core.clock.now()  # what `tandem digest` would post now, the month's scorecard included
            print(schedule_text.digest(core.schedule.preview(now, now), {}, title="Digest preview"))
            print(PREVIEW_NOTE)
            return 0
        posted = core.schedule.post_digest_now()
    finally:
        _close(core, platforms)
    if not posted:
        print("tandem: the digest was not posted (the reason is logged above); nothing else changed.", file=sys.stderr)
        return 1
    if platforms:
        print(f"Posted the digest to {' and '.join(platform.shared_channel for platform in platforms)}.")
    return 0


def remind_command(settings: Settings, preview: bool, clock=None, platforms: Sequence | None = None) -> int:
    """Runs the reminder sweep now (each reminder once, as the schedule's), or prints what
    it would send with ``preview``."""
    from handlers.shell import schedule_text

    core, platforms = _schedule_core(settings, clock, platforms, send=not preview)
    try:
        if preview:
            due = core.schedule.preview_reminders()
            for person, items in due.items():
                print(f"To @{person}: {schedule_text.reminders(items, {})}")
            print(PREVIEW_NOTE if due else "No reminders are due now.")
            return 0
        result = core.schedule.sweep()
    finally:
        _close(core, platforms)
    print(result if result.sent or result.failed else "No reminders are due now.")
    return 1 if result.failed else 0


SCHEDULE_COMMANDS = {
    "digest": digest_command,
    "remind": remind_command,
}


AUDIT_COLUMNS = ["id", "at", "actor", "subject", "subject_id", "action", "before", "after"]


def export_audit(settings: Settings, since: str | None, path: str | None) -> int:
    import json
    from datetime import datetime, timezone

    from bot.errors import BadInput
    from bot.parsing import parse_date
    from storage.requests import events_since

    try:
        start = datetime.combine(parse_date(since), datetime.min.time(), tzinfo=timezone.utc) if since else None
    except BadInput as error:
        print(f"tandem: --since {error.message}", file=sys.stderr)
        return 2
    core = _cli_core(settings)
    try:
        rows = [
            [e.id, e.at.isoformat(), e.actor, e.subject, e.subject_id, e.action,
             json.dumps(e.before, sort_keys=True, ensure_ascii=False), json.dumps(e.after, sort_keys=True,
                                                                                 ensure_ascii=False)]
            for e in events_since(core.store.db, start)
        ]
    finally:
        core.close()
    if path:
        from bot.sheets import write_csv

        # Through the one CSV writer, which neutralises cells a spreadsheet would run as formulas.
        with open(path, "wb") as file:
            file.write(write_csv(AUDIT_COLUMNS, rows))
        print(f"Wrote {len(rows)} audit event{'s' if len(rows) != 1 else ''} to {path}.")
    else:
        for row in rows:
            print(f"{row[1]}  {row[2]:<12} {row[3]} {row[4]:<6} {row[5]:<20} {row[6]} → {row[7]}")
    return 0


def print_stats(settings: Settings, weeks: int, png: str | None) -> int:
    from bot.chart import flow_chart
    from bot.errors import BadInput
    from bot.stats import summary

    core = _cli_core(settings)
    try:
        stats = core.stats.stats(CLI_ACTOR, weeks)
    except BadInput as error:
        print(f"tandem: {error.message}", file=sys.stderr)
        return 2
    finally:
        core.close()
    print("\n".join(summary(stats)))
    if png:
        with open(png, "wb") as file:
            file.write(flow_chart(stats))
        print(f"Wrote the chart to {png}.")
    return 0


def teams_package(settings: Settings, path: str) -> int:
    """Zips the Teams app package, the bot ID filled in from TEAMS_APP_ID."""
    try:
        from handlers.teams.package import PackageError, write_package
    except ImportError as error:
        print(f"{TEAMS_EXTRA} ({error.name} is missing)", file=sys.stderr)
        return 2
    try:
        names = write_package(path, settings.teams_app_id)
    except PackageError as error:
        print(f"tandem: {error}", file=sys.stderr)
        return 2
    print(f"Wrote the Teams app package to {path} ({', '.join(names)}). Upload it in Teams: Apps → Manage your "
          f"apps → Upload an app (or in the Teams Developer Portal).")
    return 0


def _same_file(path: str, db_path) -> bool:
    """Whether ``path`` is the database (or its -wal/-shm file), by path or by inode."""
    from pathlib import Path

    target, db = Path(path).expanduser().resolve(), Path(db_path).expanduser().resolve()
    if target in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        return True
    try:
        return target.exists() and db.exists() and os.path.samefile(target, db)
    except OSError:
        return False


def run_shell(settings: Settings, stdin=None, stdout=None, clock=None) -> int:
    """The local shell. At a terminal, its log goes to a file beside the database (not between
    the lines of the conversation), files sent in it are saved in a folder beside the database,
    and lines are edited with readline, with history in ~/.tandem_history."""
    from pathlib import Path

    from handlers.shell.app import start_shell

    folder = Path(settings.db_path).expanduser().resolve().parent
    log_file = folder / "tandem-shell.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    previous = root.handlers[:]
    root.handlers = [handler]
    try:
        return start_shell(settings, stdin or sys.stdin, stdout or sys.stdout, clock=clock,
                           files=folder / "tandem-files", history=Path.home() / ".tandem_history",
                           log_file=log_file)
    finally:
        root.handlers = previous
        handler.close()


def doctor_command(settings: Settings, clock=None) -> int:
    """`tandem doctor`: every check, ✓ or ✗ with the fix; 1 when any failed."""
    import importlib

    from bot import doctor
    from bot.clock import SystemClock

    now = (clock or SystemClock()).now()
    probes, missing = [], []
    for name in configured(settings):
        try:
            module, cls = PLATFORMS[name]
            platform = getattr(importlib.import_module(module), cls)
        except ImportError as error:
            missing.append(doctor.Check(name.capitalize(), False, f"{TEAMS_EXTRA if name == 'teams' else name} "
                                                                   f"({error.name} is missing)"))
            continue
        probes += platform.doctor_probes(settings)
    checks = doctor.core_checks(settings, now) + doctor.run_probes(probes) + missing
    if not settings.slack_enabled and not settings.teams_enabled:
        checks.append(doctor.Check("Chat platforms", True, "none configured (SLACK_BOT_TOKEN, TEAMS_APP_ID): "
                                                           "`tandem run` starts the local shell"))
    print(doctor.report(checks))
    return 0 if doctor.passed(checks) else 1
