"""Every Adaptive Card verb and input id Tandem uses in Teams, named once."""

from enum import StrEnum


class Verbs(StrEnum):
    """``Action.Execute`` verbs (the card sends them back in an ``adaptiveCard/action`` invoke)."""

    NEED = "need_submit"
    CLAIM = "request_claim"
    UNCLAIM = "request_unclaim"
    STATUS = "request_status"
    NOTE = "request_note"
    OPEN = "request_open"
    APPROVE = "request_approve"
    REJECT = "request_reject"
    CONTRACT_OPEN = "contract_open"
    SNOOZE = "reminder_snooze"
    DONE = "reminder_done"


class Inputs(StrEnum):
    """Input ids on cards other than the need form (whose ids are the need's field names)."""

    STATUS = "status"
    NOTE = "note"
    REASON = "reason"


NEED_FIELDS = ("title", "details", "category", "quantity", "estimated_cost", "currency", "needed_by", "urgency",
               "sensitivity", "preferred_vendor")
