"""The municipality's people: units and managers, persons, employments.

``Population`` makes ordinary staff from one ``random.Random`` and hands the
generator employments that fit an edge case (or makes one to fit). Never reads
the wall clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from random import Random
from typing import Any

from hr.cpr import generate_cpr, generate_exempt_cpr
from sandbox import names as N

EXEMPT_YEARS = (1965, 1970, 1975, 1980, 1984, 1988, 1991)  # all on the rules' exempt list

Emp = dict[str, Any]


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def months_before(d: date, n: int) -> date:
    year, month = divmod(d.year * 12 + d.month - 1 - n, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def period_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _email(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "."})
    parts = name.lower().split()
    return f"{parts[0]}.{parts[-1]}".translate(table) + "@kommune.example.dk"


class Population:
    """Units, persons and employments, and picking employments for cases."""

    def __init__(self, seed: int, as_of: date) -> None:
        self.rng = Random(seed)
        self.seed = seed
        self.as_of = as_of
        self.units: list[dict[str, Any]] = []
        self.units_by_admin: dict[str, list[dict[str, Any]]] = {}
        self.employments: list[Emp] = []
        self.cprs: set[str] = set()
        self.used: set[str] = set()
        self.pairs: list[tuple[Emp, Emp]] = []
        self._next_id = 100000

    # -- helpers ---------------------------------------------------------------
    def _new_id(self) -> str:
        self._next_id += self.rng.randint(1, 9)
        return f"E{self._next_id}"

    def days_ago(self, n: int) -> date:
        return self.as_of - timedelta(days=n)

    @property
    def prev_month_end(self) -> date:
        return self.as_of.replace(day=1) - timedelta(days=1)

    @property
    def next_period(self) -> str:
        return period_of(month_end(self.as_of) + timedelta(days=1))

    # -- organisation --------------------------------------------------------------
    def _make_units(self, employees: int) -> None:
        rng = self.rng
        taken: set[str] = set()
        for admin, weight in N.ADMIN_WEIGHTS.items():
            count = max(2, round(employees / 12 * weight / 100))
            self.units_by_admin[admin] = []
            patterns = N.UNIT_PATTERNS[admin]
            for i in range(count * 20):
                if len(self.units_by_admin[admin]) == count:
                    break
                pattern, child = patterns[i % len(patterns)] if i < len(patterns) else rng.choice(
                    patterns)
                name = pattern.format(p=rng.choice(N.PLACES), d=rng.choice(N.DISTRICTS))
                if name in taken:
                    continue
                taken.add(name)
                person = self._person()
                unit = {
                    "unit": name,
                    "administration": admin,
                    "manager": person["name"],
                    "manager_email": _email(person["name"]),
                    "child_facing": child,
                }
                self.units.append(unit)
                self.units_by_admin[admin].append(unit)

    def _person(self, birth: date | None = None, exempt: bool = False) -> dict[str, Any]:
        rng = self.rng
        female = rng.random() < 0.62
        first = rng.choice(N.FEMALE if female else N.MALE)
        middle = f" {rng.choice(N.MIDDLE)}" if rng.random() < 0.18 else ""
        name = f"{first}{middle} {rng.choice(N.SURNAMES)}"
        if exempt or (birth is None and rng.random() < 0.01):
            birth = date(rng.choice(EXEMPT_YEARS), 1, 1)
            exempt = True
        if birth is None:
            age = rng.randint(19, 66)
            birth = date(self.as_of.year - age, rng.randint(1, 12), rng.randint(1, 28))
        while True:
            cpr = generate_exempt_cpr(rng, birth) if exempt else generate_cpr(rng, birth, female)
            if cpr not in self.cprs:
                break
        self.cprs.add(cpr)
        postal, city = rng.choice(N.POSTAL)
        floor = rng.choice(["", ", st. th.", ", 1. tv.", ", 2. th.", ", 3. mf.", ", 4. tv."])
        address = f"{rng.choice(N.STREETS)} {rng.randint(1, 180)}{floor}, {postal} {city}"
        return {"name": name, "cpr": cpr, "address": address, "_birth": birth}

    # -- employments ---------------------------------------------------------------
    def _start_date(self) -> date:
        r = self.rng.random()
        if r < 0.03:
            return self.as_of + timedelta(days=self.rng.randint(1, 40))
        if r < 0.09:
            return self.days_ago(self.rng.randint(10, 110))
        return self.days_ago(self.rng.randint(180, 30 * 365))

    def _employment(
        self,
        *,
        admin: str | None = None,
        pay: str | None = None,
        category: str | None = None,
        person: dict[str, Any] | None = None,
        unit: dict[str, Any] | None = None,
        start: date | None = None,
        end: date | None = None,
        child_facing: bool | None = None,
    ) -> Emp:
        rng = self.rng
        if category == "tjenestemand":
            admin = admin or rng.choice(["BUF", "ØKF"])
        if admin is None:
            admin = rng.choices(list(N.ADMIN_WEIGHTS), weights=list(N.ADMIN_WEIGHTS.values()))[0]
        if unit is None:
            choices = [u for u in self.units_by_admin[admin]
                       if child_facing is None or u["child_facing"] == child_facing]
            unit = rng.choice(choices or self.units_by_admin[admin])
        pay = pay or ("hourly" if rng.random() < 0.2 else "monthly")
        person = person or self._person()
        if pay == "monthly":
            options = N.POSITIONS[unit["administration"]]
            if category == "tjenestemand":
                options = tuple(p for p in options if p[3]) or options
            position, agreement, base, can_tj = rng.choice(options)
            if category is None:
                category = "tjenestemand" if can_tj and rng.random() < 0.3 else "overenskomstansat"
            weekly = 37.0 if rng.random() < 0.7 else float(rng.choice([25, 30, 32, 34]))
            salary: float | None = round(base * rng.uniform(0.95, 1.12) * weekly / 37, 2)
            rate: float | None = None
        else:
            position, agreement, hourly = rng.choice(N.HOURLY_POSITIONS)
            category = "overenskomstansat"
            weekly = float(rng.choice([6, 8, 10, 12, 15, 20]))
            salary, rate = None, round(hourly * rng.uniform(0.97, 1.08), 2)
        start = start or self._start_date()
        if end is None and rng.random() < 0.04 and start < self.days_ago(60):
            end = self.days_ago(rng.randint(20, min(700, (self.as_of - start).days - 10)))
        emp: Emp = {
            "employment_id": self._new_id(),
            "cpr": person["cpr"],
            "name": person["name"],
            "address": person["address"],
            "_birth": person["_birth"],
            "position": position,
            "unit": unit["unit"],
            "administration": unit["administration"],
            "category": category,
            "pay": pay,
            "start_date": start,
            "probation_end": None,
            "end_date": end,
            "weekly_hours": weekly,
            "monthly_salary": salary,
            "hourly_rate": rate,
            "agreement": agreement,
            "pension_pct": N.PENSION_PCT[agreement],
            "last_paid_date": None,
            "holiday6": [],
            "digital_post": rng.random() < 0.96,
            "holiday6_transfer_agreed": False,
        }
        if pay == "monthly" and category == "overenskomstansat" and start > self.days_ago(100):
            emp["probation_end"] = months_before(start, -3) - timedelta(days=1)
        self._settle(emp)
        return emp

    def _settle(self, emp: Emp) -> None:
        """Recompute what follows from the dates: last paid day and 6th-week balances."""
        start, end = emp["start_date"], emp["end_date"]
        if emp["pay"] == "monthly":
            cap = min(self.prev_month_end, end) if end else self.prev_month_end
            emp["last_paid_date"] = None if start > cap else cap
            emp["holiday6"] = self._holiday6(emp)
        else:
            paid = None
            if start <= self.days_ago(3):
                paid = max(start, self.days_ago(self.rng.randint(3, 45)))
                if end:
                    paid = min(paid, end)
            emp["last_paid_date"] = paid
            emp["holiday6"] = []

    def _holiday6(self, emp: Emp) -> list[dict[str, Any]]:
        rng, as_of = self.rng, self.as_of
        entries = []
        for year in range(max(emp["start_date"].year, as_of.year - 3), as_of.year + 1):
            first = max(emp["start_date"], date(year, 1, 1))
            last = min(emp["end_date"] or as_of, as_of, date(year, 12, 31))
            if last < first:
                continue
            share = ((last - first).days + 1) / (366 if calendar.isleap(year) else 365)
            earned = round(emp["weekly_hours"] * share, 2)
            if year <= as_of.year - 2:
                taken = earned if rng.random() < 0.85 else round(earned * rng.random(), 2)
            elif year == as_of.year - 1:
                taken = rng.choice([0.0, earned, round(earned * rng.random(), 2)])
            else:
                taken = 0.0
            transferred = 0.0
            if year < as_of.year and taken < earned and rng.random() < 0.05:
                transferred = round(min(earned - taken, rng.choice([5.0, 7.4, 10.0])), 2)
            entries.append({"earning_year": year, "earned_hours": earned, "taken_hours": taken,
                            "paid_hours": 0.0, "transferred_hours": transferred})
        return entries

    def _make_pairs(self, count: int) -> None:
        """Persons with two active employments (a monthly job and an hourly one)."""
        for _ in range(count):
            first = self._pick(self._is_monthly)
            other_units = [u for u in self.units if u["unit"] != first["unit"]]
            person = {k: first[k] for k in ("name", "cpr", "address", "_birth")}
            second = self._employment(pay="hourly", person=person, unit=self.rng.choice(other_units),
                                      start=self.days_ago(self.rng.randint(200, 900)))
            second["end_date"] = None
            self._settle(second)
            self.employments.append(second)
            self.pairs.append((first, second))

    # -- picking employments for cases ------------------------------------------------------
    def _pick(self, pred: Callable[[Emp], bool], **make: Any) -> Emp:
        """An unused employment that fits, or a new one made to fit."""
        fits = [e for e in self.employments if e["employment_id"] not in self.used and pred(e)]
        if fits:
            emp = self.rng.choice(fits)
        else:
            emp = self._employment(**make)
            emp["end_date"] = make.get("end")
            self._settle(emp)
            self.employments.append(emp)
        self.used.add(emp["employment_id"])
        return emp

    def _is_monthly(self, e: Emp) -> bool:
        return (e["pay"] == "monthly" and e["category"] == "overenskomstansat"
                and e["end_date"] is None and e["digital_post"] and e["probation_end"] is None
                and e["start_date"] <= self.days_ago(700))

    def monthly(self) -> Emp:
        return self._pick(self._is_monthly, pay="monthly", category="overenskomstansat",
                          start=self.days_ago(self.rng.randint(700, 6000)))

    def hourly(self) -> Emp:
        def fits(e: Emp) -> bool:
            return (e["pay"] == "hourly" and e["end_date"] is None and e["digital_post"]
                    and e["start_date"] <= self.days_ago(200) and e["last_paid_date"] is not None
                    and e["cpr"] not in {p[0]["cpr"] for p in self.pairs})

        return self._pick(fits, pay="hourly", start=self.days_ago(self.rng.randint(200, 2000)))

    def ended(self) -> Emp:
        def fits(e: Emp) -> bool:
            return (e["pay"] == "monthly" and e["end_date"] is not None
                    and e["end_date"] < self.days_ago(20)
                    and sum(1 for o in self.employments if o["cpr"] == e["cpr"]) == 1)

        start = self.days_ago(self.rng.randint(900, 4000))
        return self._pick(fits, pay="monthly", category="overenskomstansat", start=start,
                          end=self.days_ago(self.rng.randint(40, 300)))

    def tjenestemand(self) -> Emp:
        def fits(e: Emp) -> bool:
            return (e["category"] == "tjenestemand" and e["end_date"] is None
                    and e["digital_post"] and e["start_date"] <= self.days_ago(400))

        return self._pick(fits, pay="monthly", category="tjenestemand",
                          start=self.days_ago(self.rng.randint(400, 9000)))

    def new_hire(self, child_facing: bool) -> Emp:
        def fits(e: Emp) -> bool:
            unit_child = self._unit(e["unit"])["child_facing"]
            return (e["pay"] == "monthly" and e["end_date"] is None and unit_child == child_facing
                    and e["start_date"] >= self.days_ago(60)
                    and sum(1 for o in self.employments if o["cpr"] == e["cpr"]) == 1)

        start = self.as_of + timedelta(days=self.rng.randint(-40, 30))
        admin = "BUF" if child_facing else self.rng.choice(["SUF", "TMF", "ØKF"])
        return self._pick(fits, pay="monthly", category="overenskomstansat", start=start,
                          admin=admin, child_facing=child_facing)

    def _unit(self, name: str) -> dict[str, Any]:
        return next(u for u in self.units if u["unit"] == name)

    def _unique(self, make: Callable[[], str]) -> str:
        while (cpr := make()) in self.cprs:
            pass
        self.cprs.add(cpr)
        return cpr

    def _manual_cpr(self) -> str:
        """A real date (not exempt) whose number fails modulus 11: a person must look."""

        def make() -> str:
            born = date(self.rng.randint(1960, 2000), self.rng.randint(2, 12),
                        self.rng.randint(2, 28))
            valid = generate_cpr(self.rng, born)
            return valid[:9] + str((int(valid[9]) + 1) % 10)

        return self._unique(make)
