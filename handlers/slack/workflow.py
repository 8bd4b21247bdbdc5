"""The Workflow Builder step "Create IT need" (manifest.yml's ``functions``).

Slack sends ``function_executed`` with the step's inputs; Bolt acks it. Anyone who can build a
workflow can type any requester, so before anything is saved the requester and the person who
ran the workflow (the ``run_by`` input, filled by Slack) must both be people of this workspace
(``users.info``: not deactivated, not a bot, not from another workspace), and the runner may
file for the requester only if it is themselves or they are procurement or an admin (the core's
rule). The need is created on
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
from bot.intake import STEP_REQUESTER, STEP_RUNNER, form_from_step, step_error
from handlers.slack.ids import PLATFORM, Functions
from handlers.slack.notifier import SlackNotifier
from handlers.slack.people import workspace_person

log = logging.getLogger(__name__)


def register(app: App, core: Core, notifier: SlackNotifier) -> None:
    @app.function(Functions.CREATE_NEED)
    def create_need(inputs: dict, complete: Complete, fail: Fail, context) -> None:
        def run() -> None:
            try:
                step = form_from_step(inputs)
                core.requests.may_file_for(step.runner, step.requester)
                for user, role in {step.runner: STEP_RUNNER, step.requester: STEP_REQUESTER}.items():
                    workspace_person(notifier.client, user, context.team_id, role)
                request = core.requests.create(step.requester, step.form, runner=step.runner)
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
