"""Loading and exporting the dataset contract (v1)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sandbox import dataset
from sandbox.dataset import DatasetError


def _load_error(tmp_path: Path, data: dict[str, Any]) -> DatasetError:
    with pytest.raises(DatasetError) as info:
        dataset.load(tmp_path / "x.db", data)
    return info.value


def test_missing_field_names_record_and_field(tmp_path: Path, data: dict[str, Any]) -> None:
    victim = data["employments"][12]
    del victim["name"]
    err = _load_error(tmp_path, data)
    assert err.record == f"employments[12] ({victim['employment_id']})"
    assert err.field == "name"
    assert "employments[12]" in str(err) and "name" in str(err)


@pytest.mark.parametrize(("cpr", "code"), [("070761-428", "CPR_MALFORMED"),
                                            ("3201891234", "CPR_INVALID_DATE")])
def test_bad_cpr_fails_the_load(tmp_path: Path, data: dict[str, Any], cpr: str, code: str) -> None:
    data["employments"][3]["cpr"] = cpr
    err = _load_error(tmp_path, data)
    assert err.record.startswith("employments[3] (E")
    assert (err.field, err.problem) == ("cpr", code)


def test_substitute_and_manual_cprs_load(tmp_path: Path, data: dict[str, Any]) -> None:
    mailed = {m.get("cpr") for m in data["attest_mail"]}
    free = [e for e in data["employments"] if e["cpr"] not in mailed]
    free[0]["cpr"] = "6707614285"  # CPR_SUBSTITUTE
    free[1]["cpr"] = "0707614286"  # CPR_CHECK_MANUAL
    dataset.load(tmp_path / "x.db", data)


def test_absence_for_unknown_employment_fails(tmp_path: Path, data: dict[str, Any]) -> None:
    data["absences"][2]["employment_id"] = "E999999"
    err = _load_error(tmp_path, data)
    assert err.record == f"absences[2] ({data['absences'][2]['absence_id']})"
    assert err.field == "employment_id" and "E999999" in err.problem


def test_certificate_for_unknown_person_fails(tmp_path: Path, data: dict[str, Any]) -> None:
    data["attest_mail"][0]["cpr"] = "0707614285"
    err = _load_error(tmp_path, data)
    assert err.record.startswith("attest_mail[0] (") and err.field == "cpr"


def test_case_for_unknown_employment_is_allowed(tmp_path: Path, data: dict[str, Any]) -> None:
    data["cases"][0]["employment_id"] = "E999999"
    dataset.load(tmp_path / "x.db", data)


def test_duplicate_id_fails(tmp_path: Path, data: dict[str, Any]) -> None:
    data["cases"][1]["case_id"] = data["cases"][0]["case_id"]
    err = _load_error(tmp_path, data)
    assert err.record.startswith("cases[1]") and err.field == "case_id"


def test_a_failed_load_writes_nothing(tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "x.db"
    dataset.load(path, data)
    before = dataset.dumps(dataset.export(path))
    broken = copy.deepcopy(data)
    del broken["employments"][0]["cpr"]
    with pytest.raises(DatasetError):
        dataset.load(path, broken)
    assert dataset.dumps(dataset.export(path)) == before


def test_unknown_top_level_key_and_not_an_object(tmp_path: Path, data: dict[str, Any]) -> None:
    data["employees"] = []
    assert _load_error(tmp_path, data).field == "employees"
    assert _load_error(tmp_path, []).field == "(dataset)"  # type: ignore[arg-type]


def test_export_shape_and_no_pdf_bytes(db_path: Path) -> None:
    out = dataset.export(db_path)
    assert set(out) >= {"as_of", "units", "employments", "cases", "absences", "attest_mail",
                        "payroll_lines", "terminations", "letters", "journal",
                        "refund_submissions", "case_status", "manager_messages",
                        "attest_processed"}
    assert out["as_of"] == "2024-11-18"
    ids = [e["employment_id"] for e in out["employments"]]
    assert ids == sorted(ids)
    text = dataset.dumps(out)
    assert "pdf_base64" not in text and "JVBER" not in text  # base64 of "%PDF"
    assert all("pdf_sha256" in m for m in out["attest_mail"] if "cpr" not in m)
    assert json.loads(text) == out


def test_export_loads_again(tmp_path: Path, data: dict[str, Any]) -> None:
    data["attest_mail"] = [m for m in data["attest_mail"] if "pdf_base64" not in m]
    dataset.load(tmp_path / "a.db", data)
    first = dataset.export(tmp_path / "a.db")
    dataset.load(tmp_path / "b.db", first)
    assert dataset.dumps(dataset.export(tmp_path / "b.db")) == dataset.dumps(first)
