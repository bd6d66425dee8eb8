"""The queue: `/queue` and `GET /api/items`, every work item the user may see, filtered by
what the URL says (so a view can be bookmarked) and paged by id (keyset: `after` is the last
id of the page before).

Items a bot restricted to a role the user lacks are left out of the list by the store
(`QueueStore.list_items`); the counts per state count them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from runner.console import texts
from runner.console.auth import reader
from runner.console.context import Console, ConsoleDep, Identity, MaskedJSONResponse
from runner.console.form_errors import NOT_A_DATE
from runner.states import State
from runner.store import Actor, WorkItemRecord

router = APIRouter()

DEFAULT_LIMIT, MAX_LIMIT = 50, 500
TEXT_FILTERS = ("bot", "task", "code", "reference", "assignee")


@dataclass(frozen=True)
class QueueFilter:
    """What a queue view shows: the filters of the URL, the page size and where the page starts."""

    bot: str | None = None
    task: str | None = None
    states: tuple[State, ...] = ()
    code: str | None = None
    reference: str | None = None
    assignee: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive: the whole day
    limit: int = DEFAULT_LIMIT
    after: int | None = None

    def query(self, **changed: Any) -> str:
        """This view's query string, with `changed` filters (None drops one); the page starts over."""
        values: dict[str, Any] = {name: getattr(self, name) for name in (*TEXT_FILTERS, "since", "until")}
        values.update(state=[s.value for s in self.states],
                      limit=self.limit if self.limit != DEFAULT_LIMIT else None, after=None)
        values.update(changed)
        pairs: list[tuple[str, str]] = []
        for name, value in values.items():
            if isinstance(value, list | tuple):
                pairs += [(name, str(one)) for one in value]
            elif value is not None and value != "":
                pairs.append((name, value.isoformat() if isinstance(value, date) else str(value)))
        return urlencode(pairs)

    def store_filters(self, zone: ZoneInfo) -> dict[str, Any]:
        """The filters as `list_items` takes them; days are the console's zone's days."""
        return {
            "bot": self.bot, "task": self.task, "states": self.states or None, "code": self.code,
            "reference": self.reference, "assignee": self.assignee,
            "since": _start_of(self.since, zone) if self.since else None,
            "until": _start_of(self.until + timedelta(days=1), zone) if self.until else None,
        }


@dataclass(frozen=True)
class QueuePage:
    items: tuple[WorkItemRecord, ...]
    next: str | None
    counts: Mapping[State, int] = field(default_factory=dict)


def parse_filter(params: Mapping[str, str], states: list[str]) -> tuple[QueueFilter, dict[str, str]]:
    """The view a query string asks for, and the Danish errors by parameter (then the defaults)."""
    errors: dict[str, str] = {}
    text = {name: (params.get(name) or "").strip() or None for name in TEXT_FILTERS}
    chosen: list[State] = []
    for value in (s for s in states if s):
        try:
            chosen.append(State(value))
        except ValueError:
            errors["state"] = texts.NOT_A_STATE
    since, until = _day(params, "since", errors), _day(params, "until", errors)
    limit = _whole(params, "limit", errors, texts.LIMIT_RANGE, low=1, high=MAX_LIMIT)
    after = _whole(params, "after", errors, texts.NOT_A_CURSOR, low=0, high=None)
    view = QueueFilter(**text, states=tuple(chosen), since=since, until=until,
                       limit=limit or DEFAULT_LIMIT, after=after)
    return view, errors


def read_queue(app_console: Console, actor: Actor, view: QueueFilter) -> QueuePage:
    """One page of the items `actor` may see, and the counts per state of the bot filtered by."""
    store = app_console.store
    found = store.list_items(actor, **view.store_filters(app_console.settings.timezone),
                             after_id=view.after, limit=view.limit + 1)
    items = tuple(found[:view.limit])
    cursor = str(items[-1].id) if len(found) > view.limit else None
    counts = dict.fromkeys(State, 0)
    for (bot, state), count in store.count_by_state().items():
        if (view.bot is None or bot == view.bot) and state in counts:
            counts[State(state)] += count
    return QueuePage(items, cursor, counts)


def overdue(record: WorkItemRecord, as_of: date) -> bool:
    """An open item past its due date (it stands out in the list)."""
    return record.due is not None and record.due < as_of and not record.state.is_final


def lease_expired(record: WorkItemRecord, now: datetime) -> bool:
    """In progress, but the worker holding it has not renewed its lease: likely gone."""
    expires = record.lease_expires
    return record.state is State.IN_PROGRESS and expires is not None and expires < now


def item_row(record: WorkItemRecord) -> dict[str, Any]:
    """An item as the list shows it: `rpa queue ls --json`'s keys, and who it is assigned to."""
    return {**record.summary(), "assigned_to": record.assigned_to}


@router.get("/queue")
async def queue_page(
    request: Request,
    who: Annotated[Identity, Depends(reader)],
    app_console: ConsoleDep,
) -> Response:
    view, errors = parse_filter(request.query_params, request.query_params.getlist("state"))
    page = QueuePage((), None) if errors else await app_console.run(read_queue, app_console, who.actor, view)
    return app_console.render(
        request, "queue.html", 422 if errors else 200, view=view, page=page, errors=errors,
        states=list(State), bots=sorted(app_console.deployment.bots), active="queue",
        overdue=overdue, lease_expired=lease_expired,
        as_of=app_console.clock.as_of(), now=app_console.clock.now(),
    )


@router.get("/api/items")
async def items_api(
    request: Request,
    who: Annotated[Identity, Depends(reader)],
    app_console: ConsoleDep,
) -> Response:
    view, errors = parse_filter(request.query_params, request.query_params.getlist("state"))
    if errors:
        found = [{"loc": ["query", name], "msg": msg} for name, msg in errors.items()]
        return MaskedJSONResponse({"errors": found}, status_code=422)
    page = await app_console.run(read_queue, app_console, who.actor, view)
    return MaskedJSONResponse({"items": [item_row(record) for record in page.items], "next": page.next})


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _day(params: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = NOT_A_DATE
        return None


def _whole(params: Mapping[str, str], name: str, errors: dict[str, str], message: str, *,
           low: int, high: int | None) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        errors[name] = message
        return None
    return int(raw)
