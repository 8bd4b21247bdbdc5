"""Every action_id, callback_id and block_id Tandem uses, named once."""

from enum import StrEnum


class Actions(StrEnum):
    CLAIM = "request_claim"
    UNCLAIM = "request_unclaim"
    STATUS = "request_status"
    ADD_NOTE = "request_add_note"
    OPEN = "request_open"


class Views(StrEnum):
    NEED = "need_modal"
    NOTE = "note_modal"
    DETAILS = "request_details"


class NeedFields(StrEnum):
    """Block IDs of the need form; each equals the form field the core validates."""

    TITLE = "title"
    DETAILS = "details"
    CATEGORY = "category"
    QUANTITY = "quantity"
    ESTIMATED_COST = "estimated_cost"
    CURRENCY = "currency"
    NEEDED_BY = "needed_by"
    URGENCY = "urgency"
    SENSITIVITY = "sensitivity"
    PREFERRED_VENDOR = "preferred_vendor"


NOTE_BLOCK = "note"
# Every input element uses this action_id; the block_id says which field it is.
VALUE = "value"
