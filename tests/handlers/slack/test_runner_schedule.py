"""`tandem run` runs the schedule next to the Slack server and releases it on shutdown."""

import dataclasses
import signal
from datetime import datetime, timezone

from handlers.slack import runner
from storage import Store
from storage.schedule import lease_holder
from tests.handlers.slack.conftest import CHANNEL


def holder(settings):
    store = Store(settings.db_path)
    try:
        return lease_holder(store.db, "schedule", datetime.now(timezone.utc))
    finally:
        store.close()


def test_run_in_http_mode_runs_the_schedule_until_it_stops(slack_settings, fake, monkeypatch):
    settings = dataclasses.replace(slack_settings, digest_cron="* * * * *")  # a slot every minute: one is due now
    seen = {}

    def serve(server):  # stands in for waitress: returns once the first scheduled digest is out
        fake.wait_until("chat.postMessage", lambda args: args["channel"] == CHANNEL)
        seen["holder"] = holder(settings)

    monkeypatch.setattr(runner, "make_server", lambda app, core, port: type("Server", (), {"effective_port": port}))
    monkeypatch.setattr(runner, "serve", serve)
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    assert runner.run_slack(settings) == 0
    assert seen["holder"], "the schedule held the lease while serving"
    assert holder(settings) is None, "and released it on shutdown"
