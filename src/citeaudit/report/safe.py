"""Escaping of article and service text for every output format."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"(?:\x1b\[|\x9b)[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def plain(s: object, limit: int | None = None) -> str:
    """Text safe for a terminal: no control or escape sequences, no bidi overrides."""
    text = "" if s is None else str(s)
    text = _CONTROL.sub("", text)
    text = _BIDI.sub("", text)
    text = " ".join(text.split())
    if limit and len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return text


def markdown(s: object, limit: int | None = None) -> str:
    text = plain(s, limit)
    return re.sub(r"([\\`*_{}\[\]<>()#+|!~])", r"\\\1", text)


def csv_cell(s: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = plain(s)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def html(s: object, limit: int | None = None) -> str:
    """Text safe inside HTML element content or a quoted attribute."""
    import html as _html

    return _html.escape(plain(s, limit), quote=True)


# --- the last step before anything is written: whole texts -----------------------------------

_SGR = re.compile(r"\x1b\[[0-9;]*m")
_UNSAFE_IN_TEXT = re.compile(r"(?:\x1b\[|\x9b)[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                             r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]|[\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_JSON = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def terminal(text: object, keep_color: bool = False) -> str:
    """A whole rendered text (many lines) safe for a terminal: the one sanitiser every output
    and message passes through as it is written. Escape sequences, control characters other
    than newline and tab, and bidi overrides are removed, whatever field they came in by
    (records, file names, URLs, reasons); with `keep_color` the SGR colour codes citeaudit
    itself adds are kept."""
    text = "" if text is None else str(text)
    if not keep_color:
        return _UNSAFE_IN_TEXT.sub("", text)
    parts = _SGR.split(text)
    codes = _SGR.findall(text)
    out = [_UNSAFE_IN_TEXT.sub("", parts[0])]
    for code, part in zip(codes, parts[1:]):
        out += [code, _UNSAFE_IN_TEXT.sub("", part)]
    return "".join(out)


def json_text(text: str) -> str:
    """JSON (or JSON lines) with the characters json.dumps leaves raw but a terminal acts on
    (C1 controls such as CSI, bidi overrides) written as \\u escapes: the same data, inert."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
