"""Crontab expressions: classic cron's five fields as an APScheduler 3 trigger, and checked.

Here rather than in `runner.scheduler` so the configuration can check a schedule without
importing the scheduler (which reads the configuration's types).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def validate_cron(expr: str) -> str | None:
    """None when `expr` is a usable 5-field crontab expression, else what is wrong."""
    try:
        trigger = crontab_trigger(expr, COPENHAGEN)
    except ValueError as exc:
        return f"invalid cron expression {expr!r}: {exc}"
    if trigger.get_next_fire_time(None, datetime(2000, 1, 1, tzinfo=COPENHAGEN)) is None:
        return f"cron expression {expr!r} never fires"
    return None


def crontab_trigger(expr: str, timezone: ZoneInfo) -> Any:
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(
            f"expected 5 fields (minute hour day month weekday), got {len(fields)}"
        )
    minute, hour, day, month, weekday = fields
    if day != "*" and weekday != "*":
        raise ValueError(
            "it restricts both day of month and day of week (classic cron fires when either"
            " matches, this scheduler only when both do); restrict one, or use two tasks"
        )
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_crontab_weekdays(weekday),
        timezone=timezone,
    )


def _crontab_weekdays(field: str) -> str:
    """Classic cron weekdays (0 or 7 = Sunday) as APScheduler 3 names (where 0 = Monday)."""
    if field == "*":
        return "*"
    return ",".join(_WEEKDAYS[n] for n in crontab_weekdays(field))


def crontab_weekdays(field: str) -> list[int]:
    """The days a crontab weekday field names, as classic cron numbers (0 = Sunday), sorted.

    Raises ValueError when the field is not a weekday field.
    """
    if field == "*":
        return list(range(7))
    days: set[int] = set()
    for term in field.split(","):
        span, _, step_text = term.partition("/")
        step = _cron_int(step_text, "step") if step_text else 1
        if step < 1:
            raise ValueError(f"weekday step {step_text!r} must be at least 1")
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            first, last = span.split("-", 1)
            low, high = _weekday_number(first), _weekday_number(last)
            high = 7 if high == 0 and low > 0 else high
        else:
            low = _weekday_number(span)
            high = 6 if step_text else low
        if low > high:
            raise ValueError(f"weekday range {span!r} runs backwards")
        days.update(n % 7 for n in range(low, high + 1, step))
    return sorted(days)


def _weekday_number(text: str) -> int:
    name = text.lower()
    if name[:3] in _WEEKDAYS and name.isalpha():
        return _WEEKDAYS.index(name[:3])
    number = _cron_int(text, "weekday")
    if not 0 <= number <= 7:
        raise ValueError(f"weekday {text!r} is not 0-7 (0 and 7 are Sunday)")
    return number


def _cron_int(text: str, what: str) -> int:
    if not text.isdigit():
        raise ValueError(f"{what} {text!r} is not a number or a day name such as mon")
    return int(text)
