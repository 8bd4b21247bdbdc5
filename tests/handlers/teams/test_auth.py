"""Who may call /api/messages: only the Bot Framework's tokens for this app, only this
tenant's activities, call-backs only to the connector the token names; every malformed
token is a 401 (never a 500). Anonymous Teams is a local test only."""

import json
import logging

import jwt
import pytest

from handlers.cli import main
from bot.config import ConfigError, Settings
from handlers.teams.app import ANONYMOUS_WARNING, build_teams
from handlers.teams.ids import Verbs
from handlers.teams.server import TeamsServer
from tests.handlers.teams.conftest import ADMIN, APP_ID, BUYER, IT, TENANT, TeamsSender, User, invoke_text
from tests.handlers.teams.test_lifecycle import NEED
from testing.teams import FakeConnector, app_connections, signing_keys

OTHER_TENANT = "99999999-8888-7777-6666-555555555555"


def activity(teams, user=IT, text="list all"):
    return {**teams.base(user, teams.personal(user)), "type": "message", "text": text}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("header", [
    None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "Bearer " + "x" * 5000,
])
def test_a_request_without_a_valid_token_is_401(teams, connector, header):
    status, _ = teams.post(activity(teams), headers={"Authorization": header} if header else {"Authorization": ""})
    assert status == 401
    assert connector.calls == []


def test_malformed_tokens_are_401_not_500(teams, connector, microsoft_keys):
    keys, url = signing_keys(), connector.service_url
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": url}
    no_kid = keys.token(APP_ID, url, kid=None)
    alg_none = jwt.encode(claims, None, algorithm="none", headers={"kid": keys.kid})
    hs256 = jwt.encode(claims, "a-shared-secret-of-32-bytes-or-more!", algorithm="HS256", headers={"kid": keys.kid})
    unknown_kid = keys.token(APP_ID, url, kid="no-such-key")
    for token in (no_kid, alg_none, hs256, unknown_kid, no_kid[:-10], "e30.e30.", "ey.ey.ey"):
        status, answer = teams.post(activity(teams), headers=bearer(token))
        assert status == 401, (token[:40], status, answer)
    assert connector.calls == []


def test_only_bot_framework_tokens_for_this_app_are_accepted(teams, connector, microsoft_keys):
    keys, url = signing_keys(), connector.service_url
    entra = keys.token(APP_ID, url, issuer=f"https://sts.windows.net/{OTHER_TENANT}/", tid=OTHER_TENANT)
    entra_v2 = keys.token(APP_ID, url, issuer=f"https://login.microsoftonline.com/{TENANT}/v2.0", tid=TENANT)
    other_app = keys.token("ffffffff-0000-4000-8000-000000000000", url)
    expired = keys.token(APP_ID, url, exp=1_700_000_000, nbf=1_600_000_000, iat=1_600_000_000)
    for token in (entra, entra_v2, other_app, expired):
        assert teams.post(activity(teams), headers=bearer(token))[0] == 401
    assert connector.calls == []
    # Tokens from another issuer are refused before any key is fetched for them.
    assert all(url.endswith("/keys") for url in microsoft_keys.asked)

    # Signed by a key that is not in Microsoft's set (same kid): refused.
    from testing.teams import SigningKeys

    forged = SigningKeys().token(APP_ID, url)
    assert teams.post(activity(teams), headers=bearer(forged))[0] == 401

    # The real thing is served.
    assert teams.post(activity(teams, text="help"))[0] == 202
    [reply] = connector.of("reply", IT.chat)
    assert reply.token == "test-outbound-token", "Tandem calls back as the app"


def test_an_activity_from_another_tenant_is_refused(teams, connector, caplog):
    for where in ("conversation", "channelData"):
        stranger = activity(teams, text="help")
        if where == "conversation":
            stranger["conversation"]["tenantId"] = OTHER_TENANT
        else:
            stranger["conversation"].pop("tenantId")
            stranger["channelData"]["tenant"]["id"] = OTHER_TENANT
        with caplog.at_level(logging.WARNING):
            assert teams.post(stranger)[0] == 403
    unnamed = activity(teams, text="help")
    unnamed["conversation"].pop("tenantId")
    unnamed.pop("channelData")
    assert teams.post(unnamed)[0] == 403
    assert connector.calls == []
    assert "another tenant" in caplog.text and "without a tenant" in caplog.text
    assert IT.name not in caplog.text, "a refusal is logged without the activity"


