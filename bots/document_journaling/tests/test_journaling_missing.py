"""`missing_certificates` against a seeded sandbox: who is reminded, who is not, and only once.

The generator's dataset with planted hires: child-facing ones starting today, soon and
on the last day of the window (reminded), one with a certificate and one with a note of
one in eDoc, one in a unit that is not child-facing, one starting after the window and
one who has started (none reminded).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from bots.document_journaling.bot import bot
from bots.document_journaling.models import Settings
from runner import State
from runner.testing import FakeClock, make_store, run_items, run_task_once

pytestmark = pytest.mark.browser

SUFFIX = ":missing_certificate"
DAYS = Settings().missing_certificate_days
# name: (child-facing unit?, start in days from as_of, what eDoc holds)
PLANTED: dict[str, tuple[bool, int, str | None]] = {
    "today": (True, 0, None),
    "soon": (True, 3, None),
    "last_day": (True, DAYS, None),
    "with_certificate": (True, 2, "document"),
    "with_note": (True, 5, "note"),
    "not_child_facing": (False, 4, None),
    "after_window": (True, DAYS + 1, None),
    "started": (True, -1, None),
}
REMINDED = {"today", "soon", "last_day"}


def plant(data: dict[str, Any]) -> dict[str, str]:
    """Turn spare ordinary employments into the planted hires; name → employment id."""
    as_of = date.fromisoformat(data["as_of"])
    used = {c.get("employment_id") for c in data["cases"]} | {a["employment_id"] for a in data["absences"]}
    used |= {line["employment_id"] for line in data["payroll_lines"]}
    mailed = {m.get("cpr") for m in data["attest_mail"]}
    cprs = Counter(e["cpr"] for e in data["employments"])
    spare = [e for e in data["employments"] if e["employment_id"] not in used and e["cpr"] not in mailed
             and cprs[e["cpr"]] == 1 and e["end_date"] is None]
    child = [u for u in data["units"] if u["child_facing"]]
    other = [u for u in data["units"] if not u["child_facing"]]
    planted = {}
    for n, (name, (child_facing, days, filed)) in enumerate(PLANTED.items()):
        emp, unit = spare[n], (child if child_facing else other)[n % 2]
        start = as_of + timedelta(days=days)
        emp.update(unit=unit["unit"], administration=unit["administration"], start_date=start.isoformat(),
                   probation_end=None, last_paid_date=None, holiday6=[])
        planted[name] = emp["employment_id"]
        if filed == "document":
            data.setdefault("journal", []).append({
                "employment_id": emp["employment_id"], "kind": "document", "doc_type": "Attest",
                "title": "Børneattest modtaget 12. november 2024", "access": "Fortrolig",
                "reference": "M2024-90001"})
        elif filed == "note":
            data.setdefault("journal", []).append({
                "employment_id": emp["employment_id"], "kind": "note", "doc_type": None,
                "title": "Børneattest indhentet 12. november 2024 – ingen anmærkninger",
                "text": "Børneattest indhentet 12. november 2024 – ingen anmærkninger",
                "access": "Fortrolig", "reference": "M2024-90002"})
    return planted


def needs_reminder(data: dict[str, Any]) -> set[str]:
    """Every employment the task is for, by its definition, in the loaded data."""
    as_of = date.fromisoformat(data["as_of"])
    child = {u["unit"] for u in data["units"] if u["child_facing"]}
    filed = {j["employment_id"] for j in data.get("journal", [])
             if j.get("doc_type") == "Attest" or "attest" in j["title"].lower()}
    return {e["employment_id"] for e in data["employments"]
            if e["unit"] in child and e["employment_id"] not in filed
            and as_of <= date.fromisoformat(e["start_date"]) <= as_of + timedelta(days=DAYS)
            and (e["end_date"] is None or e["end_date"] >= data["as_of"])}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from harness.testing import seed
    from runner.testing import BrowserPool
    from sandbox import dataset, generator

    data = generator.generate(150, seed=11)
    planted = plant(data)
    box = seed(tmp_path_factory.mktemp("missing"), data)
    browsers = BrowserPool(traces=False)
    yield {"db": box.db, "data": data, "planted": planted, "systems": box.systems(), "browsers": browsers,
           "dataset": dataset, "tmp": tmp_path_factory.mktemp("missing-store"),
           "as_of": date.fromisoformat(data["as_of"])}
    browsers.close()
    box.stop()


def run(store: Any, sandbox: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    options = {"as_of": sandbox["as_of"], "store": store, "systems": sandbox["systems"],
               "browsers": sandbox["browsers"]}
    _, enqueued = run_task_once(bot, "missing_certificates", **options)
    return enqueued, dict(run_items(bot, "missing_certificates", {}, **options).items)


def reminders(sandbox: dict[str, Any]) -> list[dict[str, Any]]:
    messages = sandbox["dataset"].export(sandbox["db"])["manager_messages"]
    return [m for m in messages if m["reference"].endswith(SUFFIX)]


def test_one_reminder_per_child_facing_hire_without_certificate(sandbox: dict[str, Any]) -> None:
    planted, data = sandbox["planted"], sandbox["data"]
    expected = needs_reminder(data)
    assert {planted[name] for name in REMINDED} <= expected
    assert not {planted[name] for name in set(PLANTED) - REMINDED} & expected

    store = make_store(sandbox["tmp"] / "first", clock=FakeClock(sandbox["as_of"]))
    enqueued, items = run(store, sandbox)
    assert enqueued == len(expected)
    assert {r.removesuffix(SUFFIX) for r in items} == expected
    assert all(item.state is State.DONE and item.result and item.result["outcome"] == "manager_told"
               for item in items.values())

    sent = reminders(sandbox)
    assert Counter(m["reference"] for m in sent) == Counter(f"{eid}{SUFFIX}" for eid in expected)
    units = {e["employment_id"]: e["unit"] for e in data["employments"]}
    assert all(m["unit"] == units[m["reference"].removesuffix(SUFFIX)] for m in sent)
    assert all(m["subject"] == "Børneattest mangler" for m in sent)

    # The next run the same day finds every item done; a run on a fresh queue finds every
    # message already sent (verify before act): nothing new either way.
    enqueued, same = run(store, sandbox)
    assert enqueued == 0
    assert {r: (i.id, i.state, i.attempts) for r, i in same.items()} == {
        r: (i.id, i.state, i.attempts) for r, i in items.items()}
    again, fresh = run(make_store(sandbox["tmp"] / "fresh", clock=FakeClock(sandbox["as_of"])), sandbox)
    assert again == len(expected)
    assert all(item.state is State.DONE for item in fresh.values())
    assert reminders(sandbox) == sent
