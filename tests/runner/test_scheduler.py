import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from runner.clock import FakeClock
from runner.config import NonBankDay, OnlyOn, TaskConfig, TaskSchedule
from runner.cron import crontab_weekdays, validate_cron
from runner.scheduler import Scheduler, fire_times, planned_firings, run_key

CPH = ZoneInfo("Europe/Copenhagen")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=CPH)  # type: ignore[misc]


def cron(expr: str, policy: NonBankDay | None = None, **kwargs: object) -> TaskConfig:
    only_on = OnlyOn.BANK_DAYS if policy else None
    return TaskConfig(
        schedule=TaskSchedule(cron=expr),
        only_on=only_on,
        on_non_bank_day=policy or NonBankDay.SKIP,
        **kwargs,  # type: ignore[arg-type]
    )


def local(times: list[datetime]) -> list[str]:
    return [t.astimezone(CPH).isoformat() for t in times]


def test_daily_cron_keeps_its_wall_time_across_dst() -> None:
    spring = fire_times(cron("0 7 * * *"), at(2024, 3, 30), 3)
    assert local(spring) == [
        "2024-03-30T07:00:00+01:00",
        "2024-03-31T07:00:00+02:00",
        "2024-04-01T07:00:00+02:00",
    ]
    autumn = fire_times(cron("0 7 * * *"), at(2024, 10, 26), 3)
    assert local(autumn) == [
        "2024-10-26T07:00:00+02:00",
        "2024-10-27T07:00:00+01:00",
        "2024-10-28T07:00:00+01:00",
    ]


def test_a_repeated_wall_time_fires_once() -> None:
    times = fire_times(cron("30 2 * * *"), at(2024, 10, 26), 3)
    assert local(times) == [
        "2024-10-26T02:30:00+02:00",
        "2024-10-27T02:30:00+02:00",
        "2024-10-28T02:30:00+01:00",
    ]


def test_a_skipped_wall_time_fires_after_the_gap() -> None:
    times = fire_times(cron("30 2 * * *"), at(2024, 3, 30), 3)
    assert local(times) == [
        "2024-03-30T02:30:00+01:00",
        "2024-03-31T03:30:00+02:00",
        "2024-04-01T02:30:00+02:00",
    ]


def test_half_hourly_cron_through_the_autumn_night() -> None:
    times = fire_times(cron("*/30 * * * *"), at(2024, 10, 27, 1, 30), 5)
    assert local(times) == [
        "2024-10-27T01:30:00+02:00",
        "2024-10-27T02:00:00+02:00",
        "2024-10-27T02:30:00+02:00",
        "2024-10-27T03:00:00+01:00",
        "2024-10-27T03:30:00+01:00",
    ]


def test_weekdays_are_classic_cron_numbers() -> None:
    times = fire_times(cron("0 7 * * 1-5"), at(2024, 11, 16), 5)
    assert [t.strftime("%a %d") for t in times] == [
        "Mon 18", "Tue 19", "Wed 20", "Thu 21", "Fri 22",
    ]
    sundays = fire_times(cron("0 7 * * 0"), at(2024, 11, 16), 2)
    assert [t.strftime("%a %d") for t in sundays] == ["Sun 17", "Sun 24"]
    assert fire_times(cron("0 7 * * 7"), at(2024, 11, 16), 2) == sundays
    weekend = fire_times(cron("0 7 * * fri-sun"), at(2024, 11, 18), 3)
    assert [t.strftime("%a") for t in weekend] == ["Fri", "Sat", "Sun"]


def test_skip_drops_easter_and_christmas() -> None:
    easter = fire_times(cron("0 7 * * *", NonBankDay.SKIP), at(2024, 3, 27), 2)
    assert local(easter) == ["2024-03-27T07:00:00+01:00", "2024-04-02T07:00:00+02:00"]
    christmas = fire_times(cron("0 7 * * *", NonBankDay.SKIP), at(2024, 12, 23, 8), 3)
    assert [t.date().isoformat() for t in christmas] == ["2024-12-27", "2024-12-30", "2025-01-02"]


