"""The overview: `/` and `GET /api/overview`, a traffic light per bot and for the whole."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from runner.console.auth import AUTO_REFRESH, reader
from runner.console.context import Console, ConsoleDep, Identity
from runner.console.lights import BotFacts, Overview, overview
from runner.states import State
from runner.store import DueCounts

router = APIRouter()


@router.get("/")
async def overview_page(
    request: Request,
    _who: Annotated[Identity, Depends(reader)],
    app_console: ConsoleDep,
) -> Response:
    lights = await app_console.run(read_overview, app_console)
    return app_console.render(
        request, "overview.html", overview=lights, states=list(State), at=app_console.clock.now(),
        active="overview",
        refresh_s=app_console.settings.refresh_s, refresh_url=f"/?{AUTO_REFRESH}=1",
    )


@router.get("/api/overview")
async def overview_api(
    _who: Annotated[Identity, Depends(reader)],
    app_console: ConsoleDep,
) -> dict[str, Any]:
    lights = await app_console.run(read_overview, app_console)
    return lights.as_json()


def read_overview(app_console: Console) -> Overview:
    """The lights of the deployment's bots, from what the store says now."""
    store = app_console.store
    names = sorted(app_console.deployment.bots)
    states = store.bot_states()
    counts = store.count_by_state()
    due = store.due_counts(app_console.clock.as_of())
    last_runs = store.last_finished_runs()
    facts = []
    for name in names:
        state = states.get(name)
        facts.append(BotFacts(
            name=name,
            paused=bool(state and state.paused),
            pause_reason=state.reason if state else None,
            circuit_open=bool(state and state.circuit_open),
            counts={s: counts.get((name, s.value), 0) for s in State},
            due=due.get(name, DueCounts()),
            last_runs=tuple(run for (bot, _task), run in sorted(last_runs.items()) if bot == name),
        ))
    return overview(facts)
