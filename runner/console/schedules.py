"""A task's schedule in Danish words, and its coming firings against the bank-day calendar.

Pure: the firings come from the scheduler's own rules (`runner.scheduler.planned_firings`),
so the console shows what the scheduler will do. Times are Europe/Copenhagen's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from babel.dates import format_date, get_day_names, get_month_names

from runner.calendar import BankCalendar
from runner.config import NonBankDay, OnlyOn, TaskConfig
from runner.cron import COPENHAGEN, crontab_weekdays
from runner.scheduler import PlannedFiring, planned_firings

__all__ = [
    "CalendarDay",
    "Fate",
    "Firing",
    "coming_days",
    "coming_firings",
    "schedule_in_words",
    "task_schedule_in_words",
]

LOCALE = "da_DK"
NO_SCHEDULE = "ingen tidsplan"
WEEKEND = "weekend"
HOLIDAY = "helligdag"
_WORKDAYS = frozenset(range(1, 6))  # classic cron numbers, 0 = Sunday
_POLICY_WORDS = {
    NonBankDay.SKIP: "hvis det er en bankdag",
    NonBankDay.NEXT: "ellers første bankdag efter",
    NonBankDay.PREVIOUS: "ellers sidste bankdag før",
}


class Fate(StrEnum):
    """What the bank-day policy does to one firing."""

    RUNS = "runs"
    SKIPPED = "skipped"
    MOVED = "moved"


@dataclass(frozen=True)
class Firing:
    """One coming firing: when the schedule names it, and when (if at all) it runs.

    `closed` says why the scheduled day is no bank day ("weekend", "helligdag"), None on a
    bank day. `shared` marks a firing moved onto a time another firing already runs at:
    the scheduler runs once then.
    """

    scheduled: datetime
    fires_at: datetime | None
    fate: Fate
    closed: str | None
    shared: bool = False

    @property
    def words(self) -> str:
        """"kører", "springes over (helligdag)", "flyttes til fredag 27. december"."""
        if self.fate is Fate.RUNS:
            return "kører"
        if self.fires_at is None:
            return f"springes over ({self.closed})"
        moved = f"flyttes til {format_date(self.fires_at.date(), 'EEEE d. MMMM', locale=LOCALE)}"
        return f"{moved}, hvor den kører i forvejen" if self.shared else moved


@dataclass(frozen=True)
class CalendarDay:
    """A day of the coming calendar, and why it is no bank day ("weekend", "helligdag")."""

    day: date
    closed: str | None

    @property
    def bank_day(self) -> bool:
        return self.closed is None


def coming_days(calendar: BankCalendar, start: datetime, days: int = 14) -> list[CalendarDay]:
    """The `days` days from `start`'s (Copenhagen) date on, each marked by the calendar."""
    first = _local(start).date()
    return [CalendarDay(day, _closed(day, calendar))
            for day in (first + timedelta(days=n) for n in range(days))]


def coming_firings(
    task_config: TaskConfig, calendar: BankCalendar, start: datetime, days: int = 14
) -> list[Firing]:
    """The firings from `start` to the end of the `days`th day, by scheduled time.

    As the scheduler computes them (`planned_firings`): a firing the policy moves into
    the range from before it is listed too. A task without a schedule, or disabled, has none.
    """
    if task_config.schedule is None or not task_config.enabled:
        return []
    local = _local(start)
    end = datetime.combine(local.date() + timedelta(days=days), datetime.min.time(), COPENHAGEN)
    planned = planned_firings(task_config, local, end, COPENHAGEN, calendar)
    return _firings(planned, calendar)


