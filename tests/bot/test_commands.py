import pytest

from bot.commands import Command, parse
from bot.errors import BadInput
from bot.markup import mention


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", Command("help")),
        ("help", Command("help")),
        ("list", Command("list", arg="open")),
        ("LIST mine saas", Command("list", arg="mine", extra="saas")),
        ("list hardware", Command("list", arg="open", extra="hardware")),
        ("show #12", Command("show", 12)),
        ("claim 3", Command("claim", 3)),
        ("unclaim 3", Command("unclaim", 3)),
        ("status 4 Sourcing", Command("status", 4, arg="sourcing")),
        ("note 5   Quote  from   Zoom ", Command("note", 5, arg="Quote  from   Zoom")),
        ("cancel 6", Command("cancel", 6)),
        ("contracts", Command("contracts", arg="90")),
        ("contracts 30", Command("contracts", arg="30")),
        ("contract add", Command("contract", arg="add")),
        ("contract show 2", Command("contract", 2, arg="show")),
        ("contract edit 2", Command("contract", 2, arg="edit")),
        ("Contract Renew #2", Command("contract", 2, arg="renew")),
        ("contract renewed 2", Command("contract", 2, arg="renewed")),
        ("contract cancel 2", Command("contract", 2, arg="cancel")),
        ("calendar", Command("calendar")),
        ("stats", Command("stats", arg="8")),
    ],
)
def test_parses(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("frobnicate", "I don't know `frobnicate`"),
        ("show", "Usage: `/procure show N`"),
        ("show twelve", "'twelve' is not a request number"),
        ("show 0", "is not a request number"),
        ("claim 1 2", "Usage: `/procure claim N`"),
        ("status 4", "Usage: `/procure status N <status>`"),
        ("note 5", "Usage: `/procure note N <text>`"),
        ("list everything", "neither a list"),
        ("contracts -1", "Usage: `/procure contracts [days]`"),
        ("contract delete 3", "Usage: `/procure contract add | contract import | contract show|edit|renew|renewed|cancel N | contract seats N <seats in use>`"),
        ("contract show", "`contract show` needs exactly one contract number."),
        ("contract renew x", "'x' is not a contract number"),
        ("contract add 3", "Use `contract add`"),
        ("help me", "takes no arguments"),
    ],
)
def test_malformed_input_answers_with_usage(text, fragment):
    with pytest.raises(BadInput) as caught:
        parse(text)
    assert fragment in caught.value.message


def test_every_command_the_parser_knows_has_a_handler(core):
    """Each usage line parses, and running it never hits the 'no handler' fallback."""
    from bot import dispatch
    from bot.commands import CONTRACT_ACTIONS, USAGE
    from bot.errors import DomainError
    from tests.conftest import ADMIN

    examples = ["help", "list", "show 1", "claim 1", "unclaim 1", "status 1 sourcing", "note 1 hi", "cancel 1",
                "edit 1", "approve 1", "reject 1 too dear", "contracts", "contract add", "calendar", "digest", "stats",
                "health", "option 1 Zoom | 10", "options 1", "rate 1 A fit 3", "choose 1 A why", "rules",
                "check 1 1", "uncheck 1 1", "doctor", "agenda", "decide Renew Zoom", f"action {mention(ADMIN)} Ask",
                "actions", "sourcing", "sourcing set software open", "sourcing clear software", "sourcing confirm", "contract seats 1 5", "scorecard",
                "status 1 ordered 900 USD"] + [f"contract {action} 1" for action in CONTRACT_ACTIONS]
    assert {text.split()[0] for text in examples} == set(USAGE)
    for text in examples:
        try:
            dispatch.run(core, ADMIN, parse(text))
        except DomainError:
            pass  # refused on its merits (nothing to claim, …): it was handled
