"""Slack's forms: each field of a form the core defines (``bot.forms``) as the Block Kit input
for its kind, the modals built from them (a need, a note, a rejection, a request's details), and
a submitted view's values read back as the plain strings the core parses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    NumberInputElement,
    PlainTextInputElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.forms import NEED_FORM, NOTE_FORM, REJECT_FORM, Field, FieldKind
from bot.money import DEFAULT_LOCALE, format_amount
from bot.notifier import LinkedContract
from bot.requests import Request, RequestDetails
from handlers.slack.blocks import SURFACE_BLOCKS, clip, escape, headline, mrkdwn, plain, request_details
from handlers.slack.ids import VALUE, Views
from handlers.slack.kit import Option, SectionBlock, StaticSelectElement
from handlers.slack.people import is_user_id


def reject_modal(request: Request, metadata: str) -> View:
    return View(
        type="modal",
        callback_id=Views.REJECT,
        private_metadata=metadata,
        title=plain(f"Reject {request.number}", 24),
        submit=plain("Reject", 24),
        close=plain("Cancel", 24),
        blocks=[
            SectionBlock(text=mrkdwn(f"*{headline(request)}* goes back to sourcing with your reason.")),
            *form_inputs(REJECT_FORM, base_currency="", locale=DEFAULT_LOCALE),
        ],
    )


def _options(enum_values) -> list[Option]:
    return [Option(text=plain(value.replace("_", " ").capitalize()), value=value) for value in enum_values]


def select_input(block: str, label: str, values, initial: str | None, optional: bool = False) -> InputBlock:
    options = _options(values)
    initial_option = next((o for o in options if o["value"] == initial), None)
    return InputBlock(
        block_id=block,
        label=plain(label),
        element=StaticSelectElement(action_id=VALUE, options=options, initial_option=initial_option,
                                    placeholder=plain("Choose")),
        optional=optional,
    )


def text_input(block: str, label: str, *, initial: str | None = None, multiline: bool = False,
                max_length: int | None = None, optional: bool = False, placeholder: str | None = None) -> InputBlock:
    return InputBlock(
        block_id=block,
        label=plain(label),
        element=PlainTextInputElement(
            action_id=VALUE,
            initial_value=clip(initial, max_length or 3000) if initial else None,
            multiline=multiline,
            max_length=max_length,
            placeholder=plain(placeholder, 150) if placeholder else None,
        ),
        optional=optional,
    )


def number_input(block: str, label: str, *, initial: str | None, minimum: int, maximum: int,
                 optional: bool = False) -> InputBlock:
    """Slack's number input for whole numbers (quantities, days, months, seats)."""
    return InputBlock(
        block_id=block,
        label=plain(label),
        element=NumberInputElement(action_id=VALUE, is_decimal_allowed=False, min_value=str(minimum),
                                   max_value=str(maximum), initial_value=initial or None),
        optional=optional,
    )


def form_input(field: Field, value: str | None, *, base_currency: str, locale: str) -> InputBlock:
    """One field of a form (``bot.forms``) as Slack's input for its kind; its block ID is the
    field's name, which the core's parser reads."""
    optional = not field.required
    initial = value if value not in (None, "") else field.default
    if field.kind is FieldKind.CHOICE:
        return select_input(field.name, field.label, field.choices, initial, optional=optional)
    if field.kind is FieldKind.WHOLE:
        return number_input(field.name, field.label, initial=initial, minimum=field.minimum or 0,
                            maximum=field.maximum or 1_000_000, optional=optional)
    if field.kind is FieldKind.DATE:
        return InputBlock(block_id=field.name, label=plain(field.label), optional=optional,
                          element=DatePickerElement(action_id=VALUE, initial_date=initial or None))
    if field.kind is FieldKind.PERSON:
        person = initial if is_user_id(initial or "") else None
        return InputBlock(block_id=field.name, label=plain(field.label), optional=optional,
                          element=UserSelectElement(action_id=VALUE, initial_user=person,
                                                    placeholder=plain("Choose a person")))
    placeholder = field.example or None
    if field.kind is FieldKind.AMOUNT:
        example = format_amount(Decimal("7500"), locale)
        placeholder = f"{example} or €{example}"
    elif field.kind is FieldKind.CURRENCY:
        placeholder = f"{base_currency}, or the one in the amount"
    return text_input(field.name, field.label, initial=initial, multiline=field.kind is FieldKind.LONG_TEXT,
                      max_length=field.max_length, optional=optional, placeholder=placeholder)


def form_inputs(form: tuple[Field, ...], values: dict[str, str] | None = None, *, base_currency: str,
                locale: str) -> list[InputBlock]:
    values = values or {}
    return [form_input(field, values.get(field.name), base_currency=base_currency, locale=locale) for field in form]


def request_modal(title: str = "", base_currency: str = "USD", today: date | None = None, *,
               locale: str = DEFAULT_LOCALE, details: str = "", metadata: str = "",
               values: dict[str, str] | None = None, request_id: int | None = None) -> View:
    """The "New IT need" form; ``details`` prefills the justification and ``metadata`` comes
    back with the submission (where a need sent from a message came from). With
    ``request_id``, the same form edits that need, filled in with ``values`` (from the core)."""
    given = dict(values or {})
    given.setdefault("title", title)
    given.setdefault("details", details)
    blocks = form_inputs(NEED_FORM, given, base_currency=base_currency, locale=locale)
    if request_id is not None:
        return View(type="modal", callback_id=Views.NEED_EDIT, private_metadata=str(request_id),
                    title=plain(f"Edit #{request_id}", 24), submit=plain("Save", 24), close=plain("Cancel", 24),
                    blocks=blocks)
    return View(
        type="modal",
        callback_id=Views.NEED,
        private_metadata=metadata or None,
        title=plain("New IT need", 24),
        submit=plain("Post need", 24),
        close=plain("Cancel", 24),
        blocks=blocks,
    )


def note_modal(request: Request) -> View:
    return note_form(request.id, f"{request.number} {request.title}")


def note_form(request_id: int, context: str) -> View:
    """The note form (``bot.forms.NOTE_FORM``) on a request; ``context`` is its number and title."""
    return View(
        type="modal",
        callback_id=Views.NOTE,
        private_metadata=str(request_id),
        title=plain(f"Note on #{request_id}", 24),
        submit=plain("Add note", 24),
        close=plain("Cancel", 24),
        blocks=[
            SectionBlock(text=mrkdwn(f"*{escape(context)}*")),
            *form_inputs(NOTE_FORM, base_currency="", locale=""),  # a note has no amounts
        ],
    )


def details_modal(item: RequestDetails, linked: LinkedContract | None = None) -> View:
    return View(
        type="modal",
        callback_id=Views.DETAILS,
        title=plain(f"Request {item.request.number}", 24),
        close=plain("Close", 24),
        blocks=request_details(item, limit=SURFACE_BLOCKS, linked=linked),
    )


def form_values(view: dict) -> dict[str, str]:
    """Plain strings from a submitted view's state, keyed by block ID."""
    values: dict[str, str] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        action = actions.get(VALUE) or {}
        if action.get("type") == "static_select":
            selected = action.get("selected_option") or {}
            values[block_id] = selected.get("value") or ""
        elif action.get("type") == "datepicker":
            values[block_id] = action.get("selected_date") or ""
        elif action.get("type") == "users_select":
            values[block_id] = action.get("selected_user") or ""
        else:
            values[block_id] = action.get("value") or ""
    return values
