"""Every reply type of ``bot.dispatch.Reply`` is rendered by Teams: each command of the
table in ``tests.replies`` (one per type) typed in the personal chat is answered with a
valid card, never "something went wrong"."""

from bot import dispatch
from handlers.teams.replies import SOMETHING_WENT_WRONG
from tests.handlers.teams.conftest import ADMIN, BUYER, IT
from tests.replies import COMMANDS, reply_types, seed


def test_every_reply_type_is_rendered_in_teams(teams, connector, bot):
    teams.say(ADMIN, "help")  # Ada has talked to Tandem
    seed(bot.core, requester=IT.aad, buyer=BUYER.aad, third=ADMIN.aad)
    assert set(COMMANDS) == reply_types()
    for kind, text in COMMANDS.items():
        connector.reset()
        status, _ = teams.say(BUYER, text)
        assert status == 202, text
        [answer] = connector.of("reply", BUYER.chat)
        assert answer.cards and SOMETHING_WENT_WRONG not in answer.text, text
        if kind in (dispatch.SendFile, dispatch.StatsShown):
            assert "file.consent" in " ".join(call.text for call in connector.of("send", BUYER.chat)), text


def test_contract_import_typed_in_teams_says_to_send_the_file_instead_of_opening_the_contract_form(teams, connector):
    teams.say(BUYER, "contract import")
    [answer] = connector.of("reply", BUYER.chat)
    assert "Send the contracts file (.csv or .xlsx) to Tandem in your personal chat" in answer.text
    assert '"id": "vendor"' not in answer.text  # not the contract form
