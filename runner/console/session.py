"""The session cookie: who is logged in, their CSRF token, when they were last seen.

The cookie is signed (itsdangerous), not encrypted: it holds a user name and times, never
a password or a role. Roles are read from the store on every request, so a changed role
or a removed user takes effect at once. Times are the console clock's, in epoch seconds,
so a fake clock drives idle expiry in tests.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "rpa_session"
SALT = "rpa-console-session"
NOTICES = ("expired", "logged_out")  # what the login page tells someone sent back to it


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Session:
    """A browser's session; `user` is None until a login succeeds."""

    csrf: str
    sid: str
    started: float
    seen: float
    user: str | None = None
    next: str | None = None  # the page to open after login
    notice: str | None = None  # one of NOTICES, shown once on the login page

    @classmethod
    def anonymous(cls, now: datetime, *, next: str | None = None, notice: str | None = None) -> Session:
        stamp = now.timestamp()
        return cls(csrf=new_token(), sid=new_token(), started=stamp, seen=stamp, next=next, notice=notice)

    @classmethod
    def logged_in(cls, user: str, now: datetime) -> Session:
        """A fresh session for `user`: new id and CSRF token, so nothing carries over from before."""
        return replace(cls.anonymous(now), user=user)

    def seen_at(self, now: datetime) -> Session:
        return replace(self, seen=now.timestamp())

    def idle_for(self, now: datetime) -> timedelta:
        return timedelta(seconds=now.timestamp() - self.seen)

    def age(self, now: datetime) -> timedelta:
        return timedelta(seconds=now.timestamp() - self.started)

    def expires(self, lifetime: timedelta) -> datetime:
        """When this session's cookie is refused whatever else happens: `lifetime` after login."""
        return datetime.fromtimestamp(self.started, UTC) + lifetime


class SessionCodec:
    """Signs sessions into cookie values and reads them back; a tampered cookie reads as none."""

    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt=SALT)

    def dumps(self, session: Session) -> str:
        value: str = self._serializer.dumps(asdict(session))
        return value

    def loads(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            data = self._serializer.loads(value)
        except BadSignature:
            return None
        return _session(data)


def _session(data: Any) -> Session | None:
    """The session in a signed value, or None when its shape is not ours (an old format)."""
    if not isinstance(data, dict) or set(data) != set(Session.__dataclass_fields__):
        return None
    texts_ok = all(isinstance(data[k], str) for k in ("csrf", "sid"))
    optional_ok = all(data[k] is None or isinstance(data[k], str) for k in ("user", "next", "notice"))
    times_ok = all(isinstance(data[k], int | float) and not isinstance(data[k], bool)
                   for k in ("started", "seen"))
    if not (texts_ok and optional_ok and times_ok):
        return None
    return Session(**data)
