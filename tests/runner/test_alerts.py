"""Alerts reach a webhook and an e-mail inbox masked; a failed delivery is logged, not raised."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from runner.alerts import Alert, Notifier
from runner.logs import configure_logging, read_log_lines, reset_logging

ALERT = Alert(
    bot="termination_letters",
    kind="item_failed",
    message="no contract for 070761-4285 (OCR: 0707614285)",
    created_at=datetime(2024, 11, 18, 8, 0, tzinfo=UTC),
)
MASKED_MESSAGE = "no contract for 070761-XXXX (OCR: 070761-XXXX)"


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]
    status = 204

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(
            {"path": self.path, "type": self.headers["Content-Type"], "body": json.loads(body)}
        )
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


@contextmanager
def serve(server: socketserver.TCPServer) -> Iterator[socketserver.TCPServer]:
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def webhook_server(status: int) -> tuple[ThreadingHTTPServer, list[dict[str, Any]]]:
    received: list[dict[str, Any]] = []
    handler = type("Handler", (_Webhook,), {"received": received, "status": status})
    return ThreadingHTTPServer(("127.0.0.1", 0), handler), received


def url_of(server: socketserver.TCPServer, path: str = "/hooks/secret-token") -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}{path}"


class _SmtpSink(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greets, accepts any sender and recipient, keeps DATA."""

    messages: list[bytes]

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink ready")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 sink")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self.reply("250 ok")
            elif command == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                self.messages.append(self.read_data())
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")

    def read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    configure_logging(tmp_path)
    yield tmp_path
    reset_logging()


def logged(log_dir: Path, event: str) -> list[dict[str, Any]]:
    return [line for line in read_log_lines(log_dir) if line["event"] == event]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_alert_is_a_frozen_record() -> None:
    with pytest.raises(AttributeError):
        ALERT.kind = "other"  # type: ignore[misc]


def test_webhook_receives_the_masked_alert_as_json(log_dir: Path) -> None:
    server, received = webhook_server(204)
    with serve(server) as running:
        Notifier(webhook_url=url_of(running)).send(ALERT)

    assert received == [
        {
            "path": "/hooks/secret-token",
            "type": "application/json",
            "body": {
                "bot": "termination_letters",
                "kind": "item_failed",
                "message": MASKED_MESSAGE,
                "created_at": "2024-11-18T08:00:00+00:00",
            },
        }
    ]
    (delivered,) = logged(log_dir, "alert_delivered")
    assert delivered["channel"] == "webhook"


def test_webhook_error_status_is_logged_without_the_secret_url(log_dir: Path) -> None:
    server, received = webhook_server(500)
    with serve(server) as running:
        Notifier(webhook_url=url_of(running)).send(ALERT)

    assert len(received) == 1
    (failed,) = logged(log_dir, "alert_delivery_failed")
    assert (failed["channel"], failed["status"], failed["level"]) == ("webhook", 500, "error")
    assert "secret-token" not in json.dumps(list(read_log_lines(log_dir)))


def test_unreachable_webhook_is_logged_not_raised(log_dir: Path) -> None:
    Notifier(webhook_url=f"http://127.0.0.1:{free_port()}/hook", timeout_s=1).send(ALERT)

    (failed,) = logged(log_dir, "alert_delivery_failed")
    assert failed["error"] == "ConnectError"


def test_email_receives_the_masked_alert() -> None:
    messages: list[bytes] = []
    handler = type("Handler", (_SmtpSink,), {"messages": messages})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    with serve(server) as running:
        host, port = running.server_address[:2]
        notifier = Notifier.from_settings(None, "hr-ops@example.dk", str(host), int(port))
        notifier.send(ALERT)

    (raw,) = messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == "hr-ops@example.dk"
    assert message["Subject"] == "[rpa] item_failed (termination_letters)"
    body = message.get_body()
    assert body is not None
    assert MASKED_MESSAGE in body.get_content()
    assert b"4285" not in raw


def test_unreachable_smtp_server_is_logged_not_raised(log_dir: Path) -> None:
    Notifier.from_settings("", "hr-ops@example.dk", "127.0.0.1", free_port()).send(ALERT)

    (failed,) = logged(log_dir, "alert_delivery_failed")
    assert failed["channel"] == "email"


def test_no_channel_configured_sends_nothing(log_dir: Path) -> None:
    Notifier.from_settings(None, None, "localhost", 25).send(ALERT)

    assert list(read_log_lines(log_dir)) == []
