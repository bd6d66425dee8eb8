"""The scheduler: APScheduler 3.x (with `runner.cron`, the only modules that import it) plus bank-day rules.

Schedules run in Europe/Copenhagen. A cron wall-clock time that occurs twice (the
night summer time ends) fires once; one that does not exist (the night it starts)
fires at the first moment after the gap. `only_on: bank_days` drops a firing on a
non-bank day (`skip`) or moves it to the same time of day on the next or previous
bank day (`next`, `previous`), by the deployment's calendar (runner.calendar). Crontab
weekdays are classic cron's (0 or 7 = Sunday, 1-5 = Monday to Friday), not APScheduler 3's.

Each firing calls `on_fire(schedule_id, fire_time)` with the *scheduled* fire time,
so every replica computes the same `run_key` for it and the store keeps one run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from runner.calendar import BankCalendar, load_calendar, next_bank_day, previous_bank_day
from runner.clock import Clock, SystemClock
from runner.config import NonBankDay, OnlyOn, TaskConfig
from runner.cron import COPENHAGEN, crontab_trigger

OnFire = Callable[[str, datetime], None]

# A non-bank day is at most a few days from a bank day; shifted firings stay within this.
_SHIFT_WINDOW = timedelta(days=14)
# A schedule that finds no firing this far ahead never fires.
_SEARCH_HORIZON = timedelta(days=5 * 366)
# Interval schedules count from one fixed instant, so every replica fires at the same times.
_INTERVAL_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def run_key(schedule_id: str, fire_time: datetime) -> str:
    """The key of the one run a firing makes, the same in every scheduler process."""
    return f"{schedule_id}@{fire_time.isoformat()}"


def fire_times(
    spec: TaskConfig,
    start: datetime,
    count: int,
    timezone: ZoneInfo = COPENHAGEN,
    calendar: BankCalendar | None = None,
) -> list[datetime]:
    """The next `count` firings of `spec` at or after `start`, computed without a scheduler."""
    trigger = build_trigger(spec, timezone, calendar)
    times: list[datetime] = []
    fire: datetime | None = trigger.get_next_fire_time(None, start)
    while fire is not None and len(times) < count:
        times.append(fire)
        fire = trigger.get_next_fire_time(fire, fire)
    return times


@dataclass(frozen=True)
class PlannedFiring:
    """A time a schedule names, and where its bank-day policy puts it (None: skipped)."""

    scheduled: datetime
    fires_at: datetime | None


def planned_firings(
    spec: TaskConfig,
    start: datetime,
    end: datetime,
    timezone: ZoneInfo = COPENHAGEN,
    calendar: BankCalendar | None = None,
) -> list[PlannedFiring]:
    """The firings `spec` names or moves into [start, end), each with where the policy puts it.

    Besides the times named in the range, those a shift moves into it from outside (a
    Sunday's firing moved to Monday, `next`). Several may be moved onto one time, which is
    one run: `fire_times` gives the distinct times the scheduler fires.
    """
    trigger = build_trigger(spec, timezone, calendar)
    before = _SHIFT_WINDOW if trigger.policy is NonBankDay.NEXT else timedelta(0)
    after = _SHIFT_WINDOW if trigger.policy is NonBankDay.PREVIOUS else timedelta(0)
    planned = (PlannedFiring(candidate, trigger.place(candidate))
               for candidate in trigger.candidates(start - before, end + after))
    return [firing for firing in planned
            if start <= firing.scheduled < end
            or (firing.fires_at is not None and start <= firing.fires_at < end)]


def build_trigger(
    spec: TaskConfig, timezone: ZoneInfo = COPENHAGEN, calendar: BankCalendar | None = None
) -> BankDayTrigger:
    """The APScheduler trigger for a task's schedule and bank-day policy.

    `calendar` None: the default installed calendar (runner.calendar.load_calendar).
    """
    if spec.schedule is None:
        raise ValueError("the task has no schedule")
    policy = spec.on_non_bank_day if spec.only_on is OnlyOn.BANK_DAYS else None
    calendar = load_calendar() if calendar is None else calendar
    if spec.schedule.cron is not None:
        cron = crontab_trigger(spec.schedule.cron, timezone)
        return BankDayTrigger(cron, policy, timezone, calendar, once_per_wall_time=True)
    interval = IntervalTrigger(
        seconds=spec.schedule.interval_s, start_date=_INTERVAL_EPOCH, timezone=timezone
    )
    return BankDayTrigger(interval, policy, timezone, calendar, once_per_wall_time=False)


class BankDayTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler is untyped
    """Wraps a cron or interval trigger with a bank-day policy (None: every day)."""

    def __init__(
        self,
        base: Any,
        policy: NonBankDay | None,
        timezone: ZoneInfo,
        calendar: BankCalendar,
        *,
        once_per_wall_time: bool,
    ) -> None:
        self.base = base
        self.policy = policy
        self.timezone = timezone
        self.calendar = calendar
        self.once_per_wall_time = once_per_wall_time

    def __str__(self) -> str:
        policy = f", non-bank days: {self.policy}" if self.policy else ""
        return f"{self.base}{policy}"

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if previous_fire_time is None:
            return self._earliest(now, inclusive=True)
        return self._earliest(previous_fire_time, inclusive=False)

    def _earliest(self, threshold: datetime, *, inclusive: bool) -> datetime | None:
        # A shifted firing can come from a candidate up to a window before (`next`) or
        # after (`previous`) it, and shifts do not keep order; so take the minimum.
        threshold = _local(threshold, self.timezone)
        lookback = _SHIFT_WINDOW if self.policy is NonBankDay.NEXT else timedelta(0)
        lookahead = _SHIFT_WINDOW if self.policy is NonBankDay.PREVIOUS else timedelta(0)
        horizon = threshold + _SEARCH_HORIZON
        best: datetime | None = None
        candidate = self._at_or_after(threshold - lookback)
        while candidate is not None and candidate <= horizon:
            if best is not None and candidate > best + lookahead:
                break
            day = candidate.date()
            fire = self.place(candidate)
            if fire is None:
                candidate = self._at_or_after(_midnight(next_bank_day(day, self.calendar), self.timezone))
                continue
            if fire > threshold or (inclusive and fire == threshold):
                best = fire if best is None else min(best, fire)
                candidate = self._at_or_after(_midnight(day + timedelta(days=1), self.timezone))
            elif fire.date() < threshold.date():
                candidate = self._at_or_after(_midnight(day + timedelta(days=1), self.timezone))
            else:
                candidate = self._after(candidate)
        return best

    def place(self, candidate: datetime) -> datetime | None:
        """Where the policy puts a firing of the base trigger: itself on a bank day (or with no
        policy), the same time of day on the next or previous bank day, or None (skipped)."""
        day = candidate.date()
        target = self._target_day(day)
        if target is None:
            return None
        return candidate if target == day else _same_time_on(target, candidate)

    def candidates(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """The base trigger's firings in [start, end), local, before the bank-day policy."""
        candidate = self._at_or_after(start)
        while candidate is not None and candidate < end:
            yield candidate
            candidate = self._after(candidate)

    def _target_day(self, day: date) -> date | None:
        if self.policy is None or self.calendar.is_bank_day(day):
            return day
        if self.policy is NonBankDay.NEXT:
            return next_bank_day(day, self.calendar)
        if self.policy is NonBankDay.PREVIOUS:
            return previous_bank_day(day, self.calendar)
        return None

    def _at_or_after(self, moment: datetime) -> datetime | None:
        return self._kept(self.base.get_next_fire_time(None, moment))

    def _after(self, candidate: datetime) -> datetime | None:
        return self._kept(self.base.get_next_fire_time(candidate, candidate))

    def _kept(self, candidate: datetime | None) -> datetime | None:
        while candidate is not None:
            local = _local(candidate, self.timezone)
            if not (self.once_per_wall_time and _is_repeated_wall_time(local)):
                return local
            candidate = self.base.get_next_fire_time(candidate, candidate)
        return None


def _local(moment: datetime, timezone: ZoneInfo) -> datetime:
    """`moment` in `timezone`, normalised (a nonexistent wall time becomes a real one)."""
    return moment.astimezone(UTC).astimezone(timezone)


def _is_repeated_wall_time(local: datetime) -> bool:
    """True for the second occurrence of a wall-clock time (the hour summer time ends)."""
    return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()


def _midnight(day: date, timezone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone)


def _same_time_on(day: date, moment: datetime) -> datetime:
    shifted = datetime.combine(day, moment.time(), tzinfo=moment.tzinfo)
    return shifted.astimezone(UTC).astimezone(moment.tzinfo)


@dataclass(frozen=True)
class ScheduleInfo:
    """What the scheduler holds for one schedule."""

    schedule_id: str
    trigger: str
    misfire_grace_s: int
    coalesce: bool
    paused: bool
    next_fire_time: datetime | None


class Scheduler:
    """Fires tasks' schedules in a background thread; `on_fire` gets the scheduled time.

    `calendar` None: the default installed calendar (runner.calendar.load_calendar).
    """

    def __init__(
        self,
        timezone: ZoneInfo | str = COPENHAGEN,
        *,
        clock: Clock | None = None,
        max_workers: int = 4,
        calendar: BankCalendar | None = None,
    ) -> None:
        self.timezone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
        self.calendar = load_calendar() if calendar is None else calendar
        self._clock = clock or SystemClock()
        executor = _FiringExecutor(max_workers, self.timezone)
        self._aps: Any = BackgroundScheduler(
            timezone=self.timezone, executors={"default": executor}
        )
        self._specs: dict[str, TaskConfig] = {}
        self._triggers: dict[str, BankDayTrigger] = {}
        self._paused: set[str] = set()
        # Set by shutdown: a firing that waits (e.g. for the store to come back) stops waiting.
        self.stopping = threading.Event()

    @property
    def running(self) -> bool:
        return bool(self._aps.running)

    def add(self, schedule_id: str, spec: TaskConfig, on_fire: OnFire) -> None:
        """Schedule `on_fire(schedule_id, fire_time)`; replaces a schedule of the same id."""
        trigger = build_trigger(spec, self.timezone, self.calendar)
        self._aps.add_job(
            _Callback(schedule_id, on_fire),
            trigger=trigger,
            id=schedule_id,
            name=schedule_id,
            misfire_grace_time=spec.misfire_grace_s,
            coalesce=spec.coalesce,
            max_instances=1,
            replace_existing=True,
        )
        self._specs[schedule_id] = spec
        self._triggers[schedule_id] = trigger
        self._paused.discard(schedule_id)

    def remove(self, schedule_id: str) -> None:
        self._aps.remove_job(schedule_id)
        del self._specs[schedule_id], self._triggers[schedule_id]
        self._paused.discard(schedule_id)

    def pause(self, schedule_id: str) -> None:
        self._aps.pause_job(schedule_id)
        self._paused.add(schedule_id)

    def resume(self, schedule_id: str) -> None:
        self._aps.resume_job(schedule_id)
        self._paused.discard(schedule_id)

    def start(self) -> None:
        self._aps.start()

    def shutdown(self, wait: bool = True) -> None:
        self.stopping.set()
        if self._aps.running:
            self._aps.shutdown(wait=wait)

    def next_fire_times(self) -> dict[str, datetime | None]:
        """Each schedule's next firing after the clock's `now` (None when paused or never)."""
        return {schedule_id: info.next_fire_time for schedule_id, info in self.describe().items()}

    def describe(self) -> dict[str, ScheduleInfo]:
        now = self._clock.now()
        return {
            schedule_id: ScheduleInfo(
                schedule_id=schedule_id,
                trigger=str(trigger),
                misfire_grace_s=self._specs[schedule_id].misfire_grace_s,
                coalesce=self._specs[schedule_id].coalesce,
                paused=schedule_id in self._paused,
                next_fire_time=None
                if schedule_id in self._paused
                else trigger.get_next_fire_time(None, now),
            )
            for schedule_id, trigger in self._triggers.items()
        }


class _Callback:
    """`on_fire` bound to its schedule; takes the fire time `_Firing` appends."""

    def __init__(self, schedule_id: str, on_fire: OnFire) -> None:
        self.schedule_id = schedule_id
        self.on_fire = on_fire

    def __call__(self, *fire_time: datetime) -> None:
        self.on_fire(self.schedule_id, *fire_time)

    def __repr__(self) -> str:
        return f"on_fire({self.schedule_id!r})"


class _Firing:
    """One scheduled firing of a job, shaped as APScheduler's `run_job` expects a job."""

    def __init__(self, job: Any, fire_time: datetime) -> None:
        self.id = job.id
        self.func = job.func
        self.args = (*job.args, fire_time)
        self.kwargs = job.kwargs
        self.misfire_grace_time = job.misfire_grace_time

    def __str__(self) -> str:
        return f"{self.id} ({self.args[-1].isoformat()})"


def _run_firings(
    job: Any, run_times: list[datetime], logger_name: str, timezone: ZoneInfo
) -> list[Any]:
    events: list[Any] = []
    for run_time in run_times:
        firing = _Firing(job, _local(run_time, timezone))
        events += run_job(firing, job._jobstore_alias, [run_time], logger_name)
    return events


class _FiringExecutor(ThreadPoolExecutor):  # type: ignore[misc]  # APScheduler is untyped
    """A thread pool that hands each job its scheduled fire time (APScheduler 3 does not)."""

    def __init__(self, max_workers: int, timezone: ZoneInfo) -> None:
        super().__init__(max_workers)
        self._timezone = timezone

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        def finished(future: Future[list[Any]]) -> None:
            exc = future.exception()
            if exc is not None:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        future = self._pool.submit(_run_firings, job, run_times, self._logger.name, self._timezone)
        future.add_done_callback(finished)
