"""A submitted form (``view_submission``), handled in one order for every Slack form:

1. The fields that stand alone are checked (``validate``), so the person sees what to correct.
2. What Tandem wrote in the form's ``private_metadata`` when it opened the form is read:
   metadata that does not parse is refused in the form itself (``errors.form_metadata``).
3. The checks that need the metadata run (``then``: which round, which request).
   A ``BadInput`` from 1 or 3 is shown beside its fields (``response_action="errors"``) and the
   form stays open; a form with a ``notice`` turns into it when the core refuses the answer
   for another reason (the round closed). Either way nothing is scheduled.
4. Slack gets its ack: the form closes. Nothing slow ran before it (parsing, or a read).
5. The job ``then`` returned runs on the work lane (``Task.later``); what it raises is
   reported like any listener's error (``errors.report``).

A listener names its form's checks and its job; the order lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from slack_bolt import Ack
from slack_sdk.models.views import View

from bot.errors import BadInput, DomainError
from handlers.slack import form_blocks
from handlers.slack.errors import Task, form_metadata

M = TypeVar("M")
Job = Callable[[], None]


def no_metadata(_: str) -> None:
    """For a form that carries nothing of Tandem's in its ``private_metadata``."""
    return None


def submitted(ack: Ack, view: dict, work: Task, then: Callable[[dict, M], Job], *,
              validate: Callable[[dict], object] | None = None, metadata: Callable[[str], M] = no_metadata,
              field: str | None = None, notice: Callable[[str], View] | None = None) -> None:
    """Handles a submitted ``view``. ``validate(values)`` checks fields that stand alone (the
    form's values by block ID), before the metadata; ``then(values, read)`` gets what ``metadata``
    read from ``private_metadata``, may check more with it, and returns the work to do once
    acked. ``field``: the block that shows a ``BadInput`` naming no field of its own (with none,
    such an error closes the form and is told like any refusal). ``notice``: what the form
    turns into when the core refuses it with another ``DomainError``."""
    values = form_blocks.form_values(view)
    try:
        if validate is not None:
            validate(values)
        job = then(values, form_metadata(view, metadata))
    except BadInput as error:
        errors = error.errors or ({field: error.message} if field else None)
        if not errors:
            raise
        ack(response_action="errors", errors=errors)
        return
    except DomainError as refused:
        if notice is None:
            raise
        ack(response_action="update", view=notice(refused.message))
        return
    ack()
    work.later(job)
