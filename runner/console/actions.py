"""The exception actions (ops): retry, retry with corrected data, resolve, reject, assign to
me and release, as forms on the item page and as `POST /api/items/{id}/...`.

Each is checked in the same order on both paths: the role (403), the item (404), its state
(409: not waiting for a person, nothing done), the input (422: nothing done); then the
exception desk acts, runs the bot's hook on resolve and reject, and the store audits it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.responses import Response

from runner.console import texts
from runner.console.auth import allowed_to
from runner.console.context import Console, ConsoleDep, Identity, MaskedJSONResponse
from runner.console.form_errors import REQUIRED, api_errors
from runner.console.forms import FormField, read_form
from runner.console.items import (
    correction_fields,
    item_json,
    parse_item_id,
    payload_model,
    read_item,
    render_item,
)
from runner.errors import InvalidTransition, NotFound
from runner.exceptions import ExceptionDesk
from runner.permissions import Action
from runner.redact import redact_text
from runner.store import WorkItemRecord

router = APIRouter()
handler = allowed_to(Action.HANDLE_EXCEPTIONS)

Verb = Literal["retry", "resolve", "reject", "assign", "release"]
VERBS: tuple[Verb, ...] = ("retry", "resolve", "reject", "assign", "release")
TEXT_OF: Mapping[str, str] = {"resolve": "note", "reject": "reason"}  # the text an action needs


class RetryBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payload: dict[str, Any] | None = None


class NoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str


class ReasonBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str


BODIES: Mapping[str, type[BaseModel]] = {"retry": RetryBody, "resolve": NoteBody, "reject": ReasonBody}


class Invalid(Exception):
    """Raised when an action's input is refused: the errors as the API's 422 gives them."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("invalid input")
        self.errors = errors


def exception_item(app_console: Console, who: Identity, item_id: int) -> WorkItemRecord:
    """The item, when it waits for a person; NotFound, or InvalidTransition (409) when not."""
    item = app_console.store.get_item(who.actor, item_id)
    if not item.state.is_exception:
        raise InvalidTransition(f"item {item_id} is {item.state.value}, not in the exception queue")
    return item


def act(app_console: Console, who: Identity, item_id: int, verb: Verb, *, text: str | None = None,
        payload: dict[str, Any] | None = None) -> WorkItemRecord:
    """Do `verb` on the item as `who` (on a store thread: the desk runs hooks and store calls)."""
    exception_item(app_console, who, item_id)
    store, actor = app_console.store, who.actor
    if verb == "assign":
        return store.assign_item(actor, item_id, to=actor.name)
    if verb == "release":
        return store.assign_item(actor, item_id, to=None)
    desk = ExceptionDesk(store, app_console.deployment, actor, clock=app_console.clock)
    if verb == "retry":
        return desk.retry(item_id, payload=payload)
    if verb == "resolve":
        return desk.resolve(item_id, text or "")
    return desk.reject(item_id, text or "")


def checked_payload(app_console: Console, item: WorkItemRecord, payload: dict[str, Any]) -> dict[str, Any]:
    """The corrected payload as the task's model reads it; Invalid with its errors by field."""
    model = payload_model(app_console, item)
    if model is None:
        raise Invalid([{"loc": ["payload"], "msg": texts.UNSUPPORTED_PAYLOAD}])
    try:
        return model.model_validate(payload).model_dump(mode="json")
    except ValidationError as invalid:
        errors = api_errors(invalid)
        raise Invalid([{**error, "loc": ["payload", *error["loc"]]} for error in errors]) from None


def correct_from_api(app_console: Console, who: Identity, item_id: int,
                     payload: dict[str, Any]) -> WorkItemRecord:
    item = exception_item(app_console, who, item_id)
    return act(app_console, who, item_id, "retry", payload=checked_payload(app_console, item, payload))


# -- the API -------------------------------------------------------------------------------


async def _body(request: Request, verb: Verb) -> dict[str, Any]:
    """The JSON body an action takes (none at all is `{}`); Invalid when it is not that."""
    raw = await request.body()
    try:
        data = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise Invalid([{"loc": ["body"], "msg": texts.INVALID_INPUT}]) from None
    if not isinstance(data, dict):
        raise Invalid([{"loc": ["body"], "msg": texts.INVALID_INPUT}])
    model = BODIES.get(verb)
    if model is None:
        return {}
    try:
        body = model.model_validate(data).model_dump()
    except ValidationError as invalid:
        raise Invalid([{**e, "loc": ["body", *e["loc"]]} for e in api_errors(invalid)]) from None
    name = TEXT_OF.get(verb)
    if name is not None and not body[name].strip():
        raise Invalid([{"loc": ["body", name], "msg": REQUIRED}])
    return body


