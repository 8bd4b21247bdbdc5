"""Shows what a ``/procure`` command (or a button that runs one) came to, in Slack."""

from __future__ import annotations

from typing import assert_never

from slack_sdk import WebClient

from bot import dispatch
from bot.config import Settings
from bot.format import viewing
from bot.stats import summary
from handlers.slack import blocks, contract_blocks, form_blocks, health_blocks, schedule_blocks
from handlers.slack.imports import import_modal
from handlers.slack.notifier import SlackNotifier


def render(reply: dispatch.Reply) -> dict:
    """An ephemeral response for a reply that is shown as a message (a file's or a chart's
    message too: ``deliver`` sends the file first). A form is opened, never shown as a message."""
    match reply:
        case dispatch.Said():
            return ephemeral(reply.text, blocks.text_blocks(reply.text))
        case dispatch.BriefingShown():
            return ephemeral(reply.briefing.title, schedule_blocks.briefing_blocks(reply.briefing))
        case dispatch.Changed() | dispatch.ContractChanged() | dispatch.Told():
            text = blocks.escape_message(reply.text)
            return ephemeral(text, blocks.text_blocks(text))
        case dispatch.Shown():
            return ephemeral(blocks.card_text(reply.details.request), blocks.request_details(reply.details))
        case dispatch.Listed():
            return ephemeral(reply.title, blocks.request_list(reply.page, reply.title))
        case dispatch.ContractsListed():
            return ephemeral(f"Notice deadlines in the next {reply.days} days",
                             contract_blocks.deadline_list(reply.deadlines, reply.days, reply.costs_visible,
                                                           reply.total))
        case dispatch.HealthShown():
            return ephemeral(f"Health check · {reply.results.survey.label}", health_blocks.results_blocks(reply.results))
        case dispatch.ContractShown():
            contract = reply.details.contract
            return ephemeral(blocks.escape(f"{contract.name} ({contract.number})"),
                             contract_blocks.contract_details(reply.details))
        case dispatch.SendFile():
            return ephemeral(reply.text, blocks.text_blocks(blocks.escape(reply.text)))
        case dispatch.StatsShown():
            text = "\n".join(summary(reply.stats)) + "\n_The chart is in your DMs._"
            return ephemeral("Tandem stats", [blocks.HeaderBlock(text=blocks.plain("Tandem stats", 150)),
                                              *blocks.text_blocks(text)])
        case dispatch.OpenForm():
            raise TypeError("a form is opened (replies.deliver), not shown as a message")
        case _:
            assert_never(reply)


def deliver(reply: dispatch.Reply, *, user: str, trigger_id: str | None, respond, client: WebClient,
            notifier: SlackNotifier, settings: Settings, locale: str | None = None) -> None:
    """Opens a form, sends a file, or answers ephemerally, as the reply asks. ``locale`` is
    how the person writes amounts, when known (forms show examples and amounts that way; every
    amount in the answer is shown their way too)."""
    with viewing(locale or settings.locale):
        _deliver(reply, user=user, trigger_id=trigger_id, respond=respond, client=client, notifier=notifier,
                 settings=settings, locale=locale or settings.locale)


def _deliver(reply: dispatch.Reply, *, user: str, trigger_id: str | None, respond, client: WebClient,
             notifier: SlackNotifier, settings: Settings, locale: str) -> None:
    match reply:
        case dispatch.OpenForm():
            client.views_open(trigger_id=trigger_id, view=form_view(reply, settings, locale))
            return
        case dispatch.SendFile():
            notifier.send_file_or_raise(user, reply.filename, reply.content, reply.title)
        case dispatch.BriefingShown() if reply.briefing.chart:
            notifier.send_file_or_raise(user, "tandem-scorecard.png", reply.briefing.chart, reply.briefing.title)
        case dispatch.StatsShown():
            notifier.send_file_or_raise(user, reply.filename, reply.chart, "Requests per week and whose court")
    message = render(reply)
    if respond is not None:
        respond(**message)
    else:  # clicked where Slack gives no reply channel (App Home, a modal): answer by DM
        notifier.send_dm(user, message["text"], message["blocks"])


def form_view(reply: dispatch.OpenForm, settings: Settings, locale: str):
    if reply.form == "contract_import":
        return import_modal((reply.values or {}).get("date_order", "ISO"))
    if reply.form == "renewal":
        return contract_blocks.renewal_modal(reply.values or {}, reply.subject_id, reply.context,
                                             settings.base_currency, locale=locale)
    if reply.form == "sourcing":
        return schedule_blocks.sourcing_modal(reply.values)
    if reply.form == "note":
        return form_blocks.note_form(reply.subject_id, reply.context)
    if reply.form == "contract":
        return contract_blocks.contract_modal(reply.values, reply.subject_id, settings.base_currency, locale=locale)
    return form_blocks.request_modal(base_currency=settings.base_currency, locale=locale, values=reply.values,
                                request_id=reply.subject_id)


def ephemeral(text: str, blocks_: list) -> dict:
    return {"response_type": "ephemeral", "text": blocks.fallback(text), "blocks": blocks_, "replace_original": False}
