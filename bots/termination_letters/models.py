"""The bot's settings (the defaults are the municipality's rules) and task payloads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    """Every number a municipality may set differently; a typo in orchestrator.yaml is an error."""

    model_config = ConfigDict(extra="forbid")

    employee_notice_months: int = Field(1, ge=0, le=12)
    probation_notice_days: int = Field(0, ge=0, le=365)
    hourly_inactive_months: int = Field(3, ge=1, le=60)


class ResignationCase(BaseModel):
    """A `resignations` item: one Serviceportalen case of type resignation."""

    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(min_length=1)


class HourlyEmployment(BaseModel):
    """An `hourly_sweep` item: an hourly-paid employment the sweep found due (or odd)."""

    model_config = ConfigDict(extra="forbid")

    employment_id: str = Field(min_length=1)
