"""One item and the exception actions: `/items/{id}`, `GET /api/items/{id}`, and retry (with
corrected data), resolve, reject, assign and release as page forms and API calls, per role."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from runner.console import texts
from runner.console.form_errors import REQUIRED
from runner.passwords import hash_password
from runner.states import ErrorKind, State
from runner.store import Actor, NewItem
from tests.console.console_support import PASSWORD, Console, csrf_of
from tests.console.test_console_queue import TODAY, exception

CPR = "010190-1234"
MASKED = "010190-XXXX"
ROLES = {"olga": "operator", "otto": "ops", "paula": "process_owner", "admin": "admin", "nobody": None}
VERBS = ("retry", "resolve", "reject", "assign", "release")
BODIES: dict[str, dict[str, Any]] = {"retry": {}, "resolve": {"note": "betalt manuelt"},
                                     "reject": {"reason": "dublet"}, "assign": {}, "release": {}}


@pytest.fixture
def paula(console: Console) -> str:
    admin = console.store.get_user("admin").actor()
    console.store.add_user(admin, "paula", ["process_owner"])
    console.store.set_password(admin, "paula", hash_password(PASSWORD))
    return "paula"


def stopped(console: Console, name: str = f"Anna {CPR}") -> int:
    reference = name.lower().replace(" ", "-")
    return exception(console, "hello", "greetings", reference, {"name": name}, "NAME_MISSING")


def api(console: Console, name: str) -> TestClient:
    client = console.browser()
    client.headers["Authorization"] = f"Bearer {console.token(name)}"
    return client


def state_of(console: Console, item_id: int) -> State:
    return console.store.get_item(Actor.worker("test"), item_id).state


def test_every_route_answers_each_role_as_the_table_says(console: Console, paula: str) -> None:
    item = stopped(console)
    for name, role in ROLES.items():
        client = console.browser()
        form = client.get("/login")
        client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf_of(form.text)})
        reading = 403 if role is None else 200
        for path in ("/queue", f"/items/{item}", "/api/items", f"/api/items/{item}"):
            assert client.get(path).status_code == reading, (name, path)
        token = api(console, name)
        for verb in VERBS:
            acting = 200 if role == "ops" else 403
            if verb in ("retry", "resolve", "reject"):  # each would end the exception: try on a copy
                target = stopped(console, f"copy {verb} {name}") if role == "ops" else item
            else:
                target = item
            answer = token.post(f"/api/items/{target}/{verb}", json=BODIES[verb])
            assert answer.status_code == acting, (name, verb, answer.text)
            if acting == 403:
                assert answer.json() == {"error": texts.ROLE_MISSING}
            page = client.get(f"/items/{target}")
            data = {"csrf_token": csrf_of(page.text), **BODIES[verb]} if page.status_code == 200 else {}
            if role is None:  # no role: not even the page; its token comes from the login form
                data = {"csrf_token": csrf_of(form.text), **BODIES[verb]}
            sent = client.post(f"/items/{target}/{verb}", data=data)
            assert sent.status_code in ((303, 409) if role == "ops" else (403,)), (name, verb, sent.text)
    assert state_of(console, item) is State.BUSINESS_EXCEPTION


def test_without_login_pages_go_to_login_and_the_api_is_401(console: Console) -> None:
    item = stopped(console)
    client = console.browser()
    for path in ("/queue", f"/items/{item}"):
        assert client.get(path).headers["location"] == "/login"
    for path in ("/api/items", f"/api/items/{item}"):
        assert client.get(path).status_code == 401
    for verb in VERBS:
        assert client.post(f"/api/items/{item}/{verb}", json=BODIES[verb]).status_code == 401
        assert client.post(f"/items/{item}/{verb}", data=BODIES[verb]).status_code == 303
    assert client.post(f"/items/{item}/correct", data={"name": "x"}).status_code == 303
    assert state_of(console, item) is State.BUSINESS_EXCEPTION


def test_the_item_shows_why_it_stopped_its_masked_payload_decision_checkpoints_and_files(
    console: Console,
) -> None:
    store = console.store
    store.enqueue([NewItem("hello", "greetings", "anna", {"name": f"Anna {CPR}"})])
    [claimed] = store.claim("w", lease_s=60, as_of=TODAY, bots=["hello"])
    item = claimed.id
    store.add_checkpoint(item, "w", "decision", {"outcome": "exception", "code": "NAME_MISSING"}, 1)
    store.add_checkpoint(item, "w", "letter_written", {"path": f"/srv/out/{CPR}.txt"}, 1)
    store.fail(item, "w", kind=ErrorKind.BUSINESS, code="NAME_MISSING", message=f"stopped for {CPR}")
    store.add_artifact(item, kind="screenshot", path="/var/rpa/artifacts/7/fejl.png", attempt=1, size=10)
    body = console.login().get(f"/api/items/{item}").json()
    assert {"id", "bot", "task", "reference", "state", "attempts", "code", "due", "payload", "error",
            "decision", "checkpoints", "history", "artifacts"} <= set(body)
    assert body["payload"] == {"name": f"Anna {MASKED}"} and body["code"] == "NAME_MISSING"
    assert body["error"] == {"kind": "business", "code": "NAME_MISSING", "message": f"stopped for {MASKED}"}
    assert body["decision"] == {"outcome": "exception", "code": "NAME_MISSING"}
    assert [mark["name"] for mark in body["checkpoints"]] == ["decision", "letter_written"]
    assert [a["name"] for a in body["artifacts"]] == ["fejl.png"]
    page = console.client.get(f"/items/{item}").text
    assert CPR not in page and MASKED in page and "fejl.png" in page and "/var/rpa" not in page
    assert texts.STATE_NAMES[State.BUSINESS_EXCEPTION].replace(texts.SOFT_HYPHEN, "") in page
    assert texts.ACTIONS_TITLE not in page  # an operator may read, not act


def test_an_unknown_or_restricted_item_is_404(console: Console) -> None:
    hidden = exception(console, "hello", "greetings", "s", {"name": "x"}, visible_to="attest_reader")
    client = console.login("otto")
    for path in (f"/items/{hidden}", "/items/999", "/items/abc", "/items/99999999999999999999"):
        assert client.get(path).status_code == 404, path
    for path in (f"/api/items/{hidden}", "/api/items/999", "/api/items/abc"):
        assert client.get(path).json() == {"error": texts.NOT_FOUND}, path
    assert api(console, "otto").post(f"/api/items/{hidden}/resolve", json={"note": "x"}).status_code == 404
    assert state_of(console, hidden) is State.BUSINESS_EXCEPTION


def test_the_audit_trail_is_for_those_who_may_read_it(console: Console, paula: str) -> None:
    item = stopped(console)
    api(console, "otto").post(f"/api/items/{item}/assign")
    history = console.login("olga").get(f"/api/items/{item}").json()["history"]
    assert [entry["action"] for entry in history] == ["assign"]
    other = console.browser()
    form = other.get("/login")
    other.post("/login", data={"username": "paula", "password": PASSWORD, "csrf_token": csrf_of(form.text)})
    assert other.get(f"/api/items/{item}").json()["history"] == []
    assert texts.AUDIT_HIDDEN in other.get(f"/items/{item}").text


def test_retry_with_corrected_data_audits_the_actor_and_old_and_new_payload(console: Console) -> None:
    item = stopped(console)
    otto = api(console, "otto")
    answer = otto.post(f"/api/items/{item}/retry", json={"payload": {"name": "Anna Berg"}})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["state"], answer.json()["payload"]) == ("new", {"name": "Anna Berg"})
    [entry] = answer.json()["history"]
    assert (entry["actor"], entry["action"]) == ("otto", "retry")
    assert (entry["before"], entry["after"]) == ({"name": f"Anna {MASKED}"}, {"name": "Anna Berg"})


def test_a_corrected_payload_the_model_refuses_is_422_by_field_and_changes_nothing(console: Console) -> None:
    item = stopped(console)
    otto = api(console, "otto")
    for payload, loc, msg in (({"name": ""}, ["payload", "name"], REQUIRED),
                              ({}, ["payload", "name"], REQUIRED),
                              ({"name": "x", "age": 3}, ["payload", "age"], "Ukendt felt")):
        answer = otto.post(f"/api/items/{item}/retry", json={"payload": payload})
        assert answer.status_code == 422, answer.text
        assert {"loc": loc, "msg": msg} in answer.json()["errors"]
    for body in ({"payload": "x"}, {"payload": {}, "other": 1}, [1]):
        assert otto.post(f"/api/items/{item}/retry", json=body).status_code == 422
    assert state_of(console, item) is State.BUSINESS_EXCEPTION
    assert console.store.audit_trail(console.store.get_user("admin").actor(), item_id=item) == []


def test_resolve_and_reject_need_their_text_and_an_item_no_longer_waiting_is_409(console: Console) -> None:
    item = stopped(console)
    otto = api(console, "otto")
    for verb, key in (("resolve", "note"), ("reject", "reason")):
        for body in ({}, {key: "  "}):
            answer = otto.post(f"/api/items/{item}/{verb}", json=body)
            assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["body", key]
    done = otto.post(f"/api/items/{item}/resolve", json={"note": "betalt manuelt"})
    assert (done.status_code, done.json()["state"]) == (200, "resolved")
    assert done.json()["history"][0]["reason"] == "betalt manuelt"
    for verb in VERBS:
        answer = otto.post(f"/api/items/{item}/{verb}", json=BODIES[verb])
        assert (answer.status_code, answer.json()) == (409, {"error": texts.NOT_AN_EXCEPTION}), verb
    assert otto.post(f"/api/items/{item}/reject", json={}).status_code == 409  # the state goes first
    assert state_of(console, item) is State.RESOLVED
    trail = console.store.audit_trail(console.store.get_user("admin").actor(), item_id=item)
    assert [(e.actor, e.action) for e in trail] == [("otto", "resolve")]


def test_assign_to_me_and_release(console: Console) -> None:
    item = stopped(console)
    otto = api(console, "otto")
    assert otto.post(f"/api/items/{item}/assign").json()["assigned_to"] == "otto"
    assert console.login("otto").get("/api/items?assignee=otto").json()["items"][0]["id"] == item
    assert texts.ASSIGNED_TO_YOU in console.client.get(f"/items/{item}").text
    assert otto.post(f"/api/items/{item}/release").json()["assigned_to"] is None
    trail = console.store.audit_trail(console.store.get_user("admin").actor(), item_id=item)
    assert [(e.actor, e.action) for e in trail] == [("otto", "release"), ("otto", "assign")]


def test_the_page_forms_show_errors_beside_the_field_and_change_nothing_until_right(console: Console) -> None:
    item = stopped(console)
    client = console.login("otto")
    page = client.get(f"/items/{item}").text
    token = csrf_of(page)
    assert texts.CORRECT_TITLE in page and f'value="Anna {MASKED}"' in page
    wrong = client.post(f"/items/{item}/correct", data={"csrf_token": token, "name": ""})
    assert wrong.status_code == 422
    assert f'<p class="field-error" id="field-name-error">{REQUIRED}</p>' in wrong.text
    assert texts.CORRECT_INVALID in wrong.text
    assert state_of(console, item) is State.BUSINESS_EXCEPTION
    unchanged = client.post(f"/items/{item}/correct", data={"csrf_token": token, "name": f"Anna {MASKED}"})
    assert (unchanged.status_code, unchanged.headers["location"]) == (303, f"/items/{item}?done=retry")
    record = console.store.get_item(console.store.get_user("admin").actor(), item)
    assert record.state is State.NEW and record.payload == {"name": f"Anna {CPR}"}  # the mask is no new value
    assert texts.DONE_NOTICES["retry"] in client.get(unchanged.headers["location"]).text


def test_resolve_and_reject_forms_need_their_text(console: Console) -> None:
    first, second = stopped(console), stopped(console, "Bo")
    client = console.login("otto")
    token = csrf_of(client.get(f"/items/{first}").text)
    empty = client.post(f"/items/{first}/resolve", data={"csrf_token": token, "note": " "})
    assert empty.status_code == 422 and 'id="resolve-note-error"' in empty.text
    assert state_of(console, first) is State.BUSINESS_EXCEPTION
    def post(item: int, verb: str, **data: str) -> int:
        return client.post(f"/items/{item}/{verb}", data={"csrf_token": token, **data}).status_code

    assert post(first, "resolve", note="ok") == 303
    assert post(second, "reject", reason="") == 422
    assert post(second, "reject", reason="dublet") == 303
    assert (state_of(console, first), state_of(console, second)) == (State.RESOLVED, State.REJECTED)
    again = client.post(f"/items/{first}/retry", data={"csrf_token": token})
    assert again.status_code == 409 and texts.NOT_AN_EXCEPTION in again.text
    assert client.post(f"/items/{first}/correct", data={"csrf_token": token, "name": "x"}).status_code == 409


def test_a_page_action_without_the_csrf_token_is_refused(console: Console) -> None:
    item = stopped(console)
    client = console.login("otto")
    for verb in VERBS:
        assert client.post(f"/items/{item}/{verb}", data=BODIES[verb]).status_code == 403
        assert client.post(f"/api/items/{item}/{verb}", json=BODIES[verb]).status_code == 403  # no header
    forged = {"name": "x", "csrf_token": "forged"}
    assert client.post(f"/items/{item}/correct", data=forged).status_code == 403
    assert state_of(console, item) is State.BUSINESS_EXCEPTION
