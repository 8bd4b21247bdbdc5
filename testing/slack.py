"""A fake Slack Web API on a free local port.

It answers like Slack for the methods Tandem uses, records every call, validates every
Block Kit payload with slack-sdk's block models, and can be told to fail a method
(an error code, an HTTP status, or a 429 with Retry-After).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from testing.checks import unrendered_mentions
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

BOT_USER = "U0TANDEMBOT"
JSON_FIELDS = ("blocks", "view", "attachments", "files", "users")


def validated(blocks: list) -> list[dict]:
    """Blocks as Slack takes them (plain dicts or slack-sdk models), each parsed and validated
    with slack-sdk's block models; raises on one that is not valid."""
    out = []
    for raw in blocks:
        block = Block.parse(raw) if isinstance(raw, dict) else raw
        if block is None:
            raise ValueError(f"unknown block {raw.get('type')}")
        out.append(block.to_dict())
    return out


@dataclass
class Call:
    method: str
    args: dict
    headers: dict = field(default_factory=dict)
    answer: dict = field(default_factory=dict)


@dataclass
class Failure:
    error: str | None = None
    status: int = 200
    headers: dict = field(default_factory=dict)


class FakeSlack:
    def __init__(self):
        self.calls: list[Call] = []
        self.invalid: list[str] = []
        self.failures: dict[str, list[Failure]] = {}
        self.users_by_email: dict[str, str] = {}
        self.locales: dict[str, str] = {}  # user ID → Slack's locale ("de-DE"); unset: en-US
        self.display_names: dict[str, str] = {}  # user ID → the profile's display name
        # user ID → what users.info says besides the defaults (a person of T0TEAM, active, not a
        # bot): {"deleted": True}, {"is_bot": True}, {"team_id": "T0OTHER"}; None: user_not_found.
        self.people: dict[str, dict | None] = {}
        self.holds: list[tuple[str, object, threading.Event]] = []
        self.gates: dict[str, threading.Event] = {}
        self.groups: dict[str, list[str]] = {}
        # Channels Tandem is not in: public ones (posting says not_in_channel, links work) and
        # private ones it cannot see at all (channel_not_found for both).
        self.not_member: set[str] = set()
        self.hidden: set[str] = set()
        self.archived: set[str] = set()
        self.missing_groups: set[str] = set()  # user group IDs Slack does not know
        self.scopes: set[str] | None = None  # granted bot scopes (None: all manifest.yml asks for)
        self.auth_error: str | None = None  # auth.test's error for every call (a revoked token)
        self.socket_url = "ws://127.0.0.1:9/link/?ticket=fake"  # apps.connections.open's URL (nothing listens)
        self.per_minute: dict[str, int] = {}
        self.files: dict[str, dict] = {}  # file ID → the file as files.info describes it
        self.file_bytes: dict[str, bytes] = {}
        self._seen: dict[str, list[float]] = {}
        self._ts = itertools.count(1)
        self._changed = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # --- lifecycle -----------------------------------------------------------------------

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def start(self) -> "FakeSlack":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- scripting and inspection -----------------------------------------------------------

    def file(self, name: str, content: bytes, *, filetype: str | None = None) -> dict:
        """A file someone uploaded to Slack: served at its ``url_private_download`` to a request
        with a bot token (``file_download`` in the calls), described by ``files.info``; returns
        the file object as an event or a form carries it."""
        file_id = f"F{len(self.files) + 1:08d}"
        self.files[file_id] = {
            "id": file_id, "name": name, "title": name, "size": len(content),
            "filetype": filetype or name.rsplit(".", 1)[-1].lower(), "mimetype": "application/octet-stream",
            "url_private": f"{self.base}/files-pri/T0TEAM-{file_id}/{name}",
            "url_private_download": f"{self.base}/files-pri/T0TEAM-{file_id}/download/{name}",
        }
        self.file_bytes[file_id] = content
        return dict(self.files[file_id])

    def fail(self, method: str, error: str | None = None, status: int = 200, times: int = 1, **headers) -> None:
        """The next ``times`` calls to ``method`` fail: with Slack's ``error`` code, an HTTP
        ``status``, or (``status=0``) a dropped connection with no answer at all."""
        failure = Failure(error, status, {k.replace("_", "-"): v for k, v in headers.items()})
        self.failures.setdefault(method, []).extend([failure] * times)

    def hold(self, method: str, matches=lambda args: True) -> threading.Event:
        """The next call to ``method`` whose args match is recorded but not answered until
        the returned event is set (a way to freeze the bot mid-call, without sleeping)."""
        gate = threading.Event()
        with self._changed:
            self.holds.append((method, matches, gate))
        return gate

    def slow(self, method: str) -> threading.Event:
        """Every call to ``method`` is recorded (as ``method:held``) but not answered until the
        returned event is set: Slack answering that method slowly, without sleeping."""
        gate = threading.Event()
        with self._changed:
            self.gates[method] = gate
        return gate

    def limit(self, method: str, per_minute: int) -> None:
        """Enforces Slack's rate limit on ``method``: more than ``per_minute`` calls within a
        minute are answered 429 with Retry-After (Tier 3 is 50 a minute)."""
        self.per_minute[method] = per_minute

    def _over_limit(self, method: str) -> bool:
        limit = self.per_minute.get(method)
        if limit is None:
            return False
        now = time.monotonic()
        recent = [t for t in self._seen.get(method, []) if now - t < 60]
        if len(recent) >= limit:
            self._seen[method] = recent
            return True
        self._seen[method] = [*recent, now]
        return False

    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 30.0) -> list[Call]:
        """Blocks until ``method`` was called ``count`` times (no sleeping: a condition wait)."""
        with self._changed:
            ok = self._changed.wait_for(lambda: len([c for c in self.calls if c.method == method]) >= count, timeout)
            found = [call for call in self.calls if call.method == method]
        if not ok:
            seen = [call.method for call in self.calls]
            raise AssertionError(f"expected {count} call(s) to {method}, saw {len(found)}; all calls: {seen}")
        return found

    def wait_until(self, method: str, matches, timeout: float = 30.0) -> Call:
        """Blocks until a call to ``method`` satisfies ``matches``; returns that call."""
        def found():
            return next((c for c in self.calls if c.method == method and matches(c.args)), None)

        with self._changed:
            if not self._changed.wait_for(lambda: found() is not None, timeout):
                raise AssertionError(f"no matching call to {method}; saw {[c.method for c in self.calls]}")
            return found()

    def reset(self) -> None:
        with self._changed:
            self.calls.clear()

    # --- answering ---------------------------------------------------------------------------

    def answer(self, method: str, args: dict) -> dict:
        ts = lambda: f"1700000000.{next(self._ts):06d}"  # noqa: E731
        channel = args.get("channel", "C0SHARED")
        if channel in self.hidden and method in ("chat.postMessage", "chat.getPermalink", "conversations.info"):
            return {"ok": False, "error": "channel_not_found"}
        if channel in self.not_member and method == "chat.postMessage":
            return {"ok": False, "error": "not_in_channel"}
        if method == "auth.test" and self.auth_error:
            return {"ok": False, "error": self.auth_error}
        if method == "conversations.info":
            return {"ok": True, "channel": {"id": channel, "name": "it-procurement" if channel == "C0SHARED" else "it",
                                            "is_member": channel not in self.not_member,
                                            "is_archived": channel in self.archived}}
        if method == "usergroups.users.list" and args.get("usergroup") in self.missing_groups:
            return {"ok": False, "error": "no_such_subteam"}
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "B0TANDEM", "team_id": "T0TEAM", "user": "tandem",
                    "team": "Example", "url": "https://example.slack.com/"}
        if method == "chat.postMessage":
            return {"ok": True, "channel": channel if not channel.startswith("U") else "D" + channel[1:], "ts": ts(),
                    "message": {"text": args.get("text", "")}}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": args.get("ts"), "text": args.get("text", "")}
        if method == "chat.getPermalink":
            return {"ok": True, "channel": channel,
                    "permalink": f"https://example.slack.com/archives/{channel}/p{args.get('message_ts', '').replace('.', '')}"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).lstrip("UW")}}
        if method in ("views.open", "views.update", "views.push", "views.publish"):
            return {"ok": True, "view": {"id": "V0VIEW"}}
        if method == "users.list":
            people = sorted(self.users_by_email.items(), key=lambda item: item[1])
            start, limit = int(args.get("cursor") or 0), int(args.get("limit") or 200)
            page = people[start:start + limit]
            members = [{"id": user, "deleted": False, "profile": {"email": email}} for email, user in page]
            following = str(start + limit) if start + limit < len(people) else ""
            return {"ok": True, "members": members, "response_metadata": {"next_cursor": following}}
        if method == "users.lookupByEmail":
            user = self.users_by_email.get(args.get("email", ""))
            return {"ok": True, "user": {"id": user}} if user else {"ok": False, "error": "users_not_found"}
        if method == "users.info":
            user = args.get("user", "")
            if user in self.people and self.people[user] is None:
                return {"ok": False, "error": "user_not_found"}
            answer = {"id": user, "team_id": "T0TEAM", "name": user.lower(), "deleted": False, "is_bot": False,
                      "is_app_user": False, "profile": {"display_name": self.display_names.get(user, "")},
                      **(self.people.get(user) or {})}
            if str(args.get("include_locale")).lower() in ("true", "1"):
                answer["locale"] = self.locales.get(user, "en-US")
            return {"ok": True, "user": answer}
        if method == "usergroups.users.list":
            return {"ok": True, "users": self.groups.get(args.get("usergroup", ""), [])}
        if method == "files.info":
            found = self.files.get(args.get("file", ""))
            return {"ok": True, "file": found} if found else {"ok": False, "error": "file_not_found"}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": self.base + "/upload/F0FILE", "file_id": "F0FILE"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F0FILE", "title": args.get("files", [{}])[0].get("title", "")}]}
        if method == "apps.connections.open":
            if str(args.get("_token", "")).startswith("xapp-") and "revoked" not in args.get("_token", ""):
                return {"ok": True, "url": self.socket_url}
            return {"ok": False, "error": "not_allowed_token_type" if not str(args.get("_token", "")).startswith("xapp-")
                    else "invalid_auth"}
        return {"ok": True}

    def response_headers(self, method: str) -> dict:
        """What Slack sends beside the body: auth.test names the token's scopes."""
        if method != "auth.test":
            return {}
        if self.scopes is None:
            from handlers.slack.doctor import BOT_SCOPES
            return {"x-oauth-scopes": ",".join(sorted(BOT_SCOPES))}
        return {"x-oauth-scopes": ",".join(sorted(self.scopes))}

    def validate(self, method: str, args: dict) -> None:
        self.invalid += [f"{method}: a person left as the core's mention token: {piece!r}"
                         for piece in unrendered_mentions(args)]
        blocks = args.get("blocks")
        if isinstance(blocks, list):
            limit = 50
            if len(blocks) > limit:
                self.invalid.append(f"{method}: {len(blocks)} blocks > {limit}")
            for raw in blocks:
                self._check_block(method, raw)
        view = args.get("view")
        if isinstance(view, dict):
            try:
                View(**view).to_dict()  # validates block count, titles and every block
            except Exception as error:  # noqa: BLE001 - any model error is a finding
                self.invalid.append(f"{method}: view invalid: {error}")
            for raw in view.get("blocks", []):
                self._check_block(method, raw)

    def _check_block(self, method: str, raw: dict) -> None:
        try:
            block = Block.parse(raw)
            if block is None:
                raise ValueError(f"unknown block {raw.get('type')}")
            block.to_dict()
        except Exception as error:  # noqa: BLE001
            self.invalid.append(f"{method}: block invalid: {error}")

    def _record(self, method: str, args: dict, headers: dict, answer: dict) -> None:
        with self._changed:
            self.calls.append(Call(method, args, headers, answer))
            self._changed.notify_all()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                path = urlparse(self.path).path
                if not path.startswith("/files-pri/"):
                    self.send_error(404)
                    return
                file_id = path.split("/")[2].removeprefix("T0TEAM-")
                headers = dict(self.headers)
                with fake._changed:
                    queue = fake.failures.get("file_download")
                    failure = queue.pop(0) if queue else None
                if failure is not None:
                    fake._record("file_download", {"file": file_id}, headers, {"ok": False})
                    self.send_error(failure.status or 500)
                    return
                fake._record("file_download", {"file": file_id}, headers, {"ok": True})
                content = fake.file_bytes.get(file_id)
                if not (self.headers.get("Authorization") or "").startswith("Bearer xoxb-") or content is None:
                    # What Slack does without a token that may read files: its sign-in page.
                    page = b"<html><body>Sign in to Slack</body></html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                path = urlparse(self.path).path
                args = {} if path.startswith("/upload/") else parse_body(raw, self.headers.get("Content-Type", ""))
                if path.startswith("/api/"):
                    method = path.removeprefix("/api/")
                elif path.startswith("/response/"):
                    method = "response_url"
                elif path.startswith("/upload/"):
                    method, args = "file_upload", {"bytes": raw}
                else:
                    self.send_error(404)
                    return
                failure = None
                with fake._changed:
                    queue = fake.failures.get(method)
                    if queue:
                        failure = queue.pop(0)
                    elif fake._over_limit(method):
                        failure = Failure("ratelimited", 429, {"Retry-After": "60"})
                if failure is not None:
                    body = {"ok": False, "error": failure.error or "ratelimited"}
                    fake._record(method, args, dict(self.headers), body)
                    if failure.status == 0:  # hang up without answering
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    self._send(failure.status, body, failure.headers)
                    return
                fake.validate(method, args)
                with fake._changed:
                    gate = fake.gates.get(method)
                    for index, (held, matches, event) in enumerate(fake.holds):
                        if held == method and matches(args):
                            gate = event
                            del fake.holds[index]
                            break
                if gate is not None:
                    fake._record(method + ":held", args, dict(self.headers), {})
                    gate.wait(timeout=60)
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                body = fake.answer(method, {**args, "_token": token} if method == "apps.connections.open" else args) \
                    if "." in method else {"ok": True}
                fake._record(method, args, dict(self.headers), body)
                self._send(200, body, fake.response_headers(method))

            def _send(self, status: int, body: dict, headers: dict | None = None):
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, str(value))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client went away (a test killed it)

        return Handler


def parse_body(raw: bytes, content_type: str) -> dict:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    if "multipart" in content_type or "octet" in content_type:
        return {"bytes": raw}
    args = {key: values[0] for key, values in parse_qs(raw.decode(), keep_blank_values=True).items()}
    for name in JSON_FIELDS:
        if isinstance(args.get(name), str) and args[name][:1] in "[{":
            args[name] = json.loads(args[name])
    return args
