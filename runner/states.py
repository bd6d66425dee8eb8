"""States, error kinds and triggers as enums (the lifecycle: docs/store.md)."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    NEW = "new"
    DEFERRED = "deferred"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BUSINESS_EXCEPTION = "business_exception"
    SYSTEM_EXCEPTION = "system_exception"
    RESOLVED = "resolved"
    REJECTED = "rejected"

    @property
    def is_exception(self) -> bool:
        return self in (State.BUSINESS_EXCEPTION, State.SYSTEM_EXCEPTION)

    @property
    def is_final(self) -> bool:
        """Terminal or waiting for a person: nothing more happens without one."""
        return self in (
            State.DONE,
            State.RESOLVED,
            State.REJECTED,
            State.BUSINESS_EXCEPTION,
            State.SYSTEM_EXCEPTION,
        )


class ErrorKind(StrEnum):
    BUSINESS = "business"
    SYSTEM = "system"


class Trigger(StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"
    QUEUE = "queue"


class Role(StrEnum):
    """The framework's own roles. A bot adds the roles it restricts items to (`Bot.roles`)."""

    OPERATOR = "operator"
    OPS = "ops"
    PROCESS_OWNER = "process_owner"
    ADMIN = "admin"
