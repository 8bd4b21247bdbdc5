"""Bad input, tried systematically: the command parser, commands run against a real
database, the need and contract forms, and CSV import, over random and hostile text.

The properties: nothing but a domain error ever escapes; every refusal is a clear message
(no traceback, no wall of echoed input); forms name only their own fields; a refusal leaves
every table exactly as it was; what is accepted is stored exactly as it was validated.
"""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import commands, dispatch
from bot.contract_sheets import ImportRejected, parse_csv
from bot.contracts import CSV_HEADER, FIELDS, KEEP, ContractInput, ContractStatus, parse_contract
from bot.errors import BadInput, DomainError, NotAllowed
from bot.requests import RequestInput, parse_request
from storage import contracts as contracts_repo
from tests.conftest import ADMIN, BUYER, IT
from tests.contract_samples import GOOD_ROWS
from tests.hostile import HOSTILE, any_value, assert_clear_message, command_text, contract_form, request_form
from tests.scenario import PEOPLE, START, Scenario, snapshot

TODAY = START.date()
REQUEST_FIELDS = {field.name for field in dataclasses.fields(RequestInput)}
HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
people = st.sampled_from(sorted(PEOPLE.values()))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return Scenario(tmp_path_factory.mktemp("hostile"))


# --- the command parser ------------------------------------------------------------------------


def parse_or_refuse(text: str):
    try:
        command = commands.parse(text)
    except BadInput as refused:
        assert_clear_message(refused.message)
        return None
    assert command.name in commands.USAGE
    assert command.number is None or 1 <= command.number <= 999_999_999
    return command


@settings(max_examples=500, deadline=None, suppress_health_check=HEALTH)
@given(text=command_text)
@example(text="claim ²")
@example(text="contracts ¹²")
@example(text="stats ²")
@example(text="contract show ²")
@example(text="claim " + "9" * 10_000)
@example(text="status 1 " + "x" * 10_000)
@example(text="note 1 \x00")
def test_the_parser_only_ever_refuses_with_a_clear_message(text):
    parse_or_refuse(text)


TEMPLATES = ["{}", "claim {}", "show {}", "status 1 {}", "status {} sourcing", "note {} hi", "note 1 {}",
             "contracts {}", "stats {}", "list {}", "contract {}", "contract show {}", "contract edit {}"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_hostile_word_in_every_position_is_parsed_or_refused_clearly(template):
    for word in HOSTILE:
        parse_or_refuse(template.format(word))


# --- commands run against a real database --------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=HEALTH)
@given(text=command_text, user=people)
@example(text="note 1 \ud800", user=IT)
@example(text="status 1 " + "x" * 10_000, user=BUYER)
@example(text="contract renew 1", user=BUYER)
@example(text="claim 1'; drop table requests; --", user=BUYER)
def test_commands_only_ever_raise_domain_errors_and_a_refusal_changes_nothing(scenario, text, user):
    command = parse_or_refuse(text)
    if command is None:
        return
    core = scenario.core()
    try:
        before = snapshot(core)
        try:
            dispatch.run(core, user, command)
        except DomainError as refused:
            assert_clear_message(refused.message)
            assert snapshot(core) == before, f"{text!r} by {user} was refused but changed the database"
    finally:
        core.close()


# --- the need form -----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=HEALTH)
@given(form=request_form, user=people)
@example(form=dict(title="Laptop", category="hardware", quantity="²"), user=IT)
@example(form=dict(title="Laptop \ud800", category="hardware", preferred_vendor="Dell\ud800"), user=IT)
@example(form=dict(title="<!channel>", category="saas", estimated_cost="1e-999", needed_by="2027-02-30"), user=IT)
def test_a_need_form_is_stored_as_validated_or_refused_field_by_field(scenario, form, user):
    try:
        expected = parse_request(form, TODAY, "USD")
    except BadInput as refused:
        expected = refused
    core = scenario.core()
    try:
        before = snapshot(core)
        try:
            request = core.requests.create(user, form)
        except BadInput as refused:
            assert isinstance(expected, BadInput) and refused.errors == expected.errors
            assert refused.errors and set(refused.errors) <= REQUEST_FIELDS, refused.errors
            for message in refused.errors.values():
                assert_clear_message(message)
            assert snapshot(core) == before
        else:
            assert isinstance(expected, RequestInput), expected
            stored = core.requests.get(request.id)  # read back from the database
            assert {name: getattr(stored, name) for name in REQUEST_FIELDS} == dataclasses.asdict(expected)
    finally:
        core.close()


# --- the contract form ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=HEALTH)
@given(form=contract_form, user=st.sampled_from([BUYER, BUYER, ADMIN, IT]))
@example(form=dict(vendor="Okta", product="SSO", end_date="2027-06-30", notice_days="30", auto_renew="yes",
                   notes="n" * 3000), user=BUYER)
@example(form=dict(vendor="Okta", product="SSO", end_date="2027-02-30", notice_days="²", auto_renew="yes",
                   seats="¹", term_months="²"), user=BUYER)
@example(form=dict(vendor="Okta\ud800", product="SSO", end_date="2027-06-30", notice_days="3", auto_renew="no"),
         user=BUYER)
def test_a_contract_form_is_stored_as_validated_or_refused_field_by_field(scenario, form, user):
    try:
        expected = parse_contract(form, "USD")
    except BadInput as refused:
        expected = refused
    core = scenario.core()
    try:
        before = snapshot(core)
        try:
            contract = core.contracts.add(user, form)
        except NotAllowed:
            assert user == IT
            assert snapshot(core) == before
        except BadInput as refused:
            assert refused.errors and set(refused.errors) <= set(FIELDS), refused.errors
            for message in refused.errors.values():
                assert_clear_message(message)
            if isinstance(expected, BadInput):
                assert refused.errors == expected.errors
            else:  # valid on its own, but the seeded contract has the same vendor and product
                assert set(refused.errors) == {"product"} and "already a contract" in refused.message
            assert snapshot(core) == before
        else:
            assert isinstance(expected, ContractInput), expected
            stored = core.contracts.get(contract.id)  # read back from the database
            fields = {name: getattr(stored, name) for name in FIELDS}
            assert fields == stored_as(expected)
            if stored.status is ContractStatus.ACTIVE:
                # A stored contract is usable: whatever its notes, its renewal can start.
                renewal = core.contracts.start_renewal(BUYER, contract.id)
                assert renewal.request.contract_id == contract.id
    finally:
        core.close()


# --- CSV import ------------------------------------------------------------------------------------

_header = st.one_of(
    st.just(list(FIELDS)),
    st.just(list(FIELDS)),
    st.permutations(FIELDS).map(list),
    st.lists(st.one_of(st.sampled_from(FIELDS), any_value), max_size=15),
)
_good_row = st.sampled_from([next(csv.reader([row])) for row in GOOD_ROWS])


def _hostile_row(row: list[str], changes: list[tuple[int, str]]) -> list[str]:
    row = list(row)
    for index, value in changes:
        row[index % len(row)] = value
    return row


_row = st.one_of(
    _good_row,
    st.builds(_hostile_row, _good_row, st.lists(st.tuples(st.integers(0, 12), any_value), min_size=1, max_size=3)),
    st.lists(any_value, max_size=16),  # wrong column counts
)


def _write(header: list[str], rows: list[list[str]], quoted: bool, ending: str) -> str:
    if quoted:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator=ending)
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()
    return ending.join(",".join(cells) for cells in [header, *rows]) + ending


