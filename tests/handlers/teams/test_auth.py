"""With credentials, /api/messages wants a Bot Framework token; without, it is anonymous."""

import logging

from bot.config import Settings
from handlers.teams.app import ANONYMOUS_WARNING, build_teams
from handlers.teams.server import TeamsServer
from tests.handlers.teams.conftest import CHANNEL, IT, TENANT, TeamsSender


def test_with_credentials_a_request_without_a_token_is_refused(tmp_path, clock, connector):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TEAMS_APP_ID": "0a1b2c3d-0000-4000-8000-00000000abcd",
                                  "TEAMS_APP_PASSWORD": "secret", "TEAMS_TENANT_ID": TENANT, "TEAMS_CHANNEL": CHANNEL})
    bot = build_teams(settings, clock=clock)
    server = TeamsServer(bot, host="127.0.0.1", port=0).start()
    try:
        sender = TeamsSender(server.url, connector)
        assert sender.say(IT, "help")[0] == 401
        assert sender.say(IT, "help")[0] == 401 and connector.calls == []
        activity = sender.base(IT, sender.personal(IT))
        assert sender.post({**activity, "type": "message", "text": "help"},
                           headers={"Authorization": "Bearer not-a-token"})[0] == 401
    finally:
        server.stop()
        bot.close()
    assert not bot.anonymous


def test_anonymous_mode_warns_and_refuses_what_is_not_an_activity(teams, bot, caplog):
    assert bot.anonymous
    assert teams.post({"type": "message", "text": "no conversation"})[0] == 400
    assert teams.post({"type": "message", "replyToId": None})[0] == 400


def test_anonymous_mode_says_so_in_the_log(teams_settings, clock, caplog):
    with caplog.at_level(logging.WARNING):
        build_teams(teams_settings, clock=clock).close()
    assert ANONYMOUS_WARNING in caplog.text
