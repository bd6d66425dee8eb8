"""The dataset contract (v1): validate and load a municipality, export its state.

``load`` validates every record before it writes anything, so a bad file fails
whole, naming its record and field. ``export`` is stable: sorted by id, no
wall-clock times, no PDF bytes, so the same seed gives byte-identical JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Connection, Engine, insert, select

from runner import field_problems
from sandbox import db as t
from sandbox.contract import MODELS, decode_base64

SOURCE_KEYS = ("units", "employments", "cases", "absences", "attest_mail")
EXPORT_KEYS = (
    "payroll_lines",
    "terminations",
    "letters",
    "journal",
    "refund_submissions",
    "case_status",
    "manager_messages",
    "attest_processed",
)


class DatasetError(ValueError):
    """Raised when a dataset cannot be loaded; names the record and the field."""

    def __init__(self, record: str, field: str, problem: str) -> None:
        self.record, self.field, self.problem = record, field, problem
        super().__init__(f"{record}: {field}: {problem}" if record else f"{field}: {problem}")


def _label(key: str, index: int, raw: Any, id_field: str | None) -> str:
    ident = raw.get(id_field) if isinstance(raw, dict) and id_field else None
    return f"{key}[{index}] ({ident})" if ident else f"{key}[{index}]"


def _first_problem(exc: ValidationError) -> tuple[str, str]:
    return field_problems(exc, "(record)")[0]


class Validated(BaseModel):
    """A whole dataset after validation: records of each key, in file order."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    as_of: date
    seed: int | None = None
    records: dict[str, list[Any]]
    labels: dict[str, list[str]]


def validate(data: Any) -> Validated:
    """Validate a dataset dict; raise :class:`DatasetError` at the first bad record."""
    if not isinstance(data, dict):
        raise DatasetError("", "(dataset)", "must be a JSON object")
    unknown = sorted(set(data) - {"as_of", "seed", *MODELS})
    if unknown:
        raise DatasetError("", unknown[0], "unknown top-level key")
    try:
        head = _Head.model_validate({"as_of": data.get("as_of"), "seed": data.get("seed")})
    except ValidationError as exc:
        field, problem = _first_problem(exc)
        raise DatasetError("", field, problem) from None
    records: dict[str, list[Any]] = {}
    labels: dict[str, list[str]] = {}
    for key, (model, id_field) in MODELS.items():
        raw_list = data.get(key, [])
        if key in ("units", "employments") and key not in data:
            raise DatasetError("", key, "Field required")
        if not isinstance(raw_list, list):
            raise DatasetError("", key, "must be a list")
        records[key], labels[key] = [], []
        for i, raw in enumerate(raw_list):
            label = _label(key, i, raw, id_field)
            try:
                records[key].append(model.model_validate(raw))
            except ValidationError as exc:
                field, problem = _first_problem(exc)
                raise DatasetError(label, field, problem) from None
            labels[key].append(label)
    result = Validated(as_of=head.as_of, seed=head.seed, records=records, labels=labels)
    _check_references(result)
    return result


class _Head(BaseModel):
    # within the systems' reach: the sandbox adds days and years to as_of (year 9999 overflows)
    as_of: Annotated[date, Field(ge=date(1900, 1, 1), le=date(2199, 12, 31))]
    seed: int | None = None


def _check_unique(v: Validated, key: str, field: str) -> set[str]:
    seen: set[str] = set()
    for rec, label in zip(v.records[key], v.labels[key], strict=True):
        value = getattr(rec, field)
        if value in seen:
            raise DatasetError(label, field, f"duplicate {field} {value}")
        seen.add(value)
    return seen


def _check_known(v: Validated, key: str, field: str, known: set[str], what: str) -> None:
    for rec, label in zip(v.records[key], v.labels[key], strict=True):
        value = getattr(rec, field)
        if value is not None and value not in known:
            raise DatasetError(label, field, f"unknown {what} {value}")