def _firings(planned: Sequence[PlannedFiring], calendar: BankCalendar) -> list[Firing]:
    # the time's one run goes to the firing named then; else to the first one moved there
    in_place = {p.fires_at for p in planned if p.fires_at == p.scheduled}
    taken: set[datetime] = set()
    firings = []
    for plan in sorted(planned, key=lambda p: p.scheduled):
        closed = _closed(plan.scheduled.date(), calendar)
        if plan.fires_at == plan.scheduled:
            firings.append(Firing(plan.scheduled, plan.fires_at, Fate.RUNS, closed))
        elif plan.fires_at is None:
            firings.append(Firing(plan.scheduled, None, Fate.SKIPPED, closed))
        else:
            shared = plan.fires_at in in_place or plan.fires_at in taken
            taken.add(plan.fires_at)
            firings.append(Firing(plan.scheduled, plan.fires_at, Fate.MOVED, closed, shared))
    return firings


def _closed(day: date, calendar: BankCalendar) -> str | None:
    if calendar.is_bank_day(day):
        return None
    return WEEKEND if day.weekday() >= 5 else HOLIDAY


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    return moment.astimezone(COPENHAGEN)


# -- the schedule in words -----------------------------------------------------------------------


def task_schedule_in_words(task_config: TaskConfig) -> str:
    """`schedule_in_words` of a task's schedule and bank-day policy."""
    schedule = task_config.schedule
    if schedule is None:
        return NO_SCHEDULE
    return schedule_in_words(schedule.cron, schedule.interval_s, task_config.only_on,
                             task_config.on_non_bank_day)


def schedule_in_words(
    cron: str | None,
    interval_s: float | None,
    only_on: str | None,
    on_non_bank_day: str = NonBankDay.SKIP,
) -> str:
    """A schedule as a Danish reader says it: "hverdage kl. 06:30", "hvert 15. minut",
    "den 1. i måneden kl. 06:30, ellers første bankdag efter"; "cron: EXPR" when it has
    no plainer words for a crontab expression."""
    bank_days = only_on == OnlyOn.BANK_DAYS
    if cron is not None:
        return _cron_in_words(cron, bank_days, NonBankDay(on_non_bank_day))
    if interval_s is not None:
        every = _interval_in_words(interval_s)
        return f"bankdage, {every}" if bank_days else every
    return NO_SCHEDULE


def _cron_in_words(expr: str, bank_days: bool, policy: NonBankDay) -> str:
    policy_words = f", {_POLICY_WORDS[policy]}" if bank_days else ""
    fields = expr.split()
    if len(fields) != 5:
        return f"cron: {expr}{policy_words}"
    minute, hour, day, month, weekday = fields
    when = _time_in_words(_values(minute, 0, 59), _values(hour, 0, 23))
    days = _days_in_words(_values(day, 1, 31), _values(month, 1, 12), _weekdays(weekday), bank_days)
    if when is None or days is None:
        return f"cron: {expr}{policy_words}"
    words, every_bank_day = days
    suffix = "" if every_bank_day or not bank_days else policy_words
    clock, at = when
    if clock:
        return f"{words} {at}{suffix}"
    return f"{at}{suffix}" if words == "alle dage" else f"{words}, {at}{suffix}"


def _time_in_words(minutes: list[int] | None, hours: list[int] | None) -> tuple[bool, str] | None:
    """(True, "kl. 06:30") for times of day, (False, "hvert 15. minut") for a frequency."""
    if minutes is None or hours is None:
        return None
    every_hour = hours == list(range(24))
    step = _step_from_zero(minutes, 60)
    if every_hour and step:
        return False, "hvert minut" if step == 1 else f"hvert {step}. minut"
    if len(minutes) * len(hours) <= 4:
        return True, "kl. " + _listed([f"{h:02}:{m:02}" for h in hours for m in minutes])
    if len(minutes) == 1:
        past = f", {minutes[0]} minutter over" if minutes[0] else ""
        if every_hour:
            return False, f"hver time{past}"
        hour_step = _step_from_zero(hours, 24)
        if hour_step:
            return False, f"hver {hour_step}. time{past}"
    if _contiguous(hours) and (len(minutes) == 1 or step):
        first, last = f"{hours[0]:02}:{minutes[0]:02}", f"{hours[-1]:02}:{minutes[-1]:02}"
        every = "hver time" if len(minutes) == 1 else "hvert minut" if step == 1 else f"hvert {step}. minut"
        return False, f"{every} kl. {first}-{last}"
    return None


