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


def test_the_shortcuts_and_the_workflow_step_match_the_code():
    from bot.intake import STEP_INPUTS, STEP_REQUESTER, STEP_RUNNER
    from handlers.slack.ids import Functions, Shortcuts

    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    shortcuts = {s["callback_id"]: s["type"] for s in manifest["features"]["shortcuts"]}
    assert shortcuts == {Shortcuts.SEND_TO_PROCUREMENT: "message", Shortcuts.NEW_NEED: "global"}
    assert set(manifest["functions"]) == {Functions.CREATE_NEED}
    step = manifest["functions"][Functions.CREATE_NEED]
    assert set(step["input_parameters"]["properties"]) == {*STEP_INPUTS, STEP_REQUESTER, STEP_RUNNER}
    assert step["input_parameters"]["properties"][STEP_REQUESTER]["type"] == "slack#/types/user_id"
    # Who ran the workflow comes from the run itself: a builder cannot type it.
    assert step["input_parameters"]["properties"][STEP_RUNNER]["type"] == "slack#/types/user_context"
    assert {STEP_REQUESTER, STEP_RUNNER} <= set(step["input_parameters"]["required"])
    assert set(step["output_parameters"]["properties"]) == {"request_number", "link"}
    # Custom steps from a Bolt app: an org-ready app whose functions run remotely, told of each run.
    settings = manifest["settings"]
    assert settings["org_deploy_enabled"] is True and settings["function_runtime"] == "remote"
    assert "function_executed" in settings["event_subscriptions"]["bot_events"]


def test_doctor_checks_exactly_the_scopes_the_manifest_asks_for():
    from handlers.slack.doctor import BOT_SCOPES

    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES
