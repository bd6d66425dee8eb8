"""`rpa console`: the web console only (a web host in a scale-out; workers run elsewhere)."""

from __future__ import annotations

import socket
import sys
from typing import Any

import click

from runner.cli.app import App, echo
from runner.errors import InputError

pass_app = click.make_pass_decorator(App)


@click.command("console")
@click.option("--host", default=None, help="Listen on this address (default: console.host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Listen on this port (default: console.port, 8000); 0 picks a free one.")
@pass_app
def console_command(app: App, host: str | None, port: int | None) -> None:
    """Serve the web console until SIGTERM; prints `console: http://HOST:PORT/` when ready.

    People log in with the password `rpa users passwd` set; scripts send a token of
    `rpa users token` as `Authorization: Bearer TOKEN`.
    """
    from runner.console.serving import serve

    host, port = where(app, host, port)
    try:
        console_app, sock = prepare(app, host, port)
    except OSError as error:  # in use, not an address of this machine, a name that does not resolve
        raise InputError(f"{host}:{port}", f"cannot listen there: {error.strerror or error}") from None
    serve(console_app, sock, host=host, on_ready=announce)


def where(app: App, host: str | None, port: int | None) -> tuple[str, int]:
    """The address the console listens on: the options, else the `console:` section."""
    section = app.config.console
    return host or section.host, section.port if port is None else port


def prepare(app: App, host: str, port: int) -> tuple[Any, socket.socket]:
    """The console's app over this deployment and a socket listening on host:port (port 0: a
    free one); OSError when it cannot listen there. `rpa console` and `rpa serve` share it."""
    from runner.console import create_app, settings_from_config
    from runner.console.serving import listen

    sock = listen(host, port)
    settings = settings_from_config(app.config)
    return create_app(app.store, app.deployment, clock=app.clock, settings=settings), sock


def announce(url: str) -> None:
    """The one line that says the console is ready."""
    echo(f"console: {url}")
    sys.stdout.flush()


COMMANDS = [console_command]
