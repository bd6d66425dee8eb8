"""Playwright traces with personal data masked and credentials redacted, for debugging from.

A `trace.zip` is newline-delimited JSON events (`trace.trace`: actions, their call logs
and the DOM snapshots the viewer shows a page from; `trace.network`: the HAR entries),
`trace.stacks`, and `resources/<sha1>.<ext>`: response bodies and snapshot resources,
named by the SHA-1 of their bytes. Playwright's `mask` covers screenshots only, so
`mask_trace` rewrites the zip after `tracing.stop`: each JSON event is parsed and every
string in it masked by the active redactors (runner.redact; the escapes of JSON and of
URLs hide separators from a pattern on the raw text, so each redactor is also handed the
text with a decoder of escapes), each text resource is masked, and a changed resource is renamed by the
SHA-1 of its masked bytes and the events pointing at it follow. The old name would let
anyone holding the masked page try the masked digits until the hash matched.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote_plus

from runner.redact import active_redactors, redact_text

__all__ = ["mask_trace"]

_RESOURCES = "resources/"
_EVENT_SUFFIXES = (".trace", ".network", ".stacks", ".json")
# Bodies whose bytes are text even when they are not UTF-8 (a latin-1 page).
_TEXT_SUFFIXES = (".html", ".htm", ".txt", ".json", ".xml", ".css", ".js", ".csv", ".svg")
_BACKSLASH_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|([tnrfv/]))")
_SHORT_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v", "/": "/"}
_ESCAPES = ("&", "%", "+", "\\")
# The robot's credentials are no operator's business either: a password typed into a
# field (the fill's parameters and call log, the field in each DOM snapshot), a form
# body or query naming one, and session cookies and authorisation headers.
REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"pass|pwd|secret|token|auth|session|csrf|cookie", re.IGNORECASE)
_TYPING = frozenset({"fill", "type", "press", "pressSequentially"})
_SECRET_IN_FORM = re.compile(
    r"((?:^|[&?])[^=&\s]*(?:pass|pwd|secret|token|auth|session|csrf)[^=&\s]*=)[^&\s]*",
    re.IGNORECASE,
)


def mask_trace(path: Path) -> None:
    """Rewrite the trace zip at `path` in place: personal data masked, credentials redacted.

    The file is replaced atomically, with mode 0600; on any error the original is left
    untouched and the error raised (the caller deletes what it cannot mask).
    """
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    renamed: dict[str, str] = {}
    masked_resources: dict[str, bytes] = {}
    for info, data in members:
        if info.filename.startswith(_RESOURCES):
            masked = _mask_resource(info.filename, data)
            if masked != data:
                # Events name a body by its member name (`_file`) or its base name (`_sha1`).
                new_name = _resource_name(info.filename, masked)
                renamed[info.filename] = new_name
                renamed[PurePosixPath(info.filename).name] = PurePosixPath(new_name).name
            masked_resources[info.filename] = masked
    partial = path.with_name(path.name + ".masking")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # whatever the umask
    written: set[str] = set()
    try:
        with os.fdopen(descriptor, "wb") as raw, zipfile.ZipFile(raw, "w") as target:
            for info, data in members:
                name = info.filename
                if name in masked_resources:
                    data = masked_resources[name]
                    name = renamed.get(name, name)
                elif name.endswith(_EVENT_SUFFIXES):
                    data = _mask_events(data, renamed)
                else:
                    data = _mask_resource(name, data)
                if name not in written:  # two bodies may mask to the same bytes
                    written.add(name)
                    target.writestr(_renamed_info(info, name), data)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _mask_events(data: bytes, renamed: dict[str, str]) -> bytes:
    lines = []
    typed_secrets: dict[str, str] = {}  # call id -> what a secret field was filled with
    for line in data.decode("utf-8", errors="replace").split("\n"):
        try:
            event = json.loads(line)
        except ValueError:  # an empty last line, or not JSON after all: mask it as text
            lines.append(_mask_text(line))
            continue
        if isinstance(event, dict):
            _drop_typed_secret(event, typed_secrets)
        lines.append(json.dumps(_mask_value(event, renamed), ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines).encode("utf-8")


def _drop_typed_secret(event: dict[str, Any], typed_secrets: dict[str, str]) -> None:
    """A fill of a password field: its value in the call's parameters and call log."""
    call, params = event.get("callId"), event.get("params")
    if not isinstance(params, dict):
        params = {}
    if event.get("method") in _TYPING and _SECRET_NAME.search(str(params.get("selector", ""))):
        for key in ("value", "text", "key"):
            if isinstance(params.get(key), str) and params[key]:
                typed_secrets[str(call)] = params[key]
                params[key] = REDACTED
    secret = typed_secrets.get(str(call))
    if secret and event.get("type") == "log" and isinstance(event.get("message"), str):
        event["message"] = event["message"].replace(json.dumps(secret), json.dumps(REDACTED))


