"""The contract calendar in Slack, through signed requests against the fake Slack."""

import json

import pytest

from bot.contract_sheets import ImportRejected
from bot.contracts import ContractStatus
from handlers.slack.ids import ContractActions, Views
from tests.conftest import ADMIN, BUYER, IT, IT2
from tests.handlers.slack.conftest import CHANNEL
from tests.handlers.slack.test_lifecycle import post_need

CSV_HEADER = "vendor,product,it_owner,procurement_owner,start_date,end_date,notice_days,auto_renew,term_months,annual_cost,currency,seats,notes\n"


def contract_values(**overrides) -> dict:
    """A contract form as Slack submits it."""
    fields = {
        "vendor": "Zoom", "product": "Meetings Pro", "it_owner": IT, "procurement_owner": BUYER,
        "start_date": "2026-01-01", "end_date": "2027-01-31", "notice_days": "30", "auto_renew": "yes",
        "term_months": "12", "annual_cost": "24000", "currency": "USD", "seats": "200", "notes": "",
    }
    fields.update(overrides)
    values = {}
    for name, value in fields.items():
        if name in ("it_owner", "procurement_owner"):
            values[name] = {"value": {"type": "users_select", "selected_user": value or None}}
        elif name in ("start_date", "end_date"):
            values[name] = {"value": {"type": "datepicker", "selected_date": value or None}}
        elif name == "auto_renew":
            values[name] = {"value": {"type": "static_select", "selected_option": {"value": value}}}
        else:
            values[name] = {"value": {"type": "plain_text_input", "value": value}}
    return values


def blocks_text(call) -> str:
    return json.dumps(call.args.get("blocks") or call.args.get("view"), ensure_ascii=False)


def add_contract(bot, **overrides):
    form = {"vendor": "Zoom", "product": "Meetings Pro", "it_owner": IT, "procurement_owner": BUYER,
            "start_date": "2026-01-01", "end_date": "2027-01-31", "notice_days": "30", "auto_renew": "yes",
            "term_months": "12", "annual_cost": "24000", "currency": "USD", "seats": "200"}
    form.update(overrides)
    return bot.core.contracts.add(BUYER, form)


def test_procurement_adds_a_contract_through_the_modal(slack, fake, bot):
    slack.command("/procure", "contract add", BUYER)
    modal = fake.wait_until("views.open", lambda a: a["view"]["callback_id"] == Views.CONTRACT)
    assert modal.args["view"]["title"]["text"] == "New contract"

    status, body = slack.submit(BUYER, Views.CONTRACT, contract_values(end_date="2025-12-01"))
    assert json.loads(body) == {"response_action": "errors",
                                "errors": {"end_date": "The end date 2025-12-01 is before the start date 2026-01-01."}}
    status, body = slack.submit(BUYER, Views.CONTRACT, contract_values(notice_days="900"))
    assert set(json.loads(body)["errors"]) == {"notice_days"}
    status, body = slack.submit(BUYER, Views.CONTRACT, contract_values(vendor="", end_date=""))
    assert set(json.loads(body)["errors"]) == {"vendor", "end_date"}
    assert bot.core.contracts.all() == []

    slack.submit(BUYER, Views.CONTRACT, contract_values())
    confirmation = fake.wait_until("chat.postMessage", lambda a: "Added Zoom Meetings Pro" in a.get("text", ""))
    assert "notice deadline 2027-01-01" in confirmation.args["text"]
    [contract] = bot.core.contracts.all()
    assert (contract.it_owner, contract.procurement_owner, contract.seats) == (IT, BUYER, 200)


def test_only_procurement_may_open_the_add_form(slack, fake):
    slack.command("/procure", "contract add", IT2)
    refusal = fake.wait_for("response_url")[0]
    assert refusal.args["response_type"] == "ephemeral" and refusal.args["text"].startswith(":no_entry:")
    assert fake.calls_to("views.open") == []


def test_upcoming_deadlines_list_vendor_deadline_days_left_and_owners(slack, fake, bot):
    add_contract(bot)
    add_contract(bot, vendor="Slack", product="Enterprise Grid", end_date="2027-06-30", notice_days="60")
    add_contract(bot, vendor="Far", product="Away", end_date="2029-01-01")
    slack.command("/procure", "contracts", IT)
    listing = blocks_text(fake.wait_for("response_url")[0])
    assert "Notice deadlines in the next 90 days" in listing
    assert "Zoom — Meetings Pro" in listing and "2027-01-01" in listing and "46 days left" in listing
    assert "USD 24,000/yr" in listing and f"<@{IT}>" in listing and f"<@{BUYER}>" in listing
    assert "Slack — Enterprise Grid" not in listing and "Far" not in listing
    slack.command("/procure", "contracts 365", IT)
    wide = blocks_text(fake.wait_for("response_url", 2)[1])
    assert wide.index("Zoom") < wide.index("Enterprise Grid"), "soonest first"


