"""The runner: the public API a bot imports (everything else is private to the framework)."""

from runner.bot import Bot, NoSettings, Task
from runner.browser import technical_error
from runner.errors import (
    BusinessError,
    InputError,
    RunnerError,
    SystemUnavailable,
    TechnicalError,
    field_errors,
    field_problems,
)
from runner.files import write_private
from runner.inputs import DEFAULT_MAX_INPUT_BYTES, read_json
from runner.item import Collector, Item, PersonAction, RunSummary, SystemAccess
from runner.retry import RetryPolicy
from runner.states import Role, State

__all__ = [
    "DEFAULT_MAX_INPUT_BYTES",
    "Bot",
    "BusinessError",
    "Collector",
    "InputError",
    "Item",
    "NoSettings",
    "PersonAction",
    "RetryPolicy",
    "Role",
    "RunSummary",
    "RunnerError",
    "State",
    "SystemAccess",
    "SystemUnavailable",
    "Task",
    "TechnicalError",
    "field_errors",
    "field_problems",
    "read_json",
    "technical_error",
    "write_private",
]
