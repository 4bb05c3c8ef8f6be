"""A suggested corrected entry for a mismatched reference, in the article's own wording (pure).

Like pip-audit's fix: the entry as the article wrote it, with each wrong stated value
replaced by the value found in the matched record, and nothing else touched (its style,
punctuation and order stay). A field is rewritten only where its stated value can be found
in the entry's text; fields that cannot be rewritten that way (a count of authors) are
returned as unresolved, so a reader knows the suggestion is partial.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
TEXT_FIELDS = ("title", "journal")  # compared without case; replaced as a phrase
WORD_FIELDS = ("first_author", "year", "volume", "issue", "pages", "doi", "pmid")


@dataclass
class Fix:
    text: str
    fields: list[str] = field(default_factory=list)  # rewritten
    unresolved: list[str] = field(default_factory=list)  # differing, but not rewritable in the text


def suggest_fix(text: str, differences: list[dict[str, Any]]) -> Fix | None:
    """The entry with each differing field's stated value replaced by the found one, or None
    when no field could be rewritten."""
    out = Fix(text)
    for d in differences:
        name, stated, found = d.get("field"), d.get("stated"), d.get("found")
        new = _replace(out.text, name, stated, found)
        if new is None:
            out.unresolved.append(str(name))
        else:
            out.text = new
            out.fields.append(str(name))
    return out if out.fields else None


def _replace(text: str, name: Any, stated: Any, found: Any) -> str | None:
    if stated in (None, "", []) or found in (None, "", []) or name not in TEXT_FIELDS + WORD_FIELDS:
        return None
    stated, found = str(stated).strip(), str(found).strip()
    if name in TEXT_FIELDS:
        pattern = _phrase(stated)
        flags = re.IGNORECASE
    else:
        if name == "pages":
            found = _dash_like(text, stated, found)
        pattern = r"(?<![\w.])" + _phrase(stated) + r"(?![\w])"
        flags = re.IGNORECASE if name == "doi" else 0
    match = re.search(pattern, text, flags)
    if match is None:
        return None
    return text[:match.start()] + found + text[match.end():]


def _phrase(value: str) -> str:
    """A pattern for ``value`` where any dash matches any dash and any run of spaces any run."""
    parts = []
    for ch in value:
        if ch in DASHES:
            parts.append(f"[{DASHES}]")
        elif ch.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


def _dash_like(text: str, stated: str, found: str) -> str:
    """The found page range written with the dash the entry uses ('23–31' stays an en dash)."""
    match = re.search(_phrase(stated), text)
    used = next((ch for ch in (match.group(0) if match else "") if ch in DASHES), None)
    return re.sub(f"[{DASHES}]", used, found) if used else found