def _days_in_words(
    days: list[int] | None, months: list[int] | None, weekdays: list[int] | None, bank_days: bool
) -> tuple[str, bool] | None:
    """The days' words, and whether they are simply every bank day (no policy to say)."""
    if days is None or months is None or weekdays is None:
        return None
    every_month = months == list(range(1, 13))
    month_names = "måneden" if every_month else _listed([_month_name(m) for m in months])
    if days == list(range(1, 32)):
        in_months = "" if every_month else f" i {month_names}"
        if bank_days and set(weekdays) >= _WORKDAYS:
            return f"bankdage{in_months}", True
        return f"{_weekdays_in_words(weekdays)}{in_months}", False
    if weekdays != list(range(7)):
        return None  # both restricted: runner.cron refuses it
    dates = "den " + _listed([f"{d}." for d in days])
    if len(days) == 1 and not every_month:
        return f"{dates} {month_names}", False  # "den 24. december"
    return f"{dates} i {month_names}", False


def _weekdays_in_words(weekdays: list[int]) -> str:
    if len(weekdays) == 7:
        return "alle dage"
    if set(weekdays) == _WORKDAYS:
        return "hverdage"
    monday_first = sorted(weekdays, key=lambda n: (n - 1) % 7)
    names = [_day_name(n) for n in monday_first]
    if len(names) >= 3 and _contiguous([(n - 1) % 7 for n in monday_first]):
        return f"{names[0]} til {names[-1]}"
    return _listed(names)


def _interval_in_words(seconds: float) -> str:
    if seconds != int(seconds):
        amount = f"{seconds:g}".replace(".", ",")
        return f"med {amount} sekunders mellemrum"
    whole = int(seconds)
    for size, one, every in ((86400, "hvert døgn", "hver {}. dag"), (3600, "hver time", "hver {}. time"),
                             (60, "hvert minut", "hvert {}. minut"), (1, "hvert sekund", "hvert {}. sekund")):
        if whole % size == 0:
            count = whole // size
            return one if count == 1 else every.format(count)
    raise AssertionError("unreachable: every whole number is a multiple of 1")


def _values(field: str, low: int, high: int) -> list[int] | None:
    """The numbers a plain crontab field names (`*`, `5`, `1-5`, `*/15`, `0,30`), else None."""
    found: set[int] = set()
    for term in field.split(","):
        span, _, step_text = term.partition("/")
        if step_text and not step_text.isdigit():
            return None
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = low, high
        elif span.isdigit():
            first = int(span)
            last = high if step_text else first
        elif "-" in span and all(part.isdigit() for part in span.split("-", 1)):
            first, last = (int(part) for part in span.split("-", 1))
        else:
            return None
        if step < 1 or not low <= first <= last <= high:
            return None
        found.update(range(first, last + 1, step))
    return sorted(found)


def _weekdays(field: str) -> list[int] | None:
    try:
        return crontab_weekdays(field)
    except ValueError:
        return None


def _step_from_zero(values: list[int], size: int) -> int | None:
    """The step when `values` are 0, step, 2 step, ... through the whole `size`."""
    if len(values) < 2:
        return None
    step = values[1]
    return step if size % step == 0 and values == list(range(0, size, step)) else None


def _contiguous(values: list[int]) -> bool:
    return values == list(range(values[0], values[0] + len(values)))


def _listed(words: list[str]) -> str:
    """"a", "a og b", "a, b og c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} og {words[-1]}"


def _day_name(cron_number: int) -> str:
    return str(get_day_names("wide", locale=LOCALE)[(cron_number - 1) % 7])  # Babel: 0 = Monday


def _month_name(month: int) -> str:
    return str(get_month_names("wide", locale=LOCALE)[month])
