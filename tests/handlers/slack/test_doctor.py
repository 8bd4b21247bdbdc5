"""`tandem doctor` and `/procure doctor` against the fake Slack: every line ✓ on a good set-up,
and each ✗ provoked on its own, with its fix and exit code 1."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from handlers import cli
from bot.config import Settings
from handlers.teams.doctor import token_check
from storage import Store
from tests.conftest import ADMIN, BUYER, IT
from tests.handlers.slack.conftest import CHANNEL, SECRET


@pytest.fixture
def env(tmp_path, fake):
    fake.groups["S0BUYERS"] = [BUYER]
    return {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
            "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": f"{BUYER},S0BUYERS", "TANDEM_ADMINS": ADMIN,
            "TANDEM_DB": str(tmp_path / "tandem.db")}


def doctor(env, capsys, **changes) -> tuple[int, list[str]]:
    code = cli.main(["doctor"], environ={**env, **changes})
    return code, capsys.readouterr().out.splitlines()


def line(lines: list[str], name: str) -> str:
    [found] = [text for text in lines if text[2:].startswith(name)]
    return found


def test_a_good_set_up_passes_every_check(env, capsys, fake):
    code, lines = doctor(env, capsys, SLACK_APP_TOKEN="xapp-1-good")
    assert code == 0, lines
    assert lines[-1] == "All checks passed."
    assert all(text.startswith("✓ ") for text in lines[:-1])
    for name in ("Database", "Schedule lease", "Time zone", "Digest (TANDEM_DIGEST_CRON=0 9 * * MON)",
                 "Reminders", "Health check", "Slack token", "Slack scopes", "Channel", "User group S0BUYERS",
                 "Socket Mode"):
        line(lines, name)
    assert "Tandem is a member of #it-procurement (C0SHARED)" in line(lines, "Channel")
    assert line(lines, "Digest").count(", ") == 2, "the next three slots"
    assert "next Mon " in line(lines, "Digest")
    assert fake.calls_to("apps.connections.open")[0].headers["Authorization"] == "Bearer xapp-1-good"


@pytest.mark.parametrize("provoke, changes, name, says, fix", [
    (lambda fake: setattr(fake, "auth_error", "invalid_auth"), {}, "Slack token",
     "SLACK_BOT_TOKEN was refused (invalid_auth)", "Bot User OAuth Token"),
    (lambda fake: setattr(fake, "scopes", {"commands", "chat:write"}), {}, "Slack scopes",
     "missing channels:history, channels:read", "reinstall the app"),
    (lambda fake: fake.not_member.add(CHANNEL), {}, "Channel", "Tandem is not a member of #it-procurement",
     "/invite @Tandem"),
    (lambda fake: fake.hidden.add(CHANNEL), {}, "Channel", "TANDEM_CHANNEL=C0SHARED: channel_not_found",
     "check the ID"),
    (lambda fake: fake.archived.add(CHANNEL), {}, "Channel", "is archived", "unarchive it"),
    (lambda fake: fake.missing_groups.add("S0BUYERS"), {}, "User group S0BUYERS (TANDEM_PROCUREMENT)",
     "does not resolve (no_such_subteam)", "Copy group ID"),
    (lambda fake: fake.groups.pop("S0BUYERS"), {}, "User group S0BUYERS", "0 members", "the group is empty"),
    (lambda fake: None, {"SLACK_APP_TOKEN": "xapp-revoked"}, "Socket Mode",
     "SLACK_APP_TOKEN cannot open a connection (invalid_auth)", "connections:write"),
    (lambda fake: None, {"TANDEM_DIGEST_CRON": "0 9 31 2 *"}, "Digest", "never runs", "TANDEM_DIGEST_CRON"),
])
def test_each_problem_is_one_cross_with_its_fix(env, capsys, fake, provoke, changes, name, says, fix):
    provoke(fake)
    code, lines = doctor(env, capsys, **changes)
    assert code == 1
    found = line(lines, name)
    assert found.startswith("✗ ") and says in found and "— fix: " in found and fix in found
    assert [text for text in lines if text.startswith("✗")] == [found], "only that check fails"
    assert lines[-1] == "1 check failed."


def test_a_database_that_cannot_be_written(env, capsys, tmp_path):
    code, lines = doctor(env, capsys, TANDEM_DB=str(tmp_path / "missing" / "tandem.db"))
    assert code == 1
    found = line(lines, "Database")
    assert found.startswith("✗ ") and "cannot be opened" in found and "folder exists" in found


def test_a_lease_held_by_a_process_that_is_gone(env, capsys):
    store = Store(env["TANDEM_DB"])
    with store.write() as db:
        db["lease"].upsert({"name": "schedule", "holder": f"{socket.gethostname()}:999999999:dead",
                            "acquired_at": "2026-01-01T00:00:00+00:00", "renewed_at": "2026-01-01T00:00:00+00:00",
                            "expires_at": "2999-01-01T00:00:00+00:00"}, pk="name")
    store.close()
    code, lines = doctor(env, capsys)
    assert code == 1
    found = line(lines, "Schedule lease")
    assert found.startswith("✗ ") and "no longer running" in found and "takes the lease over" in found


class TokenServer:
    """Entra ID's token endpoint: 200 with a token, or 401 for a wrong secret."""

    def __init__(self, secret: str):
        requests = self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                from urllib.parse import parse_qs
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
                requests.append((self.path, form))
                good = form.get("client_secret") == secret
                body = json.dumps({"access_token": "eyJ", "token_type": "Bearer"} if good else
                                  {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret.\nTrace"})
                self.send_response(200 if good else 401)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


def test_teams_credentials_get_a_token_or_a_cross_with_the_fix(tmp_path):
    server = TokenServer("right-secret")
    try:
        base = {"TANDEM_DB": str(tmp_path / "t.db"), "TEAMS_APP_ID": "11111111-2222-3333-4444-555555555555",
                "TEAMS_TENANT_ID": "66666666-7777-8888-9999-000000000000", "TEAMS_CHANNEL": "19:shared@thread.tacv2"}
        good = token_check(Settings.from_env({**base, "TEAMS_APP_PASSWORD": "right-secret"}), server.url)
        assert good.ok and "gets a token" in good.detail
        path, form = server.requests[0]
        assert path == "/66666666-7777-8888-9999-000000000000/oauth2/v2.0/token"
        assert form["grant_type"] == "client_credentials" and form["scope"] == "https://api.botframework.com/.default"
        bad = token_check(Settings.from_env({**base, "TEAMS_APP_PASSWORD": "old-secret"}), server.url)
        assert not bad.ok and "HTTP 401: AADSTS7000215: Invalid client secret." in bad.detail
        assert "TEAMS_APP_PASSWORD" in bad.fix
    finally:
        server.server.shutdown()


def test_procure_doctor_shows_admins_the_same_checklist_and_refuses_others(slack, fake, bot):
    fake.groups["S0BUYERS"] = [BUYER]
    slack.command("/procure", "doctor", ADMIN)
    [answer] = fake.calls_to("response_url")
    text = answer.args["text"]
    assert "*Tandem doctor*" in text and "✓ Slack token: valid" in text and "✓ Channel: Tandem is a member" in text
    assert "✓ Database:" in text and "All checks passed." in text
    fake.reset()
    slack.command("/procure", "doctor", IT)
    [refused] = fake.calls_to("response_url")
    assert "Only Tandem admins can do that." in refused.args["text"] and "Slack token" not in refused.args["text"]
    assert fake.calls_to("auth.test") == [], "nothing probed for someone who may not see it"
