"""docs/console.md shows the permission table as runner/permissions.py has it."""

from __future__ import annotations

from pathlib import Path

from runner.permissions import PERMISSIONS, actions_of

ROOT = Path(__file__).resolve().parents[2]
ROLES = ["operator", "ops", "process_owner", "attest_reader", "admin"]


def table() -> str:
    lines = ["| action | " + " | ".join(ROLES) + " |", "|---|" + "---|" * len(ROLES)]
    for action, permission in PERMISSIONS.items():
        marks = ["✔" if action in actions_of(frozenset({role})) else "" for role in ROLES]
        lines.append(f"| {permission.doing} (`{action.value}`) | " + " | ".join(marks) + " |")
    return "\n".join(lines)


def test_the_docs_role_table_is_the_permission_table() -> None:
    assert table() in (ROOT / "docs" / "console.md").read_text(encoding="utf-8")


def test_the_docs_screenshots_exist() -> None:
    for name in ("console-login.png", "console-overview.png"):
        assert (ROOT / "docs" / "img" / name).stat().st_size > 10_000
