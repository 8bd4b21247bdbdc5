"""Block Kit as plain dicts, built at runtime without slack-sdk's models.

slack-sdk's block classes validate every attribute when built and again in ``to_dict()``;
for a 48-row list that was most of a request's CPU. These builders take the same keyword
arguments as the classes they stand for and return the JSON Slack takes. Limits are kept by
the callers (``clip``, ``plain``); the tests validate every payload with slack-sdk's models
(``testing.slack.FakeSlack`` refuses one that does not parse and validate).
"""

from __future__ import annotations


def _put(block: dict, **optional) -> dict:
    block.update({key: value for key, value in optional.items() if value is not None})
    return block


def SectionBlock(*, text: dict | None = None, fields: list | None = None, accessory: dict | None = None,  # noqa: N802
                 block_id: str | None = None) -> dict:
    return _put({"type": "section"}, text=text, fields=fields or None, accessory=accessory, block_id=block_id)


def ContextBlock(*, elements: list, block_id: str | None = None) -> dict:  # noqa: N802
    return _put({"type": "context", "elements": elements}, block_id=block_id)


def HeaderBlock(*, text: dict, block_id: str | None = None) -> dict:  # noqa: N802
    return _put({"type": "header", "text": text}, block_id=block_id)


def DividerBlock(*, block_id: str | None = None) -> dict:  # noqa: N802
    return _put({"type": "divider"}, block_id=block_id)


def ActionsBlock(*, elements: list, block_id: str | None = None) -> dict:  # noqa: N802
    return _put({"type": "actions", "elements": elements}, block_id=block_id)


def ButtonElement(*, text: dict, action_id: str, value: str | None = None, style: str | None = None,  # noqa: N802
                  confirm: dict | None = None, url: str | None = None) -> dict:
    return _put({"type": "button", "text": text, "action_id": action_id}, value=value, style=style,
                confirm=confirm, url=url)


def Option(*, text: dict, value: str) -> dict:  # noqa: N802
    return {"text": text, "value": value}


def StaticSelectElement(*, action_id: str, options: list, placeholder: dict | None = None,  # noqa: N802
                        initial_option: dict | None = None) -> dict:
    return _put({"type": "static_select", "action_id": action_id, "options": options}, placeholder=placeholder,
                initial_option=initial_option)


def ConfirmObject(*, title: str, text: str, confirm: str = "Yes", deny: str = "No") -> dict:  # noqa: N802
    return {"title": plain_text(title), "text": {"type": "mrkdwn", "text": text},
            "confirm": plain_text(confirm), "deny": plain_text(deny)}


def plain_text(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def mrkdwn_text(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}
