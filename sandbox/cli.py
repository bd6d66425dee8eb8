"""``rpa sandbox``: seed, export and serve the simulated municipality."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy.exc import DatabaseError

from hr.cpr import mask_cprs_in_text
from runner import DEFAULT_MAX_INPUT_BYTES, InputError, field_errors, read_json

DEFAULT_DB = "var/sandbox.db"
db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
    default=lambda: os.environ.get("RPA_SANDBOX_DB", DEFAULT_DB), show_default=DEFAULT_DB,
    help="The sandbox's SQLite file (env RPA_SANDBOX_DB).")


def _fail(message: str) -> NoReturn:
    click.echo(f"rpa: {message}", err=True)
    sys.exit(2)


@click.group("sandbox")
def sandbox() -> None:
    """The simulated municipality's systems and synthetic data."""


@sandbox.command()
@click.option("--employees", type=click.IntRange(1, 100_000), default=500, show_default=True)
@click.option("--seed", "seed_value", type=int, default=1, show_default=True)
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The sandbox date (default 2024-11-18).")
@click.option("--from", "source", type=click.Path(path_type=Path), default=None,
              help="Load this dataset (a JSON object) instead of generating one.")
@click.option("--max-bytes", type=click.IntRange(min=1024), default=DEFAULT_MAX_INPUT_BYTES,
              show_default=True, help="The largest --from file read (about 7,500 employments per 10 MB).")
@db_option
def seed(employees: int, seed_value: int, as_of: Any, source: Path | None, max_bytes: int,
         db_path: Path) -> None:
    """Replace the sandbox's state with a generated or given dataset."""
    from sandbox.dataset import load
    from sandbox.generator import AS_OF, generate

    if source is not None:
        data = _read_json(source, max_bytes)
    else:
        data = generate(employees, seed_value, as_of.date() if as_of else AS_OF)
    try:
        loaded = load(db_path, data)
    # DatasetError, and what a record of the wrong shape or a date near 9999 raises
    except (ValueError, TypeError, AttributeError, LookupError, ArithmeticError) as exc:
        _fail(f"{source or 'dataset'}: {mask_cprs_in_text(str(exc))}")
    except DatabaseError as exc:
        _fail(f"{db_path}: not a usable sandbox database: {exc.orig}")
    counts = ", ".join(f"{len(v)} {k}" for k, v in loaded.records.items() if v)
    click.echo(f"seeded {db_path} (as_of {loaded.as_of}): {counts}", err=True)


def _read_json(path: Path, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> Any:
    try:
        return read_json(path, limit=max_bytes)
    except InputError as exc:
        _fail(mask_cprs_in_text(str(exc)))


@sandbox.command()
@db_option
def export(db_path: Path) -> None:
    """Print the sandbox's whole state as JSON (stable: same seed, same bytes)."""
    from sandbox.dataset import dumps
    from sandbox.dataset import export as export_state

    if not db_path.exists():
        _fail(f"{db_path}: no sandbox database (run 'rpa sandbox seed' first)")
    try:
        state = export_state(db_path)
    except DatabaseError as exc:
        _fail(f"{db_path}: not a usable sandbox database: {exc.orig}")
    click.echo(dumps(state), nl=False)


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Sandbox settings (JSON): logins, sessions, faults.")
@db_option
def serve(host: str, port: int, settings_file: Path | None, db_path: Path) -> None:
    """Serve the six systems over HTTP until interrupted."""
    import uvicorn
    from pydantic import ValidationError

    from sandbox.app import create_app
    from sandbox.settings import SandboxSettings

    if not db_path.exists():
        _fail(f"{db_path}: no sandbox database (run 'rpa sandbox seed' first)")
    try:
        settings = SandboxSettings.model_validate(
            _read_json(settings_file) if settings_file else {})
    except ValidationError as exc:
        _fail(f"{settings_file}: {field_errors(exc, '(settings)')[0]}")
    click.echo(f"sandbox on http://{host}:{port}/ ({db_path})", err=True)
    uvicorn.run(create_app(db_path, settings), host=host, port=port, log_level="warning",
                log_config=None)  # its records go through the root logger, not uvicorn's handler


