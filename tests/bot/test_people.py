"""People across platforms, and the Teams settings."""

import pytest

from bot.config import ConfigError, Settings
from tests.conftest import IT

AAD = "aaaaaaaa-0000-0000-0000-000000000001"
TEAMS = {"TEAMS_APP_ID": "0a1b2c3d-0000-4000-8000-00000000abcd", "TEAMS_APP_PASSWORD": "secret",
         "TEAMS_TENANT_ID": "11111111-2222-3333-4444-555555555555", "TEAMS_CHANNEL": "19:shared@thread.tacv2"}


def test_a_teams_account_with_a_known_email_is_the_same_person(core):
    people = core.people
    ivy = people.seen("teams", AAD, "Ivy@Example.com", "Ivy", lookup=lambda email: IT, alt_id="29:ivy")
    assert ivy.person == IT and people.account("slack", IT).email == "ivy@example.com"
    assert people.aliases(IT) == {IT, AAD, "29:ivy", "ivy@example.com"}
    assert people.persons("29:ivy") == {IT} and people.persons("IVY@example.com") == {IT}
    again = people.seen("teams", AAD, None, "")
    assert (again.person, again.email, again.name) == (IT, "ivy@example.com", "Ivy"), "seen before: kept"
    stranger = people.seen("teams", "bbbbbbbb-0000-0000-0000-000000000002", None, "Bo")
    assert stranger.person == "bbbbbbbb-0000-0000-0000-000000000002"


def test_roles_accept_teams_ids_and_email_addresses_for_any_of_a_persons_accounts(settings, clock):
    from bot.core import build_core
    from testing.notifier import RecordingNotifier

    custom = Settings.from_env({"TANDEM_DB": settings.db_path, "TANDEM_PROCUREMENT": "29:ivy",
                                "TANDEM_ADMINS": "Boss@Example.com"})
    core = build_core(custom, RecordingNotifier(), clock=clock)
    try:
        people = core.people
        people.seen("teams", AAD, "ivy@example.com", "Ivy", lookup=lambda email: IT, alt_id="29:ivy")
        people.seen("teams", "cccccccc-0000-0000-0000-000000000003", "boss@example.com", "Boss")
        assert core.roles.role_of(IT).value == "procurement", "her Slack ID, named by her Teams ID"
        assert core.roles.role_of("cccccccc-0000-0000-0000-000000000003").value == "admin"
        assert IT in core.roles.procurement_members()
    finally:
        core.close()


def test_teams_settings_are_checked_at_start_up():
    settings = Settings.from_env({**TEAMS, "TANDEM_PROCUREMENT": f"{AAD},29:1AbC-x_y,ivy@example.com,U0IT000001"})
    assert settings.teams_enabled and settings.procurement[0] == AAD
    for missing in ("TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID", "TEAMS_CHANNEL"):
        with pytest.raises(ConfigError, match=f"^{missing} is required when TEAMS_APP_ID is set"):
            Settings.from_env({k: v for k, v in TEAMS.items() if k != missing})
    with pytest.raises(ConfigError, match="TEAMS_APP_ID=tandem is not an ID like"):
        Settings.from_env({**TEAMS, "TEAMS_APP_ID": "tandem"})
    with pytest.raises(ConfigError, match="TEAMS_CHANNEL must start with 19:"):
        Settings.from_env({**TEAMS, "TEAMS_CHANNEL": "general"})
    assert not Settings.from_env({}).teams_enabled
