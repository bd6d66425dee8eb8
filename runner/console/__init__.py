"""The web console: operators see and steer the robots, ops staff work the exception queue.

Server-rendered pages (FastAPI + Jinja2) that work without JavaScript, a JSON API beside
them under `/api/` (CONSOLE.md), Danish texts (`texts`), times in Europe/Copenhagen.

| module | what |
|---|---|
| `app` | `create_app(store, deployment, clock=, settings=)` |
| `auth` | login, logout, the gate (sessions, API tokens, CSRF, lock-out) |
| `session` | the signed session cookie |
| `overview` | `/` and `/api/overview`, over the rules of `lights` |
| `queue` | `/queue` and `GET /api/items`: filters from the URL, keyset paging, counts per state |
| `items` | `/items/{id}` and `GET /api/items/{id}`: one item, its decision, checkpoints, audit, files |
| `actions` | retry (corrected or not), resolve, reject, assign, release: page forms and API (ops) |
| `answers` | 303/401/403/404/422 as pages or JSON |
| `security` | security headers on every answer |
| `serving` | uvicorn, and the `console: http://HOST:PORT/` line when ready |
| `forms`, `form_errors` | the retry-with-corrected-data form from a task's payload model |
| `schedules` | a task's schedule in Danish words, its coming firings |
"""

from __future__ import annotations

from runner.console.app import create_app
from runner.console.settings import ConsoleSettings, settings_from_config

__all__ = ["ConsoleSettings", "create_app", "settings_from_config"]
