"""Hostile text for property-based tests: what a careless, curious or malicious user might
type into a command, a form or a spreadsheet."""

from __future__ import annotations

from hypothesis import strategies as st

from bot.commands import USAGE
from bot.contracts import FIELDS as CONTRACT_FIELDS

HOSTILE = [
    # mrkdwn control sequences: pings, mentions, links, formatting
    "<!channel>", "<!here>", "<!everyone>", "<!subteam^S0BUYERS>", "<@U0BOSS>", "<#C0SHARED>",
    "<https://evil.example|click here>", "<mailto:ceo@example.com|CEO>", "*bold*", "_italic_", "~strike~",
    "`code`", "```block```", "> quote", "&amp;", "&lt;!channel&gt;", "<", ">", "&", "|",
    # SQL and format-string metacharacters
    "'; drop table requests; --", "\" or 1=1 --", "1; delete from events", "%s%s%n", "{0}{1}", "${jndi:ldap://x}",
    # control characters and odd unicode
    "\x00", "a\x00b", "\x1b[31mred", "\r\n", "\t", "\x7f", "\u202eevil", "\u200b", "\ufeff", "\u2028", "\u3000",
    "\ud800", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "👩‍💻", "Zalgơ̴͓̐", "ﷺ", "İı", "ß",
    # numbers that are not quite numbers
    "²", "¹²", "١٢", "１２", "Ⅻ", "-1", "0", "#0", "#", "##1", "+5", "1.5", "1,5", "1e3", "1e999", "-0",
    "NaN", "sNaN", "Infinity", "0x10", "1_000", "99999999999999999999", "9" * 400, " 7 ",
    # dates that are not quite dates
    "2027-02-30", "2027-13-01", "0000-00-00", "9999-12-31", "2027-2-3", "20270101", "2027-W05-1", "2026-11-15",
    "2026-11-16", "31/12/2027", "tomorrow",
    # sizes
    "", " ", "x" * 10_000, "<!channel>" * 1_000,
]

# The words the parser knows, in the case users might type them.
COMMAND_WORDS = sorted(set(USAGE) | {name.upper() for name in USAGE} | {name.title() for name in USAGE})
CONTRACT_WORDS = ["add", "show", "edit", "renew", "renewed", "cancel", "ADD", "Show"]
STATUS_WORDS = ["new", "claimed", "sourcing", "approved", "ordered", "fulfilled", "on_hold", "on-hold",
                "awaiting_it", "Awaiting IT", "cancelled", "CANCELLED"]
NUMBERS = ["1", "#1", "2", "#2", "3", "1000"]

hostile = st.sampled_from(HOSTILE)
# Random text, with surrogates (a JSON body can carry them) and long runs made by repetition.
unicode_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
long_text = st.builds(lambda text, times: text * times, st.text(min_size=1, max_size=20), st.integers(200, 600))
big_numbers = st.integers(-(10**40), 10**40).map(str)

any_word = st.one_of(hostile, unicode_text, big_numbers, st.sampled_from(NUMBERS + STATUS_WORDS + CONTRACT_WORDS))
any_value = st.one_of(hostile, unicode_text, long_text, big_numbers)

_separator = st.sampled_from([" ", "  ", "\t", "\n", "\u3000", " \x00 "])


def _join(name: str, words: list[str], separator: str) -> str:
    return separator.join([name, *words])


# /procure text: a known command with hostile arguments, or anything at all.
command_text = st.one_of(
    st.builds(_join, st.sampled_from(COMMAND_WORDS), st.lists(any_word, max_size=4), _separator),
    st.builds(_join, st.sampled_from(["contract", "Contract"]),
              st.lists(st.one_of(st.sampled_from(CONTRACT_WORDS), any_word), min_size=1, max_size=3), _separator),
    st.builds(_join, st.sampled_from(["status", "note"]),
              st.tuples(st.sampled_from(NUMBERS), st.one_of(st.sampled_from(STATUS_WORDS), any_value)).map(list),
              _separator),
    unicode_text,
    long_text,
    hostile,
)


def field_value(*plausible: str):
    """A form field's value: usually something plausible for it, otherwise anything hostile."""
    return st.one_of(st.sampled_from(plausible), st.sampled_from(plausible), any_value)


NEED_FORM = {
    "title": field_value("Laptop", "50 Zoom licences", "<!channel> urgent", "x" * 150),
    "details": field_value("", "Meetings move to Zoom", "d" * 3000),
    "category": field_value("hardware", "software", "saas", "telecom", "services", "other", "SaaS", ""),
    "quantity": field_value("1", "50", "1000000", ""),
    "estimated_cost": field_value("", "7500", "99.50", "1,200", "999999999999"),
    "currency": field_value("USD", "eur", "", "GBP"),
    "needed_by": field_value("", "2027-01-15", "2026-11-16", "2028-02-29"),
    "urgency": field_value("low", "normal", "high", "critical", ""),
    "sensitivity": field_value("public", "internal", "confidential", "restricted", ""),
    "preferred_vendor": field_value("", "Zoom", "Dell", "v" * 100),
}

CONTRACT_FORM = {
    "vendor": field_value("Okta", "Zoom", "Atlassian", "v" * 100),
    "product": field_value("SSO", "Business", "Jira Cloud", "p" * 100),
    "it_owner": field_value("", "U0IT000001", "u0it000002", "@U0ITOWNER1", "it.lead@example.com"),
    "procurement_owner": field_value("", "U0PROC0001", "Buyer@Example.com"),
    "start_date": field_value("", "2026-01-01", "2027-02-28"),
    "end_date": field_value("2027-01-15", "2027-06-30", "2029-02-28", "2026-11-16"),
    "notice_days": field_value("0", "30", "90", "3650"),
    "auto_renew": field_value("yes", "no", "Y", "false", "1"),
    "term_months": field_value("", "12", "1", "120"),
    "annual_cost": field_value("", "0", "12000", "24,000.50"),
    "currency": field_value("USD", "EUR", ""),
    "seats": field_value("", "1", "50", "1000000"),
    "notes": field_value("", "Renegotiate seats", "n" * 3000),
    "seats_used": field_value("", "0", "38", "1000000"),
}

request_form = st.fixed_dictionaries(NEED_FORM)
contract_form = st.fixed_dictionaries(CONTRACT_FORM)

assert set(CONTRACT_FORM) == set(CONTRACT_FIELDS)


MESSAGE_MAX = 3000  # one Block Kit section: a refusal never needs more, however long the input


def assert_clear_message(message: object) -> None:
    """A message fit to show a user: text, not empty, no traceback, not a wall of echoed input."""
    assert isinstance(message, str) and message.strip(), repr(message)
    assert "Traceback" not in message and 'File "' not in message, message
    assert len(message) <= MESSAGE_MAX, f"{len(message)} characters: {message[:200]!r}…"
