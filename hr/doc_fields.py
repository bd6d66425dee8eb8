"""What a criminal-record certificate says, read from its text (text layer or OCR).

Tolerant of the variation real mail has: the labels `CPR-nr.`, `CPR-nummer`,
`Personnummer`; the number with or without a separator, with stray spaces, quotes and
the O/0, l/1 confusions of OCR; numeric or long dates; any capitalisation; lines broken
anywhere; several pages. It never judges: `rules` decide what the fields mean.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

__all__ = ["KIND_TITLES", "CertificateFields", "contains_nearly", "letters_only", "parse_certificate"]

KIND_TITLES: dict[str, str] = {
    "boerneattest": "BØRNEATTEST",
    "straffeattest_offentlig": "STRAFFEATTEST TIL OFFENTLIG BRUG",
    "straffeattest_privat": "PRIVAT STRAFFEATTEST",
    "samtykke_afvist": "MEDDELELSE OM MANGLENDE SAMTYKKE",
}
DEFAULT_CLEAN_PHRASES: dict[str, str] = {
    "boerneattest": "Der er ingen oplysninger om afgørelser, som skal med på en børneattest.",
    "straffeattest_offentlig": "Der er ingen oplysninger i Kriminalregisteret, som skal med på en "
                               "straffeattest til offentlig brug.",
    "straffeattest_privat": "Der er ingen oplysninger i Kriminalregisteret, som skal med på en "
                            "privat straffeattest.",
}
ENTRIES_MARKERS = ("Der er registreret", "registreret følgende")
_DANISH = frozenset("æøå")
EDITS_PER = 20  # a clean phrase of 57 letters may have 2 OCR slips, one of 80 letters 4
_TITLE_SIMILARITY = 0.9  # an OCR'd title line with a stray letter or two still counts

_MONTHS = {
    "januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}  # fmt: skip
_SEP = r"\s*[:;.,]*\s*"  # OCR may read one separator as two ("CPR-nr,:")
_LEAD = r"^[\s\"'‘’“”|.,:;`´_~–—-]*"  # OCR specks before a label at the start of a line
_NAME = re.compile(rf"{_LEAD}n ?a ?v ?n{_SEP}(?P<value>.*)$", re.IGNORECASE | re.MULTILINE)  # "N avn:"
_CPR = re.compile(
    rf"(?:c\s*p\s*r\s*[-–—.]?\s*n(?:r|ummer)\b\.?|person\s*nummer){_SEP}(?P<value>[^\n]*)",
    re.IGNORECASE,
)
_ISSUED = re.compile(rf"{_LEAD}udstedt{_SEP}(?P<value>.*)$", re.IGNORECASE | re.MULTILINE)
_ORDER = re.compile(rf"{_LEAD}bestillings\s*[-–]?\s*id{_SEP}(?P<value>\S+)", re.IGNORECASE | re.MULTILINE)
# Characters OCR puts in or for the digits of a number; the letters map to digits below.
_NUMBERISH = re.compile(r"[0-9OoQDlIi|!\s'\"‘’“”`´,.\-–—]+")
_DIGIT_FOR = str.maketrans({"O": "0", "o": "0", "Q": "0", "D": "0", "l": "1", "I": "1", "i": "1",
                            "|": "1", "!": "1", "–": "-", "—": "-"})
_NOT_IN_NUMBER = re.compile(r"[\s'\"‘’“”`´,.]")
_NAME_JUNK = " \t.,;:|'\"‘’“”`´_-–—"


@dataclass(frozen=True)
class CertificateFields:
    """The fields of one certificate; `names`/`cpr_texts` hold every distinct value read."""

    kind: str | None
    kinds_found: tuple[str, ...]
    name: str | None
    names: tuple[str, ...]
    cpr_label_found: bool
    cpr_text: str | None
    cpr_texts: tuple[str, ...]
    issued: date | None
    order_id: str | None
    result_clean_phrase_found: bool
    has_entries_marker: bool

    @property
    def conflicting(self) -> bool:
        """Different names or CPR numbers in one document."""
        return len(self.names) > 1 or len(self.cpr_texts) > 1


def letters_only(text: str) -> str:
    """The letters of `text`, lower case, æ, ø and å kept, other accents dropped.

    OCR puts accents where the print has none ("Der ér ingen ..."); Danish prints no é,
    ü or the like in the titles and result lines compared here, so dropping them only
    lets a stray accent through, while æ, ø and å stay letters of their own.
    """
    return "".join(_fold(c) for c in unicodedata.normalize("NFC", text).lower() if c.isalpha())


def _fold(char: str) -> str:
    if char in _DANISH or char.isascii():
        return char
    return "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))


def parse_certificate(text: str, clean_phrases: Mapping[str, str] | None = None) -> CertificateFields:
    """Read a certificate's fields; the clean phrase found is the one of the kind read."""
    text = unicodedata.normalize("NFC", text)
    kinds = _kinds(text)
    kind = kinds[0] if len(kinds) == 1 else None
    names = _names(text)
    cpr_matches = [_cpr_value(text, m) for m in _CPR.finditer(text)]
    cprs = _distinct(cpr_matches)
    phrases = DEFAULT_CLEAN_PHRASES if clean_phrases is None else clean_phrases
    phrase = phrases.get(kind or "")
    letters = letters_only(text)
    return CertificateFields(
        kind=kind,
        kinds_found=tuple(kinds),
        name=names[0] if names else None,
        names=tuple(names),
        cpr_label_found=bool(cpr_matches),
        cpr_text=cprs[0] if cprs else None,
        cpr_texts=tuple(cprs),
        issued=_issued(text),
        order_id=_order_id(text),
        result_clean_phrase_found=bool(phrase) and contains_nearly(letters, letters_only(phrase)),
        has_entries_marker=any(contains_nearly(letters, letters_only(marker), min_edits=1)
                               for marker in ENTRIES_MARKERS),
    )


