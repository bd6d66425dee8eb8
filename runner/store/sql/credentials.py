"""Console credentials: password hashes on users, API tokens by hash, failed logins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from runner.permissions import Action, require
from runner.store.records import Actor, UserRecord
from runner.store.sql.base import SqlBase
from runner.store.sql.rows import user_record
from runner.store.sql.users import no_such_user
from runner.store.tables import api_tokens, ended_sessions, login_attempts, users


class SqlCredentials(SqlBase):
    """runner.store.abc.CredentialStore: the store keeps hashes only, never a password or token."""

    def set_password(self, actor: Actor | None, name: str, password_hash: str) -> None:
        with self._tx() as conn:
            self._user_row(conn, name)
            if actor is None:
                has_any = conn.execute(select(func.count()).select_from(users)
                                       .where(users.c.password_hash.is_not(None))).scalar_one()
                if has_any:
                    require(None, Action.MANAGE_USERS)
            elif actor.name != name:
                require(actor, Action.MANAGE_USERS)
            conn.execute(update(users).where(users.c.name == name).values(password_hash=password_hash))
            self._audit(conn, actor or Actor(name), "password_set", details={"user": name})

    def password_hash(self, name: str) -> str | None:
        with self._tx() as conn:
            found: str | None = conn.execute(
                select(users.c.password_hash).where(users.c.name == name)).scalar_one_or_none()
            return found

    def add_token(self, actor: Actor, name: str, token_hash: str) -> int:
        with self._tx() as conn:
            self._user_row(conn, name)
            if actor.name != name:
                require(actor, Action.MANAGE_USERS)
            token_id: int = conn.execute(
                insert(api_tokens).values(user_name=name, token_hash=token_hash, created_at=self._now())
                .returning(api_tokens.c.id)).scalar_one()
            self._audit(conn, actor, "token_created", details={"user": name, "token_id": token_id})
            return token_id

    def user_for_token(self, token_hash: str) -> UserRecord | None:
        query = (select(users).join(api_tokens, api_tokens.c.user_name == users.c.name)
                 .where(api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None)))
        with self._tx() as conn:
            row = conn.execute(query).one_or_none()
        return user_record(row) if row is not None else None

    def revoke_tokens(self, actor: Actor, name: str) -> int:
        with self._tx() as conn:
            self._user_row(conn, name)
            if actor.name != name:
                require(actor, Action.MANAGE_USERS)
            revoked = conn.execute(
                update(api_tokens).where(api_tokens.c.user_name == name, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=self._now())).rowcount
            self._audit(conn, actor, "tokens_revoked", details={"user": name, "count": revoked})
            return int(revoked)

    def record_login(self, name: str, *, ok: bool) -> None:
        with self._tx() as conn:
            conn.execute(insert(login_attempts).values(user_name=name[:120], at=self._now(), ok=ok))

    def login_failures(self, name: str, since: datetime) -> int:
        attempts = login_attempts.c
        with self._tx() as conn:
            last_ok = conn.execute(select(func.max(attempts.at))
                                   .where(attempts.user_name == name, attempts.ok.is_(True))).scalar_one()
            start = max(since, last_ok) if last_ok is not None else since
            failed: int = conn.execute(
                select(func.count()).select_from(login_attempts)
                .where(attempts.user_name == name, attempts.ok.is_(False), attempts.at > start)).scalar_one()
            return failed

    def record_lockout(self, name: str, *, failures: int) -> None:
        with self._tx() as conn:
            self._audit(conn, Actor("console", system=True), "login_locked",
                        reason=f"{failures} failed logins", details={"user": name[:120]})

    def end_session(self, sid_hash: str, *, user: str, expires: datetime) -> None:
        with self._tx() as conn:
            conn.execute(delete(ended_sessions).where(ended_sessions.c.expires < self._now()))
            if conn.execute(select(ended_sessions.c.sid_hash)
                            .where(ended_sessions.c.sid_hash == sid_hash)).first() is None:
                conn.execute(insert(ended_sessions).values(sid_hash=sid_hash, user_name=user[:120],
                                                           expires=expires))

    def session_ended(self, sid_hash: str) -> bool:
        with self._tx() as conn:
            return conn.execute(select(ended_sessions.c.sid_hash)
                                .where(ended_sessions.c.sid_hash == sid_hash)).first() is not None

    @staticmethod
    def _user_row(conn: Connection, name: str) -> None:
        if conn.execute(select(users.c.name).where(users.c.name == name)).first() is None:
            raise no_such_user(name)
