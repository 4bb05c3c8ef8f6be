"""Find and normalise identifiers in free text: DOIs, PMIDs, PMCIDs and URLs.

Every finder returns ``(start, end, value)`` tuples in text order, where
``text[start:end]`` is the matched mention and ``value`` the normalised identifier.
All patterns are bounded and linear so they are safe on arbitrary input.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

# "10." + registrant + "/" + suffix; the suffix runs to whitespace or a delimiter.
_DOI_RE = re.compile(r"\b10\.\d{4,9}(?:/|%2[Ff])[^\s\"<>{}|\\^`“”‘’]{1,300}")
_DOI_PREFIX_RE = re.compile(r"^(?:doi\s*:\s*|(?:https?://)?(?:dx\.|www\.)?doi\.org/)", re.IGNORECASE)
_DOI_FULL_RE = re.compile(r"10\.\d{4,9}/\S{1,300}")
_TRAILING_PUNCT = ".,;:!?'\"”’>"

_PMID_RES = (
    re.compile(r"\bPMID\s*:?\s*(\d{1,9})\b", re.IGNORECASE),  # BMJ writes "pmid:34529508"
    re.compile(r"\bPubMed\s+(?:ID\s*:?\s*)?(\d{1,9})\b", re.IGNORECASE),
    re.compile(r"pubmed\.ncbi\.nlm\.nih\.gov/(\d{1,9})\b", re.IGNORECASE),
    re.compile(r"ncbi\.nlm\.nih\.gov/pubmed/(\d{1,9})\b", re.IGNORECASE),
)
_PMCID_RE = re.compile(r"\bPMC\s?(\d{4,9})\b")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"“”‘’]{1,2000}", re.IGNORECASE)


def _trim_trailing(s: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets from an identifier."""
    while s:
        last = s[-1]
        if last in _TRAILING_PUNCT:
            s = s[:-1]
        elif last == ")" and s.count("(") < s.count(")"):
            s = s[:-1]
        elif last == "]" and s.count("[") < s.count("]"):
            s = s[:-1]
        else:
            break
    return s


def normalize_doi(s: str) -> str | None:
    """Return the bare lower-case DOI in ``s`` (URL, ``doi:`` form or bare), else None."""
    if not s:
        return None
    s = _DOI_PREFIX_RE.sub("", s.strip())
    s = unquote(s).strip()
    m = _DOI_FULL_RE.match(s)
    if not m:
        return None
    doi = _trim_trailing(m.group(0))
    return doi.lower() if "/" in doi and not doi.endswith("/") else None


def find_dois(text: str) -> list[tuple[int, int, str]]:
    """All DOIs in ``text`` as (start, end, normalised DOI); the span covers the DOI only."""
    found = []
    for m in _DOI_RE.finditer(text):
        raw = _trim_trailing(m.group(0))
        doi = normalize_doi(raw)
        if doi:
            found.append((m.start(), m.start() + len(raw), doi))
    return found


def find_pmids(text: str) -> list[tuple[int, int, str]]:
    """All PubMed IDs ("PMID: 123", "PubMed 123", PubMed URLs) as (start, end, pmid)."""
    hits: dict[int, tuple[int, int, str]] = {}
    for rx in _PMID_RES:
        for m in rx.finditer(text):
            pmid = m.group(1).lstrip("0")
            if pmid and m.start(1) not in hits:
                hits[m.start(1)] = (m.start(), m.end(), pmid)
    return sorted(hits.values())


def find_pmcids(text: str) -> list[tuple[int, int, str]]:
    """All PubMed Central IDs as (start, end, "PMC1234567")."""
    return [(m.start(), m.end(), "PMC" + m.group(1)) for m in _PMCID_RE.finditer(text)]


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """All http(s)/www URLs as (start, end, url), without trailing punctuation."""
    found = []
    for m in _URL_RE.finditer(text):
        url = _trim_trailing(m.group(0))
        if len(url) > 4 and "." in url:
            found.append((m.start(), m.start() + len(url), url))
    return found
