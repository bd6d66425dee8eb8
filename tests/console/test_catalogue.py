"""The console's texts live in one gettext catalogue: every text of texts.py goes through it,
the committed template is what extraction gives today, templates carry no text of their own,
and a translation, once written, replaces the Danish sentences whole (plural forms too)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from runner.console import catalogue, texts
from runner.errors import ConfigError

TEXTS = Path(texts.__file__)
TEMPLATES = Path(texts.__file__).parent / "templates"
# Characters, not texts: where a column heading may break, or must not.
NOT_TEXTS = {"SOFT_HYPHEN", "NO_BREAK"}


def _untranslated_strings(tree: ast.Module) -> list[tuple[int, str]]:
    """String literals of texts.py that reach a page without passing through `_`/`ngettext`."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in catalogue.KEYWORDS:
            allowed.update(id(arg) for arg in node.args)
        elif isinstance(node, ast.Dict):
            allowed.update(id(key) for key in node.keys if key is not None)  # keys are codes
        elif isinstance(node, (ast.Module, ast.FunctionDef)) and node.body \
                and isinstance(node.body[0], ast.Expr):
            allowed.add(id(node.body[0].value))  # docstrings
        elif isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id in NOT_TEXTS for target in node.targets):
            allowed.add(id(node.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in allowed]


def test_every_text_in_texts_goes_through_the_catalogue() -> None:
    assert _untranslated_strings(ast.parse(TEXTS.read_text(encoding="utf-8"))) == []


def test_the_check_finds_a_text_that_skips_the_catalogue() -> None:
    tree = ast.parse('A = _("Godt")\nB = "Glemt"\nC = {"code": _("Tekst")}\n')
    assert _untranslated_strings(tree) == [(2, "Glemt")]


def test_the_committed_template_is_what_extraction_gives() -> None:
    committed = catalogue.TEMPLATE.read_bytes()
    assert committed == catalogue.template_text(), (
        "runner/console/locale/console.pot is stale: run `python -m runner.console.catalogue`")
    assert len(catalogue.extract()) > 100


def test_templates_have_no_literal_text() -> None:
    # What a page says comes from texts (`t.`): without template code, tags, entities and the
    # attributes a macro writes, no word remains.
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text(encoding="utf-8")
        without = re.sub(r"{#.*?#}|{{.*?}}|{%.*?%}", " ", source, flags=re.S)
        without = re.sub(r'<[^>]*>|&[a-z#0-9]+;|[a-z-]+="[^"]*"', " ", without, flags=re.S)
        words = re.findall(r"[A-Za-zÆØÅæøå]{2,}", without)
        assert words == [], f"{template.name}: literal text {words[:5]}"


def test_a_translation_replaces_sentences_and_their_plural_forms(tmp_path: Path) -> None:
    po = tmp_path / "en" / "LC_MESSAGES" / "console.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Overblik"\nmsgstr "Overview"\n\n'
        'msgid "{n} undtagelse venter på en medarbejder."\n'
        'msgid_plural "{n} undtagelser venter på en medarbejder."\n'
        'msgstr[0] "{n} exception is waiting for a person."\n'
        'msgstr[1] "{n} exceptions are waiting for a person."\n', encoding="utf-8")
    english = catalogue.translations("en", tmp_path)
    assert english.gettext(texts.NAV_OVERVIEW) == "Overview"
    waiting = english.ngettext("{n} undtagelse venter på en medarbejder.",
                               "{n} undtagelser venter på en medarbejder.", 3).format(n=3)
    assert waiting == "3 exceptions are waiting for a person."
    assert english.gettext(texts.LOG_OUT) == texts.LOG_OUT  # not translated yet: the Danish text


def test_the_danish_sentences_count_right() -> None:
    assert texts.exceptions_waiting(1) == "1 undtagelse venter på en medarbejder."
    assert texts.exceptions_waiting(4) == "4 undtagelser venter på en medarbejder."
    assert texts.overdue(1) == "1 emne har overskredet sin forfaldsdato."
    assert texts.overdue(2) == "2 emner har overskredet deres forfaldsdato."


def test_a_language_without_a_catalogue_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"RPA_CONSOLE_LANGUAGE: sv.*da"):
        catalogue.translations("sv", tmp_path)
    started = subprocess.run([sys.executable, "-c", "import runner.console.texts"],
                             env={"RPA_CONSOLE_LANGUAGE": "sv", "PATH": "/usr/bin:/bin"},
                             capture_output=True, text=True, check=False)
    assert started.returncode != 0
    assert "RPA_CONSOLE_LANGUAGE: sv" in started.stderr
