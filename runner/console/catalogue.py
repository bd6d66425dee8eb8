"""The console's one gettext catalogue: every text of `runner.console.texts` goes through `_`
or `ngettext` here, so a translation can follow without touching a page.

Danish is the source language: the message ids are the Danish texts, and with no catalogue
for the language chosen they are what the console shows. `console.pot` beside this module is
the template a translator starts from (Babel extracts it from texts.py: run
`python -m runner.console.catalogue` after changing a text; a test fails while it is stale).
A translation is `locale/LANG/LC_MESSAGES/console.po`, compiled when the console starts, and
chosen with `RPA_CONSOLE_LANGUAGE=LANG` (read once, when the texts are first imported).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from gettext import GNUTranslations, NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from runner.errors import ConfigError

DOMAIN = "console"
SOURCE_LANGUAGE = "da"
LANGUAGE_VARIABLE = "RPA_CONSOLE_LANGUAGE"
PACKAGE_DIR = Path(__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
SOURCES = (PACKAGE_DIR / "texts.py",)
KEYWORDS = {"_": None, "ngettext": (1, 2)}
# The template's stamp is fixed, so extracting twice gives the same file (and a clean diff).
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def translations(language: str, locale_dir: Path = LOCALE_DIR) -> NullTranslations:
    """The translations into `language`: none for the source language, else its .po compiled."""
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    po = locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        known = sorted(p.name for p in locale_dir.iterdir() if (p / "LC_MESSAGES").is_dir()) \
            if locale_dir.is_dir() else []
        raise ConfigError("the environment", [(LANGUAGE_VARIABLE, (
            f"{language}: the console has no catalogue {po}; languages: "
            f"{', '.join([SOURCE_LANGUAGE, *known])}"))])
    with po.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return GNUTranslations(compiled)


_language = os.environ.get(LANGUAGE_VARIABLE) or SOURCE_LANGUAGE
_active = translations(_language)


def language() -> str:
    """The console's language (the pages' `lang`): RPA_CONSOLE_LANGUAGE, else Danish."""
    return _language


def _(message: str) -> str:
    """`message` (Danish) in the console's language."""
    return _active.gettext(message)


def ngettext(one: str, many: str, count: int) -> str:
    """The form of a text for `count` ("{n} emne" / "{n} emner"), in the console's language."""
    return _active.ngettext(one, many, count)


def extract() -> Catalog:
    """Every text the sources pass to `_` and `ngettext`, as a template catalogue."""
    catalog = Catalog(domain=DOMAIN, project="rpa console", version="1",
                      copyright_holder="the rpa-backoffice authors", creation_date=STAMP,
                      revision_date=STAMP, fuzzy=False)
    for source in SOURCES:
        for lineno, message, comments, context in extract_from_file(
                "python", source, keywords=KEYWORDS, comment_tags=("Translators:",)):
            catalog.add(message, None, [(source.relative_to(PACKAGE_DIR).as_posix(), lineno)],
                        auto_comments=comments, context=context)
    return catalog


def template_text() -> bytes:
    """The template file as `extract` makes it."""
    out = BytesIO()
    write_po(out, extract(), width=100, sort_output=False, include_lineno=False)
    return out.getvalue()


def main() -> None:
    LOCALE_DIR.mkdir(exist_ok=True)
    TEMPLATE.write_bytes(template_text())
    print(f"{TEMPLATE}: {len(extract())} texts", file=sys.stderr)


if __name__ == "__main__":
    main()