def test_next_moves_a_firing_to_the_next_bank_day_once() -> None:
    # 1 June 2024 is a Saturday: the 1st-of-month run moves to Monday 3 June.
    times = fire_times(cron("0 6 1 * *", NonBankDay.NEXT), at(2024, 5, 15), 3)
    assert local(times) == [
        "2024-06-03T06:00:00+02:00",
        "2024-07-01T06:00:00+02:00",
        "2024-08-01T06:00:00+02:00",
    ]
    daily = fire_times(cron("0 7 * * *", NonBankDay.NEXT), at(2024, 3, 27, 8), 2)
    assert local(daily) == ["2024-04-02T07:00:00+02:00", "2024-04-03T07:00:00+02:00"]


def test_next_after_the_non_bank_day_has_passed() -> None:
    # Saturday's firing moved to Monday 07:00 is still ahead on Sunday.
    times = fire_times(cron("0 6 1 * *", NonBankDay.NEXT), at(2024, 6, 2, 12), 1)
    assert local(times) == ["2024-06-03T06:00:00+02:00"]


def test_previous_moves_a_firing_before_christmas_and_easter() -> None:
    times = fire_times(cron("0 9 24 12 *", NonBankDay.PREVIOUS), at(2024, 12, 1), 2)
    assert local(times) == ["2024-12-23T09:00:00+01:00", "2025-12-23T09:00:00+01:00"]
    easter = fire_times(cron("0 9 1 4 *", NonBankDay.PREVIOUS), at(2024, 3, 1), 1)
    assert local(easter) == ["2024-03-27T09:00:00+01:00"]


def test_previous_keeps_firings_in_order_and_unique() -> None:
    times = fire_times(cron("0 7 * * *", NonBankDay.PREVIOUS), at(2024, 12, 20), 4)
    assert local(times) == [
        "2024-12-20T07:00:00+01:00",
        "2024-12-23T07:00:00+01:00",
        "2024-12-27T07:00:00+01:00",
        "2024-12-30T07:00:00+01:00",
    ]


def test_planned_firings_say_where_the_policy_puts_each() -> None:
    # asked from Sunday 2 June, Saturday the 1st's firing moved to Monday is in the range
    moved = planned_firings(cron("0 6 1 * *", NonBankDay.NEXT), at(2024, 6, 2), at(2024, 7, 2))
    assert [(p.scheduled, p.fires_at) for p in moved] == [
        (at(2024, 6, 1, 6), at(2024, 6, 3, 6)),
        (at(2024, 7, 1, 6), at(2024, 7, 1, 6)),
    ]
    skipped = planned_firings(cron("0 7 * * *", NonBankDay.SKIP), at(2024, 12, 24), at(2024, 12, 28))
    assert [(p.scheduled.day, p.fires_at) for p in skipped] == [
        (24, None), (25, None), (26, None), (27, at(2024, 12, 27, 7)),
    ]
    # 24 December 2028 is a Sunday: its firing lands on Friday the 22nd, inside the range
    earlier = planned_firings(cron("0 9 24 12 *", NonBankDay.PREVIOUS), at(2028, 12, 18), at(2028, 12, 23))
    assert [(p.scheduled, p.fires_at) for p in earlier] == [(at(2028, 12, 24, 9), at(2028, 12, 22, 9))]


def test_crontab_weekdays_are_classic_cron_numbers() -> None:
    assert crontab_weekdays("*") == [0, 1, 2, 3, 4, 5, 6]
    assert crontab_weekdays("1-5") == [1, 2, 3, 4, 5]
    assert crontab_weekdays("fri-sun") == [0, 5, 6]
    assert crontab_weekdays("7") == [0]
    assert crontab_weekdays("*/2") == [0, 2, 4, 6]
    with pytest.raises(ValueError, match="weekday '8'"):
        crontab_weekdays("8")


def test_interval_is_aligned_to_a_fixed_epoch() -> None:
    spec = TaskConfig(schedule=TaskSchedule(interval_s=900))
    times = fire_times(spec, datetime(2024, 11, 18, 7, 3, 20, tzinfo=UTC), 2)
    assert local(times) == ["2024-11-18T08:15:00+01:00", "2024-11-18T08:30:00+01:00"]


