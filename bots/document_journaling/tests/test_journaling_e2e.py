"""End to end against a seeded sandbox's Attestpostkasse: collect, work, and what landed where.

The mailbox is worked twice on the same data: once without faults, and once with them
(10 % HTTP 500s that answer after the request ran, an eDoc maintenance window, every
session expired); both runs must end in the same state, nothing journaled twice.
"""

from __future__ import annotations

import base64
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from bots.document_journaling.bot import bot
from hr.certificates import Certificate, render_hidden_layer_scan
from hr.pdf import extract_text
from runner import State
from runner.store import WorkItemRecord
from runner.testing import FakeClock, make_store, person, run_items, run_task_once

pytestmark = [pytest.mark.browser, pytest.mark.ocr]

AS_OF = date(2024, 11, 18)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from harness.testing import seed
    from runner.testing import BrowserPool
    from sandbox import dataset, generator

    data = generator.generate(150, seed=5)
    data["attest_mail"].append(_hidden_clean_over_records(data))
    box = seed(tmp_path_factory.mktemp("attests"), data)
    browsers = BrowserPool(traces=False)
    yield {"db": box.db, "data": data, "systems": box.systems(), "browsers": browsers, "dataset": dataset,
           "tmp": tmp_path_factory.mktemp("attests-store"), "base": box.url}
    browsers.close()
    box.stop()


HOSTILE = "M2024-HIDDEN"


def _hidden_clean_over_records(data: dict[str, Any]) -> dict[str, Any]:
    """A clean mail's certificate scanned with records, its clean text laid invisibly over it."""
    clean = next(m for m in data["attest_mail"]
                 if m.get("result") == "clean" and m.get("format") == "digital")
    values = {"kind": clean["kind"], "issued": AS_OF - timedelta(days=5), "order_id": clean["order_id"],
              "name": clean["name"], "cpr": clean["cpr"]}
    pdf = render_hidden_layer_scan(Certificate(**values, records=["Dom 3.4.2019: vold"]),
                                   Certificate(**values), random.Random(5), "invisible")
    return {"message_id": HOSTILE, "received_date": AS_OF - timedelta(days=1),
            "pdf_base64": base64.b64encode(pdf).decode()}


def collect(task: str, store: Any, sandbox: dict[str, Any]) -> None:
    run_task_once(bot, task, as_of=AS_OF, store=store, systems=sandbox["systems"],
                  browsers=sandbox["browsers"])


def work(store: Any, sandbox: dict[str, Any], **options: Any) -> dict[str, WorkItemRecord]:
    return dict(run_items(bot, "mail", {}, as_of=AS_OF, store=store, systems=sandbox["systems"],
                          browsers=sandbox["browsers"], **options).items)


def set_faults(sandbox: dict[str, Any], **faults: Any) -> None:
    httpx.post(f"{sandbox['base']}/_admin/faults", json=faults, timeout=10).raise_for_status()


@pytest.fixture(scope="module")
def fault_free(sandbox: dict[str, Any]) -> dict[str, Any]:
    """The mailbox collected and worked once without faults: the store, items and end state."""
    store = make_store(sandbox["tmp"] / "mail", clock=FakeClock(AS_OF))
    collect("mail", store, sandbox)
    items = work(store, sandbox)
    return {"store": store, "items": items, "export": sandbox["dataset"].export(sandbox["db"])}


def _pdf_text(mail: dict[str, Any]) -> str:
    try:
        return extract_text(base64.b64decode(mail["pdf_base64"]))
    except Exception:  # the planted corrupt PDF
        return ""


