"""The console's schedules: in Danish words, and the coming firings against the Danish bank days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hr.bank_days import danish_bank_days
from runner.calendar import WEEKDAYS, load_calendar
from runner.config import NonBankDay, OnlyOn, TaskConfig, TaskSchedule
from runner.console.schedules import (
    Fate,
    Firing,
    coming_days,
    coming_firings,
    schedule_in_words,
    task_schedule_in_words,
)
from runner.scheduler import fire_times

CPH = ZoneInfo("Europe/Copenhagen")
DANISH = danish_bank_days


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=CPH)  # type: ignore[misc]


def task(cron: str | None = None, policy: NonBankDay | None = None, *, interval_s: float | None = None,
         enabled: bool = True) -> TaskConfig:
    return TaskConfig(
        enabled=enabled,
        schedule=TaskSchedule(cron=cron, interval_s=interval_s),
        only_on=OnlyOn.BANK_DAYS if policy else None,
        on_non_bank_day=policy or NonBankDay.SKIP,
    )


def outcomes(firings: list[Firing]) -> dict[str, str]:
    return {f.scheduled.date().isoformat(): f.words for f in firings}


# -- in words --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cron", "words"), [
    ("30 6 * * 1-5", "hverdage kl. 06:30"),
    ("30 6 * * mon-fri", "hverdage kl. 06:30"),
    ("0 7 * * *", "alle dage kl. 07:00"),
    ("0 5 * * 1", "mandag kl. 05:00"),
    ("0 5 * * 0", "søndag kl. 05:00"),
    ("0 5 * * 7", "søndag kl. 05:00"),
    ("0 7 * * 1-4", "mandag til torsdag kl. 07:00"),
    ("0 7 * * 1,3,5", "mandag, onsdag og fredag kl. 07:00"),
    ("0 7 * * 6,0", "lørdag og søndag kl. 07:00"),
    ("*/15 * * * *", "hvert 15. minut"),
    ("0,30 * * * *", "hvert 30. minut"),
    ("* * * * *", "hvert minut"),
    ("0 * * * *", "hver time"),
    ("15 * * * *", "hver time, 15 minutter over"),
    ("0 */2 * * *", "hver 2. time"),
    ("0 7-17 * * *", "hver time kl. 07:00-17:00"),
    ("*/15 7-16 * * 1-5", "hverdage, hvert 15. minut kl. 07:00-16:45"),
    ("0,30 7 * * *", "alle dage kl. 07:00 og 07:30"),
    ("0 6,12,18 * * *", "alle dage kl. 06:00, 12:00 og 18:00"),
    ("0 6 1 * *", "den 1. i måneden kl. 06:00"),
    ("0 7 1,15 * *", "den 1. og 15. i måneden kl. 07:00"),
    ("0 7 24 12 *", "den 24. december kl. 07:00"),
    ("0 7 1 1,7 *", "den 1. januar og juli kl. 07:00"),
    ("0 12 * 12 *", "alle dage i december kl. 12:00"),
])
def test_a_cron_schedule_in_words(cron: str, words: str) -> None:
    assert schedule_in_words(cron, None, None) == words


@pytest.mark.parametrize("cron", ["5-59/15 * * * *", "0 7 L * *", "0 7 * jan *", "0 7", "nonsense"])
def test_what_it_cannot_say_is_the_plain_expression(cron: str) -> None:
    assert schedule_in_words(cron, None, None) == f"cron: {cron}"


@pytest.mark.parametrize(("cron", "policy", "words"), [
    ("30 6 * * 1-5", "skip", "bankdage kl. 06:30"),
    ("0 7 * * *", "skip", "bankdage kl. 07:00"),
    # moved onto a bank day's own firing: still once each bank day
    ("0 7 * * *", "next", "bankdage kl. 07:00"),
    ("*/15 * * * *", "skip", "bankdage, hvert 15. minut"),
    ("0 12 * 12 *", "skip", "bankdage i december kl. 12:00"),
    ("0 5 * * 1", "skip", "mandag kl. 05:00, hvis det er en bankdag"),
    ("30 6 1 * *", "next", "den 1. i måneden kl. 06:30, ellers første bankdag efter"),
    ("0 7 9 * *", "previous", "den 9. i måneden kl. 07:00, ellers sidste bankdag før"),
    ("0 7 L * *", "skip", "cron: 0 7 L * *, hvis det er en bankdag"),
])
def test_bank_days_in_words(cron: str, policy: str, words: str) -> None:
    assert schedule_in_words(cron, None, "bank_days", policy) == words
    assert schedule_in_words(cron, None, OnlyOn.BANK_DAYS, NonBankDay(policy)) == words


@pytest.mark.parametrize(("seconds", "words"), [
    (900, "hvert 15. minut"),
    (60, "hvert minut"),
    (30, "hvert 30. sekund"),
    (1, "hvert sekund"),
    (1.5, "med 1,5 sekunders mellemrum"),
    (3600, "hver time"),
    (5400, "hvert 90. minut"),
    (7200, "hver 2. time"),
    (86400, "hvert døgn"),
    (604800, "hver 7. dag"),
])
def test_an_interval_in_words(seconds: float, words: str) -> None:
    assert schedule_in_words(None, seconds, None) == words
    assert schedule_in_words(None, seconds, "bank_days") == f"bankdage, {words}"


def test_no_schedule_in_words() -> None:
    assert schedule_in_words(None, None, None) == "ingen tidsplan"
    assert task_schedule_in_words(TaskConfig()) == "ingen tidsplan"


def test_the_deployments_schedules_in_words() -> None:
    """orchestrator.yaml's tasks, as the bots page shows them."""
    assert task_schedule_in_words(task("0 7 * * *", NonBankDay.SKIP)) == "bankdage kl. 07:00"
    assert task_schedule_in_words(task("30 7 * * *")) == "alle dage kl. 07:30"
    assert task_schedule_in_words(task("30 6 1 * *", NonBankDay.NEXT)) == (
        "den 1. i måneden kl. 06:30, ellers første bankdag efter")
    assert task_schedule_in_words(task("0 7 9 * *", NonBankDay.PREVIOUS)) == (
        "den 9. i måneden kl. 07:00, ellers sidste bankdag før")
    assert task_schedule_in_words(task(interval_s=900, policy=NonBankDay.SKIP)) == "bankdage, hvert 15. minut"