def test_tandem_calls_back_only_to_the_connector_the_token_names(teams, connector, bot):
    """An activity naming another service URL (a roster that would say its sender is the
    admin) is refused, and that URL is never called."""
    evil = FakeConnector().start()
    try:
        evil.member(IT.id, IT.name, ADMIN.email, IT.aad)
        sneaky = {**activity(teams, text="help"), "serviceUrl": evil.service_url}
        # The token names the real connector; the activity another one.
        assert teams.post(sneaky)[0] == 401
        # Even a token naming it is refused: it is not a Microsoft connector host.
        token = signing_keys().token(APP_ID, evil.service_url)
        assert teams.post(sneaky, headers=bearer(token))[0] == 401
        assert evil.calls == [] and connector.calls == []
        assert bot.core.people.account("teams", IT.aad) is None
    finally:
        evil.stop()


def test_a_body_that_is_not_an_activity_is_400(teams, connector):
    assert teams.post(b"{" * 100_000)[0] == 400
    assert teams.post(b"[" * 50_000 + b"]" * 50_000)[0] == 400
    assert teams.post(b"\xff\xfe not json")[0] == 400
    assert teams.post({"type": "message", "text": "no conversation id", "conversation": {"tenantId": TENANT}})[0] == 400
    assert connector.calls == []


def test_roles_come_from_the_entra_object_id(teams, connector, bot):
    """Procurement is named by Entra object ID: the same person's activity claims; someone
    whose from.id is the buyer's Teams ID but whose object ID is not is refused."""
    teams.install_in_team()
    teams.click(IT, Verbs.NEED, NEED, where="personal")
    impostor = User(BUYER.id, "dddddddd-0000-0000-0000-000000000004", "Not Bo", "not-bo@example.com")
    connector.member(BUYER.id, impostor.name, impostor.email, impostor.aad)
    assert invoke_text(teams.click(impostor, Verbs.CLAIM, {"request": 1})[1]).startswith("⛔")
    connector.member(BUYER.id, BUYER.name, BUYER.email, BUYER.aad)
    assert invoke_text(teams.click(BUYER, Verbs.CLAIM, {"request": 1})[1]).startswith("You claimed #1")


# --- anonymous Teams: a local test only -------------------------------------------------------------


def anonymous_settings(tmp_path, **extra) -> Settings:
    return Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), **extra})


@pytest.mark.parametrize("extra", [
    {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "TANDEM_CHANNEL": "C0SHARED"},
    {"SLACK_APP_TOKEN": "xapp-1"},
    {"TEAMS_CHANNEL": "19:shared@thread.tacv2"},
    {"TEAMS_TENANT_ID": TENANT},
    {"TEAMS_APP_PASSWORD": "secret"},
])
def test_anonymous_teams_refuses_to_start_beside_real_settings(tmp_path, clock, extra, capsys):
    with pytest.raises(ConfigError, match="TEAMS_APP_ID is required"):
        build_teams(anonymous_settings(tmp_path, **extra), clock=clock)
    env = {"TANDEM_DB": str(tmp_path / "t.db"), **extra}
    assert main(["teams"], environ=env) == 2
    assert "TEAMS_APP_ID is required" in capsys.readouterr().err


def test_anonymous_teams_listens_on_localhost_only_and_says_so(tmp_path, clock, caplog):
    with caplog.at_level(logging.WARNING):
        bot = build_teams(anonymous_settings(tmp_path), clock=clock)
    assert ANONYMOUS_WARNING in caplog.text and bot.anonymous
    server = TeamsServer(bot, host="0.0.0.0", port=0).start()
    try:
        assert server.host == "127.0.0.1"
    finally:
        server.stop()
        bot.close()


def test_anonymous_from_id_never_becomes_a_slack_identity(tmp_path, clock):
    connector = FakeConnector().start()
    settings = anonymous_settings(tmp_path, TANDEM_ADMINS="U0ADMIN", TANDEM_PROCUREMENT="U0BUYER")
    bot = build_teams(settings, clock=clock, manager=app_connections())
    server = TeamsServer(bot, port=0).start()
    try:
        teams = TeamsSender(server.url, connector, app_id=None)
        bot.core.requests.create("U0IVY", {**NEED})
        slack_buyer = User("U0BUYER", "", "Bo on Slack?", "bo@example.com")
        connector.member("U0BUYER", "Bo", "bo@example.com", "")
        body = activity(teams, slack_buyer, text="claim 1")
        body["from"].pop("aadObjectId")
        assert teams.post(body)[0] == 202
        [reply] = connector.of("reply")
        assert "⛔" in reply.text and bot.core.requests.get(1).owner is None
        assert connector.of("member") == [], "anonymous Teams asks no roster for e-mail addresses"
        assert bot.core.people.account("teams", "teams:U0BUYER") is not None
    finally:
        server.stop()
        bot.close()
        connector.stop()
    assert json.dumps(connector.invalid) == "[]"
