"""`tandem doctor`'s Teams probe: the app's credentials get a token from Microsoft Entra ID
(the client-credentials grant the Bot Framework uses for outgoing calls)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from bot.config import Settings
from bot.doctor import Check, Probe

LOGIN = "https://login.microsoftonline.com"
SCOPE = "https://api.botframework.com/.default"


def token_check(settings: Settings, login: str = LOGIN) -> Check:
    name = "Teams credentials"
    url = f"{login.rstrip('/')}/{settings.teams_tenant_id}/oauth2/v2.0/token"
    body = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": settings.teams_app_id,
                                   "client_secret": settings.teams_app_password or "", "scope": SCOPE}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=10) as response:
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            reason = json.loads(error.read() or b"{}").get("error_description", "").splitlines()[0]
        except ValueError:
            reason = ""
        return Check(name, False, f"Entra ID refused the credentials (HTTP {error.code}{': ' + reason if reason else ''})",
                     "check TEAMS_APP_ID, TEAMS_TENANT_ID and TEAMS_APP_PASSWORD (a client secret that has "
                     "not expired) in the Azure Bot's Configuration")
    except (urllib.error.URLError, OSError) as error:
        return Check(name, False, f"Entra ID could not be reached ({error})",
                     "check this machine's outbound HTTPS access to login.microsoftonline.com")
    if not answer.get("access_token"):
        return Check(name, False, "Entra ID answered without a token", "check TEAMS_APP_ID and TEAMS_TENANT_ID")
    return Check(name, True, f"app {settings.teams_app_id} gets a token for the Bot Framework")


def probes(settings: Settings, login: str = LOGIN) -> list[tuple[str, Probe]]:
    return [("Teams credentials", lambda: [token_check(settings, login)])]
