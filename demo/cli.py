"""`rpa demo`: seed and start the sandbox, run every enabled bot's tasks to the end, summarise.

The demo keeps its own deployment under `var/demo/` (store, logs, artifacts and an
orchestrator.yaml pointing at the sandbox), so it never touches the operator's store;
it prints the command that explores it afterwards.
"""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import click
import yaml

from runner.bot import all_roles
from runner.cli.app import App, echo
from runner.cli.running import echo_report, run_and_report, start_console
from runner.clock import SystemClock

SYSTEMS = ("serviceportal", "payroll", "edoc", "digitalpost", "nemrefusion", "attest")
SYSTEM_NAMES = {
    "serviceportal": "Serviceportalen", "payroll": "Lønsystem", "edoc": "eDoc",
    "digitalpost": "Digital Post", "nemrefusion": "NemRefusion", "attest": "Attestpostkasse",
}


def _free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def write_deployment(folder: Path, source: Path, base_url: str, as_of: str) -> Path:
    """The demo's orchestrator.yaml: the repository's bots and schedules, the sandbox's systems."""
    config = yaml.safe_load(source.read_text(encoding="utf-8"))
    config["clock"] = {"today": as_of}
    config["store"] = {"url": None, "sqlite_path": "rpa.db", "sqlite_synchronous": "normal"}
    config["logging"] = {**config.get("logging", {}), "dir": "logs"}
    config["artifacts"] = {**config.get("artifacts", {}), "dir": "artifacts"}
    config["credentials"] = {"sandbox": {"secrets_file": "secrets.yaml", "key": "sandbox"}}
    config["systems"] = {name: {"url": f"{base_url}/{name}", "credentials": "sandbox"} for name in SYSTEMS}
    (folder / "secrets.yaml").write_text(yaml.safe_dump({"sandbox": {"username": "robot",
                                                                     "password": "sandbox"}}))
    path = folder / "orchestrator.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@click.command("demo")
@click.option("--employees", type=click.IntRange(10, 100_000), default=500, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="The sandbox's port (a free one if taken).")
@click.option("--no-serve", is_flag=True, help="Stop after the run instead of serving the systems.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def demo(app: App, employees: int, seed: int, port: int, no_serve: bool, as_json: bool) -> None:
    """Seed the sandbox, run every enabled bot once to the end, print a summary."""
    from sandbox import dataset
    from sandbox.generator import generate
    from sandbox.server import serve_in_thread

    folder = Path("var/demo")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = generate(employees, seed=seed)
    dataset.load(folder / "sandbox.db", data)
    base_url, stop = serve_in_thread(folder / "sandbox.db", port=port if _free(port) else 0)
    try:
        config_path = write_deployment(folder, Path(app.config_path), base_url, str(data["as_of"]))
        os.environ.pop("RPA_DATABASE_URL", None)  # the demo is the embedded default
        demo_app = App(config_path=str(config_path), as_user=None)
        demo_app.__dict__["clock"] = SystemClock(demo_app.config.clock.today)
        user = app.as_user if app.as_user is not None else getpass.getuser()
        # every role: the demo's person resolves certificates with records too (ops + attest_reader)
        demo_app.store.add_user(None, user, all_roles(demo_app.bots.values()))
        demo_app.start_logging()
        started = time.monotonic()
        report = run_and_report(demo_app, None, True, None, user, wait=True)
        report["seconds"] = round(time.monotonic() - started, 1)
        report["systems"] = {name: f"{base_url}/{name}" for name in SYSTEMS}
        report["config"] = str(config_path)
        console = None
        if not no_serve:
            console = start_console(demo_app, None, 8000 if _free(8000) else 0, on_ready=lambda url: None)
            if console is not None:
                report["console"] = {"url": console[0], "users": console_users(demo_app, user)}
        print_report(report, as_json)
        if not no_serve:
            click.echo(f"\nThe sandbox serves on {base_url} (user robot, password sandbox); Ctrl-C stops.",
                       err=True)
            try:
                while True:
                    time.sleep(3600)
            finally:
                if console is not None:
                    console[1]()
        demo_app.close()
    except KeyboardInterrupt:
        pass
    finally:
        stop()


#: One demo user per role, each with a password made for this demo and printed once.
DEMO_USERS = {"demo-operator": ["operator"], "demo-ops": ["ops"], "demo-ejer": ["process_owner"],
              "demo-attest": ["ops", "attest_reader"], "demo-admin": ["admin"]}


def console_users(demo_app: App, user: str) -> list[dict[str, Any]]:
    """The demo's console users with fresh random passwords (only their hashes are stored)."""
    from runner.passwords import hash_password

    actor = demo_app.store.get_user(user).actor()
    users = []
    for name, roles in DEMO_USERS.items():
        password = secrets.token_urlsafe(12)
        demo_app.store.add_user(actor, name, roles)
        demo_app.store.set_password(actor, name, hash_password(password))
        users.append({"name": name, "roles": roles, "password": password})
    return users


def print_report(report: dict[str, Any], as_json: bool) -> None:
    if echo_report(report, as_json, f"Demo run for {report['today']} ({report['seconds']} s)\n"):
        return
    echo("\nSystems:")
    for name, url in report["systems"].items():
        echo(f"  {SYSTEM_NAMES[name]:<16} {url}")
    echo(f"\nExplore: rpa --config {report['config']} exceptions ls")
    console = report.get("console")
    if console:
        echo(f"\nConsole: {console['url']} (the passwords are shown only now)")
        for person in console["users"]:
            echo(f"  {person['name']:<14} {person['password']:<18} {', '.join(person['roles'])}")
