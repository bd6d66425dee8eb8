"""The runner: the public API a bot imports (everything else is private to the framework)."""

from runner.bot import Bot, NoSettings, Task
from runner.browser import technical_error
from runner.errors import BusinessError, RunnerError, SystemUnavailable, TechnicalError
from runner.files import write_private
from runner.item import Collector, Item, PersonAction, RunSummary, SystemAccess
from runner.retry import RetryPolicy
from runner.states import Role, State

__all__ = [
    "Bot",
    "BusinessError",
    "Collector",
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
    "technical_error",
    "write_private",
]
