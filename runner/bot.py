"""The bot plugin API: a bot is a name, a version, a settings model and its tasks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from runner.inputs import ROLE_NAME
from runner.retry import RetryPolicy
from runner.states import Role

if TYPE_CHECKING:
    from runner.item import Collector, Item, PersonAction, RunSummary

ENTRY_POINT_GROUP = "rpa.bots"

Process = Callable[["Item"], Mapping[str, Any] | None]
Collect = Callable[["Collector"], None]
Decide = Callable[[dict[str, Any]], dict[str, Any]]
Hook = Callable[["PersonAction"], None]
Summarize = Callable[["RunSummary"], Mapping[str, Any]]


class NoSettings(BaseModel):
    """Settings model of a bot that has none."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Task:
    """One unit of a bot's work: a collector that enqueues items and `process` that performs them.

    `collect` is optional: some tasks only get items that another task enqueues
    (e.g. the rows of a supplement batch). `browser` says the worker should hand
    `process` a fresh browser context.
    """

    name: str
    payload: type[BaseModel]
    process: Process
    collect: Collect | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lease_s: float | None = None
    browser: bool = False
    description: str = ""


@dataclass(frozen=True)
class Bot:
    """A bot plugin, exposed through the `rpa.bots` entry-point group."""

    name: str
    version: str
    tasks: Sequence[Task]
    settings: type[BaseModel] = NoSettings
    decide: Decide | None = None
    on_resolved: Hook | None = None
    on_rejected: Hook | None = None
    summarize: Summarize | None = None
    description: str = ""
    owner: str = ""
    minutes_per_item: float | None = None
    #: Roles beyond the framework's own that this bot restricts items to (`item.restrict_to`),
    #: e.g. the certificate reader; people are given them as any other (`rpa users add --role`).
    roles: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [task.name for task in self.tasks]
        if len(names) != len(set(names)):
            raise ValueError(f"bot {self.name!r} has two tasks with one name: {names}")
        if not self.tasks:
            raise ValueError(f"bot {self.name!r} has no tasks")
        for role in self.roles:
            if not ROLE_NAME.fullmatch(role) or role in set(Role):
                raise ValueError(f"bot {self.name!r} declares role {role!r}: a role is lower-case "
                                 f"letters, digits and _, and not one of the framework's own")

    def task(self, name: str) -> Task:
        for task in self.tasks:
            if task.name == name:
                return task
        raise KeyError(f"bot {self.name!r} has no task {name!r}")


def all_roles(bots: Iterable[Bot]) -> list[str]:
    """The roles a person can be given: the framework's own, then those the bots declare."""
    declared = sorted({role for bot in bots for role in bot.roles})
    return [role.value for role in Role] + declared


def discover_bots() -> dict[str, Bot]:
    """Every bot installed through the `rpa.bots` entry-point group, by name."""
    bots: dict[str, Bot] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        bot = entry.load()
        if not isinstance(bot, Bot):
            raise TypeError(f"entry point {entry.name!r} ({entry.value}) is not a runner.Bot")
        if bot.name != entry.name:
            raise ValueError(f"entry point {entry.name!r} loads a bot named {bot.name!r}")
        bots[bot.name] = bot
    return bots
