"""The personal home in Teams: the Slack App Home's sections (``bot.home``) on one card.

``home`` in the personal chat (and installing the app there) sends the card. It is kept
current with Universal Actions: the card names a ``refresh`` action for the person it was
sent to, Teams runs it whenever they look at the card, and Tandem answers with the card as
it is now, for whoever asked (a per-user view), instead of posting a message per change.
*Refresh* on the card does the same by hand.
"""

from __future__ import annotations

import asyncio

from microsoft_agents.hosting.core import TurnContext, TurnState

from bot.format import viewing
from bot.money import safe_locale
from bot.home import Home, home_for
from handlers.teams import cards, contract_cards
from handlers.teams.ids import Verbs
from handlers.teams.notifier import card_activity
from handlers.teams.people import teams_user_id
from handlers.teams.replies import card_response, message_response, refusal

SUMMARY = "Your Tandem home"


def contract_row(contract, today) -> dict:
    if contract.missed(today):
        line = f"🚨 Missed: notice deadline was {cards.day(contract.notice_deadline)}"
    else:
        left = f" ({contract_cards.days_left(contract.days_left(today))})" if contract.status.awaits_decision else ""
        line = f"{contract.status.label} · notice by {cards.day(contract.notice_deadline)}{left}"
    return {"type": "ColumnSet", "columns": [
        {"type": "Column", "width": "stretch",
         "items": [cards.text(f"**{contract.number}** {cards.escape(contract.name)}"),
                   cards.text(line, isSubtle=True, spacing="None")]},
        {"type": "Column", "width": "auto", "verticalContentAlignment": "Center",
         "items": [{"type": "ActionSet", "actions": [cards.execute("Open", Verbs.CONTRACT_OPEN,
                                                                    contract=contract.id)]}]},
    ]}


def home_card(home: Home, teams_user: str | None, names: cards.Names = cards.plain_names) -> dict:
    body = [cards.heading("Your Tandem"),
            cards.text(f"As of {cards.day(home.today)} · kept current each time you look", isSubtle=True,
                       spacing="None")]
    for title, page in home.sections:
        body.append(cards.text(f"**{title}** ({page.total})", separator=True, spacing="Medium"))
        if not page.items:
            body.append(cards.text("Nothing here.", isSubtle=True))
        body += [cards.request_row(request, names) for request in page.items[:cards.LIST_ROWS]]
        body += cards.more(min(len(page.items), cards.LIST_ROWS), page.total)
    body.append(cards.text(f"**Contracts you own** ({len(home.contracts)})", separator=True, spacing="Medium"))
    if not home.contracts:
        body.append(cards.text("Nothing here.", isSubtle=True))
    body += [contract_row(contract, home.today) for contract in home.contracts[:cards.LIST_ROWS]]
    body += cards.more(min(len(home.contracts), cards.LIST_ROWS), len(home.contracts))
    content = cards.card(body, [cards.execute("Refresh", Verbs.HOME)])
    if teams_user:
        content["refresh"] = {"action": {"type": "Action.Execute", "verb": str(Verbs.HOME),
                                         "data": {"verb": str(Verbs.HOME)}}, "userIds": [teams_user]}
    return content


def register(bot) -> None:
    core, notifier, directory = bot.core, bot.notifier, bot.directory

    @bot.agent.adaptive_card.action_execute(str(Verbs.HOME))
    async def refresh(context: TurnContext, state: TurnState, data: dict):
        """Teams asks for the card as it is now (automatically when someone looks, or *Refresh*)."""
        try:
            actor = await directory.actor(context)
            home = await asyncio.to_thread(home_for, core, actor)
            with viewing(viewer_locale(core, context)):
                return card_response(home_card(home, teams_user_id(context.activity.from_property), notifier.name))
        except Exception as error:  # the one error path
            return message_response(refusal(error))


async def home_activity(bot, context: TurnContext, actor: str):
    home = await asyncio.to_thread(home_for, bot.core, actor)
    with viewing(viewer_locale(bot.core, context)):  # the personal home shows amounts the person's way
        content = home_card(home, teams_user_id(context.activity.from_property), bot.notifier.name)
    return card_activity(content, SUMMARY)


def viewer_locale(core, context: TurnContext) -> str:
    """The Teams client's locale, which Teams sends with every activity."""
    return safe_locale(getattr(context.activity, "locale", None), core.settings.locale)