def test_show_start_renewal_creates_a_linked_request_and_posts_its_card(slack, fake, bot):
    add_contract(bot)
    slack.command("/procure", "contract show 1", IT)
    shown = blocks_text(fake.wait_for("response_url")[0])
    assert "Start renewal" in shown and "Mark cancelled" in shown and "History" in shown

    slack.click(BUYER, ContractActions.RENEW, "1")
    card = fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL)
    assert card.args["text"] == "#1 Renew Zoom Meetings Pro — New"
    assert "Under contract" in blocks_text(card)
    [request] = bot.core.requests.list(IT, "all").items
    assert request.contract_id == 1
    assert bot.core.contracts.get(1).status is ContractStatus.RENEWING
    answer = fake.wait_until("response_url", lambda a: "Renewal of" in a.get("text", ""))
    assert answer.args["response_type"] == "ephemeral"


def test_only_procurement_and_owners_change_a_contract(slack, fake, bot):
    add_contract(bot)
    slack.click(IT2, ContractActions.CANCEL, "1")
    refusal = fake.wait_for("response_url")[0]
    assert refusal.args["text"] == ":no_entry: Only procurement members and the contract's owners can change contract 1."
    assert bot.core.contracts.get(1).status is ContractStatus.ACTIVE
    slack.click(IT, ContractActions.CANCEL, "1")  # the IT owner may
    fake.wait_for("response_url", 2)
    assert bot.core.contracts.get(1).status is ContractStatus.CANCELLED


def test_edit_opens_a_prefilled_form_and_saves(slack, fake, bot):
    add_contract(bot)
    slack.click(BUYER, ContractActions.EDIT, "1")
    modal = fake.wait_until("views.open", lambda a: a["view"]["callback_id"] == Views.CONTRACT)
    view = modal.args["view"]
    assert view["private_metadata"] == "1"
    assert '"initial_value": "Zoom"' in json.dumps(view) and '"initial_user": "' + IT + '"' in json.dumps(view)
    slack.submit(BUYER, Views.CONTRACT, contract_values(seats="250"), private_metadata="1")
    fake.wait_until("chat.postMessage", lambda a: "Saved Zoom Meetings Pro" in a.get("text", ""))
    assert bot.core.contracts.get(1).seats == 250


def test_calendar_arrives_as_a_file_in_a_dm(slack, fake, bot):
    add_contract(bot)
    slack.command("/procure", "calendar", IT)
    fake.wait_for("files.completeUploadExternal")
    [upload] = fake.calls_to("file_upload")
    assert b"BEGIN:VCALENDAR" in upload.args["bytes"] and b"Zoom" in upload.args["bytes"]
    complete = fake.calls_to("files.completeUploadExternal")[0].args
    assert complete["channel_id"] == "D0IT000001"
    assert "in your DMs" in fake.wait_for("response_url")[0].args["text"]


def test_a_need_for_a_vendor_under_contract_shows_the_contract_on_its_card(slack, fake, bot):
    add_contract(bot)
    card = post_need(slack, fake, preferred_vendor="zoom")
    text = blocks_text(card)
    assert "Under contract" in text and "notice deadline 2027-01-01" in text and "46 days left" in text


def test_app_home_lists_contracts_i_own(slack, fake, bot):
    add_contract(bot)
    slack.event({"type": "app_home_opened", "user": IT, "tab": "home"})
    home = blocks_text(fake.wait_until("views.publish", lambda a: a["user_id"] == IT))
    assert "Contracts you own* (1)" in home and "Zoom — Meetings Pro" in home


def test_csv_owners_given_as_email_are_resolved_with_users_lookup_by_email(bot, fake):
    fake.users_by_email["it.lead@example.com"] = IT
    csv = CSV_HEADER + "Zoom,Meetings Pro,it.lead@example.com,U0PROC0001,2026-01-01,2027-01-31,30,yes,12,24000,USD,200,\n"
    bot.core.contracts.import_csv(ADMIN, csv)
    assert bot.core.contracts.get(1).it_owner == IT
    assert fake.calls_to("users.lookupByEmail")[0].args["email"] == "it.lead@example.com"
    unknown = CSV_HEADER + "Slack,Grid,nobody@example.com,,2026-01-01,2027-01-31,30,yes,12,,USD,,\n"
    with pytest.raises(ImportRejected) as rejected:
        bot.core.contracts.import_csv(ADMIN, unknown)
    [problem] = rejected.value.problems
    assert (problem.line, problem.column) == (2, "it_owner")
    assert len(bot.core.contracts.all()) == 1


