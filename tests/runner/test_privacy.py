"""No full CPR number leaves: the masking pattern, and every path text takes out of the runner.

The pattern is hr.cpr's alone; the runner masks with it through the installed redactor
(hr.redaction), and both ways are held to the one table below.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from hr.cpr import mask_cprs_in_text
from runner import Bot, Item, Task
from runner.redact import redact_text
from runner.store import open_store
from runner.testing import make_store, run_items

MASKERS: dict[str, Callable[[str], str]] = {
    "runner.redact.redact_text": redact_text,
    "hr.cpr.mask_cprs_in_text": mask_cprs_in_text,
}

# What people put between the sixth and seventh digit: keyboards, word processors that
# turn a hyphen into a dash or a space into a no-break space, copies from web pages.
SEPARATORS = {
    "none": "",
    "hyphen-minus": "-",
    "space": " ",
    "en dash": "\u2013",
    "em dash": "\u2014",
    "minus sign": "\u2212",
    "no-break space": "\u00a0",
    "narrow no-break space": "\u202f",
    "tab": "\t",
    "full stop": ".",
    "solidus": "/",
    "double space": "  ",
    "hyphen": "\u2010",
    "non-breaking hyphen": "\u2011",
    "figure dash": "\u2012",
    "horizontal bar": "\u2015",
    "soft hyphen": "\u00ad",
    "full-width hyphen-minus": "\uff0d",
    "thin space": "\u2009",
    "figure space": "\u2007",
    "zero-width space": "\u200b",
    "ideographic space": "\u3000",
    "line break": "\n",
    "space en dash space": " \u2013 ",
    "two hyphens": "--",
}


@pytest.mark.parametrize("masker", MASKERS.values(), ids=MASKERS.keys())
@pytest.mark.parametrize("separator", SEPARATORS.values(), ids=SEPARATORS.keys())
def test_every_separator_is_masked(masker: Callable[[str], str], separator: str) -> None:
    for digits, head in (("0707614285", "070761"), ("6707614285", "670761")):
        cpr = digits[:6] + separator + digits[6:]
        assert masker(f"Fejl for {cpr} i eDoc") == f"Fejl for {head}-XXXX i eDoc"
        assert masker(cpr) == f"{head}-XXXX"
        assert masker(f'{{"cpr":"{cpr}"}}') == f'{{"cpr":"{head}-XXXX"}}'


@pytest.mark.parametrize("masker", MASKERS.values(), ids=MASKERS.keys())
@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("０７０７６１－４２８５", "070761-XXXX"),
        ("CPR ０７０７６１４２８５ mangler", "CPR 070761-XXXX mangler"),
        ("０７０７６１ ４２８５", "070761-XXXX"),
        ("070761-４２８５", "070761-XXXX"),  # mixed widths
        ("ＣＰＲ：０７０７６１\u3000４２８５。", "ＣＰＲ：070761-XXXX。"),
        ("æøå 070761–4285 og ０７０７６１－４２８５", "æøå 070761-XXXX og 070761-XXXX"),
    ],
)
def test_full_width_digits_are_digits(masker: Callable[[str], str], text: str, masked: str) -> None:
    assert masker(text) == masked


@pytest.mark.parametrize("masker", MASKERS.values(), ids=MASKERS.keys())
@pytest.mark.parametrize(
    "text",
    [
        "1070761\u20134285",  # part of a longer run of digits, before
        "070761\u201342851",  # and after
        "070761\u00a042851",
        "１０７０７６１４２８５",  # eleven full-width digits
        "０７０７６１４２８５１",
        "071361\u20134285",  # month 13
        "070061\u00a04285",  # month 00
        "320189\u20134285",  # day 32
        "600189\t4285",  # day 60
        "920189/4285",  # day 92
        "３２０１８９４２８５",  # day 32 in full width
        "070761 and 4285",  # a word between is two numbers
        "070761-/-/4285",  # four separators
        "070761\u2013428",  # nine digits
        "2024-05-01T10:00:00.123456Z",
    ],
)
def test_other_numbers_stay(masker: Callable[[str], str], text: str) -> None:
    assert masker(text) == text


@pytest.mark.parametrize("masker", MASKERS.values(), ids=MASKERS.keys())
def test_masking_every_form_is_idempotent(masker: Callable[[str], str]) -> None:
    text = " ".join(f"070761{separator}4285" for separator in SEPARATORS.values())
    text += " ０７０７６１－４２８５"
    once = masker(text)
    assert masker(once) == once
    assert once.count("070761-XXXX") == len(SEPARATORS) + 1
    assert re.search("4285|４２８５", once) is None


# --- every path out of a deployment: `rpa` as a real process, its log, its var/ ------------

RPA = Path(sys.executable).with_name("rpa")
ROOT = Path(__file__).resolve().parents[2]
# The people of this deployment, each written with another split.
PLANTED = ["0707614285", "1505894010", "0101901234", "2103903966", "3112004285"]
NAMES = [
    "Jens Hansen",
    " ",
    "Mette 070761\u20134285",
    "Ib 150589\u00a04010",
    "Ole ２１０３９０－３９６６",
]
FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
CONSOLE_LOG_LINE = re.compile(r"\[(?:debug|info|warning|error|critical) *\]")


def full_cprs(text: str) -> list[str]:
    """The planted numbers found whole in `text`, however split, in whatever digits."""
    text = text.translate(FULL_WIDTH)
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)  # JSON escapes
    wanted = "|".join(f"{cpr[:6]}[^0-9A-Za-z]{{0,12}}{cpr[6:]}" for cpr in PLANTED)
    return re.findall(rf"(?<![0-9])(?:{wanted})(?![0-9])", text)


@dataclass
class Deployment:
    folder: Path
    outputs: list[str] = field(default_factory=list)

    def __call__(self, *args: str, code: int = 0) -> str:
        """`rpa ARGS` as anna in the deployment's folder, umask 022; stdout and stderr kept."""
        done = subprocess.run(
            [str(RPA), "--config", "orchestrator.yaml", "--as", "anna", *args],
            cwd=self.folder, capture_output=True, text=True, timeout=120, check=False,
            preexec_fn=lambda: os.umask(0o022),
        )
        self.outputs.append(f"{done.stdout}\n{done.stderr}")  # not the arguments: they hold CPRs
        assert done.returncode == code, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        assert CONSOLE_LOG_LINE.search(done.stdout) is None, done.stdout  # structlog's defaults
        return done.stdout

    def write(self, name: str, data: object) -> str:
        (self.folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return name


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """A deployment in a temporary folder (var/ relative to it) after a run of hello."""
    folder = tmp_path_factory.mktemp("deployment")
    config = yaml.safe_load((ROOT / "orchestrator.yaml").read_text(encoding="utf-8"))
    config["clock"]["today"] = "2024-11-18"
    config["bots"]["hello"]["settings"] = {"names": NAMES, "outbox": "var/hello-outbox"}
    (folder / "orchestrator.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    rpa = Deployment(folder)
    rpa("users", "add", "anna", "--role", "admin", "--role", "operator", "--role", "ops")
    rpa("run", "hello", "--wait", "--json")
    return rpa


def item_ids(rpa: Deployment) -> dict[str, int]:
    return {row["reference"]: row["id"] for row in json.loads(rpa("queue", "ls", "--json"))}


def test_no_full_cpr_in_any_output_or_log_of_a_deployment(deployment: Deployment) -> None:
    rpa = deployment
    ids = item_ids(rpa)
    (missing,) = [i for reference, i in ids.items() if reference == "-"]
    # A person's corrections and reasons carry numbers too.
    rpa("exceptions", "retry", str(missing), "--payload",
        rpa.write("extra.json", {"name": " ", "note": "150589/4010"}), code=2)
    rpa("exceptions", "retry", str(missing), "--reason", "ring 010190 1234 om navnet")
    rpa("run", "hello", "--wait")
    rpa("bots", "pause", "hello", "--reason", "sag 070761\u20134285 venter")
    store = open_store(f"sqlite:///{rpa.folder / 'var' / 'rpa.db'}")
    try:
        store.add_alert(bot="hello", kind="probe", message="Lønsystem afviste 3112004285")
    finally:
        store.close()

    (mette,) = [i for reference, i in ids.items() if reference.startswith("mette")]
    for listing in (("bots", "ls"), ("queue", "ls"), ("exceptions", "ls"), ("runs", "ls"),
                    ("alerts", "ls"), ("runs", "show", "1"), ("exceptions", "show", str(mette)),
                    ("exceptions", "show", str(missing))):
        rpa(*listing)
        rpa(*listing, "--json")
    rpa("decide", "hello", "--input", rpa.write("hello.json", {"case": {"name": "Mette 070761.4285"}}))
    unknown = {"as_of": "2024-11-18", "case": {"type": "xx 010190\u20131234"}, "employment": None}
    rpa("decide", "termination_letters", "--input", rpa.write("unknown.json", unknown), code=2)
    rpa("bots", "resume", "hello")

    everything = "\n".join(rpa.outputs)
    logs = "\n".join(p.read_text(encoding="utf-8") for p in (rpa.folder / "var" / "logs").glob("*"))
    assert full_cprs(everything) == []
    assert full_cprs(logs) == []
    # There was something to mask on each path, and it is there masked.
    for shown in ("sag 070761-XXXX venter", "mette-070761-XXXX", "Goddag, Mette 070761-XXXX!",
                  "unknown case type 'xx 010190-XXXX'", "afviste 311200-XXXX",
                  "ring 010190-XXXX om navnet"):
        assert shown in everything, shown
    assert '"event": "item_retried_by_person"' in logs  # in the log file, not on stdout


def test_var_holds_only_private_folders_and_files(deployment: Deployment) -> None:
    var = deployment.folder / "var"
    store = open_store(f"sqlite:///{var / 'rpa.db'}")  # open: the -wal and -shm files exist
    try:
        store.list_alerts()
        paths = [var, *var.rglob("*")]
        modes = {str(p.relative_to(deployment.folder)): stat.S_IMODE(p.stat().st_mode) for p in paths}
    finally:
        store.close()

    assert {"var/rpa.db", "var/rpa.db-wal", "var/rpa.db-shm", "var/logs/rpa.jsonl"} <= set(modes)
    assert any(name.startswith("var/hello-outbox/") for name in modes)
    for name, mode in modes.items():
        wanted = 0o700 if (deployment.folder / name).is_dir() else 0o600
        assert mode == wanted, f"{name} is {mode:o}"


def test_a_letter_saved_as_an_artifact_is_private(tmp_path: Path) -> None:
    def process(item: Item) -> dict[str, str]:
        path = item.save_artifact("letter", "brev.pdf", b"%PDF- 070761-4285")
        return {"outcome": "lettered", "path": str(path)}

    letters = Bot(name="letters", version="1", tasks=[
        Task(name="send", payload=Letter, collect=lambda run: None, process=process)])
    old = os.umask(0o022)
    try:
        run = run_items(letters, "send", {"a": {"name": "Ib"}}, store=make_store(tmp_path / "var"),
                        artifacts_dir=tmp_path / "var" / "artifacts")
    finally:
        os.umask(old)

    path = Path(run["a"].result["path"])
    assert path.read_bytes().startswith(b"%PDF-")
    for folder in (tmp_path / "var" / "artifacts", path.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


class Letter(BaseModel):
    name: str


def test_a_store_url_naming_someone_elses_file_leaves_its_mode(tmp_path: Path) -> None:
    """`sqlite:////etc/passwd` by mistake must not make the machine's files 0600."""
    from runner.files import make_private_file

    other = tmp_path / "passwd"
    other.write_text("root:x:0:0:root:/root:/bin/bash\n")
    other.chmod(0o644)
    old_store = tmp_path / "old.db"
    open_store(f"sqlite:///{old_store}").close()
    old_store.chmod(0o644)

    make_private_file(other)
    make_private_file(old_store)

    assert stat.S_IMODE(other.stat().st_mode) == 0o644
    assert stat.S_IMODE(old_store.stat().st_mode) == 0o600
    with pytest.raises(IsADirectoryError):
        make_private_file(tmp_path)
    assert stat.S_IMODE(tmp_path.stat().st_mode) != 0o600
