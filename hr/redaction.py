"""The CPR redactor the runner is given (entry point `rpa.redactors`: `cpr`).

It masks CPR-shaped numbers as `DDMMYY-XXXX` wherever the runner shows, logs or keeps
text, and tells the runner what a screenshot covers. It meets the runner's `Redactor`
protocol by its shape: hr does not import the runner.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from hr.cpr import CPR_SHAPE, mask_cprs_in_text

__all__ = ["CprRedactor", "cpr_redactor"]

# Ten digits split by HTML entities, URL escapes or JSON/JavaScript escapes
# (`070761&nbsp;4285` in a body, `cpr=070761%E2%80%934285` or `070761+4285` in a query,
# `"070761\u20134285"` in a script or an API's JSON), mixed with plain separators.
_ESCAPED_SPLIT = re.compile(
    r"(?<![0-9])([0-9]{6})"
    r"((?:&#?[0-9A-Za-z]+;|%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}|\\[tnrfv/]"
    r"|[^0-9A-Za-z]){1,30})"
    r"([0-9]{4})(?![0-9])"
)
# Elements the sandbox marks as holding a CPR number, and fields named like one.
_CPR_FIELDS = ",".join(
    ["[data-cpr]"]
    + [f"{tag}[{attr}*=cpr i]" for tag in ("input", "textarea", "select") for attr in ("name", "id")]
)


@dataclass(frozen=True)
class CprRedactor:
    """Masks CPR numbers in text; on screenshots, CPR fields and CPR-shaped text."""

    name: str = "cpr"
    #: CSS of the elements a screenshot covers whatever they show.
    screen_fields: str = _CPR_FIELDS
    #: Text a screenshot covers, JavaScript-compatible; wider than `mask` (no date check).
    screen_text: re.Pattern[str] = CPR_SHAPE

    def mask(self, text: str) -> str:
        """`text` with every CPR-shaped number shown as `DDMMYY-XXXX`."""
        return mask_cprs_in_text(text)

    def mask_escaped(self, text: str, decode: Callable[[str], str]) -> str:
        """Mask numbers split by escapes; `decode` turns a split's escapes into its text.

        Only the split is decoded, and only kept decoded when the whole is a CPR number:
        the text's other entities and escapes stay as they were.
        """

        def masked(match: re.Match[str]) -> str:
            head, split, tail = match.groups()
            whole = mask_cprs_in_text(head + decode(split) + tail)
            return whole if whole == f"{head}-XXXX" else match[0]

        return _ESCAPED_SPLIT.sub(masked, text)


cpr_redactor = CprRedactor()