# -- the coming firings ----------------------------------------------------------------------------


def test_christmas_and_new_year_are_skipped_as_the_danish_calendar_says() -> None:
    firings = coming_firings(task("30 6 * * *", NonBankDay.SKIP), DANISH, at(2024, 12, 20))
    assert outcomes(firings) == {
        "2024-12-20": "kører",
        "2024-12-21": "springes over (weekend)",
        "2024-12-22": "springes over (weekend)",
        "2024-12-23": "kører",
        "2024-12-24": "springes over (helligdag)",
        "2024-12-25": "springes over (helligdag)",
        "2024-12-26": "springes over (helligdag)",
        "2024-12-27": "kører",
        "2024-12-28": "springes over (weekend)",
        "2024-12-29": "springes over (weekend)",
        "2024-12-30": "kører",
        "2024-12-31": "springes over (helligdag)",
        "2025-01-01": "springes over (helligdag)",
        "2025-01-02": "kører",
    }
    first = firings[0]
    assert (first.scheduled, first.fires_at, first.fate, first.closed) == (
        at(2024, 12, 20, 6, 30), at(2024, 12, 20, 6, 30), Fate.RUNS, None)
    assert first.scheduled.isoformat() == "2024-12-20T06:30:00+01:00"
    christmas = firings[5]
    assert (christmas.scheduled, christmas.fires_at, christmas.fate, christmas.closed) == (
        at(2024, 12, 25, 6, 30), None, Fate.SKIPPED, "helligdag")