def _check_references(v: Validated) -> None:
    _check_unique(v, "units", "unit")
    employment_ids = _check_unique(v, "employments", "employment_id")
    case_ids = _check_unique(v, "cases", "case_id")
    absence_ids = _check_unique(v, "absences", "absence_id")
    message_ids = _check_unique(v, "attest_mail", "message_id")
    cprs = {e.cpr for e in v.records["employments"]}
    _check_known(v, "absences", "employment_id", employment_ids, "employment")
    for rec, label in zip(v.records["attest_mail"], v.labels["attest_mail"], strict=True):
        if rec.cpr is not None and rec.cpr not in cprs:
            raise DatasetError(label, "cpr", "unknown employment: no employment has this CPR")
    for key in ("payroll_lines", "terminations", "letters", "journal"):
        _check_known(v, key, "employment_id", employment_ids, "employment")
    _check_known(v, "refund_submissions", "absence_id", absence_ids, "absence")
    _check_known(v, "case_status", "case_id", case_ids, "case")
    _check_known(v, "attest_processed", "message_id", message_ids, "message")


@contextmanager
def _begin(db: Engine | Connection | str | Path) -> Iterator[Connection]:
    if isinstance(db, Connection):
        yield db
        return
    engine = db if isinstance(db, Engine) else t.make_engine(db)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        if engine is not db:
            engine.dispose()


def _json(model: BaseModel, **exclude: bool) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude={k for k, v in exclude.items() if v})


def load(db: Engine | Connection | str | Path, data: Any) -> Validated:
    """Replace the sandbox's state with ``data``; nothing is written if it is invalid."""
    v = validate(data)
    with _begin(db) as conn:
        t.reset(conn)
        t.set_meta(conn, "as_of", v.as_of.isoformat())
        t.set_meta(conn, "seed", v.seed)
        _insert_sources(conn, v)
        _insert_products(conn, v)
    return v


def employment_search(data: dict[str, Any]) -> str:
    parts = (data["employment_id"], data["name"], data["cpr"], data["unit"], data["position"])
    return " ".join(parts).lower()


def _insert_sources(conn: Connection, v: Validated) -> None:
    r = v.records
    rows: list[dict[str, Any]]
    if r["units"]:
        conn.execute(insert(t.units), [{"unit": u.unit, "data": _json(u)} for u in r["units"]])
    rows = []
    for e in r["employments"]:
        d = _json(e)
        rows.append({"employment_id": e.employment_id, "cpr": e.cpr, "name": e.name,
                     "unit": e.unit, "pay": e.pay, "search": employment_search(d), "data": d})
    if rows:
        conn.execute(insert(t.employments), rows)
    rows = []
    for c in r["cases"]:
        d = c.model_dump(mode="json", exclude_none=False)
        for key in ("rows", "xlsx_base64", "employment_id"):
            if d.get(key) is None and key not in (c.model_fields_set or set()):
                d.pop(key, None)
        words = [c.case_id, c.type, c.unit, c.employment_id or "", str(d.get("batch_id") or "")]
        rows.append({"case_id": c.case_id, "type": c.type, "unit": c.unit, "status": "Åben",
                     "search": " ".join(words).lower(), "data": d})
    if rows:
        conn.execute(insert(t.cases), rows)
    rows = [{"absence_id": a.absence_id, "employment_id": a.employment_id, "data": _json(a)}
            for a in r["absences"]]
    if rows:
        conn.execute(insert(t.absences), rows)
    rows = []
    for m in r["attest_mail"]:
        pdf = decode_base64(m.pdf_base64) if m.pdf_base64 is not None else None
        d = m.model_dump(mode="json", exclude_none=True, exclude={"pdf_base64"})
        if pdf is not None:
            d["pdf_sha256"] = hashlib.sha256(pdf).hexdigest()
        rows.append({"message_id": m.message_id, "folder": "Indbakke", "pdf": pdf, "data": d})
    if rows:
        conn.execute(insert(t.attest_mail), rows)


