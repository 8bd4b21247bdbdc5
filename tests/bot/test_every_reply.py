"""The table of one command per reply type (``tests.replies``) covers the whole ``Reply``
union, so the platforms' renderer tests, which run that table, see every reply type."""

from bot import commands, dispatch
from tests.replies import ACTOR, COMMANDS, reply_types, seed


def test_every_reply_type_has_a_command_in_the_table():
    assert set(COMMANDS) == reply_types()


def test_each_command_of_the_table_comes_to_its_reply_type(core):
    seed(core)
    for kind, text in COMMANDS.items():
        reply = dispatch.run(core, ACTOR, commands.parse(text))
        assert type(reply) is kind, text
