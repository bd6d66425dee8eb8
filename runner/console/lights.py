"""The overview's traffic lights: a bot's state in one colour and the reasons for it, in words.

Pure rules over what the store says (`BotFacts`); the worst light wins, for a bot and for
the whole deployment. Red needs someone now: the bot is paused, its circuit breaker is
open, an item waits past its due date, or the last run of one of its tasks failed. Yellow needs attention:
exceptions wait for a person, or an item is due within a day. Otherwise green.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from runner.console import texts
from runner.states import State
from runner.store import DueCounts, RunRecord


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}


@dataclass(frozen=True)
class BotFacts:
    """What the store knows of one bot that its light reads."""

    name: str
    paused: bool = False
    pause_reason: str | None = None
    circuit_open: bool = False
    counts: Mapping[State, int] = field(default_factory=dict)
    due: DueCounts = field(default_factory=DueCounts)
    last_runs: tuple[RunRecord, ...] = ()  # each task's latest finished run

    @property
    def exceptions(self) -> int:
        return sum(self.counts.get(state, 0) for state in State if state.is_exception)


@dataclass(frozen=True)
class BotLight:
    name: str
    status: Light
    reasons: tuple[str, ...]
    paused: bool
    counts: Mapping[State, int]

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status.value, "reasons": list(self.reasons), "paused": self.paused,
                "counts": {state.value: self.counts.get(state, 0) for state in State}}


@dataclass(frozen=True)
class Overview:
    status: Light
    reasons: tuple[str, ...]
    bots: tuple[BotLight, ...]

    def as_json(self) -> dict[str, Any]:
        """The shape of `GET /api/overview` (CONSOLE.md)."""
        return {"status": self.status.value, "reasons": list(self.reasons),
                "bots": {light.name: light.as_json() for light in self.bots}}


def bot_light(facts: BotFacts) -> BotLight:
    red = _red_reasons(facts)
    yellow = _yellow_reasons(facts)
    if red:
        status, reasons = Light.RED, red
    elif yellow:
        status, reasons = Light.YELLOW, yellow
    else:
        status, reasons = Light.GREEN, [texts.HEALTHY]
    return BotLight(facts.name, status, tuple(reasons), facts.paused, dict(facts.counts))


def overview(bots: Sequence[BotFacts]) -> Overview:
    """Every bot's light, and the whole's: the worst, with the reasons of the bots that have it."""
    lights = tuple(bot_light(facts) for facts in bots)
    worst = max((light.status for light in lights), key=lambda status: status.rank, default=Light.GREEN)
    if worst is Light.GREEN:
        return Overview(worst, (texts.ALL_HEALTHY,), lights)
    reasons = tuple(texts.bot_reason(light.name, reason)
                    for light in lights if light.status is worst for reason in light.reasons)
    return Overview(worst, reasons, lights)


def _red_reasons(facts: BotFacts) -> list[str]:
    reasons = []
    if facts.circuit_open:  # the breaker pauses the bot too; its own reason is the system's, in English
        reasons.append(texts.CIRCUIT_OPEN)
    elif facts.paused:
        reasons.append(texts.paused(facts.pause_reason))
    if facts.due.overdue:
        reasons.append(texts.overdue(facts.due.overdue))
    reasons += [texts.last_run_failed(run.task) for run in facts.last_runs if run.state == "failed"]
    return reasons


def _yellow_reasons(facts: BotFacts) -> list[str]:
    reasons = []
    if facts.exceptions:
        reasons.append(texts.exceptions_waiting(facts.exceptions))
    if facts.due.due_soon:
        reasons.append(texts.due_soon(facts.due.due_soon))
    return reasons