def test_interval_on_bank_days_skips_the_weekend() -> None:
    spec = TaskConfig(schedule=TaskSchedule(interval_s=3600), only_on=OnlyOn.BANK_DAYS)
    times = fire_times(spec, at(2024, 11, 15, 23, 30), 2)
    assert local(times) == ["2024-11-18T00:00:00+01:00", "2024-11-18T01:00:00+01:00"]


def test_a_schedule_with_no_bank_day_never_fires() -> None:
    assert fire_times(cron("0 7 25 12 *", NonBankDay.SKIP), at(2024, 1, 1), 1) == []


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("0 7 * *", "expected 5 fields"),
        ("0 25 * * *", "25"),
        ("0 7 * * 8", "weekday '8'"),
        ("0 7 * * xyz", "'xyz'"),
        ("0 7 1 * mon", "both day of month and day of week"),
        ("0 7 31 2 *", "never fires"),
    ],
)
def test_validate_cron_explains(expr: str, fragment: str) -> None:
    message = validate_cron(expr)
    assert message is not None
    assert fragment in message


def test_validate_cron_accepts_good_expressions() -> None:
    for expr in ("0 7 * * *", "*/15 6-18 * * 1-5", "0 6 1 * *", "0 7 * * mon,wed"):
        assert validate_cron(expr) is None


def test_run_key_is_schedule_and_fire_time() -> None:
    assert run_key("hello/greetings", at(2024, 11, 18, 7)) == (
        "hello/greetings@2024-11-18T07:00:00+01:00"
    )


def test_next_fire_times_follow_the_clock_and_pauses() -> None:
    clock = FakeClock(now=datetime(2024, 12, 23, 8, tzinfo=UTC))
    scheduler = Scheduler(clock=clock)
    scheduler.add("hello/greetings", cron("0 7 * * *", NonBankDay.SKIP), lambda *_: None)
    scheduler.add("hello/sweep", cron("0 6 1 * *", NonBankDay.NEXT), lambda *_: None)
    assert scheduler.next_fire_times() == {
        "hello/greetings": at(2024, 12, 27, 7),
        "hello/sweep": at(2025, 1, 2, 6),
    }
    scheduler.pause("hello/sweep")
    assert scheduler.next_fire_times()["hello/sweep"] is None
    scheduler.resume("hello/sweep")
    assert scheduler.next_fire_times()["hello/sweep"] == at(2025, 1, 2, 6)


def test_misfire_grace_and_coalesce_come_from_the_config() -> None:
    scheduler = Scheduler(clock=FakeClock())
    spec = cron("0 7 * * *", misfire_grace_s=600, coalesce=False)
    scheduler.add("hello/greetings", spec, lambda *_: None)
    info = scheduler.describe()["hello/greetings"]
    assert (info.misfire_grace_s, info.coalesce, info.paused) == (600, False, False)


def test_a_task_without_schedule_cannot_be_added() -> None:
    with pytest.raises(ValueError, match="no schedule"):
        Scheduler().add("hello/greetings", TaskConfig(), lambda *_: None)


def test_on_fire_gets_the_scheduled_time() -> None:
    fired: list[tuple[str, datetime]] = []
    done = threading.Event()

    def on_fire(schedule_id: str, fire_time: datetime) -> None:
        fired.append((schedule_id, fire_time))
        done.set()

    scheduler = Scheduler()
    scheduler.add("hello/tick", TaskConfig(schedule=TaskSchedule(interval_s=0.05)), on_fire)
    scheduler.start()
    try:
        assert done.wait(timeout=5)
    finally:
        scheduler.shutdown(wait=True)
    schedule_id, fire_time = fired[0]
    assert schedule_id == "hello/tick"
    assert fire_time.tzinfo == CPH
    # A multiple of the interval since the epoch: the trigger's time, not the wall clock's.
    assert round(fire_time.timestamp() * 1000) % 50 == 0
    assert fire_time <= datetime.now(UTC)
