"""The Teams app package: manifest with the bot's ID, icons of the sizes Teams requires."""

import io
import json
import zipfile

from PIL import Image

from handlers.cli import main
from bot.commands import USAGE

APP_ID = "0a1b2c3d-0000-4000-8000-00000000abcd"
ENV = {"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "secret", "TEAMS_TENANT_ID": "11111111-2222-3333-4444-555555555555",
       "TEAMS_CHANNEL": "19:shared@thread.tacv2"}


def test_teams_package_zips_the_manifest_and_both_icons(tmp_path, capsys):
    path = tmp_path / "tandem-teams.zip"
    assert main(["teams-package", str(path)], environ={**ENV, "TANDEM_DB": str(tmp_path / "t.db")}) == 0
    assert "Wrote the Teams app package" in capsys.readouterr().out
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))

    assert manifest["manifestVersion"] == "1.19" and manifest["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and bot["scopes"] == ["personal", "team", "groupChat"]
    assert "{{" not in json.dumps(manifest)
    # Resource-specific consent: every message of the team's channels reaches Tandem (a card's whole thread).
    assert {"name": "ChannelMessage.Read.Group", "type": "Application"} in \
        manifest["authorization"]["permissions"]["resourceSpecific"]
    assert manifest["webApplicationInfo"]["id"] == APP_ID
    titles = [command["title"] for command in bot["commandLists"][0]["commands"]]
    assert set(titles) <= set(USAGE) | {"need"} and {"help", "need", "list", "claim", "status"} <= set(titles)
    assert (manifest["icons"], color.size, outline.size) == ({"color": "color.png", "outline": "outline.png"},
                                                             (192, 192), (32, 32))
    # The outline icon is white on transparent, as Teams requires.
    rgba = outline.convert("RGBA").tobytes()
    assert {rgba[i:i + 3] for i in range(0, len(rgba), 4) if rgba[i + 3]} == {b"\xff\xff\xff"}


def test_teams_package_needs_the_app_id(tmp_path, capsys):
    assert main(["teams-package", str(tmp_path / "x.zip")], environ={"TANDEM_DB": str(tmp_path / "t.db")}) == 2
    assert "TEAMS_APP_ID must be set" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()
