"""Alerts sent to people: a webhook and/or an e-mail address, masked before they leave.

The store records alerts; a `Notifier` only delivers them. Delivery never raises:
a failed delivery is logged and the caller carries on.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import httpx

from runner.logs import get_logger
from runner.redact import redact_text

__all__ = ["Alert", "Notifier"]


@dataclass(frozen=True)
class Alert:
    """Something a person should know about, e.g. a bot's circuit opened."""

    bot: str | None
    kind: str
    message: str
    created_at: datetime

    def masked(self) -> dict[str, Any]:
        """The alert as JSON-ready data, masked (runner.redact)."""
        return {
            "bot": redact_text(self.bot) if self.bot is not None else None,
            "kind": redact_text(self.kind),
            "message": redact_text(self.message),
            "created_at": self.created_at.isoformat(),
        }


class Notifier:
    """Delivers alerts to a webhook URL (JSON POST) and/or an e-mail address (SMTP)."""

    def __init__(
        self,
        *,
        webhook_url: str | None = None,
        email: str | None = None,
        smtp_host: str = "localhost",
        smtp_port: int = 25,
        sender: str = "rpa@localhost",
        timeout_s: float = 5.0,
    ) -> None:
        self.webhook_url = webhook_url
        self.email = email
        self.smtp_host = smtp_host
        self.smtp_port = smtp_port
        self.sender = sender
        self.timeout_s = timeout_s

    @classmethod
    def from_settings(
        cls,
        webhook_url: str | None,
        email: str | None,
        smtp_host: str = "localhost",
        smtp_port: int = 25,
    ) -> Notifier:
        """Build a notifier from the alert settings; empty values switch a channel off."""
        return cls(
            webhook_url=webhook_url or None,
            email=email or None,
            smtp_host=smtp_host,
            smtp_port=smtp_port,
        )

    def send(self, alert: Alert) -> None:
        """Deliver `alert` on every configured channel; failures are logged, not raised."""
        payload = alert.masked()
        if self.webhook_url:
            self._post(self.webhook_url, payload)
        if self.email:
            self._mail(self.email, payload)

    def _post(self, url: str, payload: dict[str, Any]) -> None:
        # Webhook URLs often embed a secret token: log the host, never the URL.
        host = urlsplit(url).hostname
        try:
            response = httpx.post(url, json=payload, timeout=self.timeout_s)
            response.raise_for_status()
        except httpx.HTTPStatusError as error:
            _failed("webhook", payload, host=host, status=error.response.status_code)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            _failed("webhook", payload, host=host, error=type(error).__name__)
        else:
            get_logger().info("alert_delivered", channel="webhook", kind=payload["kind"], host=host)

    def _mail(self, address: str, payload: dict[str, Any]) -> None:
        try:
            with smtplib.SMTP(self.smtp_host, self.smtp_port, timeout=self.timeout_s) as smtp:
                smtp.send_message(self._message(address, payload))
        except (smtplib.SMTPException, OSError, ValueError) as error:  # ValueError: bad header
            _failed("email", payload, host=self.smtp_host, error=redact_text(repr(error)))
        else:
            get_logger().info("alert_delivered", channel="email", kind=payload["kind"], host=self.smtp_host)

    def _message(self, address: str, payload: dict[str, Any]) -> EmailMessage:
        message = EmailMessage()
        about = f" ({payload['bot']})" if payload["bot"] else ""
        message["Subject"] = f"[rpa] {payload['kind']}{about}"
        message["From"] = self.sender
        message["To"] = address
        message.set_content(f"{payload['message']}\n\n{payload['created_at']}\n")
        return message


def _failed(channel: str, payload: dict[str, Any], **details: Any) -> None:
    get_logger().error("alert_delivery_failed", channel=channel, kind=payload["kind"], **details)
