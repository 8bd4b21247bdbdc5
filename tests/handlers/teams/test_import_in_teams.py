"""Importing a contracts spreadsheet in Teams: a file sent to Tandem in the personal chat
arrives as a ``file.download.info`` attachment; Tandem fetches it from the sender's OneDrive
(only from Microsoft's file hosts, without its token), imports it all or nothing and answers
with the same report as Slack and the command line."""

from tests.contract_samples import csv_file
from tests.handlers.teams.conftest import BUYER, IT

ROW = ("Zoom,Business,ivy@example.com,bo@example.com,2026-01-01,2027-01-15,30,yes,12,12000,USD,50,")


def send_file(teams, connector, user, name, content: bytes | None, *, url=None):
    key = f"dl-{name}"
    if content is not None:
        connector.downloads[key] = content
    activity = teams.base(user, teams.personal(user))
    activity.update(type="message", text="", attachments=[{
        "contentType": "application/vnd.microsoft.teams.file.download.info", "name": name,
        "contentUrl": "https://contoso-my.sharepoint.com/personal/x/Documents/" + name,
        "content": {"downloadUrl": url or connector.upload_url(key), "uniqueId": "F1", "fileType": name[-4:]}}])
    return teams.post(activity)


def answers(connector, user) -> list[str]:
    return [c.body.get("text") or "" for c in connector.calls if c.conversation == user.chat and c.kind in
            ("send", "reply")]


def test_a_csv_sent_in_the_personal_chat_is_imported_and_reported(teams, connector, bot):
    teams.say(IT, "help")
    teams.say(BUYER, "help")
    connector.reset()
    assert send_file(teams, connector, BUYER, "contracts.csv", csv_file(ROW).encode())[0] == 202
    [download] = connector.of("download")
    assert "authorization" not in download.headers  # OneDrive's link is pre-authorised: no app token
    [contract] = bot.core.contracts.all()
    assert (contract.vendor, contract.product) == ("Zoom", "Business")
    [told] = answers(connector, BUYER)
    assert told.startswith("Imported contracts.csv: 1 added, 0 updated, 0 unchanged.")


def test_a_bad_file_is_reported_by_row_and_nothing_is_stored(teams, connector, bot):
    teams.say(BUYER, "help")
    connector.reset()
    send_file(teams, connector, BUYER, "contracts.csv", csv_file(ROW.replace("2027-01-15", "2027-02-30")).encode())
    assert bot.core.contracts.all() == []
    [told] = answers(connector, BUYER)
    assert told.startswith("Nothing from contracts.csv was imported (1 problem):") and "row 2, column end_date" in told


def test_someone_outside_procurement_another_type_or_a_foreign_host_is_refused_before_downloading(
        teams, connector, bot):
    teams.say(IT, "help")
    teams.say(BUYER, "help")
    connector.reset()
    send_file(teams, connector, IT, "contracts.csv", csv_file(ROW).encode())
    send_file(teams, connector, BUYER, "holiday.pdf", b"%PDF-1.7")
    send_file(teams, connector, BUYER, "contracts.csv", None, url="https://attacker.example/contracts.csv")
    assert connector.of("download") == [] and bot.core.contracts.all() == []
    assert answers(connector, IT) == ["⛔ Only procurement members can add contracts."]
    [other_type, foreign] = answers(connector, BUYER)
    assert "is not a spreadsheet Tandem imports" in other_type
    assert "outside Microsoft's OneDrive" in foreign


def test_a_retried_delivery_imports_once(teams, connector, bot):
    teams.say(BUYER, "help")
    connector.reset()
    connector.downloads["dl-contracts.csv"] = csv_file(ROW).encode()
    activity = teams.base(BUYER, teams.personal(BUYER))
    activity.update(type="message", text="", attachments=[{
        "contentType": "application/vnd.microsoft.teams.file.download.info", "name": "contracts.csv",
        "content": {"downloadUrl": connector.upload_url("dl-contracts.csv"), "fileType": "csv"}}])
    teams.post(activity)
    teams.post(activity)  # Teams sends the same activity again
    assert len(connector.of("download")) == 1 and len(bot.core.contracts.all()) == 1
    assert len(answers(connector, BUYER)) == 1
