"""Settings of a running sandbox: logins, sessions and injected faults."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SYSTEMS = ("serviceportal", "payroll", "edoc", "digitalpost", "nemrefusion", "attest")

Layout = Literal["normal", "moved", "renamed"]


class Faults(BaseModel):
    """Realism and fault injection; everything is off by default."""

    model_config = ConfigDict(extra="forbid")

    error_rate: float = Field(0.0, ge=0.0, le=1.0)
    # "after": the request runs (and writes) before the 500 replaces its answer.
    error_phase: Literal["before", "after"] = "before"
    latency_ms: float = Field(0.0, ge=0.0)
    latency_jitter_ms: float = Field(0.0, ge=0.0)
    maintenance: bool = False
    maintenance_from: datetime | None = None
    maintenance_until: datetime | None = None
    layout: Layout = "normal"
    # Limit the faults to these systems (path prefixes); None means all.
    systems: list[str] | None = None


class SandboxSettings(BaseModel):
    """How the sandbox app behaves; passed to :func:`sandbox.app.create_app`."""

    model_config = ConfigDict(extra="forbid")

    username: str = "robot"
    password: str = "sandbox"
    session_ttl_s: float = Field(1800.0, gt=0)
    page_size: int = Field(25, ge=1, le=500)
    fault_seed: int = 0
    admin_token: str | None = None
    faults: Faults = Field(default_factory=Faults)
