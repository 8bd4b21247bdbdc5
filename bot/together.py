"""The working-together commands (options, ratings, sign-offs, risk checks), as replies.

``bot.dispatch`` hands these commands here, so every platform shows them alike.
"""

from __future__ import annotations

from bot.commands import Command
from bot.core import Core
from bot.format import when
from bot.markup import mention, quoted
from bot.options import Together, decision_line, option_line, parse_ratings
from bot.requests import Request
from bot.risk import checklist_line

NAMES = ("option", "options", "rate", "choose", "rules", "check", "uncheck", "agenda", "decide", "action", "actions")


def run(core: Core, actor: str, command: Command):
    from bot.dispatch import BriefingShown, Changed, Said, Told

    name, number = command.name, command.number
    if name == "agenda":
        return BriefingShown(core.sync.agenda(viewer=actor))
    if name == "actions":
        return BriefingShown(core.sync.open_actions())
    if name == "decide":
        decision = core.sync.decide(actor, command.arg)
        return Told(f"Decision {decision.id} recorded: {quoted(decision.text)}")
    if name == "action" and command.arg == "done":
        item = core.sync.done(actor, number)
        return Told(f"Action item {item.id} is done: {quoted(item.text)}")
    if name == "action":
        item = core.sync.add_action(actor, command.extra)
        due = f" by {item.due.isoformat()}" if item.due else ""
        return Told(f"Action item {item.id} for {mention(item.person)}{due}: {quoted(item.text)}. They are reminded by DM "
                    f"until it is marked done.")
    if name == "rules":
        return Said(core.risk.rules_text())
    if name == "option":
        request, option = core.options.add(actor, number, command.arg)
        return Changed(request, f"Option {option.letter} added to {request.number}: {quoted(option_line(option))}."
                                + quoted(_quote(option.quote)))
    if name == "options":
        request, together = core.options.options(actor, number)
        return Changed(request, options_text(request, together, core.risk.checks(request)))
    if name == "rate":
        request, option = core.options.rate(actor, number, command.arg, parse_ratings(command.extra.split()))
        return Changed(request, f"Rated option {option.letter} on {request.number}: {quoted(option_line(option))}.")
    if name == "choose":
        request, together = core.options.sign_off(actor, number, command.arg, command.extra)
        if together.decided:
            done = f"Decided together: option {together.decided}. It can be ordered once its risk checks are done."
        else:
            done = "Waiting for " + " and ".join(mention(person) for person in together.awaiting) + \
                   f" to sign off option {command.arg} too."
        return Changed(request, f"You signed off option {command.arg} on {request.number}. {done}")
    if name in ("check", "uncheck"):
        request, check = core.risk.tick(actor, number, command.arg, done=name == "check")
        verb = "Ticked" if name == "check" else "Unticked"
        left = sum(1 for item in core.risk.checks(core.requests.get(number)) if not item.done)
        rest = f"{left} check{'s' if left != 1 else ''} left." if left else "Every risk check is done."
        return Changed(request, f"{verb} {check.number}. {check.name} on {request.number}. {rest}")
    raise LookupError(f"/procure {name} has no handler")


def options_text(request: Request, together: Together, checks) -> str:
    lines = [f"*Options for {request.number} {quoted(request.title)}*"]
    if not together.options:
        lines.append(f"No options yet; procurement adds them with `option {request.id} vendor | price | terms | "
                     f"months | quote link`.")
    for option in together.options:
        lines.append(quoted(f"{option_line(option)}{_quote(option.quote)}"))
    for signoff in together.signoffs:
        lines.append(f"{mention(signoff.person)} signed off option {signoff.letter} {when(signoff.at)}: {quoted(signoff.rationale)}")
    if together.options:
        line = decision_line(together)
        if together.awaiting and together.signoffs:
            line += " (" + " and ".join(mention(person) for person in together.awaiting) + " to sign off)"
        lines.append(line + ".")
    if checks:
        lines.append(f"Risk checks ({request.sensitivity.value} data): {checklist_line(checks)}")
    return "\n".join(lines)


def _quote(link: str) -> str:
    return f" Quote: {link}" if link else ""
