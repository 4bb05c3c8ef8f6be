"""Crossref REST API work messages -> :class:`Record`.

Every key of a work message is optional here: Crossref omits what a publisher did
not deposit, and ``select=`` answers carry only the selected keys.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from citeaudit.models import Person, Record, RecordUpdate

SOURCE = "crossref"
RAW_FORMAT = "crossref-json"

_BLOCK_TAG = re.compile(r"</?(?:jats:)?(?:p|title|sec|list-item|list|abstract)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
# date keys a work can be cited by, in the order used when "issued" is missing
_YEAR_FALLBACKS = ("published-print", "published-online", "created")
_YEARS_KEYS = ("published-print", "published-online", "issued", "published")


def clean_markup(value: Any) -> str | None:
    """Text of a JATS/HTML fragment: block tags become spaces, inline tags vanish."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", value))
    text = _SPACE.sub(" ", html.unescape(text)).strip()
    return text or None


def _first(value: Any) -> str | None:
    """First non-empty string of a Crossref list field (or the string itself)."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, str) and v.strip()), None)
    return None


def _date_parts(date: Any) -> list[int]:
    """The first ``date-parts`` entry of a Crossref date, without nulls."""
    if not isinstance(date, dict):
        return []
    parts = date.get("date-parts")
    if not isinstance(parts, list) or not parts or not isinstance(parts[0], list):
        return []
    out: list[int] = []
    for p in parts[0]:
        try:
            out.append(int(p))
        except (TypeError, ValueError):
            break
    return out


def _year(date: Any) -> int | None:
    parts = _date_parts(date)
    return parts[0] if parts else None


def _iso_date(date: Any) -> str | None:
    """``YYYY-MM-DD`` (or a shorter prefix) from a Crossref date."""
    parts = _date_parts(date)
    if not parts:
        return None
    return "-".join([f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:3]])


def _str(value: Any) -> str | None:
    """A scalar field as a stripped string, None when absent or empty."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _person(author: Any) -> Person | None:
    if not isinstance(author, dict):
        return None
    family = _str(author.get("family"))
    if family:
        return Person(family, _str(author.get("given")) or "")
    name = _str(author.get("name"))  # organisations and consortia
    return Person(name) if name else None


def _journal_names(message: dict[str, Any]) -> tuple[str | None, list[str]]:
    """The container title and the journal's other names (short titles first)."""
    titles = [t.strip() for t in message.get("container-title") or [] if isinstance(t, str) and t.strip()]
    shorts = [t.strip() for t in message.get("short-container-title") or [] if isinstance(t, str) and t.strip()]
    journal = titles[0] if titles else None
    abbrevs: list[str] = []
    for name in shorts + titles[1:]:
        if name != journal and name not in abbrevs:
            abbrevs.append(name)
    return journal, abbrevs


def normalise_update_type(value: Any) -> str:
    """``expression-of-concern`` -> ``expression_of_concern``; lower-case, underscores."""
    return (_str(value) or "unknown").lower().replace("-", "_").replace(" ", "_")


def _update(entry: Any) -> RecordUpdate | None:
    if not isinstance(entry, dict):
        return None
    doi = _str(entry.get("DOI"))
    return RecordUpdate(
        type=normalise_update_type(entry.get("type")),
        doi=doi.lower() if doi else None,
        source=_str(entry.get("source")),
        date=_iso_date(entry.get("updated")),
        label=_str(entry.get("label")),
    )


def _updates(entries: Any) -> list[RecordUpdate]:
    if not isinstance(entries, list):
        return []
    return [u for u in (_update(e) for e in entries) if u]


def _record_year(message: dict[str, Any]) -> int | None:
    for key in ("issued",) + _YEAR_FALLBACKS:
        year = _year(message.get(key))
        if year:
            return year
    return None


def parse_work(message: dict[str, Any], raw: str | None = None) -> Record:
    """One Crossref work message (the ``message`` of ``/works/{doi}``) as a Record."""
    if not isinstance(message, dict):
        raise ValueError("Crossref work message is not a JSON object")
    doi = _str(message.get("DOI"))
    journal, abbrevs = _journal_names(message)
    work_type = _str(message.get("type"))
    return Record(
        source=SOURCE,
        doi=doi.lower() if doi else None,
        title=clean_markup(_first(message.get("title"))),
        authors=[p for p in (_person(a) for a in message.get("author") or []) if p],
        journal=journal,
        journal_abbrevs=abbrevs,
        year=_record_year(message),
        years=sorted({y for y in (_year(message.get(k)) for k in _YEARS_KEYS) if y}),
        volume=_str(message.get("volume")),
        issue=_str(message.get("issue")),
        # online-only journals often deposit the article number instead of a page range
        pages=_str(message.get("page")) or _str(message.get("article-number")),
        abstract=clean_markup(message.get("abstract")),
        publication_types=[work_type] if work_type else [],
        issns=[i for i in message.get("ISSN") or [] if isinstance(i, str)],
        updates=_updates(message.get("updated-by")),
        update_to=_updates(message.get("update-to")),
        url=_str(message.get("URL")),
        raw=raw if raw is not None else json.dumps(message, ensure_ascii=False),
        raw_format=RAW_FORMAT,
    )


def _message(body: Any) -> Any:
    if not isinstance(body, dict) or "message" not in body:
        raise ValueError("Crossref response has no 'message'")
    return body["message"]


def parse_work_response(body: dict[str, Any]) -> Record:
    """The body of ``GET /works/{doi}`` as a Record."""
    return parse_work(_message(body))


def parse_works_response(body: dict[str, Any]) -> list[Record]:
    """The items of a ``GET /works?query...`` body, in Crossref's order."""
    message = _message(body)
    items = message.get("items") if isinstance(message, dict) else None
    return [parse_work(item) for item in items or [] if isinstance(item, dict)]
