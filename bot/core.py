"""Wiring: the one place that builds the core's services from settings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.notifier import Notifier
from bot.permissions import GroupResolver, Roles
from bot.services import RequestService
from storage import Store


@dataclass
class Core:
    settings: Settings
    store: Store
    clock: Clock
    roles: Roles
    requests: RequestService

    def close(self) -> None:
        self.store.close()


def build_core(
    settings: Settings,
    notifier: Notifier,
    clock: Clock | None = None,
    groups: GroupResolver | None = None,
    roles: Roles | None = None,
) -> Core:
    clock = clock or SystemClock()
    store = Store(settings.db_path)
    roles = roles or Roles(settings.procurement, settings.admins, groups)
    requests = RequestService(store, notifier, roles, clock, settings.tz, settings.base_currency)
    return Core(settings, store, clock, roles, requests)
