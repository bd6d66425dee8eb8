"""People and their roles, and the audit trail of what every actor did."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, insert, select, update

from runner.errors import NotFound
from runner.inputs import role_name, user_name
from runner.permissions import Action, require
from runner.store.records import Actor, AuditRecord, UserRecord
from runner.store.sql.base import SqlBase
from runner.store.sql.queue import visible_item
from runner.store.sql.rows import audit_record, user_record
from runner.store.tables import audit, users


def no_such_user(name: str) -> NotFound:
    return NotFound(f"no user {name!r}; an admin adds one with `rpa users add {name} --role ...`")


class SqlUsers(SqlBase):
    """Users (the first may be added by anyone, then by admins only) and the audit trail."""

    def add_user(self, actor: Actor | None, name: str, roles: Collection[str]) -> UserRecord:
        """Add a user or replace their roles. Only an admin may, except for the first user.

        InputError when `name` is not a valid user name (runner.inputs.user_name).
        """
        user_name(name)
        with self._tx() as conn:
            if conn.execute(select(func.count()).select_from(users)).scalar_one() > 0:
                require(actor, Action.MANAGE_USERS)
            role_values = sorted({role_name(str(r)) for r in roles})
            exists = conn.execute(select(users.c.name).where(users.c.name == name)).first()
            if exists:
                conn.execute(update(users).where(users.c.name == name).values(roles=role_values))
            else:
                conn.execute(insert(users).values(name=name, roles=role_values, created_at=self._now()))
            bootstrap = Actor(name, frozenset(role_values))
            self._audit(conn, actor or bootstrap, "user_set", reason=None,
                        details={"user": name, "roles": role_values})
        return self.get_user(name)

    def get_user(self, name: str) -> UserRecord:
        with self._tx() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).one_or_none()
        if row is None:
            raise no_such_user(name)
        return user_record(row)

    def list_users(self) -> list[UserRecord]:
        with self._tx() as conn:
            return [user_record(row) for row in conn.execute(select(users).order_by(users.c.name))]

    def audit_trail(
        self, actor: Actor, *, item_id: int | None = None, limit: int = 500
    ) -> list[AuditRecord]:
        """Newest first; an item's trail only for an actor who may see the item."""
        query = select(audit).order_by(audit.c.id.desc()).limit(limit)
        with self._tx() as conn:
            if item_id is not None:
                visible_item(conn, actor, item_id)
                query = query.where(audit.c.item_id == item_id)
            return [audit_record(row) for row in conn.execute(query)]