def test_stats_answer_with_numbers_and_send_the_chart_to_a_dm(slack, fake, bot):
    post_need(slack, fake)
    slack.command("/procure", "stats 4", IT)
    answer = fake.wait_until("response_url", lambda a: "Tandem stats" in a.get("text", ""))
    text = json.dumps(answer.args["blocks"], ensure_ascii=False)
    assert "1 opened, 0 fulfilled" in text and "The chart is in your DMs" in text
    fake.wait_for("files.completeUploadExternal")
    [upload] = fake.calls_to("file_upload")
    assert upload.args["bytes"][:8] == b"\x89PNG\r\n\x1a\n"


def test_an_import_of_2000_rows_with_300_owners_stays_within_tier_3_without_a_429(bot, fake):
    fake.limit("users.lookupByEmail", 50)  # Tier 3: 50 a minute; one more in the minute is a 429
    owners = [f"owner{n:03d}@example.com" for n in range(300)]
    for n, email in enumerate(owners):
        fake.users_by_email[email] = f"U0OWNER{n:03d}"
    rows = [f"Vendor {n},Product {n},{owners[n % 300]},{owners[(n * 7) % 300]},2026-01-01,2027-01-31,30,yes,12,"
            f"1200,USD,10," for n in range(2000)]
    result = bot.core.contracts.import_csv(ADMIN, CSV_HEADER + "\n".join(rows) + "\n")
    assert "2000" in str(result) or len(bot.core.contracts.all()) == 2000
    assert [c for c in fake.calls if c.answer.get("error") == "ratelimited"] == []
    lookups = fake.calls_to("users.lookupByEmail")
    assert len(lookups) <= 50 and len(fake.calls_to("users.list")) == 2  # 300 people, 200 a page
    contracts = bot.core.contracts.all()
    assert {c.it_owner for c in contracts} == {f"U0OWNER{n:03d}" for n in range(300)}
    # Looked up again within the hour: answered from the cache, no call at all.
    fake.reset()
    bot.core.contracts.import_csv(ADMIN, CSV_HEADER + rows[0] + "\n")
    assert fake.calls_to("users.lookupByEmail") == [] and fake.calls_to("users.list") == []


def test_email_lookups_expire_after_an_hour(bot, fake):
    from handlers.slack.people import EmailDirectory

    now = [0.0]
    directory = EmailDirectory(bot.client, clock=lambda: now[0])
    fake.users_by_email["it.lead@example.com"] = IT
    assert directory("IT.Lead@example.com") == IT and directory("it.lead@example.com") == IT
    assert directory("nobody@example.com") is None and directory("nobody@example.com") is None
    assert len(fake.calls_to("users.lookupByEmail")) == 2  # each address once, found or not
    now[0] = EmailDirectory.TTL + 1
    fake.users_by_email["nobody@example.com"] = IT2  # someone joined meanwhile
    assert directory("nobody@example.com") == IT2
    assert len(fake.calls_to("users.lookupByEmail")) == 3


def test_a_long_deadline_list_shows_the_soonest_48_and_counts_the_rest_in_the_database(slack, fake, bot):
    from datetime import date, timedelta

    from tests.contract_samples import contract_form

    today = date(2026, 11, 16)  # the test clock's today
    # 60 coming up (two per day, vendors out of alphabetical order), one missed, one too far ahead
    for n in range(60):
        end = today + timedelta(days=30 + n // 2)
        bot.core.contracts.add(BUYER, contract_form(vendor=f"{'zb'[n % 2]}vendor {n:02d}", product="P",
                                                    end_date=end.isoformat(), notice_days="30"))
    bot.core.contracts.add(BUYER, contract_form(vendor="Missed", product="M", end_date=(today + timedelta(days=5)).isoformat(),
                                                notice_days="30"))
    bot.core.contracts.add(BUYER, contract_form(vendor="Later", product="L", end_date=(today + timedelta(days=400)).isoformat(),
                                                notice_days="30"))
    everything = bot.core.contracts.upcoming(IT, 90)
    assert len(everything) == 61 and everything[0].contract.vendor == "Missed"
    fake.reset()
    slack.command("/procure", "contracts", IT)
    blocks = fake.wait_for("response_url")[0].args["blocks"]
    assert len(blocks) == 50
    rows = [b["text"]["text"].split("*")[1].split(" — ")[0] for b in blocks[1:-1]]
    assert rows == [item.contract.vendor for item in everything[:48]]
    assert blocks[-1]["elements"][0]["text"] == "…and 13 more"
