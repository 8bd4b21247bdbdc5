"""Block Kit for the health check: the survey DM, its form, and the results.

Nothing here names a respondent: the results are averages and comments, and the DM and the
form belong to the one person they were sent to.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.health import (
    COMMENT,
    COMMENT_MAX,
    EXAMPLE,
    LOW_SCORE,
    MIN_ANSWERS,
    SCALE,
    STATEMENTS,
    HealthResults,
    HealthCheck,
    answers_text,
    delta,
    score,
    sides_note,
    waiting_line,
)
from handlers.slack.blocks import SECTION_TEXT, clip, escape, fallback, mrkdwn, plain
from handlers.slack.form_blocks import text_input
from handlers.slack.ids import VALUE, HealthIds

COMMENT_TEXT = 400  # each comment shown in the results, at most
ANSWERED = ":white_check_mark: Thank you — your answer is in, stored without your name."
PRIVACY = (f":lock: Anonymous: scores are stored without your name and shown only as averages, from "
           f"{MIN_ANSWERS} answers up.")


# --- the survey DM ---------------------------------------------------------------------------


def health_check_text(survey: HealthCheck) -> str:
    return fallback(f"Tandem health check for {survey.label}: six statements, one minute, anonymous.")


def statements_text() -> str:
    return "\n".join(f"{n}. {statement.text}" for n, statement in enumerate(STATEMENTS, start=1))


def health_check_blocks(survey: HealthCheck) -> list[Block]:
    return [
        SectionBlock(text=mrkdwn(
            f":handshake: *How well do IT and procurement work together?* The {survey.label} health check: "
            f"rate six statements from 1 (strongly disagree) to 5 (strongly agree), and add a comment if you like."
        )),
        SectionBlock(text=mrkdwn(statements_text())),
        ActionsBlock(block_id=HealthIds.SURVEY_BLOCK, elements=[
            ButtonElement(text=plain("Take the 1-minute check"), action_id=HealthIds.OPEN, value=str(survey.id),
                          style="primary"),
        ]),
        ContextBlock(elements=[mrkdwn(
            f"{PRIVACY} Prefer typing? `/procure health answer {EXAMPLE} [comment]`, scores in the order above."
        )]),
    ]


def answered(message_blocks: list[dict], text: str = ANSWERED) -> list[Block] | None:
    """The survey DM's blocks with its button replaced by ``text``, or None when the
    message does not carry the button."""
    found = False
    result: list[Block] = []
    for raw in message_blocks:
        block = Block.parse(raw)
        if block is None:
            continue
        if block.block_id == HealthIds.SURVEY_BLOCK:
            block = ContextBlock(block_id=HealthIds.SURVEY_BLOCK, elements=[mrkdwn(text)])
            found = True
        result.append(block)
    return result if found else None


# --- the form ------------------------------------------------------------------------------------


def score_options() -> list[Option]:
    return [Option(text=plain(f"{value} — {label}"), value=str(value)) for value, label in SCALE.items()]


def health_check_modal(survey: HealthCheck, metadata: str) -> View:
    blocks: list[Block] = [SectionBlock(text=mrkdwn(
        f"*{survey.label}* · Rate each statement from 1 (strongly disagree) to 5 (strongly agree)."))]
    for statement in STATEMENTS:
        blocks.append(InputBlock(
            block_id=statement.key,
            label=plain(statement.text, 2000),
            element=StaticSelectElement(action_id=VALUE, options=score_options(), placeholder=plain("Choose 1–5")),
        ))
    blocks.append(text_input(COMMENT, "Anything to add? (optional)", multiline=True, max_length=COMMENT_MAX,
                             optional=True, placeholder="What would help most?"))
    blocks.append(ContextBlock(elements=[mrkdwn(
        f"{PRIVACY} One answer per person per round; it cannot be changed afterwards.")]))
    return View(
        type="modal",
        callback_id=HealthIds.FORM,
        private_metadata=metadata,
        title=plain("Health check", 24),
        submit=plain("Send anonymously", 24),
        close=plain("Cancel", 24),
        blocks=blocks,
    )


def notice_modal(text: str) -> View:
    """What the form turns into when an answer is refused (already answered, round closed)."""
    return View(type="modal", title=plain("Health check", 24), close=plain("Close", 24),
                blocks=[SectionBlock(text=mrkdwn(":no_entry: " + escape(text)))])


# --- results -------------------------------------------------------------------------------------


def results_blocks(results: HealthResults) -> list[Block]:
    """``/procure health``: the latest round's results, or one line below 3 answers."""
    if not results.shown:
        return [SectionBlock(text=mrkdwn(":handshake: " + waiting_line(results)))]
    return [HeaderBlock(text=plain(f"Health check · {results.survey.label}", 150)),
            ContextBlock(elements=[mrkdwn(about(results))]), *body(results)]


def digest_section(results: HealthResults) -> list[Block]:
    """The health check's part of the digest."""
    if not results.shown:
        return [DividerBlock(), SectionBlock(text=mrkdwn(":handshake: " + waiting_line(results)))]
    return [DividerBlock(),
            SectionBlock(text=mrkdwn(f":handshake: *Health check · {results.survey.label}*\n{about(results)}")),
            *body(results)]


def about(results: HealthResults) -> str:
    since = f"change since {results.previous.label}" if results.previous else "first results, nothing to compare"
    return f"{answers_text(results)} · 1 = strongly disagree, 5 = strongly agree · {since}"


def body(results: HealthResults) -> list[Block]:
    rows = []
    for i, statement in enumerate(STATEMENTS):
        row = f"*{score(results.averages[i])}*"
        if results.change:
            row += f" ({delta(results.change[i])})"
        row += f" · {statement.text}"
        if results.sides_shown:
            row += f"\n          _IT {score(results.it[i])} · procurement {score(results.procurement[i])}_"
        rows.append(row)
    blocks: list[Block] = [SectionBlock(text=mrkdwn("\n".join(rows)))]
    if not results.sides_shown:
        blocks.append(ContextBlock(elements=[mrkdwn(sides_note(results))]))
    blocks.append(SectionBlock(text=mrkdwn(lowest_text(results))))
    return blocks


def lowest_text(results: HealthResults) -> str:
    """The lowest statement and the comments of those who gave it 3 or less, within one
    section, then "…and N more"."""
    lowest = results.lowest
    text = f":small_red_triangle_down: *Lowest: {STATEMENTS[lowest].text}* ({score(results.averages[lowest])})"
    comments = results.lowest_comments
    if not comments:
        return text
    text += f"\nWhat those who gave it {LOW_SCORE} or less said:"
    shown = 0
    for comment in comments:
        line = "\n> " + escape(clip(" ".join(comment.split()), COMMENT_TEXT))
        if len(text) + len(line) + 40 > SECTION_TEXT:
            break
        text += line
        shown += 1
    if shown < len(comments):
        text += f"\n…and {len(comments) - shown} more"
    return text
