"""The runner's one exception tree.

`BusinessError` is never retried; every other `RunnerError` (and any exception a bot
lets escape) is technical and retried under the task's `RetryPolicy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class RunnerError(Exception):
    """Root of every error the runner defines."""


class BusinessError(RunnerError):
    """Raised by a bot when a rule or the data stops an item; goes to a person at once."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message or code


class TechnicalError(RunnerError):
    """Raised for a technical failure of a target system or the machine; retried."""

    def __init__(self, message: str, *, system: str | None = None, step: str | None = None) -> None:
        where = "/".join(part for part in (system, step) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.system = system
        self.step = step


class SystemUnavailable(TechnicalError):
    """Raised when a target system is down for maintenance; the item is deferred, no attempt spent."""

    def __init__(
        self,
        message: str = "system unavailable",
        *,
        system: str | None = None,
        step: str | None = None,
        retry_after_s: float = 300.0,
    ) -> None:
        super().__init__(message, system=system, step=step)
        self.retry_after_s = retry_after_s


class LeaseLost(RunnerError):
    """Raised when a worker's lease on an item expired and another worker may own it."""


class StoreUnavailable(TechnicalError):
    """Raised by the store when its database is locked, times out or has lost the connection."""

    def __init__(self, message: str, *, system: str = "store") -> None:
        super().__init__(message, system=system)


class WorkerFailed(RunnerError):
    """Raised when a worker stopped because one of its threads met an unexpected error (logged)."""


class ConfigError(RunnerError):
    """Raised when orchestrator.yaml (or another settings file) is invalid; names file and key."""

    def __init__(self, path: str, problems: list[tuple[str, str]]) -> None:
        self.path = path
        self.problems = problems
        lines = [f"{path}: {key}: {what}" for key, what in problems]
        super().__init__("\n".join(lines))


class InputError(RunnerError):
    """Raised when a file, URL or name given to the `rpa` command cannot be used; names its source."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class PermissionDenied(RunnerError):
    """Raised when an actor's roles do not allow an action or a view."""


class NotFound(RunnerError):
    """Raised when an item, run, user or bot named by a person does not exist."""


class InvalidTransition(RunnerError):
    """Raised when an action does not apply to an item in its current state."""


class PayloadInvalid(RunnerError):
    """Raised when a corrected payload fails the task's model; carries the field errors."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def field_problems(error: ValidationError, whole: str = "(payload)") -> list[tuple[str, str]]:
    """A model's validation errors as (field.path, problem) pairs, `whole` for the path when
    the problem is the whole value. The value is never repeated: it could be a CPR number."""
    return [
        (".".join(str(part) for part in problem["loc"]) or whole,
         str(problem["msg"]).removeprefix("Value error, "))
        for problem in error.errors()
    ]


def field_errors(error: ValidationError, whole: str = "(payload)") -> list[str]:
    """`field_problems` as `field.path: problem` lines."""
    return [f"{field}: {problem}" for field, problem in field_problems(error, whole)]
