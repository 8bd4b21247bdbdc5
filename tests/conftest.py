from datetime import datetime, timezone

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.core import build_core
from testing.notifier import RecordingNotifier
from tests.processes import stop_started

IT = "U0IT000001"
IT2 = "U0IT000002"
BUYER = "U0PROC0001"
BUYER2 = "U0PROC0002"
ADMIN = "U0ADMIN001"


@pytest.fixture(autouse=True)
def _children_end_with_their_test():
    """A bot process a test started never outlives the test, even when the test failed."""
    yield
    stop_started()


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
def settings(tmp_path):
    return Settings.from_env(
        {
            "TANDEM_DB": str(tmp_path / "tandem.db"),
            "TANDEM_PROCUREMENT": f"{BUYER},{BUYER2}",
            "TANDEM_ADMINS": ADMIN,
        }
    )


@pytest.fixture
def notifier():
    return RecordingNotifier()


@pytest.fixture
def core(settings, notifier, clock):
    core = build_core(settings, notifier, clock=clock)
    yield core
    core.close()


def need(**overrides) -> dict:
    form = {
        "title": "50 Zoom licences",
        "details": "Meetings move to Zoom",
        "category": "saas",
        "quantity": "50",
        "estimated_cost": "7500",
        "currency": "USD",
        "needed_by": "2027-01-15",
        "urgency": "high",
        "sensitivity": "internal",
        "preferred_vendor": "Zoom",
    }
    form.update(overrides)
    return form
