"""The ``tandem`` command line (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence

from bot.config import ConfigError, Settings

log = logging.getLogger("tandem")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tandem", description="IT needs and the contract calendar, in chat.")
    parser.add_argument("--env-file", default=".env", help="read settings from this file if it exists (default .env)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="run the bot (Slack when tokens are set, otherwise the local shell)")
    sub.add_parser("shell", help="a local console that plays any user in the channel or a DM")
    backup = sub.add_parser("backup", help="copy the database safely, even while the bot runs")
    backup.add_argument("file")
    return parser


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if environ is None:
        from dotenv import dotenv_values

        environ = {**dotenv_values(args.env_file), **os.environ} if os.path.exists(args.env_file) else dict(os.environ)
    try:
        settings = Settings.from_env(environ)
    except ConfigError as error:
        print(f"tandem: configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    command = args.command or "run"
    if command == "run":
        if settings.slack_enabled:
            from handlers.slack.runner import run_slack

            return run_slack(settings)
        print("No SLACK_BOT_TOKEN set: starting the local shell (see README to connect Slack).")
        return run_shell(settings)
    if command == "shell":
        return run_shell(settings)
    if command == "backup":
        from storage import Store

        store = Store(settings.db_path)
        store.backup(args.file)
        store.close()
        print(f"Backed up {settings.db_path} to {args.file}.")
        return 0
    parser.error(f"unknown command {command}")
    return 2


def run_shell(settings: Settings, stdin=None, stdout=None, clock=None) -> int:
    from handlers.shell.app import start_shell

    return start_shell(settings, stdin or sys.stdin, stdout or sys.stdout, clock=clock)
