"""Who may call ``/api/messages``, and where Tandem may call back.

With credentials (``TEAMS_APP_ID``), a request is served only when it carries a token
issued by the Bot Framework (issuer ``https://api.botframework.com``, signed with a key
from its published key set, audience this app) and its activity belongs to
``TEAMS_TENANT_ID``'s tenant; Tandem then calls back only to Microsoft's connector hosts
(the SDK's ``OutboundHostValidator``, which also checks that the activity's service URL
is the one the token names). Anything else is 401 (bad token) or 403 (other tenant),
never 500, and is logged in one short line without the body.

Without credentials Teams runs anonymously, for local testing only: on 127.0.0.1, and
only when no Slack token and no other Teams setting is present (``check_anonymous``).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import jwt
from aiohttp import web
from microsoft_agents.hosting.core import AgentAuthConfiguration, AuthTypes, ClaimsIdentity, OutboundHostValidator
from microsoft_agents.hosting.core.authorization import AuthenticationConstants
from microsoft_agents.hosting.core.authorization.jwt import JwtTokenValidator

from bot.config import ConfigError, Settings

log = logging.getLogger(__name__)

BOT_FRAMEWORK_ISSUER = AuthenticationConstants.AGENTS_SDK_TOKEN_ISSUER
ANONYMOUS_HOST = "127.0.0.1"
# Settings that mean "this is a real deployment": anonymous Teams refuses to start beside them.
NOT_WITH_ANONYMOUS = (
    ("SLACK_BOT_TOKEN", "slack_bot_token"), ("SLACK_SIGNING_SECRET", "slack_signing_secret"),
    ("SLACK_APP_TOKEN", "slack_app_token"), ("TEAMS_APP_PASSWORD", "teams_app_password"),
    ("TEAMS_TENANT_ID", "teams_tenant_id"), ("TEAMS_CHANNEL", "teams_channel"),
)


def check_anonymous(settings: Settings) -> None:
    """Anonymous Teams (no TEAMS_APP_ID) is for a local test only: it refuses to start
    beside any setting of a real deployment."""
    if settings.teams_app_id:
        return
    present = [name for name, field in NOT_WITH_ANONYMOUS if getattr(settings, field)]
    if present:
        raise ConfigError(f"TEAMS_APP_ID is required when {', '.join(present)} is set: Teams without credentials "
                          f"serves anyone, so it runs only for a local test with no other settings")


def configuration(settings: Settings) -> AgentAuthConfiguration:
    if not settings.teams_app_id:
        return AgentAuthConfiguration(anonymous_allowed=True)
    return AgentAuthConfiguration(
        auth_type=AuthTypes.client_secret,
        client_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        client_secret=settings.teams_app_password,
        issuers=[BOT_FRAMEWORK_ISSUER],
        validate_issuer=True,
    )


def connector_hosts(settings: Settings) -> OutboundHostValidator:
    """Microsoft's connector hosts only (https, public addresses); anonymous mode talks to
    the local test client, whatever its address."""
    return OutboundHostValidator(enabled=bool(settings.teams_app_id))


# Where Teams puts a file a person accepted (their OneDrive for Business is SharePoint): an
# upload URL elsewhere is refused, so an activity cannot make Tandem PUT a file to any host.
FILE_HOST_SUFFIXES = (".sharepoint.com", ".sharepoint.cn", ".sharepoint.us", ".sharepoint-mil.us")


class FileHosts(OutboundHostValidator):
    """Upload URLs Tandem may PUT a file to: https on the default port, on a host of
    Microsoft's SharePoint / OneDrive for Business, with no credentials in the URL."""

    def __init__(self):
        super().__init__(enabled=True, include_default_microsoft_hosts=False)

    def is_allowed(self, url) -> bool:
        try:
            parts = urlsplit(str(url))
            port = parts.port
        except ValueError:
            return False
        host = (parts.hostname or "").lower()
        return (parts.scheme == "https" and port in (None, 443) and not parts.username and not parts.password
                and host.endswith(FILE_HOST_SUFFIXES) and host.count(".") >= 2)


def file_hosts(settings: Settings) -> OutboundHostValidator:
    return FileHosts()


def refuse(status: int, reason: str) -> web.Response:
    log.warning("refused a Teams request (%s): %s", status, reason)
    return web.json_response({"error": "unauthorized" if status == 401 else "forbidden"}, status=status)


async def identify(request: web.Request, auth: AgentAuthConfiguration) -> ClaimsIdentity | web.Response:
    """The caller's verified claims, or the 401 to answer."""
    if auth.ANONYMOUS_ALLOWED:
        return ClaimsIdentity()
    scheme, _, token = (request.headers.get("Authorization") or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(char.isspace() for char in token):
        return refuse(401, "no bearer token")
    try:
        header = jwt.get_unverified_header(token)
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except (jwt.PyJWTError, ValueError, TypeError):
        return refuse(401, "not a token")
    # Checked before any key is fetched: only the Bot Framework's own tokens, signed RS256 with a named key.
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str) or not header["kid"]:
        return refuse(401, "not an RS256 token with a key ID")
    if issuer != BOT_FRAMEWORK_ISSUER:
        return refuse(401, "not issued by the Bot Framework")
    try:
        return await JwtTokenValidator(auth).validate_token(token)
    except Exception as error:  # noqa: BLE001 - any failure to verify is a refusal, never a 500
        return refuse(401, f"token not valid ({type(error).__name__})")


def tenant_of(body: dict) -> str | None:
    """The activity's tenant; ``None`` when it names none, or two that differ (the
    conversation's and ``channelData``'s), so it is not served."""
    conversation = body.get("conversation") if isinstance(body.get("conversation"), dict) else {}
    data = body.get("channelData") if isinstance(body.get("channelData"), dict) else {}
    tenant = data.get("tenant") if isinstance(data.get("tenant"), dict) else {}
    named = {value.lower() if isinstance(value, str) else value
             for value in (conversation.get("tenantId"), tenant.get("id")) if value is not None}
    if len(named) != 1:
        return None
    [value] = named
    return value if isinstance(value, str) else None


def check_tenant(body: dict, settings: Settings) -> web.Response | None:
    """With credentials, only activities from ``TEAMS_TENANT_ID``'s tenant are served."""
    if not settings.teams_app_id:
        return None
    tenant = tenant_of(body)
    if tenant is None or tenant.lower() != (settings.teams_tenant_id or "").lower():
        return refuse(403, "an activity from another tenant" if tenant else "an activity without a tenant (or with two)")
    return None
