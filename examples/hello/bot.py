"""The `hello` example bot: a collector, a decision, one checkpointed side effect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from runner import Bot, BusinessError, Collector, Item, RetryPolicy, Task, write_private


class HelloSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    names: list[str] = Field(default_factory=lambda: ["Jens Hansen", "Mette Nielsen", "Ole Berg"])
    outbox: str = "var/hello-outbox"
    greeting: str = "Goddag"


class Greeting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, title="Navn")


def decide(data: dict[str, Any]) -> dict[str, Any]:
    """The pure rule: who gets a greeting."""
    name = str((data.get("case") or {}).get("name") or "").strip()
    if not name:
        return {"outcome": "exception", "code": "NAME_MISSING"}
    return {"outcome": "greet", "text": f"{data.get('greeting', 'Goddag')}, {name}!"}


def collect(run: Collector) -> None:
    for name in run.settings.names:
        run.enqueue(name.lower().replace(" ", "-"), Greeting(name=name))


def process(item: Item) -> dict[str, Any]:
    decision = item.decision(
        lambda: decide({"case": {"name": item.payload.name}, "greeting": item.settings.greeting})
    )
    if decision["outcome"] == "exception":
        raise BusinessError(decision["code"], "the greeting has no name")

    def write_letter() -> dict[str, Any]:
        # A letter names a person: readable by the service user only (0600, folders 0700).
        path = Path(item.settings.outbox) / f"{item.reference}.txt"
        write_private(path, (decision["text"] + "\n").encode("utf-8"))
        return {"path": str(path)}

    receipt = item.step("letter_written", write_letter)
    return {"outcome": "greeted", "letter": receipt["path"]}


bot = Bot(
    name="hello",
    version="1.0.0",
    description="Writes a greeting to each name in its settings (an example of the plugin API).",
    owner="RPA team",
    settings=HelloSettings,
    decide=decide,
    minutes_per_item=1.0,
    tasks=[
        Task(
            name="greetings",
            payload=Greeting,
            collect=collect,
            process=process,
            retry=RetryPolicy(max_attempts=3, initial_interval_s=0.5, max_interval_s=5),
        )
    ],
)