def test_the_installed_calendar_is_the_danish_one() -> None:
    firings = coming_firings(task("30 6 * * *", NonBankDay.SKIP), load_calendar("danish"), at(2024, 12, 20))
    assert outcomes(firings)["2024-12-24"] == "springes over (helligdag)"
    neutral = coming_firings(task("30 6 * * *", NonBankDay.SKIP), WEEKDAYS, at(2024, 12, 20))
    assert outcomes(neutral)["2024-12-24"] == "kører"


def test_without_a_policy_a_holiday_runs_and_is_still_marked() -> None:
    firings = coming_firings(task("30 7 * * *"), DANISH, at(2024, 12, 24), days=2)
    assert [(f.scheduled, f.fate, f.closed, f.words) for f in firings] == [
        (at(2024, 12, 24, 7, 30), Fate.RUNS, "helligdag", "kører"),
        (at(2024, 12, 25, 7, 30), Fate.RUNS, "helligdag", "kører"),
    ]


def test_new_years_day_moves_to_the_next_bank_day() -> None:
    firings = coming_firings(task("30 6 1 * *", NonBankDay.NEXT), DANISH, at(2024, 12, 20))
    assert len(firings) == 1
    moved = firings[0]
    assert (moved.scheduled, moved.fires_at, moved.fate, moved.closed, moved.shared) == (
        at(2025, 1, 1, 6, 30), at(2025, 1, 2, 6, 30), Fate.MOVED, "helligdag", False)
    assert moved.words == "flyttes til torsdag 2. januar"


def test_a_firing_moved_into_the_days_from_before_them_is_listed() -> None:
    firings = coming_firings(task("30 6 1 * *", NonBankDay.NEXT), DANISH, at(2025, 1, 2))
    assert [(f.scheduled, f.fires_at) for f in firings] == [(at(2025, 1, 1, 6, 30), at(2025, 1, 2, 6, 30))]


def test_a_sunday_the_9th_moves_to_the_friday_before() -> None:
    firings = coming_firings(task("0 7 9 * *", NonBankDay.PREVIOUS), DANISH, at(2025, 2, 1))
    assert [(f.scheduled, f.fires_at, f.closed, f.words) for f in firings] == [
        (at(2025, 2, 9, 7), at(2025, 2, 7, 7), "weekend", "flyttes til fredag 7. februar"),
    ]
    # the window ends on the 7th: the 9th's firing lands in it, so it is listed
    ending = coming_firings(task("0 7 9 * *", NonBankDay.PREVIOUS), DANISH, at(2025, 1, 25), days=14)
    assert [(f.scheduled, f.fires_at) for f in ending] == [(at(2025, 2, 9, 7), at(2025, 2, 7, 7))]


def test_firings_moved_onto_one_time_are_one_run() -> None:
    daily = coming_firings(task("0 7 * * *", NonBankDay.NEXT), DANISH, at(2024, 12, 20), days=4)
    assert [(f.scheduled.day, f.fires_at, f.fate, f.shared) for f in daily] == [
        (20, at(2024, 12, 20, 7), Fate.RUNS, False),
        (21, at(2024, 12, 23, 7), Fate.MOVED, True),
        (22, at(2024, 12, 23, 7), Fate.MOVED, True),
        (23, at(2024, 12, 23, 7), Fate.RUNS, False),
    ]
    assert daily[1].words == "flyttes til mandag 23. december, hvor den kører i forvejen"
    weekends = coming_firings(task("0 7 * * 6,0", NonBankDay.NEXT), DANISH, at(2024, 12, 20), days=4)
    assert [(f.scheduled.day, f.fires_at, f.shared) for f in weekends] == [
        (21, at(2024, 12, 23, 7), False),
        (22, at(2024, 12, 23, 7), True),
    ]


