"""`rpa console`: the web console only (a web host in a scale-out; workers run elsewhere)."""

from __future__ import annotations

import sys

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
    from runner.console import create_app, settings_from_config
    from runner.console.serving import listen, serve

    section = app.config.console
    host = host or section.host
    port = section.port if port is None else port
    settings = settings_from_config(app.config)
    console_app = create_app(app.store, app.deployment, clock=app.clock, settings=settings)
    try:
        sock = listen(host, port)
    except OSError as error:  # in use, not an address of this machine, a name that does not resolve
        raise InputError(f"{host}:{port}", f"cannot listen there: {error.strerror or error}") from None

    def ready(url: str) -> None:
        echo(f"console: {url}")
        sys.stdout.flush()

    serve(console_app, sock, host=host, on_ready=ready)


COMMANDS = [console_command]
