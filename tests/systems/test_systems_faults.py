"""Faults: expired sessions, HTTP 500s, maintenance, and both layout variants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from runner import RetryPolicy, SystemUnavailable, TechnicalError
from sandbox.documents import plain_pdf
from systems import DigitalPost, Payroll, Serviceportal

pytestmark = pytest.mark.browser

PDF = plain_pdf(["Brev"])
NO_WAIT = RetryPolicy(max_attempts=3, initial_interval_s=0, max_interval_s=0)


def monthly(sandbox) -> dict[str, Any]:
    return next(e for e in sandbox.export()["employments"] if e["pay"] == "monthly" and e["end_date"] is None)


def one_off(payroll: Payroll, employment_id: str, reference: str):
    return payroll.register_line(employment_id, wage_type="Engangsvederlag", period="2024-12",
                                 amount=Decimal("1500"), text="Engangsvederlag", pensionable=True,
                                 reference=reference)


def lines_with(sandbox, reference: str) -> list[dict[str, Any]]:
    return [ln for ln in sandbox.export()["payroll_lines"] if ln["reference"] == reference]


def test_an_expired_session_logs_in_again(sandbox, open_system) -> None:
    payroll = open_system(Payroll)
    record = monthly(sandbox)
    assert payroll.employment(record["employment_id"]) is not None
    assert sandbox.faults(expire_sessions=True)["sessions_expired"] >= 1
    assert payroll.employment(record["employment_id"]).model_dump(mode="json") == record
    sandbox.faults(expire_sessions=True)
    assert not one_off(payroll, record["employment_id"], "EXP-1").already_done
    assert len(lines_with(sandbox, "EXP-1")) == 1


class ExpiringPayroll(Payroll):
    """Lets the session expire between verifying and submitting, as a long pause would."""

    expire: Any = None

    def submit_form(self, *args: Any, **kwargs: Any) -> str:
        if self.expire is not None:
            self.expire, expire = None, self.expire
            expire()
        return super().submit_form(*args, **kwargs)


def test_a_session_expiring_just_before_submit_is_survived_without_a_double_write(
        sandbox, session) -> None:
    payroll = ExpiringPayroll(session.context, sandbox.access("payroll"))
    payroll.expire = lambda: sandbox.faults(expire_sessions=True)
    record = monthly(sandbox)
    receipt = one_off(payroll, record["employment_id"], "EXP-2")
    assert not receipt.already_done
    assert len(lines_with(sandbox, "EXP-2")) == 1


def test_reads_under_server_errors_are_right_or_name_system_and_step(sandbox, open_system) -> None:
    payroll = open_system(Payroll)
    records = sandbox.export()["employments"][:8]
    sandbox.faults(error_rate=0.3)
    outcomes = []
    for record in records:
        try:
            for attempt in NO_WAIT.retrying(sleep=lambda s: None):
                with attempt:
                    employment = payroll.employment(record["employment_id"])
            assert employment is not None
            assert employment.model_dump(mode="json") == record
            outcomes.append("right")
        except TechnicalError as error:
            assert (error.system, error.step) == ("payroll", "employment")
            outcomes.append("error")
    assert outcomes.count("right") >= 6


def test_writes_under_server_errors_after_the_write_land_once(sandbox, open_system) -> None:
    payroll = open_system(Payroll)
    record = monthly(sandbox)
    sandbox.faults(error_rate=0.3, error_phase="after")
    for n in range(3):
        reference = f"E500-{n}"
        try:
            for attempt in NO_WAIT.retrying(sleep=lambda s: None):
                with attempt:
                    one_off(payroll, record["employment_id"], reference)
        except TechnicalError as error:
            assert (error.system, error.step) == ("payroll", "register_line")
        sandbox.faults(reset=True)
        assert len(lines_with(sandbox, reference)) <= 1
        assert one_off(payroll, record["employment_id"], reference).receipt_id.startswith("PL-")
        assert len(lines_with(sandbox, reference)) == 1
        sandbox.faults(error_rate=0.3, error_phase="after")


def test_maintenance_raises_system_unavailable_with_retry_after(sandbox, open_system) -> None:
    until = datetime.now(UTC) + timedelta(minutes=10)
    sandbox.faults(maintenance=True, maintenance_until=until.isoformat(), systems=["payroll"])
    payroll = open_system(Payroll)
    with pytest.raises(SystemUnavailable) as down:
        payroll.employment(monthly(sandbox)["employment_id"])
    assert (down.value.system, down.value.step) == ("payroll", "employment")
    assert 500 <= down.value.retry_after_s <= 600
    with pytest.raises(SystemUnavailable):
        one_off(payroll, monthly(sandbox)["employment_id"], "MAINT-1")
    assert lines_with(sandbox, "MAINT-1") == []


def test_the_moved_layout_still_reads_and_writes(sandbox, open_system) -> None:
    sandbox.faults(layout="moved")
    payroll = open_system(Payroll)
    record = monthly(sandbox)
    assert payroll.employment(record["employment_id"]).model_dump(mode="json") == record
    assert not one_off(payroll, record["employment_id"], "MOVED-1").already_done
    assert one_off(payroll, record["employment_id"], "MOVED-1").already_done
    assert len(lines_with(sandbox, "MOVED-1")) == 1
    assert len(open_system(Serviceportal).cases()) == len(sandbox.export()["cases"])


def test_the_renamed_layout_fails_naming_the_step_and_writes_nothing(sandbox, open_system) -> None:
    before = sandbox.export()
    record = monthly(sandbox)
    sandbox.faults(layout="renamed")
    payroll = open_system(Payroll)
    with pytest.raises(TechnicalError) as read:
        payroll.employment(record["employment_id"])
    assert (read.value.system, read.value.step) == ("payroll", "employment")
    with pytest.raises(TechnicalError) as write:
        one_off(payroll, record["employment_id"], "RENAMED-1")
    assert (write.value.system, write.value.step) == ("payroll", "register_line")
    sandbox.faults(expire_sessions=True)  # the login page is renamed too
    with pytest.raises(TechnicalError) as login:
        open_system(DigitalPost).send(record["employment_id"], subject="Brev", pdf=PDF, reference="RENAMED-2")
    assert (login.value.system, login.value.step) == ("digitalpost", "send")
    after = sandbox.export()
    for key in ("payroll_lines", "letters", "terminations", "employments"):
        assert after[key] == before[key]