def _mask_value(value: Any, renamed: dict[str, str]) -> Any:
    if isinstance(value, str):
        return renamed.get(value) or _mask_text(value)
    if isinstance(value, list):
        return [_mask_value(item, renamed) for item in value]
    if isinstance(value, dict):
        items = {_mask_text(key): _mask_value(item, renamed) for key, item in value.items()}
        return _without_credentials(items)
    # Numbers stay numbers: the trace's are times and sizes (an epoch second such as
    # 1801234567 is CPR-shaped), and what a page shows reaches the trace as text.
    return value


def _without_credentials(value: dict[str, Any]) -> dict[str, Any]:
    # A password field in a DOM snapshot: its typed value and value attribute.
    if value.get("type") == "password":
        for key in ("value", "__playwright_value_"):
            if key in value:
                value[key] = REDACTED
    # A HAR header, query or form parameter, or a cookie: {"name": ..., "value": ...}.
    name = value.get("name")
    if isinstance(name, str) and isinstance(value.get("value"), str) and _SECRET_NAME.search(name):
        value["value"] = REDACTED
    cookies = value.get("cookies")
    for cookie in cookies if isinstance(cookies, list) else ():
        if isinstance(cookie, dict) and "value" in cookie:
            cookie["value"] = REDACTED
    if isinstance(value.get("text"), str) and "mimeType" in value:  # a HAR request's form body
        value["text"] = _SECRET_IN_FORM.sub(rf"\1{REDACTED}", value["text"])
    return value


def _mask_text(text: str) -> str:
    if any(escape in text for escape in _ESCAPES):
        for redactor in active_redactors():
            text = redactor.mask_escaped(text, _decode_escapes)
    return redact_text(text)


def _decode_escapes(split: str) -> str:
    """A run of JSON/JavaScript escapes, HTML entities and URL escapes as the text it is."""
    return unquote_plus(html.unescape(_BACKSLASH_ESCAPE.sub(_unescape_backslash, split)))


def _unescape_backslash(match: re.Match[str]) -> str:
    code = match[1] or match[2]
    return chr(int(code, 16)) if code else _SHORT_ESCAPES[match[3]]


def _mask_resource(name: str, data: bytes) -> bytes:
    """A body as text: UTF-8, else latin-1 (one byte, one character) for a text type."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        if not name.lower().endswith(_TEXT_SUFFIXES):
            return data  # an image or a font
        return _mask_text(data.decode("latin-1")).encode("latin-1")
    if name.endswith(".dat"):  # a request body: a login form's password
        text = _SECRET_IN_FORM.sub(rf"\1{REDACTED}", text)
    return _mask_text(text).encode("utf-8")


def _resource_name(name: str, data: bytes) -> str:
    suffix = PurePosixPath(name).suffix
    return f"{_RESOURCES}{hashlib.sha1(data).hexdigest()}{suffix}"  # Playwright names by SHA-1


def _renamed_info(info: zipfile.ZipInfo, name: str) -> zipfile.ZipInfo:
    renamed = zipfile.ZipInfo(name, date_time=info.date_time)
    renamed.compress_type = zipfile.ZIP_DEFLATED
    renamed.external_attr = 0o600 << 16
    return renamed
