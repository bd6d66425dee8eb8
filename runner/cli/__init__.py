"""The `rpa` command: the runner's own subcommands plus those installed under `rpa.commands`."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from typing import Any

import click

from runner.cli.app import App
from runner.errors import (
    ConfigError,
    InputError,
    InvalidTransition,
    NotFound,
    PayloadInvalid,
    PermissionDenied,
    RunnerError,
)
from runner.inputs import user_name
from runner.redact import redact_text

COMMANDS_GROUP = "rpa.commands"

# exit codes (README, "Exit codes"): 2 bad input or config, 3 not allowed, 1 anything else
_EXIT_CODES: tuple[tuple[type[Exception], int], ...] = (
    (ConfigError, 2),
    (InputError, 2),
    (PayloadInvalid, 2),
    (NotFound, 2),
    (InvalidTransition, 2),
    (PermissionDenied, 3),
    (RunnerError, 1),
)


class RpaGroup(click.Group):
    """Loads plugin commands lazily and turns runner errors into one line on stderr."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(e.name for e in entry_points(group=COMMANDS_GROUP))})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        for entry in entry_points(group=COMMANDS_GROUP, name=cmd_name):
            loaded = entry.load()
            if isinstance(loaded, click.Command):
                return loaded
        return None

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return super().invoke(ctx)
        except tuple(kind for kind, _code in _EXIT_CODES) as error:
            code = next(code for kind, code in _EXIT_CODES if isinstance(error, kind))
            click.echo(f"rpa: {redact_text(str(error))}", err=True)
            sys.exit(code)
        except SQLAlchemyError as error:  # the store went away mid-command: technical, exit 1
            first = str(getattr(error, "orig", None) or error).strip().splitlines() or [""]
            click.echo(f"rpa: the store failed: {type(error).__name__}: {redact_text(first[0])}", err=True)
            sys.exit(1)


EXIT_CODES_HELP = """\b
Exit codes:
  0  done
  1  a technical failure (a system or the store could not be reached)
  2  bad input or config: a file, URL, option or name that cannot be used
  3  refused: the acting user lacks the role the action needs
"""


@click.group(cls=RpaGroup, epilog=EXIT_CODES_HELP)
@click.option("--config", "config_path", envvar="RPA_CONFIG", default="orchestrator.yaml",
              show_default=True, help="The deployment file.")
@click.option("--as", "as_user", envvar="RPA_USER", default=None,
              help="Act as this user (default: the OS user, who must exist).")
@click.pass_context
def cli(ctx: click.Context, config_path: str, as_user: str | None) -> None:
    """Software robots for the HR and payroll back office."""
    if as_user is not None:
        user_name(as_user, "--as")  # InputError: exit 2 before anything is read
    ctx.obj = App(config_path=config_path, as_user=as_user)
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from runner.cli import admin, console, items, running

    for module in (running, items, admin, console):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    """The `rpa` script: click's own usage errors are masked too (a CPR typed where an id belongs)."""
    import io

    try:
        code = cli.main(prog_name="rpa", standalone_mode=False)
    except click.ClickException as error:
        shown = io.StringIO()
        error.show(file=shown)
        sys.stderr.write(redact_text(shown.getvalue()))
        sys.exit(error.exit_code)
    except click.Abort:
        sys.stderr.write("Aborted!\n")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
