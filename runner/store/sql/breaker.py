"""Alerts, and each bot's paused state and circuit breaker."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, insert, or_, select, update

from runner.errors import NotFound
from runner.permissions import Action, require
from runner.redact import redact_text
from runner.store.records import Actor, AlertRecord, BotStateRecord, WorkItemRecord
from runner.store.sql.base import SqlBase
from runner.store.sql.claim import claim_items
from runner.store.sql.rows import alert_record, bot_state_record
from runner.store.tables import alerts, bot_states


def _success_statement() -> Any:
    # A success ends a run of failures; a successful probe item also closes the circuit.
    bs = bot_states.c
    is_probe = and_(bs.circuit_open.is_(True), bs.probe_item_id == bindparam("p_id"))
    return (
        update(bot_states)
        .where(bs.bot == bindparam("p_bot"), or_(bs.consecutive_failures > 0, is_probe))
        .values(
            consecutive_failures=0,
            paused=case((is_probe, False), else_=bs.paused),
            reason=case((is_probe, None), else_=bs.reason),
            paused_at=case((is_probe, None), else_=bs.paused_at),
            circuit_open=case((is_probe, False), else_=bs.circuit_open),
            probe_item_id=case((is_probe, None), else_=bs.probe_item_id),
        )
    )


# Built once, so SQLAlchemy reuses its compiled form: it is on every successful item's path.
_SUCCESS = _success_statement()


def record_success(conn: Connection, bot: str, item_id: int) -> None:
    """An item of `bot` finished without a system exception (in the caller's transaction)."""
    conn.execute(_SUCCESS, {"p_bot": bot, "p_id": item_id})


class SqlBotStates(SqlBase):
    """Alerts, pause and resume, the circuit breaker and its probe item."""

    def add_alert(self, *, bot: str | None, kind: str, message: str) -> AlertRecord:
        with self._tx() as conn:
            alert_id = conn.execute(
                insert(alerts)
                .values(bot=bot, kind=kind, message=redact_text(message), created_at=self._now())
                .returning(alerts.c.id)
            ).scalar_one()
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).one()
        return alert_record(row)

    def list_alerts(self, *, limit: int = 100) -> list[AlertRecord]:
        with self._tx() as conn:
            rows = conn.execute(select(alerts).order_by(alerts.c.id.desc()).limit(limit))
            return [alert_record(row) for row in rows]

    def ack_alert(self, actor: Actor, alert_id: int) -> AlertRecord:
        """Acknowledge an alert (operator or ops); audited. Acknowledging twice keeps the first."""
        require(actor, Action.ACK_ALERTS)
        with self._tx() as conn:
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).one_or_none()
            if row is None:
                raise NotFound(f"no alert {alert_id}")
            if row.acked_at is None:
                conn.execute(update(alerts).where(alerts.c.id == alert_id)
                             .values(acked_by=actor.name, acked_at=self._now()))
                self._audit(conn, actor, "alert_ack", bot=row.bot, details={"alert": alert_id})
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).one()
        return alert_record(row)

    def bot_states(self) -> dict[str, BotStateRecord]:
        with self._tx() as conn:
            return {row.bot: bot_state_record(row) for row in conn.execute(select(bot_states))}

    def _ensure_bot_state(self, conn: Connection, bot: str) -> None:
        conn.execute(
            self._insert(bot_states)
            .values(bot=bot, paused=False, consecutive_failures=0, circuit_open=False)
            .on_conflict_do_nothing(index_elements=["bot"])
        )

    def set_paused(self, actor: Actor, bot: str, paused: bool, reason: str | None = None) -> None:
        """Pause or resume a bot (operator or admin); survives restarts."""
        require(actor, Action.PAUSE_BOTS)
        with self._tx() as conn:
            self._ensure_bot_state(conn, bot)
            values: dict[str, Any] = {"paused": paused, "reason": reason,
                                      "paused_at": self._now() if paused else None}
            if not paused:
                values.update(circuit_open=False, consecutive_failures=0, probe_item_id=None)
            conn.execute(update(bot_states).where(bot_states.c.bot == bot).values(**values))
            self._audit(conn, actor, "pause" if paused else "resume", bot=bot, reason=reason)

    def record_failure(self, bot: str, item_id: int, *, threshold: int) -> bool:
        """Count a system exception; True when it is the one that opened the bot's circuit."""
        with self._tx() as conn:
            self._ensure_bot_state(conn, bot)
            row = conn.execute(select(bot_states).where(bot_states.c.bot == bot)).one()
            failures = row.consecutive_failures + 1
            opens = failures >= threshold and not row.circuit_open
            values: dict[str, Any] = {"consecutive_failures": failures}
            if row.circuit_open and row.probe_item_id == item_id:
                values.update(paused_at=self._now(), probe_item_id=None)  # probe failed: cool down again
            if opens:
                values.update(paused=True, circuit_open=True, paused_at=self._now(),
                              reason=f"circuit breaker: {failures} consecutive system exceptions")
            conn.execute(update(bot_states).where(bot_states.c.bot == bot).values(**values))
            if opens:
                self._audit(conn, Actor("circuit_breaker", system=True), "pause", bot=bot,
                            reason=values["reason"])
            return opens

    def take_probe(self, bot: str, *, cooldown_s: float, worker_id: str, as_of: date,
                   lease_s: float) -> WorkItemRecord | None:
        """After the cool-down, lease one probe item of a bot whose circuit is open."""
        now = self._now()
        with self._tx() as conn:
            row = conn.execute(select(bot_states).where(bot_states.c.bot == bot)).one_or_none()
            if row is None or not row.circuit_open or row.probe_item_id is not None:
                return None
            if row.paused_at and row.paused_at + timedelta(seconds=cooldown_s) > now:
                return None
            items = claim_items(conn, dialect=self.dialect, worker_id=worker_id, now=now, limit=1,
                                lease_s=lease_s, as_of=as_of, bots=[bot])
            if not items:
                return None
            conn.execute(
                update(bot_states).where(bot_states.c.bot == bot).values(probe_item_id=items[0].id)
            )
        return items[0]
