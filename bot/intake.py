"""Where needs come in besides the form: a message sent to procurement, and a workflow step.

Both end in the same need form and the same validation (``bot.requests.parse_request``); this
module only decides how a message becomes the form's first draft, and how a workflow step's
inputs become the form, within the form's limits. Platforms turn their own markup into
plain text before calling it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import BadInput
from bot.requests import DETAILS_MAX, TITLE_MAX
from bot.text import clean_chars

NO_TEXT_TITLE = "Need from a message"
_BULLET = re.compile(r"^\s*(?:[-*•>]+|\d+[.)])\s+")
_SPACES = re.compile(r"\s+")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


@dataclass(frozen=True)
class Draft:
    """The need form's first values, drawn from a message."""

    title: str
    details: str


def shorten(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a word where one is near, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def draft_from_message(text: str, link: str | None, files: list[str] = (), title_text: str | None = None) -> Draft:
    """The need form drawn from a message: the title from its first line that has words
    (bullets, quote marks and runs of spaces removed, within the title limit); the details
    are the whole text with the message's link (and the names of its files) after it, within
    the details limit, the link always kept. ``title_text`` is the text to take the title
    from when the platform reads it differently for a title (without emphasis marks)."""
    # What the form is prefilled with is cleaned as what is typed into it will be: no NUL, control,
    # bidirectional or zero-width characters reach the modal (Slack may refuse them).
    text, files = clean_chars(text), [clean_chars(name) for name in files]
    title_text = None if title_text is None else clean_chars(title_text)
    lines = [line for line in (text if title_text is None else title_text).splitlines() if line.strip()]
    first = _SPACES.sub(" ", _BULLET.sub("", lines[0])).strip() if lines else ""
    title = shorten(first, TITLE_MAX) if first else (shorten(f"Files: {', '.join(files)}", TITLE_MAX) if files
                                                    else NO_TEXT_TITLE)
    tail = []
    if files:
        tail.append("Files: " + ", ".join(files))
    if link:
        tail.append(f"From the message: {link}")
    ending = "\n\n".join(tail)
    room = DETAILS_MAX - len(ending) - (2 if ending and text.strip() else 0)
    body = shorten(text.strip(), max(room, 0)) if text.strip() else ""
    return Draft(title, "\n\n".join(part for part in (body, ending) if part))


# --- the workflow step ---------------------------------------------------------------------------

# The step's inputs, named as in manifest.yml's ``functions`` section, and the form field each fills.
STEP_INPUTS = {
    "title": "title",
    "why": "details",
    "category": "category",
    "quantity": "quantity",
    "cost": "estimated_cost",
    "needed_by": "needed_by",
}
STEP_REQUESTER = "requester"
# Who ran the workflow: a ``user_context`` input that Slack fills from the run itself (a
# workflow's builder cannot type it), so a need filed for someone else is told apart.
STEP_RUNNER = "run_by"


@dataclass(frozen=True)
class StepNeed:
    requester: str
    runner: str
    form: dict


def form_from_step(inputs: dict) -> StepNeed:
    """The requester, who ran the workflow and the need form from a workflow step's inputs.
    A missing requester or runner is refused here; every other problem is the form's own
    (``parse_request``)."""
    requester = _user_id(inputs.get(STEP_REQUESTER), STEP_REQUESTER,
                         "The step needs a requester (the person the need is for).")
    runner = _user_id(inputs.get(STEP_RUNNER), STEP_RUNNER,
                      "The step needs to know who ran the workflow: its \"Run by\" input is the person who "
                      "started it (update the app and re-add the step).")
    form = {}
    for name, field in STEP_INPUTS.items():
        value = inputs.get(name)
        if value is not None:
            form[field] = str(value)
    return StepNeed(requester, runner, form)


def _user_id(value, field: str, missing: str) -> str:
    """A user ID from an input: a ``user_id`` is the ID itself, a ``user_context`` an object
    with it under ``id``. Anything else (a name, markup, several IDs) is refused, never
    looked up: the value is not repeated, so no markup reaches the run history."""
    if isinstance(value, dict):
        value = value.get("id")
    text = str(value or "").strip()
    if not text:
        raise BadInput(missing, field=field)
    if not _USER_ID.fullmatch(text):
        raise BadInput("This is not one person's user ID.", field=field)
    return text


def step_error(error: BadInput) -> str:
    """One clear line for Workflow Builder's run history, naming the step's inputs."""
    by_field = {field: name for name, field in STEP_INPUTS.items()}
    problems = getattr(error, "errors", None) or {}
    if problems:
        return "Tandem could not create the IT need: " + "; ".join(
            f"{by_field.get(field, field)}: {message}" for field, message in problems.items())
    return f"Tandem could not create the IT need: {error}"
