"""Every Adaptive Card verb and input id Tandem uses in Teams, named once."""

from enum import StrEnum


class Verbs(StrEnum):
    """``Action.Execute`` verbs (the card sends them back in an ``adaptiveCard/action`` invoke)."""

    NEED = "need_submit"
    NEED_EDIT = "need_edit_submit"
    RENEWAL = "renewal_submit"  # a renewal request's new term, asked when it is fulfilled
    EDIT = "request_edit"
    CLAIM = "request_claim"
    UNCLAIM = "request_unclaim"
    STATUS = "request_status"
    NOTE = "request_note"
    OPEN = "request_open"
    APPROVE = "request_approve"
    REJECT = "request_reject"
    CONTRACT_OPEN = "contract_open"
    CONTRACT_SAVE = "contract_submit"
    CONTRACT_EDIT = "contract_edit"
    CONTRACT_RENEW = "contract_renew"
    CONTRACT_RENEWED = "contract_renewed"
    CONTRACT_CANCEL = "contract_cancel"
    SNOOZE = "reminder_snooze"
    DONE = "reminder_done"
    HOME = "home_refresh"
    HEALTH = "health_submit"
    BRIEFING = "briefing_button"  # a briefing's button (bot.notifier.Button): its data names the command
    SOURCING = "sourcing_submit"  # the sourcing map check's Change form


class Inputs(StrEnum):
    """Input ids on cards other than the forms of ``bot.forms`` (whose ids are their field names)."""

    STATUS = "status"
    REASON = "reason"


REQUEST_FIELDS = ("title", "details", "category", "quantity", "estimated_cost", "currency", "needed_by", "urgency",
               "sensitivity", "preferred_vendor")