def test_mail_end_to_end(sandbox: dict[str, Any], fault_free: dict[str, Any]) -> None:
    store, items, export = fault_free["store"], fault_free["items"], fault_free["export"]
    mail = {m["message_id"]: m for m in sandbox["data"]["attest_mail"]}
    assert set(items) == set(mail)
    assert not [r for r, item in items.items() if item.state is State.SYSTEM_EXCEPTION]

    journal = export["journal"]
    twice = Counter((j["reference"], j["kind"], j["title"]) for j in journal)
    assert max(twice.values()) == 1, "something was journaled twice"

    journaled = {r: item for r, item in items.items() if item.state is State.DONE
                 and item.result and item.result["outcome"] == "journal"}
    assert journaled
    for reference, item in journaled.items():
        assert mail[reference].get("result") == "clean"
        entry = [j for j in journal if j["reference"] == reference]
        assert [(j["employment_id"], j["title"], j["doc_type"], j["access"]) for j in entry] == [
            (item.result["employment_id"], item.result["title"], "Attest", "Fortrolig")]
        assert item.result["title"].split(" modtaget ")[0] in (
            "Børneattest", "Straffeattest til offentlig brug", "Privat straffeattest")

    entries = [r for r, m in mail.items() if m.get("result") == "entries"]
    assert entries
    for reference in entries:
        item = items[reference]
        assert item.state is State.BUSINESS_EXCEPTION and item.error is not None
        assert item.error.code == "ATTEST_HAS_ENTRIES"
        assert item.visible_to == "attest_reader"
        assert mail[reference]["cpr"] not in (item.error.message or "")
        assert not any(record in (item.error.message or "") for record in mail[reference]["records"])
        assert not [j for j in journal if j["reference"] == reference]
    hidden = store.list_items(person("operator"), bot=bot.name, limit=None)
    assert not {r.reference for r in hidden} & set(entries)
    # a clean text layer hidden over a page with records: the attest reader's, never journaled
    hostile = items[HOSTILE]
    assert hostile.state is State.BUSINESS_EXCEPTION and hostile.error is not None
    assert hostile.error.code == "DOC_LAYERS_DISAGREE" and hostile.visible_to == "attest_reader"
    assert HOSTILE not in {r.reference for r in hidden}
    assert not [j for j in journal if j["reference"] == HOSTILE]

    processed = {p["message_id"]: p["folder"] for p in export["attest_processed"]}
    done = {r for r, item in items.items() if item.state is State.DONE}
    assert {r for r, folder in processed.items() if folder == "Behandlet"} == done
    refused = [r for r, m in mail.items() if m.get("kind") == "samtykke_afvist"]
    assert all(items[r].result and items[r].result["outcome"] == "notify_consent_refused" for r in refused)
    assert {m["reference"] for m in export["manager_messages"]} >= set(refused)

    # The planted order receipt has no name and no CPR label: step 1 of the rules
    # (DOC_UNPARSEABLE) comes before step 2 (kind), so it is not DOC_UNKNOWN_KIND.
    receipts = [r for r, m in mail.items() if "pdf_base64" in m and "KVITTERING" in _pdf_text(m)]
    assert len(receipts) == 1
    receipt = items[receipts[0]]
    assert receipt.state is State.BUSINESS_EXCEPTION and receipt.error is not None
    assert receipt.error.code == "DOC_UNPARSEABLE"


def end_state(items: dict[str, WorkItemRecord], export: dict[str, Any]) -> dict[str, Any]:
    """What a run leaves: each item's state, code and result; eDoc, Behandlet, manager messages."""
    queue = {}
    for reference, item in items.items():
        failed = item.state in (State.BUSINESS_EXCEPTION, State.SYSTEM_EXCEPTION)
        code = item.error.code if failed and item.error else None
        result = {k: (item.result or {}).get(k) for k in ("outcome", "employment_id", "kind", "title")}
        queue[reference] = (item.state, code, result)
    return {"queue": queue, "journal": export["journal"], "processed": export["attest_processed"],
            "manager_messages": export["manager_messages"]}


def test_mail_with_faults_ends_as_without(sandbox: dict[str, Any], fault_free: dict[str, Any]) -> None:
    expected = end_state(fault_free["items"], fault_free["export"])
    done = {r for r, (state, _, _) in expected["queue"].items() if state is State.DONE}
    assert done and expected["journal"]
    dataset, db = sandbox["dataset"], sandbox["db"]
    dataset.load(db, sandbox["data"])  # the same mailbox again, nothing journaled or moved
    assert not dataset.export(db)["journal"]
    store = make_store(sandbox["tmp"] / "faults", clock=FakeClock(AS_OF))
    try:
        # Every system answers one request in ten with a 500, after the request ran (a write lands).
        set_faults(sandbox, reset=True, error_rate=0.1, error_phase="after")
        collect("mail", store, sandbox)
        assert {item.reference for item in store.list_items(person(), bot=bot.name, limit=None)} == set(
            expected["queue"])

        # eDoc in a maintenance window: each item decides, then defers at its first eDoc step.
        now = datetime.now(UTC)
        set_faults(sandbox, systems=["edoc"], maintenance_from=(now - timedelta(minutes=1)).isoformat(),
                   maintenance_until=(now + timedelta(minutes=10)).isoformat())
        first = work(store, sandbox, max_clock_jumps=0)
        assert {r for r, item in first.items() if item.state is State.DEFERRED} == done
        assert not dataset.export(db)["journal"]

        # The window closes, every session expires, the 500s go on: the deferred items finish.
        set_faults(sandbox, systems=None, maintenance_from=None, maintenance_until=None,
                   expire_sessions=True)
        items = work(store, sandbox)
    finally:
        set_faults(sandbox, reset=True)
    export = dataset.export(db)
    twice = Counter((j["reference"], j["kind"], j["title"]) for j in export["journal"])
    assert max(twice.values()) == 1, "something was journaled twice"
    assert Counter(m["reference"] for m in export["manager_messages"]).most_common(1)[0][1] == 1
    assert end_state(items, export) == expected
