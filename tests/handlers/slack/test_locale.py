"""Amounts in Slack are read in the person's own locale (users.info with include_locale)."""

import json
from decimal import Decimal

import pytest

from bot.config import Settings
from bot.requests import Status
from handlers.slack.ids import ContractFields, Views
from tests.conftest import ADMIN, BUYER, IT
from tests.handlers.slack.conftest import CHANNEL, need_values
from tests.handlers.slack.test_lifecycle import post_need

APPROVER = "U0APPROVER"
GERMAN = "U0GERMAN01"


@pytest.fixture
def slack_settings(tmp_path, fake):
    from tests.handlers.slack.conftest import SECRET

    return Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_APPROVERS": APPROVER, "TANDEM_APPROVAL_THRESHOLD": "10000", "TANDEM_FX_RATES": "EUR=1.10",
        "TANDEM_DB": str(tmp_path / "t.db"),
    })


def open_need_form(slack, fake, user):
    """``/need`` as the person does before filling the form in: opening it looks their locale up
    (after the ack, on the work lane), so the form is read their way when it comes back."""
    assert slack.command("/need", "", user)[0] == 200
    fake.wait_until("users.info", lambda args: args["user"] == user)
    fake.wait_for("views.open")


def test_a_german_users_25_000_euros_waits_for_approval(slack, fake, bot):
    fake.locales[GERMAN] = "de-DE"
    open_need_form(slack, fake, GERMAN)
    post_need(slack, fake, user=GERMAN, estimated_cost="25.000,00", currency="EUR")
    request = bot.core.requests.get(1)
    assert (request.estimated_cost, request.currency) == (Decimal("25000.00"), "EUR")
    [lookup] = fake.calls_to("users.info")
    assert lookup.args["user"] == GERMAN and lookup.args["include_locale"] in ("true", "1", True)

    bot.core.requests.claim(BUYER, 1)
    bot.core.requests.change_status(BUYER, 1, "sourcing")
    slack.command("/procure", "status 1 approved", BUYER)
    pending = fake.wait_until("response_url", lambda a: "needs approval" in a.get("text", ""))
    assert "its cost (USD 27,500) reaches the approval threshold of USD 10,000" in pending.args["text"]
    fake.wait_until("chat.postMessage", lambda a: a["channel"] == "D0APPROVER")
    assert bot.core.requests.get(1).status is Status.SOURCING, "it waits for the approver"


def test_the_locale_is_looked_up_once_per_person(slack, fake, bot):
    fake.locales[GERMAN] = "de-DE"
    open_need_form(slack, fake, GERMAN)
    open_need_form(slack, fake, GERMAN)
    post_need(slack, fake, user=GERMAN, title="first", estimated_cost="1.200,50 €", currency="")
    post_need(slack, fake, user=GERMAN, title="second", estimated_cost="99", currency="")
    assert len(fake.calls_to("users.info")) == 1
    first = bot.core.requests.get(1)
    assert (first.estimated_cost, first.currency) == (Decimal("1200.50"), "EUR"), "the € in the amount gives the currency"


def test_a_german_amount_from_a_us_user_is_refused_inline_and_nothing_is_stored(slack, fake, bot):
    status, body = slack.submit(IT, Views.NEED, need_values(estimated_cost="25.000,00"))
    errors = json.loads(body)["errors"]
    assert errors["estimated_cost"].startswith("Estimated cost '25.000,00' cannot be read as an amount in en_US; "
                                               "write it like 1,234.56 or 1234.56")
    bot.executor.shutdown(wait=True)
    assert bot.core.requests.list(IT, "all").total == 0


def test_an_amount_in_one_currency_with_another_chosen_is_refused(slack, fake, bot):
    status, body = slack.submit(IT, Views.NEED, need_values(estimated_cost="€4,200", currency="USD"))
    assert json.loads(body)["errors"]["estimated_cost"] == (
        "Estimated cost is written in EUR but the currency is USD; make them match (or leave the currency blank).")


def test_the_forms_use_number_inputs_for_whole_numbers_and_show_examples_in_the_locale(slack, fake, bot):
    fake.locales[GERMAN] = "de-DE"
    assert bot.locales(GERMAN) == "de_DE"  # known from an earlier form
    slack.command("/need", "", GERMAN)
    opened = fake.wait_for("views.open")[0].args["view"]["blocks"]
    by_id = {block["block_id"]: block for block in opened}
    assert by_id["quantity"]["element"]["type"] == "number_input"
    assert by_id["quantity"]["element"]["is_decimal_allowed"] is False
    assert by_id["estimated_cost"]["element"]["placeholder"]["text"].startswith("7.500 or €7.500")


def test_a_contract_added_by_a_german_user(slack, fake, bot):
    fake.locales[BUYER] = "de-DE"
    text = lambda v: {"value": {"type": "plain_text_input", "value": v}}  # noqa: E731
    number = lambda v: {"value": {"type": "number_input", "value": v}}  # noqa: E731
    values = {
        ContractFields.VENDOR: text("Müller GmbH"), ContractFields.PRODUCT: text("Wartung"),
        ContractFields.END_DATE: {"value": {"type": "datepicker", "selected_date": "2027-12-31"}},
        ContractFields.NOTICE_DAYS: number("90"), ContractFields.TERM_MONTHS: number("12"),
        ContractFields.AUTO_RENEW: {"value": {"type": "static_select", "selected_option": {"value": "yes"}}},
        ContractFields.ANNUAL_COST: text("12.000,50"), ContractFields.CURRENCY: text("EUR"),
        ContractFields.SEATS: number("1000"),
    }
    assert slack.command("/procure", "contract add", BUYER)[0] == 200  # opening the form looks the buyer up
    fake.wait_for("views.open")
    status, body = slack.submit(BUYER, Views.CONTRACT, values)
    assert (status, body.strip()) == (200, "")
    bot.executor.shutdown(wait=True)
    [contract] = bot.core.contracts.all()
    assert (contract.annual_cost, contract.currency, contract.seats) == (Decimal("12000.50"), "EUR", 1000)


def test_a_german_approver_reads_the_amounts_in_the_approval_dm_their_way(slack, fake, bot):
    fake.locales[APPROVER] = "de-DE"
    post_need(slack, fake, estimated_cost="25,000.50", currency="EUR")
    bot.core.requests.claim(BUYER, 1)
    bot.core.requests.change_status(BUYER, 1, "sourcing")
    slack.command("/procure", "status 1 approved", BUYER)
    asked = fake.wait_until("chat.postMessage", lambda a: a["channel"] == "D0APPROVER")
    shown = json.dumps(asked.args["blocks"], ensure_ascii=False)
    assert "EUR 25.000,50" in shown and "EUR 25,000.50" not in shown


def test_a_refused_locale_lookup_reads_the_default_and_is_not_asked_again_on_every_command(slack, fake, bot):
    fake.fail("users.info", "user_not_found")
    assert slack.command("/procure", "list", GERMAN)[0] == 200
    assert slack.command("/procure", "list", GERMAN)[0] == 200
    assert len(fake.calls_to("users.info")) == 1
    assert bot.locales(GERMAN) == bot.core.settings.locale
