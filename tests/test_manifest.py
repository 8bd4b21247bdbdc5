"""manifest.yml declares the commands, events, scopes and modes Tandem uses."""

from pathlib import Path

import yaml


ROOT = Path(__file__).resolve().parent.parent


def test_manifest_matches_the_listeners(tmp_path):
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert commands == {"/need", "/procure"}
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:write", "channels:history", "usergroups:read", "files:write"} <= scopes
    assert "chat:write.public" not in scopes and "admin" not in scopes
    assert {"app_home_opened", "message.channels", "subteam_members_changed"} <= events
