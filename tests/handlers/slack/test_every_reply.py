"""Every reply type of ``bot.dispatch.Reply`` is rendered by Slack: each command of the
table in ``tests.replies`` (one per type) sent as a signed ``/procure`` opens a modal or
answers with a message, never "something went wrong"."""

from handlers.slack.errors import SOMETHING_WENT_WRONG
from bot import dispatch
from tests.replies import ACTOR, COMMANDS, reply_types, seed


def test_every_reply_type_is_rendered_in_slack(slack, fake, bot):
    seed(bot.core)
    assert set(COMMANDS) == reply_types()
    for kind, text in COMMANDS.items():
        fake.reset()
        status, _ = slack.command("/procure", text, ACTOR)
        assert status == 200, text
        if kind is dispatch.OpenForm:
            [opened] = fake.wait_for("views.open")
            assert opened.args["view"]["type"] == "modal", text
            continue
        [answer] = fake.wait_for("response_url")
        assert SOMETHING_WENT_WRONG not in answer.args["text"] and answer.args["blocks"], text
        if kind in (dispatch.SendFile, dispatch.StatsShown):
            assert fake.calls_to("files.completeUploadExternal"), text
