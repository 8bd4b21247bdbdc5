"""Settings: every variable of the product contract, parsed and validated once.

Nothing here reads ``os.environ``; the entry point passes a mapping in, so tests build
settings from plain dictionaries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from bot.risk import parse_rules
from bot.targets import Targets, parse_fulfil, parse_percent

DEFAULT_API_URL = "https://slack.com/api/"

_USER_OR_GROUP = re.compile(r"^[UWS][A-Z0-9]{2,}$")
# Teams people: an Entra ID (AAD) object ID, or a Teams user ID (29:… or 8:orgid:…).
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TEAMS_USER = re.compile(r"^(29:[A-Za-z0-9_\-]{2,}|8:orgid:[0-9a-fA-F-]{36})$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line naming it."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_API_URL
    port: int = 3000
    db_path: str = "tandem.db"
    channel: str | None = None
    procurement: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()
    timezone: str = "UTC"
    digest_cron: str = "0 9 * * MON"
    reminder_cron: str = "0 9 * * MON-FRI"
    health_cron: str = "0 10 1-7 * MON"
    notice_days: tuple[int, ...] = (90, 60, 30, 7)
    stale_days: int = 5
    base_currency: str = "USD"
    approval_threshold: Decimal = Decimal("10000")
    fx_rates: Mapping[str, Decimal] = field(default_factory=dict)
    approvers: tuple[str, ...] = ()
    approval_policy: str = "any"
    hide_costs: bool = False
    locale: str = "en_US"
    date_order: str | None = None
    public_url: str | None = None
    calendar_domain: str = "tandem.localhost"
    # IT's risk rules: data class → the checks a purchase of that class needs (bot.risk).
    risk_checks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The recurring IT–procurement sync meeting (unset: none) and how long before it the agenda goes out.
    sync_cron: str | None = None
    sync_lead: timedelta = timedelta(hours=2)
    # Each side's measures of success (bot.targets): time to claim, to fulfil, savings.
    targets: Targets = field(default_factory=Targets)
    log_level: str = "INFO"
    teams_port: int = 3978
    teams_app_id: str | None = None
    teams_app_password: str | None = None
    teams_tenant_id: str | None = None
    teams_channel: str | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def teams_enabled(self) -> bool:
        """Teams runs with ``tandem run`` (with credentials) when TEAMS_APP_ID is set."""
        return bool(self.teams_app_id)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        r = _Reader(env)
        settings = cls(
            slack_bot_token=r.text("SLACK_BOT_TOKEN", prefix="xoxb-"),
            slack_signing_secret=r.text("SLACK_SIGNING_SECRET"),
            slack_app_token=r.text("SLACK_APP_TOKEN", prefix="xapp-"),
            slack_api_url=r.url("SLACK_API_URL", DEFAULT_API_URL),
            port=r.port("PORT", 3000),
            db_path=r.text("TANDEM_DB") or "tandem.db",
            channel=r.text("TANDEM_CHANNEL"),
            procurement=r.ids("TANDEM_PROCUREMENT"),
            admins=r.ids("TANDEM_ADMINS"),
            timezone=r.zone("TANDEM_TIMEZONE", "UTC"),
            digest_cron=r.cron("TANDEM_DIGEST_CRON", cls.digest_cron),
            reminder_cron=r.cron("TANDEM_REMINDER_CRON", cls.reminder_cron),
            health_cron=r.cron("TANDEM_HEALTH_CRON", cls.health_cron),
            notice_days=r.day_list("TANDEM_NOTICE_DAYS", cls.notice_days),
            stale_days=r.positive_int("TANDEM_STALE_DAYS", cls.stale_days),
            base_currency=r.currency("TANDEM_BASE_CURRENCY", cls.base_currency),
            approval_threshold=r.amount("TANDEM_APPROVAL_THRESHOLD", cls.approval_threshold),
            fx_rates=r.rates("TANDEM_FX_RATES"),
            approvers=r.ids("TANDEM_APPROVERS"),
            approval_policy=r.choice("TANDEM_APPROVAL_POLICY", ("any", "all"), "any"),
            hide_costs=r.flag("TANDEM_HIDE_COSTS", False),
            locale=r.locale("TANDEM_LOCALE", "en_US"),
            date_order=r.choice("TANDEM_DATE_ORDER", ("DMY", "MDY"), None),
            public_url=r.public_url("TANDEM_PUBLIC_URL"),
            calendar_domain=r.domain("TANDEM_CALENDAR_DOMAIN", r.public_host("TANDEM_PUBLIC_URL") or "tandem.localhost"),
            risk_checks=r.risk_rules("TANDEM_RISK_CHECKS"),
            sync_cron=r.cron("TANDEM_SYNC_CRON", None),
            sync_lead=r.duration("TANDEM_SYNC_LEAD", timedelta(hours=2)),
            targets=r.targets(),
            log_level=r.choice("TANDEM_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
            teams_port=r.port("TEAMS_PORT", 3978),
            teams_app_id=r.guid("TEAMS_APP_ID"),
            teams_app_password=r.text("TEAMS_APP_PASSWORD"),
            teams_tenant_id=r.guid("TEAMS_TENANT_ID"),
            teams_channel=r.text("TEAMS_CHANNEL", prefix="19:"),
        )
        if settings.slack_bot_token:
            if not settings.slack_app_token and not settings.slack_signing_secret:
                raise ConfigError(
                    "SLACK_SIGNING_SECRET is required in HTTP mode (SLACK_BOT_TOKEN is set, SLACK_APP_TOKEN is not)"
                )
            if not settings.channel:
                raise ConfigError(
                    "TANDEM_CHANNEL is required when SLACK_BOT_TOKEN is set (a channel ID like C0123456789)"
                )
        if settings.teams_app_id:
            for name, value in (("TEAMS_APP_PASSWORD", settings.teams_app_password),
                                ("TEAMS_TENANT_ID", settings.teams_tenant_id)):
                if not value:
                    raise ConfigError(f"{name} is required when TEAMS_APP_ID is set (see README, Microsoft Teams)")
            if not settings.teams_channel:
                raise ConfigError(
                    "TEAMS_CHANNEL is required when TEAMS_APP_ID is set (a channel ID like 19:…@thread.tacv2)"
                )
        return settings


class _Reader:
    """Reads one variable at a time and raises a one-line ``ConfigError`` naming it."""

    def __init__(self, env: Mapping[str, str]):
        self.env = env

    def raw(self, name: str) -> str | None:
        value = self.env.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def text(self, name: str, prefix: str | None = None) -> str | None:
        value = self.raw(name)
        if value and prefix and not value.startswith(prefix):
            raise ConfigError(f"{name} must start with {prefix}")
        return value

    def url(self, name: str, default: str) -> str:
        value = self.raw(name) or default
        if not re.match(r"^https?://[^\s/]+", value):
            raise ConfigError(f"{name}={value} is not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    def port(self, name: str, default: int) -> int:
        value = self.raw(name)
        if value is None:
            return default
        # 0: any free port, which the start-up log names (tests start Tandem so, with no race).
        if not value.isascii() or not value.isdecimal() or not 0 <= int(value) < 65536:
            raise ConfigError(f"{name}={value} is not a TCP port (1-65535, or 0 for any free one)")
        return int(value)

    def positive_int(self, name: str, default: int) -> int:
        value = self.raw(name)
        if value is None:
            return default
        if not value.isdecimal() or int(value) < 1:
            raise ConfigError(f"{name}={value} is not a positive whole number")
        return int(value)

    def ids(self, name: str) -> tuple[str, ...]:
        value = self.raw(name)
        if value is None:
            return ()
        items = tuple(part.strip() for part in value.split(",") if part.strip())
        for item in items:
            if not (_USER_OR_GROUP.match(item) or _GUID.match(item) or _TEAMS_USER.match(item) or "@" in item):
                raise ConfigError(
                    f"{name}: {item} is not a Slack user ID (U…), user-group ID (S…), "
                    f"Teams user (Entra object ID or 29:…) or e-mail address"
                )
        return items

    def guid(self, name: str) -> str | None:
        value = self.raw(name)
        if value and not _GUID.match(value):
            raise ConfigError(f"{name}={value} is not an ID like 00000000-0000-0000-0000-000000000000")
        return value

    def zone(self, name: str, default: str) -> str:
        value = self.raw(name) or default
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{name}={value} is not an IANA time zone") from None
        return value

    def cron(self, name: str, default: str | None) -> str | None:
        value = self.raw(name) or default
        if value is None:
            return None
        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ConfigError(f"{name}={value} is not a 5-field cron expression ({exc})") from None
        return value

    def day_list(self, name: str, default: tuple[int, ...]) -> tuple[int, ...]:
        value = self.raw(name)
        if value is None:
            return default
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not parts or not all(p.isdecimal() and int(p) > 0 for p in parts):
            raise ConfigError(f"{name}={value} is not a comma-separated list of positive day counts")
        return tuple(sorted({int(p) for p in parts}, reverse=True))

    def currency(self, name: str, default: str) -> str:
        value = (self.raw(name) or default).upper()
        if not _CURRENCY.match(value):
            raise ConfigError(f"{name}={value} is not a 3-letter currency code")
        return value

    def amount(self, name: str, default: Decimal) -> Decimal:
        value = self.raw(name)
        if value is None:
            return default
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise ConfigError(f"{name}={value} is not a number") from None
        if not amount.is_finite() or amount < 0:
            raise ConfigError(f"{name}={value} is not a non-negative number")
        return amount

    def rates(self, name: str) -> dict[str, Decimal]:
        value = self.raw(name)
        if value is None:
            return {}
        rates: dict[str, Decimal] = {}
        for part in value.split(","):
            code, _, rate = part.strip().partition("=")
            code = code.strip().upper()
            try:
                parsed = Decimal(rate.strip())
            except InvalidOperation:
                parsed = Decimal(0)
            if not _CURRENCY.match(code) or not parsed.is_finite() or parsed <= 0:
                raise ConfigError(f"{name}: {part.strip()!r} is not CODE=RATE (for example EUR=1.08)")
            rates[code] = parsed
        return rates

    def duration(self, name: str, default: timedelta) -> timedelta:
        """``90m``, ``2h`` or ``1d``: minutes, hours or days, from 1 minute to 7 days."""
        value = self.raw(name)
        if value is None:
            return default
        match = re.fullmatch(r"(\d{1,5})\s*(m|min|h|d)", value.lower())
        unit = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}.get(match[2]) if match else None
        lead = timedelta(**{unit: int(match[1])}) if unit else None
        if lead is None or not timedelta(minutes=1) <= lead <= timedelta(days=7):
            raise ConfigError(f"{name}={value} is not a time from 1m to 7d, like 90m, 2h or 1d")
        return lead

    def risk_rules(self, name: str) -> dict[str, tuple[str, ...]]:
        try:
            return parse_rules(self.raw(name))
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}") from None

    def targets(self) -> Targets:
        claim = self.positive_int("TANDEM_TARGET_CLAIM_DAYS", 1)
        try:
            fulfil = parse_fulfil(self.raw("TANDEM_TARGET_FULFIL_DAYS"))
        except ValueError as exc:
            raise ConfigError(f"TANDEM_TARGET_FULFIL_DAYS: {exc}") from None
        try:
            savings = parse_percent(self.raw("TANDEM_TARGET_SAVINGS"))
        except ValueError as exc:
            raise ConfigError(f"TANDEM_TARGET_SAVINGS: {exc}") from None
        return Targets(claim, fulfil, savings)

    def choice(self, name: str, options: tuple[str, ...], default: str | None) -> str | None:
        value = self.raw(name)
        if value is None:
            return default
        for option in options:
            if value.lower() == option.lower():
                return option
        raise ConfigError(f"{name}={value} must be one of: {', '.join(options)}")

    def public_url(self, name: str) -> str | None:
        """Where people reach Tandem over HTTPS (no trailing slash), or None."""
        value = self.raw(name)
        if value is None:
            return None
        if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", value):
            raise ConfigError(f"{name}={value} is not an http(s) URL like https://tandem.example.com")
        return value.rstrip("/")

    def public_host(self, name: str) -> str | None:
        value = self.raw(name)
        match = re.match(r"^https?://([^\s/:?#]+)", value or "")
        return match.group(1).lower() if match else None

    def domain(self, name: str, default: str) -> str:
        value = (self.raw(name) or default).lower()
        if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*", value) or len(value) > 253:
            raise ConfigError(f"{name}={value} is not a domain name like tandem.example.com")
        return value

    def locale(self, name: str, default: str) -> str:
        from bot.money import normal_locale

        value = self.raw(name)
        if value is None:
            return default
        try:
            return normal_locale(value)
        except ValueError as error:
            raise ConfigError(f"{name}: {error}") from None

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name}={value} must be true or false")
