"""A fake Slack Socket Mode server on a free local port (the ``websockets`` package).

Like Slack it says ``hello`` on every new connection, sends envelopes and expects each to be
acknowledged with its ``envelope_id``; an envelope not acknowledged when its connection goes
away is sent again on the next connection (as Slack retries events), so a test can tell lost
from doubled. It can close a connection with a close frame, ask for a refresh with a
``disconnect`` envelope, or drop the TCP connection with no close frame at all.
"""

from __future__ import annotations

import itertools
import json
import socket
import struct
import threading
from dataclasses import dataclass, field

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


REFRESH_GRACE = 2.0  # seconds a connection asked to refresh stays open


@dataclass
class Envelope:
    id: str
    type: str
    payload: dict
    sent: int = 0
    acked: list = field(default_factory=list)  # the ack payloads received for it


class FakeSocketMode:
    def __init__(self):
        self.envelopes: dict[str, Envelope] = {}
        self.pending: list[str] = []  # envelope ids waiting for an ack (or a connection)
        self.connections = 0  # connections that got their hello
        self.current: ServerConnection | None = None
        self._ids = itertools.count(1)
        self._changed = threading.Condition()
        self.server = serve(self._serve, "127.0.0.1", 0, compression=None, ping_interval=None)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=fake"

    def start(self) -> "FakeSocketMode":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    # --- the connection ----------------------------------------------------------------------

    def _serve(self, connection: ServerConnection) -> None:
        with self._changed:
            self.current = connection
            self.connections += 1
            connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                        "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                                        "connection_info": {"app_id": "A0TANDEM"}}))
            for envelope_id in list(self.pending):  # not acknowledged on the last connection: again
                self._send(connection, self.envelopes[envelope_id])
            self._changed.notify_all()
        try:
            for raw in connection:
                message = json.loads(raw)
                with self._changed:
                    envelope = self.envelopes.get(message.get("envelope_id", ""))
                    if envelope is not None:
                        envelope.acked.append(message.get("payload"))
                        if envelope.id in self.pending:
                            self.pending.remove(envelope.id)
                    self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                if self.current is connection:
                    self.current = None
                self._changed.notify_all()

    def _send(self, connection: ServerConnection, envelope: Envelope) -> None:
        envelope.sent += 1
        message = {"envelope_id": envelope.id, "type": envelope.type, "payload": envelope.payload,
                   "accepts_response_payload": envelope.type != "events_api",
                   "retry_attempt": envelope.sent - 1, "retry_reason": "timeout" if envelope.sent > 1 else ""}
        try:
            connection.send(json.dumps(message))
        except ConnectionClosed:
            pass  # it stays pending and goes out on the next connection

    # --- what tests do -----------------------------------------------------------------------

    def send(self, kind: str, payload: dict) -> Envelope:
        """Sends an envelope (``slash_commands``, ``interactive`` or ``events_api``) now, or on
        the next connection if there is none."""
        envelope = Envelope(f"env-{next(self._ids)}", kind, payload)
        with self._changed:
            self.envelopes[envelope.id] = envelope
            self.pending.append(envelope.id)
            if self.current is not None:
                self._send(self.current, envelope)
        return envelope

    def wait_acked(self, envelope: Envelope, timeout: float = 30.0) -> Envelope:
        with self._changed:
            if not self._changed.wait_for(lambda: envelope.acked, timeout):
                raise AssertionError(f"{envelope.type} {envelope.id} was never acknowledged")
        return envelope

    def wait_connections(self, count: int, timeout: float = 30.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self.connections >= count and self.current is not None, timeout):
                raise AssertionError(f"expected connection #{count}; saw {self.connections}")

    def close_current(self) -> None:
        """Closes the connection with a close frame (code 1001, going away)."""
        connection = self._connection()
        # close() waits for the client's side of the closing handshake and the TCP close; the
        # test goes on meanwhile, as Slack's side would.
        threading.Thread(target=connection.close, args=(1001, "going away"), daemon=True).start()

    def refresh(self) -> None:
        """Asks the client to reconnect, as Slack does before it retires a connection."""
        connection = self._connection()  # Slack sends nothing more on a connection it retires
        connection.send(json.dumps({"type": "disconnect", "reason": "refresh_requested",
                                    "debug_info": {"host": "fake"}}))
        # Then, like Slack, it closes the retired connection a little later if the client has not.
        timer = threading.Timer(REFRESH_GRACE, connection.close, args=(1001, "refresh"))
        timer.daemon = True
        timer.start()

    def drop(self, reset: bool = False) -> None:
        """Drops the TCP connection with no close frame: a plain TCP close (FIN), or a reset."""
        connection = self._connection()
        sock = connection.socket
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def reset(self) -> None:
        self.drop(reset=True)

    def _connection(self, retire: bool = True) -> ServerConnection:
        """The current connection; ``retire``: nothing more is sent on it (it is going away)."""
        with self._changed:
            if self.current is None:
                raise AssertionError("no connection")
            connection = self.current
            if retire:
                self.current = None
            return connection
