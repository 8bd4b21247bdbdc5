"""The health check in Teams: the survey card in the personal chat is the form itself.

Six statements rated 1–5 and an optional comment, checked field by field by the core
(``bot.health.parse_form``, the same as Slack's modal); a submission with mistakes comes back
as the form with each problem marked and nothing stored; an answer the core refuses
(already answered, the round closed, not asked) turns the card into a short notice; once
answered the card becomes a thank-you that never shows the scores. The answer is stored
without the person's name (``HealthService.answer``).
"""

from __future__ import annotations

import asyncio

from microsoft_agents.hosting.core import TurnContext, TurnState

from bot import health
from bot.errors import BadInput, DomainError, NotFound
from bot.health import COMMENT, COMMENT_MAX, MIN_ANSWERS, STATEMENTS, HealthCheck
from handlers.teams import cards
from handlers.teams.ids import Verbs
from handlers.teams.replies import card_response, message_response, refusal

ANSWERED = "✅ Thank you — your answer is in, stored without your name."
PRIVACY = (f"🔒 Anonymous: scores are stored without your name and shown only as averages, from {MIN_ANSWERS} "
           f"answers up.")
SCALE = (("1", "1 · strongly disagree"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5 · strongly agree"))


def survey_card(survey: HealthCheck, values: dict[str, str] | None = None,
                errors: dict[str, str] | None = None) -> dict:
    values, errors = values or {}, errors or {}
    body = [cards.heading(f"How well do IT and procurement work together? · {survey.label}"),
            cards.text("Rate six statements from 1 (strongly disagree) to 5 (strongly agree), and add a comment "
                       "if you like."),
            cards.text(PRIVACY, isSubtle=True)]
    if errors:
        body.append(cards.text("Please fix: " + " ".join(dict.fromkeys(errors.values())), color="Attention"))
    for number, statement in enumerate(STATEMENTS, 1):
        element = {"type": "Input.ChoiceSet", "id": statement.key, "label": f"{number}. {statement.text}",
                   "style": "expanded", "isRequired": True,
                   "errorMessage": errors.get(statement.key) or "Choose a score from 1 to 5.",
                   "choices": [{"title": title, "value": value} for value, title in SCALE]}
        if values.get(statement.key) in {value for value, _ in SCALE}:
            element["value"] = values[statement.key]
        body.append(element)
    comment = {"type": "Input.Text", "id": COMMENT, "label": "Comment (optional)", "isMultiline": True,
               "maxLength": COMMENT_MAX}
    if values.get(COMMENT):
        comment["value"] = cards.clip(values[COMMENT], COMMENT_MAX)
    if COMMENT in errors:
        comment["errorMessage"] = errors[COMMENT]
    body.append(comment)
    return cards.card(body, [cards.execute("Send my answer", Verbs.HEALTH, round=survey.id)])


def notice_card(survey_label: str, message: str) -> dict:
    return cards.card([cards.heading(f"Health check · {survey_label}"), cards.text(message)])


def register(bot) -> None:
    service = bot.core.health
    directory = bot.directory

    @bot.agent.adaptive_card.action_execute(str(Verbs.HEALTH))
    async def submitted(context: TurnContext, state: TurnState, data: dict):
        try:
            actor = await directory.actor(context)
            values = {name: "" if data.get(name) is None else str(data[name]) for name in (*health.KEYS, COMMENT)}
            number = round_id(data.get("round"))

            def record():
                try:
                    scores, comment = health.parse_form(values)
                except BadInput as error:
                    survey = service.check_can_answer(actor, number)
                    return card_response(survey_card(survey, values, error.errors or {COMMENT: error.message}))
                try:
                    survey = service.answer(actor, scores, comment, round_id=number)
                except DomainError as refused:  # answered meanwhile, round closed, not asked
                    return card_response(notice_card("Tandem", "⛔ " + cards.message_text(refused.message)))
                return card_response(notice_card(survey.label, ANSWERED))

            return await asyncio.to_thread(record)
        except Exception as error:  # the one error path
            return message_response(refusal(error))


def round_id(value) -> int:
    text = str(value if value is not None else "")
    if not text.isdecimal() or not text.isascii():
        raise NotFound("That health check no longer exists.")
    return int(text)
