"""The Teams app package: ``app/manifest.json`` with the bot's ID filled in, and its two
icons (drawn here with Pillow: a 192×192 colour icon and a 32×32 white-on-transparent
outline), zipped for upload to Teams or the Teams Developer Portal."""

from __future__ import annotations

import io
import json
import re
import zipfile
from importlib import resources

from PIL import Image, ImageDraw

PLACEHOLDER = "{{TEAMS_APP_ID}}"
ACCENT = (46, 111, 99)  # #2E6F63, the manifest's accentColor
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class PackageError(Exception):
    """The package cannot be made; the message says why."""


def manifest(app_id: str) -> dict:
    template = resources.files("handlers.teams").joinpath("app/manifest.json").read_text("utf-8")
    return json.loads(template.replace(PLACEHOLDER, app_id))


def _wheels(draw: ImageDraw.ImageDraw, size: int, colour, width: int) -> None:
    """Two wheels joined by a bar: a tandem, two riders going one way."""
    radius = size * 0.22
    y = size * 0.62
    for x in (size * 0.28, size * 0.72):
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=colour, width=width)
    draw.line((size * 0.28, y, size * 0.5, size * 0.3, size * 0.72, y), fill=colour, width=width, joint="curve")
    draw.line((size * 0.5, size * 0.3, size * 0.28, y), fill=colour, width=width)


def color_icon() -> bytes:
    image = Image.new("RGBA", (192, 192), ACCENT + (255,))
    _wheels(ImageDraw.Draw(image), 192, (255, 255, 255, 255), 10)
    return _png(image)


def outline_icon() -> bytes:
    image = Image.new("RGBA", (32, 32), (255, 255, 255, 0))
    _wheels(ImageDraw.Draw(image), 32, (255, 255, 255, 255), 2)
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def write_package(path: str, app_id: str | None) -> list[str]:
    """Writes the zip; returns the names of the files in it."""
    if not app_id or not _GUID.match(app_id):
        raise PackageError("TEAMS_APP_ID must be set to the bot's Microsoft App ID (a GUID) to make the package")
    files = {
        "manifest.json": json.dumps(manifest(app_id), indent=2).encode(),
        "color.png": color_icon(),
        "outline.png": outline_icon(),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return list(files)
