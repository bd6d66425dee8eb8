"""Who gets in: the status codes of CONSOLE.md's table, sessions, CSRF, lock-out, tokens."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from runner.console import create_app, texts
from runner.console.session import COOKIE
from runner.passwords import token_hash
from tests.console.console_support import IDLE, PASSWORD, Console, csrf_of


def test_healthz_answers_without_login(console: Console) -> None:
    answer = console.client.get("/healthz")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})
    assert COOKIE not in answer.headers.get("set-cookie", "")


def test_without_login_pages_go_to_login_and_the_api_is_401(console: Console) -> None:
    for path in ("/", "/no-such-page", "/static/../"):
        answer = console.client.get(path)
        assert (answer.status_code, answer.headers["location"]) == (303, "/login"), path
    for path in ("/api/overview", "/api/no-such-thing"):
        answer = console.client.get(path)
        assert answer.status_code == 401, path
        assert answer.json() == {"error": texts.NOT_LOGGED_IN}
        assert answer.headers["www-authenticate"] == "Bearer"
    assert console.client.post("/logout").status_code in (303, 403)


def test_every_answer_carries_the_security_headers(console: Console) -> None:
    for path in ("/login", "/", "/api/overview", "/healthz", "/static/console.css"):
        headers = console.client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert (headers.get("cache-control") == "no-store") == (not path.startswith("/static/")), path


def test_login_with_a_wrong_password_shows_a_danish_error(console: Console) -> None:
    form = console.client.get("/login")
    assert form.status_code == 200 and 'lang="da"' in form.text
    answer = console.client.post("/login", data={"username": "olga", "password": "forkert",
                                                 "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 401 and texts.LOGIN_FAILED in answer.text
    empty = console.client.post("/login", data={"username": "olga", "csrf_token": csrf_of(form.text)})
    assert empty.status_code == 422 and texts.LOGIN_MISSING in empty.text
    odd = console.client.post("/login", data={"username": "olga\n", "password": "x" * 3,
                                              "csrf_token": csrf_of(form.text)})
    assert odd.status_code == 401


def test_login_opens_the_page_asked_for_and_never_another_site(console: Console) -> None:
    assert console.client.get("/api/../").status_code == 303
    console.client.get("/?bot=hello")  # remembered: after login, back there
    form = console.client.get("/login")
    answer = console.client.post("/login", data={"username": "olga", "password": PASSWORD,
                                                 "csrf_token": csrf_of(form.text)})
    assert (answer.status_code, answer.headers["location"]) == (303, "/?bot=hello")
    assert console.client.get("/login").headers["location"] == "/"  # logged in: no form
    from runner.console.auth import _safe_next

    assert [_safe_next(p) for p in ("//evil.example", "/\\evil", "https://evil", "/login", None, "/x")] == [
        "/", "/", "/", "/", "/", "/x"]


def test_the_session_cookie_is_http_only_lax_and_secure_over_https(console: Console) -> None:
    plain = console.client.get("/login").headers["set-cookie"]
    assert "HttpOnly" in plain and "SameSite=lax" in plain and "Secure" not in plain
    secure = console.browser(https=True).get("/login").headers["set-cookie"]
    assert "Secure" in secure


def test_a_tampered_cookie_is_no_session(console: Console) -> None:
    console.login()
    value = console.client.cookies[COOKIE]
    console.client.cookies.set(COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert console.client.get("/").status_code == 303


def test_lockout_after_five_failures_even_with_the_right_password_and_audited(console: Console) -> None:
    form = console.client.get("/login")
    token = csrf_of(form.text)

    def attempt(password: str) -> int:
        data = {"username": "olga", "password": password, "csrf_token": token}
        answer = console.client.post("/login", data=data)
        if answer.status_code == 429:
            assert texts.login_locked(15) in answer.text
        return answer.status_code

    assert [attempt("forkert") for _ in range(5)] == [401, 401, 401, 401, 429]
    assert attempt(PASSWORD) == 429
    admin = console.store.get_user("admin").actor()
    locks = [e for e in console.store.audit_trail(admin) if e.action == "login_locked"]
    assert len(locks) == 1 and locks[0].details == {"user": "olga"}
    console.clock.advance(15 * 60 + 1)
    assert attempt(PASSWORD) == 303


def test_a_post_without_the_csrf_token_is_refused(console: Console) -> None:
    console.login()
    for data in ({}, {"csrf_token": "not-the-token"}):
        answer = console.client.post("/logout", data=data)
        assert answer.status_code == 403 and texts.CSRF_FAILED in answer.text
    assert console.client.get("/").status_code == 200  # still logged in
    other = console.browser()
    assert other.post("/login", data={"username": "olga", "password": PASSWORD}).status_code == 403


def test_logout_ends_the_session_and_a_copy_of_its_cookie(console: Console) -> None:
    console.login()
    page = console.client.get("/")
    copy = console.client.cookies[COOKIE]
    answer = console.client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert texts.LOGGED_OUT in console.client.get("/login").text
    assert console.client.get("/").status_code == 303
    stolen = console.browser()
    stolen.cookies.set(COOKIE, copy)
    assert stolen.get("/").status_code == 303


def test_an_idle_session_expires_and_says_so(console: Console) -> None:
    console.login()
    console.clock.advance(IDLE.total_seconds() - 60)
    assert console.client.get("/").status_code == 200  # used: the idle time starts again
    console.clock.advance(IDLE.total_seconds() - 60)
    assert console.client.get("/?auto=1").status_code == 200  # the page's own reload is not use
    console.clock.advance(61)
    answer = console.client.get("/")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert texts.session_expired(30) in console.client.get("/login").text


def test_a_session_ends_after_its_lifetime_however_used(console: Console) -> None:
    console.login()
    for _ in range(12 * 2):
        console.clock.advance(timedelta(minutes=29).total_seconds())
        console.client.get("/")
    console.clock.advance(timedelta(minutes=29).total_seconds())
    assert console.client.get("/").status_code == 303


def test_a_bearer_token_acts_as_its_user_without_csrf(console: Console) -> None:
    token = console.token("olga")
    client = console.browser()
    answer = client.get("/api/overview", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and set(answer.json()) == {"status", "reasons", "bots"}
    assert COOKIE not in answer.headers.get("set-cookie", "")
    assert client.post("/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 303
    refused = client.get("/api/overview", headers={"Authorization": "Bearer rpa_not-a-token"})
    assert refused.status_code == 401 and refused.json() == {"error": texts.TOKEN_INVALID}
    console.store.revoke_tokens(console.store.get_user("admin").actor(), "olga")
    assert client.get("/api/overview", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_user_without_a_role_is_refused_with_403(console: Console) -> None:
    console.login("nobody")
    page = console.client.get("/")
    assert page.status_code == 403 and texts.NO_ROLE in page.text
    api = console.client.get("/api/overview")
    assert (api.status_code, api.json()) == (403, {"error": texts.NO_ROLE})


def test_unknown_routes_are_404_in_danish_once_logged_in(console: Console) -> None:
    console.login()
    page = console.client.get("/no-such-page")
    assert page.status_code == 404 and texts.NOT_FOUND in page.text
    api = console.client.get("/api/no-such-thing")
    assert (api.status_code, api.json()) == (404, {"error": texts.NOT_FOUND})


def test_a_logged_out_cookie_is_refused_by_another_console_on_the_same_store(console: Console) -> None:
    """Logout is kept in the store, so a second replica (or this one restarted) refuses a copy
    of the cookie as well; until then, that replica let the cookie in."""
    shared = console.client.app.state.console
    replica_app = create_app(console.store, shared.deployment, clock=console.clock, settings=shared.settings)
    replica = TestClient(replica_app, follow_redirects=False)
    console.login()
    copy = console.client.cookies[COOKIE]
    replica.cookies.set(COOKIE, copy)
    assert replica.get("/").status_code == 200  # one signing key: the replica knows the session
    page = console.client.get("/")
    assert console.client.post("/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    replica.cookies.set(COOKIE, copy)
    answer = replica.get("/")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    console.clock.advance(shared.settings.lifetime.total_seconds() + 1)
    console.login()  # the next logout prunes the rows whose cookies are dead anyway
    page = console.client.get("/")
    console.client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert console.store.session_ended(token_hash(shared.codec.loads(copy).sid)) is False