def _insert_products(conn: Connection, v: Validated) -> None:
    r = v.records
    as_of = v.as_of.isoformat()
    simple = (
        ("payroll_lines", t.payroll_lines, "registered_date"),
        ("terminations", t.terminations, "registered_date"),
        ("letters", t.letters, None),
        ("journal", t.journal, "journal_date"),
        ("refund_submissions", t.refund_submissions, "submitted_date"),
        ("manager_messages", t.manager_messages, "sent_date"),
    )
    for key, table, date_field in simple:
        rows = []
        for rec in r[key]:
            d = _json(rec)
            if date_field and d.get(date_field) is None:
                d[date_field] = as_of
            rows.append(d)
        if rows:
            conn.execute(insert(table), rows)
    for s in r["case_status"]:
        conn.execute(t.cases.update().where(t.cases.c.case_id == s.case_id)
                     .values(status=s.status, reply=s.reply, reference=s.reference))
    for p in r["attest_processed"]:
        conn.execute(t.attest_mail.update().where(t.attest_mail.c.message_id == p.message_id)
                     .values(folder=p.folder, reference=p.reference))


def _sorted(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: tuple(str(r.get(k) if r.get(k) is not None else "")
                                            for k in keys))


def _rows(conn: Connection, table: Any, *columns: str) -> list[dict[str, Any]]:
    result = conn.execute(select(*(table.c[c] for c in columns)))
    return [dict(row._mapping) for row in result]


def export(db: Engine | Connection | str | Path) -> dict[str, Any]:
    """The whole state in the dataset's shape, plus what bots produced."""
    with _begin(db) as conn:
        out: dict[str, Any] = {
            "as_of": t.get_meta(conn, "as_of"),
            "seed": t.get_meta(conn, "seed"),
        }
        for key, table, pk in (
            ("units", t.units, "unit"),
            ("employments", t.employments, "employment_id"),
            ("cases", t.cases, "case_id"),
            ("absences", t.absences, "absence_id"),
            ("attest_mail", t.attest_mail, "message_id"),
        ):
            out[key] = [row.data for row in conn.execute(select(table.c.data).order_by(table.c[pk]))]
        out["payroll_lines"] = _sorted(
            _rows(conn, t.payroll_lines, "employment_id", "wage_type", "period", "amount", "hours",
                  "earning_year", "text", "pensionable", "reference", "registered_date"),
            "employment_id", "period", "wage_type", "reference", "earning_year", "amount")
        out["terminations"] = _sorted(
            _rows(conn, t.terminations, "employment_id", "last_day", "reference", "registered_date"),
            "employment_id", "last_day", "reference")
        out["letters"] = _sorted(
            _rows(conn, t.letters, "employment_id", "subject", "text", "sent", "reference"),
            "employment_id", "reference", "subject", "sent", "text")
        out["journal"] = _sorted(
            _rows(conn, t.journal, "employment_id", "kind", "title", "doc_type", "access", "text",
                  "reference", "journal_date"),
            "employment_id", "reference", "kind", "title")
        out["refund_submissions"] = _sorted(
            _rows(conn, t.refund_submissions, "absence_id", "kind", "authority", "claim_from",
                  "claim_to", "hours", "max_refund", "decision", "paid", "reference",
                  "submitted_date"),
            "absence_id", "kind", "claim_to", "reference")
        out["case_status"] = _rows(conn, t.cases, "case_id", "status", "reply", "reference")
        out["case_status"].sort(key=lambda r: r["case_id"])
        out["manager_messages"] = _sorted(
            _rows(conn, t.manager_messages, "unit", "subject", "text", "reference", "sent_date"),
            "unit", "reference", "subject", "text")
        processed = conn.execute(
            select(t.attest_mail.c.message_id, t.attest_mail.c.folder, t.attest_mail.c.reference)
            .where(t.attest_mail.c.folder != "Indbakke").order_by(t.attest_mail.c.message_id))
        out["attest_processed"] = [dict(row._mapping) for row in processed]
    return out


def dumps(data: dict[str, Any]) -> str:
    """Serialise a dataset or export: sorted keys, so equal states give equal bytes."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
