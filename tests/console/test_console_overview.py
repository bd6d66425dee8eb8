"""The overview's traffic lights: the rules (pure), and `/` and `/api/overview` over a store."""

from __future__ import annotations

from datetime import date, timedelta

from runner.console import texts
from runner.console.lights import BotFacts, Light, bot_light, overview
from runner.states import ErrorKind, State, Trigger
from runner.store import Actor, DueCounts, NewItem, RunRecord
from tests.console.console_support import Console, csrf_of

TODAY = date(2024, 11, 18)


def run(state: str, task: str = "t") -> RunRecord:
    from datetime import UTC, datetime

    at = datetime(2024, 11, 18, 7, tzinfo=UTC)
    return RunRecord(1, "b", task, Trigger.SCHEDULE, None, state, TODAY, "scheduler", 0,
                     "boom" if state == "failed" else None, at, at)


def test_a_healthy_bot_is_green() -> None:
    light = bot_light(BotFacts("b", counts={State.DONE: 4}, last_runs=(run("finished"),)))
    assert (light.status, light.reasons) == (Light.GREEN, (texts.HEALTHY,))


def test_red_reasons_each_in_words_and_they_outrank_yellow() -> None:
    facts = BotFacts("b", paused=True, pause_reason="månedsafslutning",
                     due=DueCounts(overdue=2, due_soon=1), counts={State.BUSINESS_EXCEPTION: 3},
                     last_runs=(run("finished", "batches"), run("failed", "cases")))
    light = bot_light(facts)
    assert light.status is Light.RED
    assert light.reasons == (texts.paused("månedsafslutning"), texts.overdue(2),
                             texts.last_run_failed("cases"))
    assert "månedsafslutning" in light.reasons[0] and "2 emner" in light.reasons[1]


def test_an_open_circuit_says_so_instead_of_the_breakers_own_pause_reason() -> None:
    breaker = "circuit breaker: 5 consecutive system exceptions"
    light = bot_light(BotFacts("b", paused=True, pause_reason=breaker, circuit_open=True))
    assert light.reasons == (texts.CIRCUIT_OPEN,) and light.paused


def test_yellow_for_waiting_exceptions_or_an_item_due_within_a_day() -> None:
    waiting = bot_light(BotFacts("b", counts={State.BUSINESS_EXCEPTION: 1, State.SYSTEM_EXCEPTION: 2}))
    assert (waiting.status, waiting.reasons) == (Light.YELLOW, (texts.exceptions_waiting(3),))
    due = bot_light(BotFacts("b", due=DueCounts(due_soon=1)))
    assert (due.status, due.reasons) == (Light.YELLOW, ("1 emne forfalder inden for et døgn.",))
    assert bot_light(BotFacts("b", last_runs=(run("finished"),))).status is Light.GREEN


def test_the_whole_takes_the_worst_light_and_the_reasons_of_the_bots_that_have_it() -> None:
    whole = overview([BotFacts("a"), BotFacts("b", counts={State.SYSTEM_EXCEPTION: 1}),
                      BotFacts("c", circuit_open=True)])
    assert whole.status is Light.RED and whole.reasons == (f"c: {texts.CIRCUIT_OPEN}",)
    assert overview([BotFacts("a")]).reasons == (texts.ALL_HEALTHY,)
    assert overview([]).status is Light.GREEN


def _exception(console: Console, bot: str, task: str, reference: str) -> None:
    console.store.enqueue([NewItem(bot, task, reference, {})])
    [item] = console.store.claim("w", lease_s=60, as_of=TODAY, bots=[bot])
    console.store.fail(item.id, "w", kind=ErrorKind.BUSINESS, code="X_CODE", message="stopped")


def test_the_api_gives_each_bot_of_the_deployment_its_light_counts_and_reasons(console: Console) -> None:
    store = console.store
    store.set_paused(store.get_user("olga").actor(), "hello", True, "månedsafslutning")
    _exception(console, "termination_letters", "resignations", "case-1")
    tomorrow = TODAY + timedelta(days=1)
    store.enqueue([NewItem("termination_letters", "resignations", "case-2", {}, due=tomorrow)])
    store.enqueue([NewItem("not_deployed", "t", "x", {}, due=TODAY - timedelta(days=9))])
    answer = console.login().get("/api/overview").json()
    assert set(answer["bots"]) == {"hello", "termination_letters"}
    assert answer["status"] == "red" and answer["reasons"] == [f"hello: {texts.paused('månedsafslutning')}"]
    hello, letters = answer["bots"]["hello"], answer["bots"]["termination_letters"]
    assert (hello["status"], hello["paused"]) == ("red", True)
    assert letters == {"status": "yellow", "paused": False,
                       "reasons": [texts.exceptions_waiting(1), texts.due_soon(1)],
                       "counts": {**{s.value: 0 for s in State}, "new": 1, "business_exception": 1}}


def finished_run(console: Console, bot: str, task: str, error: str | None = None) -> None:
    started = console.store.start_run(bot=bot, task=task, trigger=Trigger.SCHEDULE,
                                      actor=Actor.scheduler(), as_of=TODAY)
    assert started is not None
    console.store.finish_run(started.id, enqueued=0, error=error)


def test_a_failed_last_run_and_an_item_past_due_turn_a_bot_red(console: Console) -> None:
    store = console.store
    finished_run(console, "hello", "greetings", error="the outbox is gone")
    finished_run(console, "termination_letters", "hourly_sweep", error="payroll was down")
    finished_run(console, "termination_letters", "hourly_sweep")  # the task's latest run: fine again
    finished_run(console, "termination_letters", "resignations")
    store.enqueue([NewItem("termination_letters", "resignations", "late", {}, due=TODAY - timedelta(days=1))])
    bots = console.login().get("/api/overview").json()["bots"]
    assert bots["hello"]["reasons"] == [texts.last_run_failed("greetings")]
    assert bots["termination_letters"]["reasons"] == [texts.overdue(1)]


def test_the_page_shows_every_light_in_words_and_reloads_itself_without_script(console: Console) -> None:
    _exception(console, "hello", "greetings", "anna")
    page = console.login().get("/")
    assert page.status_code == 200
    html = page.text
    assert '<meta http-equiv="refresh" content="30; url=/?auto=1">' in html and "<script" not in html
    assert 'id="bot-hello" data-status="yellow"' in html and texts.exceptions_waiting(1) in html
    assert 'id="bot-termination_letters" data-status="green"' in html
    assert "18. november 2024 kl. 09.00 CET" in html  # 08:00 UTC, in Copenhagen, zone shown
    assert texts.STATE_NAMES[State.BUSINESS_EXCEPTION] in html
    assert csrf_of(html)  # the logout form carries the token


def test_a_cpr_number_in_a_pause_reason_is_masked_on_the_page_and_in_the_api(console: Console) -> None:
    store = console.store
    store.set_paused(store.get_user("olga").actor(), "hello", True, "venter på 010190-1234")
    client = console.login()
    page, api = client.get("/").text, client.get("/api/overview").text
    for shown in (page, api):
        assert "010190-XXXX" in shown and "010190-1234" not in shown
