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
