"""The Workflow Builder step "Create IT need" (manifest.yml's ``functions``).

Slack sends ``function_executed`` with the step's inputs; Bolt acks it. The need is created on
the work lane like a submitted form (same validation, same card), and the step completes with
the request's number and the card's link (``functions.completeSuccess``), or fails with one
clear line naming the inputs that were wrong (``functions.completeError``). Bolt's ``complete``
and ``fail`` use the step's own token from the event.
"""

from __future__ import annotations

import logging

from slack_bolt import App, Complete, Fail

from bot.core import Core
from bot.errors import BadInput, DomainError
from bot.intake import form_from_step, step_error
from handlers.slack.ids import PLATFORM, Functions
from handlers.slack.notifier import SlackNotifier

log = logging.getLogger(__name__)


def register(app: App, core: Core, notifier: SlackNotifier) -> None:
    @app.function(Functions.CREATE_NEED)
    def create_need(inputs: dict, complete: Complete, fail: Fail, context) -> None:
        def run() -> None:
            try:
                requester, form = form_from_step(inputs)
                request = core.requests.create(requester, form)
            except BadInput as error:
                fail(step_error(error))
                return
            except DomainError as error:
                fail(f"Tandem could not create the IT need: {error}")
                return
            except Exception:
                log.exception("the Create IT need step failed")
                fail("Tandem could not create the IT need: something went wrong on its side; nothing was saved.")
                return
            link = notifier.permalink(core.cards.of(request.id).get(PLATFORM))
            complete(outputs={"request_number": request.number, "link": link or ""})

        context["work"].later(run, busy=lambda: fail("Tandem is too busy right now; nothing was saved. "
                                                     "Run the workflow again in a minute."))