def contains_nearly(text: str, pattern: str, *, min_edits: int = 0) -> bool:
    """Whether some stretch of `text` is `pattern` but for a few OCR slips.

    At most one edit (a letter added, dropped or changed) per `EDITS_PER` letters of the
    pattern, and at least `min_edits`: a speck read as "i", "skål" for "skal". A page read
    worse than that does not match, so a clean phrase read badly sends the document to a
    person, and an entries marker read badly is still found. Only run when the exact
    search fails: then every stretch that could be within the budget (its length within
    the budget of the pattern's) is measured with rapidfuzz's Levenshtein distance.
    """
    if pattern in text:
        return True
    budget = max(min_edits, len(pattern) // EDITS_PER)
    if budget == 0 or not pattern or not text:
        return False
    shortest = max(0, len(pattern) - budget)
    stretches = [text[start : start + length]
                 for length in range(shortest, len(pattern) + budget + 1)
                 for start in range(max(1, len(text) - length + 1))]
    near = process.extractOne(pattern, stretches, scorer=Levenshtein.distance, score_cutoff=budget)
    return near is not None


def _distinct(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if value:
            seen.setdefault(_name_key(value), value)
    return list(seen.values())


def _name_key(value: str) -> str:
    return " ".join(value.lower().split())


def _kinds(text: str) -> list[str]:
    """The kinds whose title is a line (or two lines joined) of the text, exact first."""
    lines = [letters_only(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    candidates = lines + [a + b for a, b in itertools.pairwise(lines)]
    titles = {kind: letters_only(title) for kind, title in KIND_TITLES.items()}
    exact = [kind for kind, title in titles.items() if title in candidates]
    if exact:
        return exact
    return [kind for kind, title in titles.items()
            if any(_similar(title, line) for line in candidates)]


def _similar(title: str, line: str) -> bool:
    if abs(len(title) - len(line)) > 3:
        return False
    return SequenceMatcher(None, title, line).ratio() >= _TITLE_SIMILARITY


def _clean_name(value: str) -> str:
    words = [word.strip(_NAME_JUNK) for word in value.split()]
    return " ".join(word for word in words if word)


def _cpr_value(text: str, match: re.Match[str]) -> str:
    """The number after a CPR label (on its line, or the next line when the line breaks)."""
    value = match["value"] if match["value"].strip() else _next_line(text, match.end())
    run = _NUMBERISH.match(value.strip())
    raw = run.group(0) if run else ""
    number = _NOT_IN_NUMBER.sub("", raw.translate(_DIGIT_FOR)).strip("-")
    return number or value.strip()


def _next_line(text: str, position: int) -> str:
    rest = text[position:].lstrip()
    return rest.split("\n", 1)[0] if rest else ""


def _names(text: str) -> list[str]:
    values = (m["value"] if m["value"].strip() else _next_line(text, m.end()) for m in _NAME.finditer(text))
    return _distinct(_clean_name(value) for value in values)


def _order_id(text: str) -> str | None:
    match = _ORDER.search(text)
    return match["value"].strip(".,;") if match else None


def _issued(text: str) -> date | None:
    match = _ISSUED.search(text)
    if match is None:
        return None
    value = match["value"].lower()
    numeric = re.search(r"(\d{1,2})\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{4})", value)
    long_form = re.search(r"(\d{1,2})\s*\.?\s*([a-zæøå]+)\s+(\d{4})", value)
    try:
        if numeric:
            return date(int(numeric[3]), int(numeric[2]), int(numeric[1]))
        if long_form and long_form[2] in _MONTHS:
            return date(int(long_form[3]), _MONTHS[long_form[2]], int(long_form[1]))
    except ValueError:
        return None
    return None
