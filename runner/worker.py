"""The worker: claims items with a lease, performs them, and records how each ended."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import structlog
from pydantic import ValidationError

from runner.alerts import Alert
from runner.clock import Clock
from runner.deployment import BotRuntime, Deployment, TaskRuntime
from runner.errors import (
    BusinessError,
    LeaseLost,
    StoreUnavailable,
    SystemUnavailable,
    WorkerFailed,
    field_errors,
)
from runner.item import Item
from runner.lease import Lease, LeaseBook
from runner.logs import ensure_configured, module_logger
from runner.outage import StoreWatch
from runner.sessions import BrowserProvider, BrowserSession, LazySessions
from runner.states import ErrorKind, State
from runner.store import Store, WorkItemRecord

log = module_logger("runner.worker")


class AlertSink(Protocol):
    def send(self, alert: Alert) -> None: ...


@dataclass(frozen=True)
class AttemptResult:
    """How one attempt ended (for tests and the benchmark)."""

    item_id: int
    state: State
    code: str | None = None


class _NothingHeld(Exception):
    """The heartbeat found no lease left to renew."""


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Performs items of the deployed bots, one at a time, until told to stop.

    A store that is away (locked, timing out, restarting) is waited for with backoff:
    the worker claims nothing meanwhile, keeps an item only while its lease is known to
    hold (runner/lease.py), and carries on when the store is back. An unexpected error
    in any of its threads is logged (`worker_failed`) and stops it: `run` raises WorkerFailed.
    """

    def __init__(
        self,
        store: Store,
        deployment: Deployment,
        clock: Clock,
        *,
        worker_id: str | None = None,
        bots: Collection[str] | None = None,
        browsers: BrowserProvider | None = None,
        alerts: AlertSink | None = None,
    ) -> None:
        ensure_configured()
        self.store = store
        self.deployment = deployment
        self.clock = clock
        self.worker_id = worker_id or default_worker_id()
        self.bots = set(bots) if bots is not None else set(deployment.bots)
        self.browsers = browsers
        self.alerts = alerts or deployment.alerts
        self.settings = deployment.worker
        self.stopping = threading.Event()
        self.watch = StoreWatch(log, stopping=self.stopping)
        self.leases = LeaseBook(store, self.worker_id, self.settings.lease_s, self.watch)
        self._failure: BaseException | None = None
        self._last_reap = 0.0
        self._troubled: set[str] = set()  # bots with failures or an open circuit at the last claim

    # -- the loop ---------------------------------------------------------

    def run(self, *, until: Callable[[], bool] | None = None, idle_exit: bool = False) -> int:
        """Work until `stop()`, until `until()` is true, or (idle_exit) until nothing is ready.

        WorkerFailed when an unexpected error stopped the worker (it is logged first).
        """
        done = 0
        heartbeat = threading.Thread(target=self._heartbeat_main, daemon=True, name="heartbeat")
        heartbeat.start()
        try:
            done = self._loop(until, idle_exit)
        except StoreUnavailable as down:
            if not self.stopping.is_set():  # the watch gives up only on a stop
                self._failed("worker", down)
        except Exception as error:
            self._failed("worker", error)
        finally:
            self.stopping.set()
            heartbeat.join(timeout=5)
        if self._failure is not None:
            first = (str(self._failure).strip().splitlines() or [""])[0]  # the rest is in the log
            raise WorkerFailed(f"worker {self.worker_id} stopped: {type(self._failure).__name__}: "
                               f"{first}") from self._failure
        return done

    def _loop(self, until: Callable[[], bool] | None, idle_exit: bool) -> int:
        done = 0
        while not self.stopping.is_set():
            if until is not None and self.watch.call(until, what="until"):
                break
            worked = self.run_batch()
            done += worked
            if not worked:
                if idle_exit:
                    break
                self.stopping.wait(self.settings.poll_s)
        return done

    def _failed(self, thread: str, error: BaseException) -> None:
        """An error nothing else handles: logged with its traceback (masked), and the worker stops."""
        log.error("worker_failed", thread=thread, code=type(error).__name__, error=str(error),
                  exc_info=error)
        if self._failure is None:
            self._failure = error
        self.stopping.set()

    def stop(self) -> None:
        """Finish the item in hand, release the rest, claim nothing more (SIGTERM)."""
        self.stopping.set()

    def run_batch(self) -> int:
        """Claim up to `prefetch` items and perform them; returns how many were performed.

        While the store is away it waits (with backoff) before claiming; StoreUnavailable
        only when the worker is stopped meanwhile.
        """
        self.watch.call(self._maybe_reap, what="reap")
        records = self.watch.call(self._claim, what="claim")
        performed = 0
        for index, record in enumerate(records):
            if self.stopping.is_set():
                for rest in records[index:]:
                    self._release(rest.id)
                break
            self.perform(record)
            performed += 1
        return performed

    def _release(self, item_id: int) -> None:
        try:
            self.leases.lease(item_id).call(lambda: self.store.release(item_id, self.worker_id),
                                            what="release")
        except LeaseLost as lost:  # it comes back when its lease expires
            log.warning("lease_lost", item_id=item_id, error=str(lost))
        finally:
            self.leases.forget(item_id)

    def _claim(self) -> list[WorkItemRecord]:
        since = time.monotonic()  # the leases run from before the claim reached the store
        states = self.store.bot_states()
        paused = {name for name, state in states.items() if state.paused}
        self._troubled = {n for n, s in states.items() if s.consecutive_failures or s.circuit_open}
        as_of = self.clock.as_of()
        lease_s = self.settings.lease_s
        for name in sorted(paused & self.bots):
            if states[name].circuit_open:
                probe = self.store.take_probe(
                    name, cooldown_s=self.settings.breaker_cooldown_s, worker_id=self.worker_id,
                    as_of=as_of, lease_s=lease_s,
                )
                if probe is not None:
                    log.info("circuit_probe", bot=name, item_id=probe.id)
                    self.leases.hold([probe.id], since)
                    return [probe]
        eligible = self.bots - paused
        if not eligible:
            return []
        records = self.store.claim(
            self.worker_id, limit=self.settings.prefetch, lease_s=lease_s, as_of=as_of,
            bots=eligible,
        )
        self.leases.hold([record.id for record in records], since)
        return records

    # -- one item -----------------------------------------------------------

    def perform(self, record: WorkItemRecord) -> AttemptResult:
        runtime = self.deployment.bots[record.bot]
        task = runtime.tasks[record.task]
        context = {"run_id": record.run_id, "bot": record.bot, "task": record.task,
                   "reference": record.reference, "attempt": record.attempts}
        with structlog.contextvars.bound_contextvars(**context):
            try:
                return self._perform(record, runtime, task, self.leases.lease(record.id))
            except LeaseLost as lost:
                log.warning("lease_lost", error=str(lost))
                return AttemptResult(record.id, State.NEW)
            finally:
                self.leases.forget(record.id)

    def _perform(self, record: WorkItemRecord, runtime: BotRuntime, task: TaskRuntime,
                 lease: Lease) -> AttemptResult:
        try:
            payload = task.task.payload.model_validate(record.payload)
        except ValidationError as invalid:
            invalid_payload = BusinessError("PAYLOAD_INVALID", "; ".join(field_errors(invalid)))
            return self._business(record, lease, invalid_payload)
        with LazySessions(self.browsers, f"{record.bot}-{record.id}",
                          "this worker was started without browsers") as sessions:
            marks = (lease.call(lambda: self.store.checkpoints(record.id), what="checkpoints")
                     if record.has_checkpoints else {})
            item = Item(
                self.store, record, payload, worker_id=self.worker_id, marks=marks, lease=lease,
                artifacts_dir=self.deployment.artifacts_dir,
                max_attempts=self.deployment.max_attempts(record.bot),
                bot=record.bot, task=record.task, as_of=record.as_of or self.clock.as_of(),
                settings=runtime.settings, log=log, systems=self.deployment.systems,
                open_browser=sessions.open if task.task.browser else None, roles=runtime.bot.roles,
            )
            try:
                returned = task.task.process(item)
            except BusinessError as error:
                return self._business(record, lease, error, visible_to=None)
            except SystemUnavailable as down:
                return self._defer(record, lease, down)
            except LeaseLost:
                raise
            except Exception as error:
                if sessions.first is not None:
                    self._capture(record, lease, sessions.first)
                return self._technical(record, lease, task, error)
        result = {"outcome": "done", **dict(returned or {}), "acted": item.acted}
        lease.call(lambda: self.store.complete(record.id, self.worker_id, result, bot=record.bot,
                                               reset_breaker=record.bot in self._troubled),
                   what="complete")
        log.info("item_done", outcome=result["outcome"], acted=result["acted"])
        return AttemptResult(record.id, State.DONE)

    def _business(self, record: WorkItemRecord, lease: Lease, error: BusinessError,
                  visible_to: str | None = None) -> AttemptResult:
        lease.call(lambda: self.store.fail(record.id, self.worker_id, kind=ErrorKind.BUSINESS,
                                           code=error.code, message=error.message,
                                           visible_to=visible_to), what="fail")
        log.info("item_business_exception", code=error.code)
        return AttemptResult(record.id, State.BUSINESS_EXCEPTION, error.code)

    def _defer(self, record: WorkItemRecord, lease: Lease, down: SystemUnavailable) -> AttemptResult:
        until = self.clock.now() + timedelta(seconds=down.retry_after_s)
        lease.call(lambda: self.store.defer(record.id, self.worker_id, until=until, message=str(down)),
                   what="defer")
        log.warning("item_deferred", until=until.isoformat(), error=str(down))
        return AttemptResult(record.id, State.DEFERRED, "SystemUnavailable")

    def _technical(self, record: WorkItemRecord, lease: Lease, task: TaskRuntime,
                   error: Exception) -> AttemptResult:
        code = type(error).__name__
        message = str(error) or code
        if record.attempts < record.max_attempts and task.retry.is_retryable(error):
            delay = task.retry.delay_before(record.attempts + 1)
            retry_at = self.clock.now() + timedelta(seconds=delay)
            lease.call(lambda: self.store.fail(record.id, self.worker_id, kind=ErrorKind.SYSTEM,
                                               code=code, message=message, retry_at=retry_at),
                       what="fail")
            log.warning("item_retry_scheduled", code=code, error=message, delay_s=round(delay, 3))
            return AttemptResult(record.id, State.NEW, code)
        lease.call(lambda: self.store.fail(record.id, self.worker_id, kind=ErrorKind.SYSTEM,
                                           code=code, message=message), what="fail")
        log.error("item_system_exception", code=code, error=message)
        self._open_circuit_on_failure(record)
        return AttemptResult(record.id, State.SYSTEM_EXCEPTION, code)

    def _capture(self, record: WorkItemRecord, lease: Lease, session: BrowserSession) -> None:
        folder = self.deployment.artifacts_dir / str(record.id) / f"attempt-{record.attempts}"
        try:
            for kind, path in session.capture_failure(folder):
                size = path.stat().st_size if path.exists() else 0

                def keep(kind: str = kind, path: Any = path, size: int = size) -> None:
                    self.store.add_artifact(record.id, kind=kind, path=str(path),
                                            attempt=record.attempts, size=size)

                lease.call(keep, what="artifact")
        except Exception as error:
            log.warning("artifact_capture_failed", error=str(error))

    def _open_circuit_on_failure(self, record: WorkItemRecord) -> None:
        self._troubled.add(record.bot)
        opened = self.watch.call(lambda: self.store.record_failure(
            record.bot, record.id, threshold=self.settings.breaker_threshold), what="circuit")
        if opened:
            message = (f"bot {record.bot} paused after {self.settings.breaker_threshold} "
                       "consecutive system exceptions")
            stored = self.watch.call(lambda: self.store.add_alert(
                bot=record.bot, kind="circuit_open", message=message), what="alert")
            log.error("circuit_opened", alert_id=stored.id)
            if self.alerts is not None:
                self.alerts.send(Alert(record.bot, "circuit_open", message, stored.created_at))

    # -- leases -------------------------------------------------------------

    def _heartbeat_main(self) -> None:
        try:
            self._heartbeat_loop()
        except Exception as error:  # a dead heartbeat would let every lease in hand run out
            self._failed("heartbeat", error)

    def _heartbeat_loop(self) -> None:
        while not self.stopping.wait(self.settings.heartbeat_s):
            if not self.leases.held():
                continue
            try:
                self.watch.call(self._renew_held, what="heartbeat")
            except (StoreUnavailable, _NothingHeld):
                continue  # stopping, or nothing left in hand: the next beat starts afresh

    def _renew_held(self) -> None:
        # A retry after the items in hand were finished (or given up) has nothing to renew;
        # that is no answer from the store, so it must not count as one.
        held = self.leases.held()
        if not held:
            raise _NothingHeld
        self.leases.renew(held)

    def _maybe_reap(self) -> None:
        now = self.clock.now().timestamp()
        if now - self._last_reap >= self.settings.reaper_s:
            reaped = self.store.reap()
            self._last_reap = now  # after the reap: one the store refused is tried again
            if reaped:
                log.warning("leases_expired", items=reaped)
