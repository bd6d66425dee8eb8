"""End to end against a seeded sandbox's Attestpostkasse: collect, work, and what landed where."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from bots.document_journaling.bot import bot
from runner import State, SystemAccess
from runner.testing import FakeClock, make_store, person, run_items, run_task_once

pytestmark = [pytest.mark.browser, pytest.mark.ocr]

AS_OF = date(2024, 11, 18)
SYSTEMS = ("serviceportal", "payroll", "edoc", "digitalpost", "nemrefusion", "attest")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from runner.testing import BrowserPool
    from sandbox import dataset, generator
    from sandbox.server import serve_in_thread

    db = tmp_path_factory.mktemp("attests") / "sandbox.db"
    data = generator.generate(150, seed=5)
    dataset.load(db, data)
    base, stop = serve_in_thread(db)
    browsers = BrowserPool(traces=False)
    systems = {name: SystemAccess(name, f"{base}/{name}", "robot", "sandbox") for name in SYSTEMS}
    yield {"db": db, "data": data, "systems": systems, "browsers": browsers, "dataset": dataset,
           "tmp": tmp_path_factory.mktemp("attests-store")}
    browsers.close()
    stop()


def collect(task: str, store: Any, sandbox: dict[str, Any]) -> None:
    run_task_once(bot, task, today=AS_OF, store=store, systems=sandbox["systems"],
                  browsers=sandbox["browsers"])


def test_mail_end_to_end(sandbox: dict[str, Any]) -> None:
    store = make_store(sandbox["tmp"] / "mail", clock=FakeClock(AS_OF))
    collect("mail", store, sandbox)
    items = dict(run_items(bot, "mail", {}, today=AS_OF, store=store, systems=sandbox["systems"],
                           browsers=sandbox["browsers"]).items)
    mail = {m["message_id"]: m for m in sandbox["data"]["attest_mail"]}
    assert set(items) == set(mail)
    assert not [r for r, item in items.items() if item.state is State.SYSTEM_EXCEPTION]
    export = sandbox["dataset"].export(sandbox["db"])

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

    processed = {p["message_id"]: p["folder"] for p in export["attest_processed"]}
    done = {r for r, item in items.items() if item.state is State.DONE}
    assert {r for r, folder in processed.items() if folder == "Behandlet"} == done
    refused = [r for r, m in mail.items() if m.get("kind") == "samtykke_afvist"]
    assert all(items[r].result and items[r].result["outcome"] == "notify_consent_refused" for r in refused)
    assert {m["reference"] for m in export["manager_messages"]} >= set(refused)
