"""A bot plugin for the database-outage tests; its side effect is an append-only ledger.

The tests install it as a real plugin (a `.dist-info` with an `rpa.bots` entry point on
PYTHONPATH) so that `rpa worker` finds it like any bot. Each item takes its decision,
waits `sleep_s` (so that an outage finds items in hand), then writes one ledger line.
The ledger plays the target system: a write first looks for the item's reference in it
(verify before act, as page objects do), so a retry after a lost receipt finds its own
earlier write (`found`) instead of writing again (`wrote`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from runner import Bot, Item, RetryPolicy, Task


class OutageSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ledger: str
    sleep_s: float = 2.0


class Row(BaseModel):
    n: int


def ledger_lines(ledger: Path) -> list[str]:
    return ledger.read_text().splitlines() if ledger.exists() else []


def register(item: Item) -> dict[str, Any]:
    ledger = Path(item.settings.ledger)
    earlier = any(line.split(" ")[0] == item.reference for line in ledger_lines(ledger))
    with ledger.open("a") as out:
        out.write(f"{item.reference} {'found' if earlier else 'wrote'} pid={os.getpid()} "
                  f"attempt={item.attempt}\n")
        out.flush()
        os.fsync(out.fileno())
    return {"verified": earlier}


def process(item: Item) -> dict[str, Any]:
    item.decision(lambda: {"outcome": "register", "n": item.payload.n})
    time.sleep(item.settings.sleep_s)
    item.step("registered", lambda: register(item))
    return {"outcome": "register"}


bot = Bot(
    name="outage",
    version="1.0.0",
    description="Test bot: one slow item, one ledger line each.",
    settings=OutageSettings,
    tasks=[Task("rows", Row, process, retry=RetryPolicy(max_attempts=5, initial_interval_s=0,
                                                          max_interval_s=0))],
)