@pytest.mark.parametrize("spec", [
    task("30 6 * * *", NonBankDay.SKIP),
    task("0 7 * * *", NonBankDay.NEXT),
    task("0 7 * * *", NonBankDay.PREVIOUS),
    task("30 6 1 * *", NonBankDay.NEXT),
    task("0 7 9 * *", NonBankDay.PREVIOUS),
    task("0 5 * * 1"),
    task(interval_s=3600, policy=NonBankDay.SKIP),
], ids=task_schedule_in_words)
@pytest.mark.parametrize("start", [at(2024, 12, 20, 6, 30), at(2025, 3, 28, 12), at(2024, 10, 25)],
                         ids=datetime.isoformat)
def test_the_firings_that_run_are_the_schedulers(spec: TaskConfig, start: datetime) -> None:
    firings = coming_firings(spec, DANISH, start, days=14)
    end = datetime.combine(start.date() + timedelta(days=14), datetime.min.time(), CPH)
    runs = sorted({f.fires_at for f in firings if f.fires_at is not None and start <= f.fires_at < end})
    scheduler = fire_times(spec, start, len(runs) + 1, CPH, DANISH)
    assert scheduler[: len(runs)] == runs
    assert scheduler[len(runs)] >= end  # and none after them within the days


def test_every_15_minutes_on_bank_days_around_christmas() -> None:
    firings = coming_firings(task(interval_s=900, policy=NonBankDay.SKIP), DANISH, at(2024, 12, 23), days=2)
    monday = [f for f in firings if f.scheduled.date() == date(2024, 12, 23)]
    christmas_eve = [f for f in firings if f.scheduled.date() == date(2024, 12, 24)]
    assert len(monday) == len(christmas_eve) == 96
    assert {f.fate for f in monday} == {Fate.RUNS}
    assert {f.words for f in christmas_eve} == {"springes over (helligdag)"}


def test_the_day_summer_time_starts_has_23_hours_of_firings() -> None:
    firings = coming_firings(task(interval_s=900), DANISH, at(2025, 3, 30), days=1)
    assert len(firings) == 92
    assert firings[8].scheduled.isoformat() == "2025-03-30T03:00:00+02:00"


def test_the_firings_start_at_start() -> None:
    firings = coming_firings(task("30 6 * * *", NonBankDay.SKIP), DANISH, at(2024, 12, 20, 6, 31), days=1)
    assert firings == []
    same_minute = coming_firings(task("30 6 * * *", NonBankDay.SKIP), DANISH, at(2024, 12, 20, 6, 30), days=1)
    assert [f.scheduled for f in same_minute] == [at(2024, 12, 20, 6, 30)]


def test_a_start_in_utc_counts_copenhagen_days() -> None:
    start = datetime(2024, 12, 19, 23, 30, tzinfo=UTC)  # 00:30 on the 20th in Copenhagen
    firings = coming_firings(task("30 6 * * *", NonBankDay.SKIP), DANISH, start, days=1)
    assert [f.scheduled.isoformat() for f in firings] == ["2024-12-20T06:30:00+01:00"]


def test_no_schedule_or_disabled_has_no_firings() -> None:
    assert coming_firings(TaskConfig(), DANISH, at(2024, 12, 20)) == []
    assert coming_firings(task("0 7 * * *", enabled=False), DANISH, at(2024, 12, 20)) == []


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        coming_firings(task("0 7 * * *"), DANISH, datetime(2024, 12, 20))


def test_the_coming_days_are_marked_by_the_calendar() -> None:
    days = coming_days(DANISH, at(2024, 12, 20, 15))
    assert len(days) == 14
    assert days[0].day == date(2024, 12, 20)
    assert days[-1].day == date(2025, 1, 2)
    assert {d.day.isoformat(): d.closed for d in days if not d.bank_day} == {
        "2024-12-21": "weekend",
        "2024-12-22": "weekend",
        "2024-12-24": "helligdag",
        "2024-12-25": "helligdag",
        "2024-12-26": "helligdag",
        "2024-12-28": "weekend",
        "2024-12-29": "weekend",
        "2024-12-31": "helligdag",
        "2025-01-01": "helligdag",
    }
