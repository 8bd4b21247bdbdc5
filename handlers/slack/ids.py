"""Every action_id, callback_id and block_id Tandem uses, named once."""

from enum import StrEnum

# Slack's name as a platform: its cards are kept under it (``storage.cards``).
PLATFORM = "slack"


class Actions(StrEnum):
    CLAIM = "request_claim"
    UNCLAIM = "request_unclaim"
    STATUS = "request_status"
    ADD_NOTE = "request_add_note"
    OPEN = "request_open"
    EDIT = "request_edit"


class ContractActions(StrEnum):
    OPEN = "contract_open"
    EDIT = "contract_edit"
    RENEW = "contract_renew"
    RENEWED = "contract_renewed"
    CANCEL = "contract_cancel"


class ApprovalActions(StrEnum):
    APPROVE = "request_approve"
    REJECT = "request_reject"


class Views(StrEnum):
    NEED = "need_modal"  # a wire value: forms opened before an upgrade must still be handled after it
    NEED_EDIT = "need_edit_modal"
    NOTE = "note_modal"
    DETAILS = "request_details"
    CONTRACT = "contract_modal"
    CONTRACT_DETAILS = "contract_details"
    REJECT = "reject_modal"
    CONTRACT_IMPORT = "contract_import_modal"
    RENEWAL = "renewal_modal"  # a renewal request's new term, asked when it is fulfilled
    SOURCING = "sourcing_modal"  # the sourcing map check's Change form


class RequestFields(StrEnum):
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


class ContractFields(StrEnum):
    """Block IDs of the contract form; each equals the form field the core validates."""

    VENDOR = "vendor"
    PRODUCT = "product"
    IT_OWNER = "it_owner"
    PROCUREMENT_OWNER = "procurement_owner"
    START_DATE = "start_date"
    END_DATE = "end_date"
    NOTICE_DAYS = "notice_days"
    AUTO_RENEW = "auto_renew"
    TERM_MONTHS = "term_months"
    ANNUAL_COST = "annual_cost"
    CURRENCY = "currency"
    SEATS = "seats"
    SEATS_USED = "seats_used"
    NOTES = "notes"


IMPORT_FILE_BLOCK = "file"  # the import form's file input; equals the field the core names in its refusals
DATE_ORDER_BLOCK = "date_order"
REASON_BLOCK = "reason"
# Every input element uses this action_id; the block_id says which field it is.
VALUE = "value"


class ReminderActions(StrEnum):
    """The buttons of a reminder DM. Its Open button reuses ``Actions.OPEN`` (a request)
    and ``ContractActions.OPEN`` (a contract), so details open the same way everywhere."""

    SNOOZE = "reminder_snooze"
    DONE = "reminder_done"


class BriefingActions(StrEnum):
    """A briefing's buttons (``bot.notifier.Button``): ``RUN`` and its index, the value the
    command the button runs (``bot.dispatch.button`` decides which may)."""

    RUN = "briefing_button"
    BLOCK = "briefing_buttons"


class HealthIds(StrEnum):
    """The health check: the survey DM's button (an action_id) and the form it opens (a
    callback_id). The form's block IDs are the statements' keys (``bot.health.STATEMENTS``)
    and ``bot.health.COMMENT``, so they equal the fields the core validates."""

    OPEN = "health_open"
    FORM = "health_modal"
    SURVEY_BLOCK = "health_survey"  # the DM's block with the button, replaced once answered


class Shortcuts(StrEnum):
    """Callback IDs of the shortcuts in manifest.yml."""

    SEND_TO_PROCUREMENT = "send_to_procurement"  # on a message
    NEW_NEED = "new_it_need"  # global


class Functions(StrEnum):
    """Callback IDs of the Workflow Builder steps in manifest.yml's ``functions``."""

    CREATE_NEED = "create_it_need"
