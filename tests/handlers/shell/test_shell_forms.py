"""The shell asks each form of ``bot.forms`` exactly: its fields in order, each question
starting with the field's label."""

import pytest

from bot.forms import CONTRACT_FORM, NEED_FORM, RENEWAL_FORM
from handlers.shell.forms import CONTRACT_QUESTIONS, RENEWAL_QUESTIONS, REQUEST_QUESTIONS

FORMS = {"need": (NEED_FORM, REQUEST_QUESTIONS), "contract": (CONTRACT_FORM, CONTRACT_QUESTIONS),
         "renewal": (RENEWAL_FORM, RENEWAL_QUESTIONS)}


@pytest.mark.parametrize("name", FORMS)
def test_the_shell_asks_the_forms_fields_in_order_by_their_labels(name):
    form, questions = FORMS[name]
    assert [name for name, _, _ in questions] == [field.name for field in form]
    assert all(asked.startswith(field.label) for (_, asked, _), field in zip(questions, form))
    assert [choices for _, _, choices in questions] == [field.choices for field in form]
