"""`tandem doctor`'s Slack probes: the bot token, its scopes, the channel, the user groups and
the app-level token, each as a ``bot.doctor.Check``."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.doctor import Check, Probe

# The bot scopes manifest.yml asks for (tests/test_manifest.py keeps the two equal).
BOT_SCOPES = frozenset({
    "commands", "chat:write", "im:write", "channels:history", "groups:history", "channels:read", "groups:read",
    "usergroups:read", "users:read", "users:read.email", "files:write", "files:read", "im:history",
})


def _error(error: SlackApiError) -> str:
    return error.response.get("error") or f"HTTP {error.response.status_code}"


def token_checks(client: WebClient) -> list[Check]:
    """auth.test: the token is valid; its X-OAuth-Scopes header: every scope the manifest asks for."""
    try:
        answer = client.auth_test()
    except SlackApiError as error:
        return [Check("Slack token", False, f"SLACK_BOT_TOKEN was refused ({_error(error)})",
                      "copy the Bot User OAuth Token (xoxb-…) from the app's Install App page into SLACK_BOT_TOKEN")]
    checks = [Check("Slack token", True, f"valid: bot @{answer.get('user')} in {answer.get('team')}")]
    granted = {scope.strip() for scope in (answer.headers.get("x-oauth-scopes") or "").split(",") if scope.strip()}
    missing = sorted(BOT_SCOPES - granted)
    if missing:
        checks.append(Check("Slack scopes", False, f"missing {', '.join(missing)}",
                            "paste manifest.yml again (or add them under OAuth & Permissions) and reinstall the app"))
    else:
        checks.append(Check("Slack scopes", True, f"all {len(BOT_SCOPES)} the manifest asks for are granted"))
    return checks


def channel_check(client: WebClient, channel: str | None) -> Check:
    """conversations.info: TANDEM_CHANNEL exists and the bot is a member."""
    name = "Channel"
    if not channel:
        return Check(name, False, "TANDEM_CHANNEL is not set",
                     "set TANDEM_CHANNEL to the shared channel's ID (channel details → About, at the bottom)")
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as error:
        return Check(name, False, f"TANDEM_CHANNEL={channel}: {_error(error)}",
                     "check the ID; for a private channel invite Tandem first (/invite @Tandem)")
    label = f"#{info.get('name', channel)} ({channel})"
    if info.get("is_archived"):
        return Check(name, False, f"{label} is archived", "unarchive it or set TANDEM_CHANNEL to another channel")
    if not info.get("is_member"):
        return Check(name, False, f"Tandem is not a member of {label}", f"in #{info.get('name', channel)} type /invite @Tandem")
    return Check(name, True, f"Tandem is a member of {label}")


def group_checks(client: WebClient, settings: Settings) -> list[Check]:
    """Every user group named in TANDEM_PROCUREMENT, TANDEM_ADMINS and TANDEM_APPROVERS resolves."""
    checks = []
    for variable, entries in (("TANDEM_PROCUREMENT", settings.procurement), ("TANDEM_ADMINS", settings.admins),
                              ("TANDEM_APPROVERS", settings.approvers)):
        for group in (entry for entry in entries if entry.startswith("S")):
            name = f"User group {group} ({variable})"
            try:
                users = client.usergroups_users_list(usergroup=group)["users"]
            except SlackApiError as error:
                checks.append(Check(name, False, f"does not resolve ({_error(error)})",
                                    f"check the ID in {variable} (user group → ⋯ → Copy group ID) and the "
                                    "usergroups:read scope"))
                continue
            checks.append(Check(name, bool(users), f"{len(users)} member{'s' if len(users) != 1 else ''}",
                                "the group is empty: add its members in Slack or name people in the variable"))
    return checks


def socket_check(settings: Settings) -> Check:
    """apps.connections.open with SLACK_APP_TOKEN: the app-level token can open a Socket Mode
    connection (HTTP mode when it is not set)."""
    name = "Socket Mode"
    if not settings.slack_app_token:
        return Check(name, True, "off (no SLACK_APP_TOKEN): Slack sends requests to /slack/events over HTTP")
    client = WebClient(token=settings.slack_app_token, base_url=settings.slack_api_url, timeout=10)
    try:
        client.apps_connections_open(app_token=settings.slack_app_token)
    except SlackApiError as error:
        return Check(name, False, f"SLACK_APP_TOKEN cannot open a connection ({_error(error)})",
                     "generate an app-level token with connections:write (Basic Information → App-Level Tokens) "
                     "and turn Socket Mode on")
    return Check(name, True, "SLACK_APP_TOKEN opens a connection")


def probes(settings: Settings, client: WebClient) -> list[tuple[str, Probe]]:
    return [
        ("Slack token", lambda: token_checks(client)),
        ("Channel", lambda: [channel_check(client, settings.channel)]),
        ("User groups", lambda: group_checks(client, settings)),
        ("Socket Mode", lambda: [socket_check(settings)]),
    ]
