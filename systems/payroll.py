"""Lønsystem: employments, 6th-week balances, payroll lines, end dates, absences."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from systems.base import PageObject, receipt_of
from systems.models import Absence, Employment, Holiday6Balance, PayrollLine, Receipt


class Payroll(PageObject):
    """The payroll system (OPUS-like)."""

    system = "payroll"

    # -- reads -------------------------------------------------------------------------------------

    def employment(self, employment_id: str) -> Employment | None:
        """The full record incl. 6th-week balances; None when there is no such employment."""
        if not self.goto(self.path("employments", employment_id), "employment", page_id="employment"):
            return None
        return self._employment_on_page("employment")

    def employment_ids(self, pay: str | None = None, end_from: date | None = None,
                       end_to: date | None = None, start_from: date | None = None,
                       start_to: date | None = None) -> list[str]:
        """The ids the employment list shows for these filters (all pages); one page load per 200.

        `end_from`/`end_to` and `start_from`/`start_to` are inclusive; an employment without
        an end date is outside every end filter.
        """
        path = self.path("employments", pay=pay, end_from=end_from, end_to=end_to,
                         start_from=start_from, start_to=start_to)
        rows = self.all_rows(path, "employments", "employments", page_id="employments")
        return [row["employment_id"] or "" for row in rows]

    def employments(self, pay: str | None = None, end_from: date | None = None,
                    end_to: date | None = None, start_from: date | None = None,
                    start_to: date | None = None) -> list[Employment]:
        """Full records of every employment the filters match (opens each one)."""
        ids = self.employment_ids(pay, end_from, end_to, start_from=start_from, start_to=start_to)
        found = [self.employment(eid) for eid in ids]
        return [employment for employment in found if employment is not None]

    def employments_by_cpr(self, cpr: str) -> list[Employment]:
        """Every employment (past, current, future) of the person with this CPR number.

        `cpr` with or without its hyphen; the list is searched for it, rows whose CPR is not
        exactly it are dropped (the search matches parts of words), then each is opened.
        """
        digits = cpr.strip().replace("-", "")
        if not digits:
            return []
        step = "employments_by_cpr"
        rows = self.all_rows(self.path("employments", q=digits), "employments", step,
                             page_id="employments")
        found = [self.employment(row["employment_id"] or "") for row in rows if row.get("cpr") == digits]
        return [employment for employment in found if employment is not None]

    def lines(self, employment_id: str) -> list[PayrollLine]:
        self._open_employment(employment_id, "lines")
        return self._lines_on_page(employment_id, "lines")

    def absences(self, employment_id: str | None = None) -> list[Absence]:
        """Every absence (of one employment when given), each read from its own page."""
        rows = self.all_rows(self.path("absences", q=employment_id), "absences", "absences",
                             page_id="absences")
        ids = [row["absence_id"] or "" for row in rows
               if employment_id is None or row["employment_id"] == employment_id]
        found = [self.absence(absence_id) for absence_id in ids]
        return [absence for absence in found if absence is not None]

    def absence(self, absence_id: str) -> Absence | None:
        if not self.goto(self.path("absences", absence_id), "absence", page_id="absence"):
            return None
        return Absence.model_validate(self.values("absence-details", "absence"))

    # -- writes ------------------------------------------------------------------------------------

    def register_end_date(self, employment_id: str, last_day: date, reference: str) -> Receipt:
        step = "register_end_date"

        def find() -> str | None:
            self._open_employment(employment_id, step)
            return receipt_of(self.rows("terminations", step), reference)

        def act() -> str:
            return self.submit_form("end-date-form", {"last_day": last_day, "reference": reference}, step)

        return self.write(step, reference, find, act)

    def register_line(self, employment_id: str, *, wage_type: str, period: str, amount: Decimal | float,
                      hours: Decimal | float | None = None, earning_year: int | None = None,
                      text: str = "", pensionable: bool | None = None, reference: str) -> Receipt:
        step = "register_line"
        fields = {"wage_type": wage_type, "period": period, "amount": amount, "hours": hours,
                  "earning_year": earning_year, "text": text, "pensionable": pensionable,
                  "reference": reference}

        def find() -> str | None:
            self._open_employment(employment_id, step)
            return receipt_of(self.rows("payroll-lines", step), reference)

        return self.write(step, reference, find, lambda: self.submit_form("payroll-line-form", fields, step))

    def update_absence(self, absence_id: str, *, reported_date: date | None = None,
                       claimed_until: date | None = None, reference: str) -> Receipt:
        """Set `reported_date` and/or `claimed_until` (None leaves a date unchanged)."""
        step = "update_absence"
        fields = {"reported_date": reported_date, "claimed_until": claimed_until, "reference": reference}

        def find() -> str | None:
            if not self.goto(self.path("absences", absence_id), step, page_id="absence"):
                raise self.fail(step, f"absence {absence_id} not found")
            done = self.values("absence-details", step).get("reference") == reference
            return f"FA-{absence_id}" if done else None

        return self.write(step, reference, find, lambda: self.submit_form("absence-form", fields, step))

    # -- the employment page -----------------------------------------------------------------------

    def _open_employment(self, employment_id: str, step: str) -> None:
        if not self.goto(self.path("employments", employment_id), step, page_id="employment"):
            raise self.fail(step, f"employment {employment_id} not found")

    def _employment_on_page(self, step: str) -> Employment:
        balances = [Holiday6Balance.model_validate(row) for row in self.rows("holiday6", step)]
        return Employment.model_validate({**self.values("employment-details", step), "holiday6": balances})

    def _lines_on_page(self, employment_id: str, step: str) -> list[PayrollLine]:
        return [PayrollLine.model_validate({**row, "employment_id": employment_id})
                for row in self.rows("payroll-lines", step)]

