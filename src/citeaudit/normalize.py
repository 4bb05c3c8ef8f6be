"""Normalisation of the strings that get compared: titles, names, journals, numbers.

Pure functions; used by matching, the local index and the emulator alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")
_TAGS = re.compile(r"<[^>]{0,200}>")

# words a journal abbreviation drops
JOURNAL_STOPWORDS = frozenset({"of", "and", "the", "in", "for", "on", "a", "an", "de", "la", "und", "fur"})
TITLE_STOPWORDS = frozenset(
    {"a", "an", "the", "of", "and", "or", "in", "on", "for", "to", "with", "by", "at", "from", "as", "is", "are",
     "its", "their", "into", "vs", "versus", "among", "after", "during", "between", "about"}
)


@lru_cache(maxsize=1 << 16)
def fold(s: str) -> str:
    """Lower-case, strip accents and markup, turn punctuation into spaces, collapse spaces.

    Cached: matching folds the same titles and names over and over."""
    if not s:
        return ""
    s = _TAGS.sub(" ", s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("&", " and ").replace("\u00df", "ss")
    s = _PUNCT.sub(" ", s.lower()).replace("_", " ")
    return _SPACE.sub(" ", s).strip()


def tokens(s: str) -> list[str]:
    return fold(s).split()


def title_key(s: str | None) -> str:
    """A title reduced for comparison (folded, no trailing full stop)."""
    return fold(s or "")


def significant_words(s: str, limit: int = 12) -> list[str]:
    """Title words worth searching for: no stopwords, no one-letter words, first `limit`."""
    out: list[str] = []
    for w in tokens(s):
        if w in TITLE_STOPWORDS or len(w) < 2:
            continue
        if w not in out:
            out.append(w)
        if len(out) >= limit:
            break
    return out


def family_key(name: str | None) -> str:
    """A family name reduced for comparison: 'García-Márquez' -> 'garciamarquez'."""
    return re.sub(r"[^a-z]", "", fold(name or ""))


def journal_key(s: str | None) -> str:
    """A journal name folded, '&' read as 'and', a leading 'the' and trailing ': subtitle' kept."""
    k = fold(s or "")
    if k.startswith("the "):
        k = k[4:]
    return k


# names writers use for a journal that neither its title nor its NLM abbreviation spells out
_JOURNAL_ALIASES = {
    "pnas": "Proc Natl Acad Sci U S A",
    "proceedings of the national academy of sciences": "Proc Natl Acad Sci U S A",
    "proc natl acad sci": "Proc Natl Acad Sci U S A",
    "nejm": "N Engl J Med",
}


def journal_alias(name: str) -> str:
    """The NLM abbreviation for a journal's common short name ('PNAS'), else the name unchanged."""
    return _JOURNAL_ALIASES.get(journal_key(name), name)


def _journal_words(s: str) -> list[str]:
    return [w for w in journal_key(s).split() if w not in JOURNAL_STOPWORDS]


def is_abbreviation_of(abbrev: str, full: str) -> bool:
    """True when `abbrev` abbreviates `full` word by word, ISO 4 style.

    'J Addict Med' ~ 'Journal of Addiction Medicine'; 'Front. Pharmacol.' ~ 'Frontiers in
    Pharmacology'. Every significant word of the full title must be covered, in order, by a
    prefix, so 'J Med' does not pass for 'Journal of Medicinal Chemistry'.
    """
    a, f = _journal_words(abbrev), _journal_words(full)
    if not a or not f or len(a) != len(f):
        return False
    for aw, fw in zip(a, f):
        if not fw.startswith(aw) and not _contracted(aw, fw):
            return False
    return True


def _contracted(aw: str, fw: str) -> bool:
    """ISO 4 contractions keep first and last letters in order: 'natl' ~ 'national'."""
    if not aw or aw[0] != fw[0]:
        return False
    it = iter(fw)
    return all(ch in it for ch in aw)


def normalize_number(s: str | None) -> str:
    """Volume/issue/page as comparable text: '014' -> '14', 'e33693' -> '33693'."""
    if s is None:
        return ""
    s = fold(str(s)).replace(" ", "")
    s = re.sub(r"^(e|pp|p|vol|no)", "", s)
    return s.lstrip("0") or s


def first_page(pages: str | None) -> str:
    if not pages:
        return ""
    return normalize_number(re.split(r"[-\u2013\u2014,]", str(pages))[0])


def is_abbreviation_window(full: str, words: tuple[str, ...] | list[str]) -> bool:
    """True when some run of `words` (a folded reference string's words) abbreviates the
    journal name `full` word by word, ISO 4 style ('j am chem soc' for 'Journal of the
    American Chemical Society'). One-letter words stand only for 'journal', so a run of
    initials is not read as a journal."""
    f = _journal_words(full)
    if len(f) < 2:
        return False
    ws = [w for w in words if w not in JOURNAL_STOPWORDS]
    k = len(f)
    for i in range(len(ws) - k + 1):
        window = ws[i:i + k]
        if sum(len(w) for w in window) < 5:
            continue
        ok = True
        for aw, fw in zip(window, f):
            if len(aw) < 2 and not (aw == "j" and fw.startswith("journal")):
                ok = False
                break
            if not fw.startswith(aw) and not _contracted(aw, fw):
                ok = False
                break
        if ok:
            return True
    return False