async def _api_action(request: Request, item_id: str, verb: Verb, who: Identity,
                      app_console: Console) -> Response:
    number = parse_item_id(item_id)
    try:
        body = await _body(request, verb)
        if verb == "retry" and body.get("payload") is not None:
            record = await app_console.run(correct_from_api, app_console, who, number, body["payload"])
        else:
            text = body.get(TEXT_OF.get(verb, ""))
            record = await app_console.run(act, app_console, who, number, verb, text=text)
    except Invalid as invalid:
        # a 404 or 409 goes first: what is wrong with the item outweighs what is wrong with the input
        await app_console.run(exception_item, app_console, who, number)
        return MaskedJSONResponse({"errors": invalid.errors}, status_code=422)
    view = await app_console.run(read_item, app_console, who, record.id)
    return MaskedJSONResponse(item_json(view))


def _api_route(verb: Verb) -> Any:
    async def route(request: Request, item_id: str, who: Annotated[Identity, Depends(handler)],
                    app_console: ConsoleDep) -> Response:
        return await _api_action(request, item_id, verb, who, app_console)

    route.__name__ = f"{verb}_api"
    return route


for _verb in VERBS:
    router.add_api_route(f"/api/items/{{item_id}}/{_verb}", _api_route(_verb), methods=["POST"])


# -- the page's forms ----------------------------------------------------------------------


def _done(item_id: int, verb: Verb) -> Response:
    return RedirectResponse(f"/items/{item_id}?done={verb}", status_code=303)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


def _page_route(verb: Verb) -> Any:
    async def route(request: Request, item_id: str, who: Annotated[Identity, Depends(handler)],
                    app_console: ConsoleDep) -> Response:
        number = parse_item_id(item_id)
        form = await _form(request)
        name = TEXT_OF.get(verb)
        text = (form.get(name) or "").strip() if name else None
        if name is not None and not text:
            await app_console.run(exception_item, app_console, who, number)
            view = await app_console.run(read_item, app_console, who, number)
            return render_item(app_console, request, view, 422, errors={name: REQUIRED})
        await app_console.run(act, app_console, who, number, verb, text=text)
        return _done(number, verb)

    route.__name__ = f"{verb}_page"
    return route


for _verb in VERBS:
    router.add_api_route(f"/items/{{item_id}}/{_verb}", _page_route(_verb), methods=["POST"])


@router.post("/items/{item_id}/correct")
async def correct_page(request: Request, item_id: str, who: Annotated[Identity, Depends(handler)],
                       app_console: ConsoleDep) -> Response:
    """Retry with the data of the generated form; the form again with errors by field, nothing done."""
    number = parse_item_id(item_id)
    form = await _form(request)
    item = await app_console.run(exception_item, app_console, who, number)
    model = payload_model(app_console, item)
    fields = correction_fields(app_console, item)
    if model is None or fields is None:
        raise NotFound(f"no payload model for {item.bot}/{item.task}")
    payload, errors = read_form(model, unmasked(fields, form))
    if payload is None:
        view = await app_console.run(read_item, app_console, who, number)
        return render_item(app_console, request, view, 422, fields=submitted(fields, form),
                           errors={"fields": errors})
    await app_console.run(act, app_console, who, number, "retry", payload=payload)
    return _done(number, "retry")


def unmasked(fields: list[FormField], form: Mapping[str, str]) -> dict[str, str]:
    """The form as sent, with a field the page showed masked (it held a CPR number) and that
    came back unchanged given its stored value again: the mask is no new value."""
    data = dict(form)
    for field in fields:
        shown = redact_text(field.value)
        if shown != field.value and data.get(field.name) == shown:
            data[field.name] = field.value
    return data


def submitted(fields: list[FormField], form: Mapping[str, str]) -> list[FormField]:
    """The form's fields with what the person typed, to show again beside the errors."""
    again = []
    for field in fields:
        if field.kind == "checkbox":
            again.append(replace(field, value="true" if field.name in form else ""))
        else:
            again.append(replace(field, value=form.get(field.name, "")))
    return again

