"""One work item: `/items/{id}` and `GET /api/items/{id}`: why it stopped, its masked payload,
the decision, checkpoints, attempts, its audit trail and artifacts.

An item the user may not see (restricted to a role they lack) is as unknown as one that
does not exist: 404. The audit trail is shown to those the permission table lets read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.responses import Response

from runner.console import texts
from runner.console.auth import reader
from runner.console.context import Console, ConsoleDep, Identity
from runner.console.forms import FormField, changes, fields_of
from runner.errors import NotFound
from runner.permissions import Action, allowed
from runner.store import ArtifactRecord, AuditRecord, WorkItemRecord

router = APIRouter()

DECISION = "decision"  # the name of the checkpoint that holds an item's decision
MAX_ID_DIGITS = 18  # within a 64-bit integer column
DONE_ACTIONS = frozenset({"retry", "resolve", "reject", "assign", "release"})  # `?done=`: the notice shown


@dataclass(frozen=True)
class ItemView:
    """What the item page and its API twin show of one item, as one user may see it."""

    item: WorkItemRecord
    artifacts: tuple[ArtifactRecord, ...]
    audit: tuple[AuditRecord, ...] | None  # None: the user may not read the audit trail
    may_act: bool  # the user may handle exceptions and the item is one

    @property
    def decision(self) -> dict[str, Any] | None:
        return next((mark.receipt for mark in self.item.checkpoints if mark.name == DECISION), None)


def read_item(app_console: Console, who: Identity, item_id: int) -> ItemView:
    """The item as `who` may see it; NotFound when unknown or restricted to another role."""
    store, actor = app_console.store, who.actor
    item = store.get_item(actor, item_id)
    artifacts = tuple(store.list_artifacts(actor, item_id))
    audit = tuple(store.audit_trail(actor, item_id=item_id)) if allowed(actor, Action.READ_AUDIT) else None
    may_act = allowed(actor, Action.HANDLE_EXCEPTIONS) and item.state.is_exception
    return ItemView(item, artifacts, audit, may_act)


def payload_model(app_console: Console, item: WorkItemRecord) -> type[BaseModel] | None:
    """The task's payload model; None when the bot or task is not deployed here."""
    runtime = app_console.deployment.bots.get(item.bot)
    task = runtime.tasks.get(item.task) if runtime else None
    return task.task.payload if task else None


def correction_fields(app_console: Console, item: WorkItemRecord) -> list[FormField] | None:
    model = payload_model(app_console, item)
    return fields_of(model, item.payload) if model else None


def audit_json(entry: AuditRecord) -> dict[str, Any]:
    """An audit entry as `GET /api/audit` gives it (CONSOLE.md), with its details."""
    details = entry.details or {}
    before = details.get("old_payload", details.get("from", details.get("from_state")))
    after = details.get("new_payload", details.get("to"))
    return {"at": entry.at.isoformat(), "actor": entry.actor, "action": entry.action, "item": entry.item_id,
            "reason": entry.reason, "before": before, "after": after, "details": details}


def item_json(view: ItemView) -> dict[str, Any]:
    """`GET /api/items/{id}`: the list's keys plus what CONSOLE.md names (masked on the way out)."""
    item = view.item
    error = ({"kind": item.error.kind.value, "code": item.error.code, "message": item.error.message}
             if item.error else None)
    return {
        **item.summary(),
        "assigned_to": item.assigned_to,
        "max_attempts": item.max_attempts,
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
        "payload": item.payload,
        "error": error,
        "result": item.result,
        "decision": view.decision,
        "checkpoints": [{"name": mark.name, "attempt": mark.attempt, "at": mark.created_at.isoformat(),
                         "receipt": mark.receipt} for mark in item.checkpoints],
        "history": [audit_json(entry) for entry in view.audit or ()],
        "artifacts": [{"id": a.id, "kind": a.kind, "name": artifact_name(a), "attempt": a.attempt,
                       "size": a.size, "at": a.created_at.isoformat()} for a in view.artifacts],
    }


def artifact_name(artifact: ArtifactRecord) -> str:
    """The file's name only: where the store keeps it is nobody's business on a screen."""
    return PurePath(artifact.path).name


def render_item(app_console: Console, request: Request, view: ItemView, status: int = 200,
                **context: Any) -> Response:
    """The item page; the exception forms filled from the item, or as `context` gives them."""
    context.setdefault("fields", correction_fields(app_console, view.item) if view.may_act else None)
    context.setdefault("errors", {})
    context.setdefault("note", "")
    context.setdefault("reason", "")
    done = request.query_params.get("done")
    context.setdefault("done", texts.DONE_NOTICES[done] if done in DONE_ACTIONS else None)
    return app_console.render(request, "item.html", status, view=view, item=view.item, active="queue",
                              pretty=pretty_json, artifact_name=artifact_name, changes=changes, **context)


def pretty_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def parse_item_id(text: str) -> int:
    """An item's id from its URL; NotFound for what can be no id (`/items/abc`)."""
    if not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS:
        raise NotFound(f"no work item {text!r}")
    return int(text)


@router.get("/items/{item_id}")
async def item_page(
    request: Request,
    item_id: str,
    who: Annotated[Identity, Depends(reader)],
    app_console: ConsoleDep,
) -> Response:
    view = await app_console.run(read_item, app_console, who, parse_item_id(item_id))
    return render_item(app_console, request, view)


@router.get("/api/items/{item_id}")
async def item_api(
    item_id: str,
    who: Annotated[Identity, Depends(reader)],
    app_console: ConsoleDep,
) -> dict[str, Any]:
    view = await app_console.run(read_item, app_console, who, parse_item_id(item_id))
    return item_json(view)