csv_text = st.one_of(
    st.builds(_write, _header, st.lists(_row, max_size=5), st.booleans(), st.sampled_from(["\n", "\r\n", "\r"])),
    st.builds(lambda rows: _write(list(FIELDS), rows + rows, True, "\n"), st.lists(_row, min_size=1, max_size=2)),
    st.binary(max_size=400).map(lambda raw: CSV_HEADER + "\n" + raw.decode("utf-8", errors="replace")),
    st.binary(max_size=400).map(lambda raw: CSV_HEADER + "\n" + raw.decode("utf-8", errors="surrogateescape")),
    st.binary(max_size=400).map(lambda raw: raw.decode("latin-1")),
    any_value,
)


@settings(max_examples=150, deadline=None, suppress_health_check=HEALTH)
@given(text=csv_text)
@example(text=CSV_HEADER + "\n" + GOOD_ROWS[0] + "\n" + "Okta,SSO," + "x" * 200_000 + "\n")  # over csv's field limit
@example(text=CSV_HEADER + '\n"Okta,SSO,,,,2027-06-30,30,yes,,,,,\n')  # a quote never closed
@example(text=CSV_HEADER + "\nOkta,SSO,,,,2027-02-30,30,yes,,,,,\n")
@example(text=CSV_HEADER + "\nOk\x00ta,SSO,,,,2027-06-30,30,yes,,,,,\n")
@example(text=CSV_HEADER + "\n" + (("x" * 10_000 + ",") * 2 + ",,,2027-06-30,30,yes,,,,,\n") * 2)
@example(text="\ufeff")
@example(text="")
@example(text=CSV_HEADER.replace("notes", "vendor") + "\n")
def test_a_csv_import_stores_every_row_or_nothing(scenario, text):
    core = scenario.core()
    try:
        before = snapshot(core)
        try:
            result = core.contracts.import_csv(ADMIN, text)
        except ImportRejected as rejected:
            assert rejected.problems
            for problem in rejected.problems:
                assert isinstance(problem.line, int) and problem.line >= 1, problem
                assert problem.column is None or problem.column in FIELDS, problem
                assert_clear_message(problem.message)
            assert "Traceback" not in rejected.message
            assert snapshot(core) == before, "a rejected file changed the database"
        else:
            rows = parse_csv(text, "USD")
            assert result.added + result.updated + result.unchanged == len(rows)
            for row in rows:
                stored = contracts_repo.find_by_name(core.store.db, row.contract.vendor, row.contract.product)
                assert {name: getattr(stored, name) for name in FIELDS} == stored_as(row.contract)
    finally:
        core.close()


def test_a_date_that_does_not_exist_is_named_by_line_and_column(scenario):
    core = scenario.core()
    try:
        before = snapshot(core)
        with pytest.raises(ImportRejected) as rejected:
            core.contracts.import_csv(ADMIN, f"{CSV_HEADER}\n{GOOD_ROWS[0]}\nOkta,SSO,,,,2027-02-30,30,yes,,,,,\n")
        [problem] = rejected.value.problems
        assert (problem.line, problem.column) == (3, "end_date")
        assert "'2027-02-30' is not a date" in problem.message
        assert snapshot(core) == before
    finally:
        core.close()


def stored_as(data: ContractInput) -> dict:
    """A validated form as a new contract stores it: without seats in use, none are recorded."""
    wanted = dataclasses.asdict(data)
    if wanted["seats_used"] == KEEP:
        wanted["seats_used"] = None
    return wanted
