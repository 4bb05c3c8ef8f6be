"""Locate the reference list of an article and split it into entries.

The text is cut into lines, lines are grouped into *items* (a bulleted or numbered
list item with its continuation lines, or an unmarked paragraph), and each item gets
a "citation-shapedness" score. Entries are then taken from

* the items under a reference heading ("References", "Sources", "Bibliography"...),
  until something that is clearly not a reference; and
* any run of list items of one marker style, headed or not, in which most items are
  citation-shaped (a reference list with no heading), trimmed to its shaped ends; and
* runs of two or more unmarked lines that each start with an author and score high.

Only the first ``_SCORE_CHARS`` characters of an item are scored and every pattern is
linear, so long lists and huge lines stay fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from citeaudit.models import Document

_SCORE_CHARS = 1500
SHAPED = 3  # score at which an item looks like a citation
_STRONG = 4  # score an unmarked line needs to count as an entry without a heading

# list markers: bullets; "[1]" and "(1)" (IEEE writes "[2]K. Author" with no space); "1." and
# "1)"; and the bare "1 " of AIP-style lists when initials follow ("1 L.K. Author, ...").
_MARKER_RE = re.compile(
    r"[ \t]*(?:(?P<bullet>[•·▪◦●‣∙*\-–—+])[ \t]+|(?P<bracket>\[\d{1,4}\]|\(\d{1,4}\))[ \t]*"
    r"|(?P<num>\d{1,4}[.)])[ \t]+|(?P<bare>\d{1,3})[ \t]+(?=[A-Z\u0400-\u042F][a-z\u0430-\u044F]{0,2}\.\s?-?|[\u3040-\u9fff\uac00-\ud7af]))(?=\S)"
)
_BARE_NUMBER_RE = re.compile(r"[ \t]*(?P<bare>\d{1,3})[ \t]+(?=\S)")
_HEADING_RE = re.compile(
    r"[ \t#*_]*(?:\d{1,2}[.)]?\s+)?"
    r"(?:references?(?:\s+list)?|sources?(?:\s+cited)?|bibliography|works\s+cited|citations?|literature(?:\s+cited)?"
    r"|further\s+reading|notes\s+and\s+references|references\s+and\s+notes|selected\s+references|cited\s+works"
    r"|(?:end|foot)?notes)"
    r"[ \t]*:?[ \t*_]*",
    re.IGNORECASE,
)

_PAREN_YEAR_RE = re.compile(r"\((?:19|20)\d{2}[a-z]?(?:[,;][^()\n]{0,30})?\)")
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_OLD_YEAR_RE = re.compile(r"(?<![\d.,])1[6-8]\d{2}\.(?=\s)")  # 'Ridolfi, Cosimo. 1843. "..."'
_AUTHOR_START_RE = re.compile(
    r"(?:[A-Z][\w'’\-]{1,40}(?: [A-Z][\w'’\-]{1,40})? [A-Z]{1,4}[,.]"  # Vancouver: Bath R,
    r"|[A-Z][\w'’\-]{1,40}, (?:[A-Z]\.[ ]?-?){1,4}"  # APA: Smith, K. E.
    r"|[A-Z][\w'’\-]{1,40}, [A-Z][a-z]{1,20}(?: [A-Z]\.)?,"  # Chicago/MLA: Smith, Kirsten E.,
    r"|[A-Z][a-z\-]{1,30}(?: [A-Z]\.?| [A-Z][a-z\-]{1,30}){0,2} [A-Z][\w'’\-]{1,40}(?:,|\s&))"  # Kirsten E. Smith,
)
_VOL_ISSUE_PAGES_RE = re.compile(r"(?<!\d)\d{1,5}\s?\([^()\n]{1,15}\)\s?[:,]\s?[eE]?\d")
_VANCOUVER_TAIL_RE = re.compile(r";\s?\d{1,5}\s?[(:]")
_LABELLED_RE = re.compile(r"\b(?:Vol(?:ume)?\.?|vol\.)\s?\d|\bpp?\.\s?[eE]?\d|\b(?:Issue|No\.)\s?\d")
# a line that starts with a journal name and its numbers: the wrapped tail of an entry
_SOURCE_TAIL_RE = re.compile(
    r"[A-Z][^.,;:()\d\n]{0,60}[.,]?\s?(?:(?:19|20)\d{2}\b|\d{1,5}\s?\(\w|\d{1,5}\s?[:,;]\s?\w)"
)
_ID_RE = re.compile(r"\b10\.\d{4,9}/\S|\bPMID:?\s?\d|\bPMC\d{4,}", re.IGNORECASE)
_QUOTED_RE = re.compile(r"[“\"][^“”\"\n]{4,400}[”\"]")
_JOURNAL_RE = re.compile(
    r"\b(?:J|Journal|Rev|Review|Med|Proc|Ann|Annals|Lancet|BMJ|JAMA|Pharmacol|Front|Int|Res|Clin|Bull|Arch|Ther)\b"
)
_ET_AL_RE = re.compile(r"\bet\.? al\b")
_URL_RE = re.compile(r"https?://|www\.")


@dataclass
class _Item:
    """A list item or paragraph: content span (marker excluded) and how it was marked."""

    start: int
    end: int
    marker: str  # "bullet", "bracket", "num" or "" for unmarked
    indent: int
    score: int = 0


def find_reference_entries(doc: Document) -> list[tuple[int, int]]:
    """Spans (start, end) in ``doc.text`` of each reference-list entry, in text order.

    Spans exclude bullets/numbers and surrounding whitespace; an entry spanning several
    lines keeps its inner newlines. Returns [] when no reference list is found.
    """
    text = doc.text
    items = _items(text)
    for item in items:
        item.score = citation_score(text[item.start : min(item.end, item.start + _SCORE_CHARS)])
    chosen: set[int] = set()
    for i, item in enumerate(items):
        if _is_heading(text, item):
            chosen.update(_headed_run(items, i + 1))
    chosen.update(_list_runs(items))
    chosen.update(_bare_runs(text, items))
    chosen.update(_lone_entries(text, items))
    chosen.update(_notes_after(text, items, chosen))
    chosen -= {i for i, it in enumerate(items) if _is_heading(text, it)}
    return [(items[i].start, items[i].end) for i in sorted(chosen)]


def citation_score(s: str) -> int:
    """How much ``s`` looks like a bibliographic reference (0 = not at all; 3+ = likely)."""
    score = 0
    if _PAREN_YEAR_RE.search(s):
        score += 2
    elif _YEAR_RE.search(s) or _OLD_YEAR_RE.search(s):
        score += 1
    if _AUTHOR_START_RE.match(s):
        score += 2
    if _VOL_ISSUE_PAGES_RE.search(s):
        score += 2
    elif _VANCOUVER_TAIL_RE.search(s) or _LABELLED_RE.search(s):
        score += 1
    if _ID_RE.search(s):
        score += 3
    for rx in (_QUOTED_RE, _JOURNAL_RE, _ET_AL_RE, _URL_RE):
        if rx.search(s):
            score += 1
    return score


# --- lines and items -------------------------------------------------------------------


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, newline excluded."""
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _items(text: str) -> list[_Item]:
    """Group lines into list items (with continuation lines) and unmarked paragraph lines."""
    items: list[_Item] = []
    current: _Item | None = None
    after_blank = True
    number = None  # the number of the last numbered item
    for start, end in _lines(text):
        head = text[start : min(end, start + 40)]
        if not head.strip():
            after_blank = True
            continue
        indent = len(head) - len(head.lstrip(" \t"))
        m = _MARKER_RE.match(head)
        if not m and current is not None and number is not None and text[current.end - 1 : current.end] in ".)":
            # the next number of a bare-numbered list after a finished entry starts an entry,
            # whatever follows it ('16 Kallio, Sinikka, and Kangas, ...', '10 c bowden, ...')
            m = _BARE_NUMBER_RE.match(head)
            if m and int(m.group("bare")) != number + 1:
                m = None
        if m:
            current = _Item(start + m.end(), end, m.lastgroup or "", indent)
            items.append(current)
            number = int(m.group("bare")) if m.lastgroup == "bare" else None
        elif current is not None and not after_blank and _continues(text, current, start, end, indent):
            current.end = end
        else:
            current = _Item(start + indent, end, "", indent)
            items.append(current)
        current.end = _rstrip(text, current.start, current.end)
        after_blank = False
    return items


def _continues(text: str, current: _Item, start: int, end: int, indent: int) -> bool:
    """Whether a line directly under ``current`` belongs to it rather than starting an item.

    Nothing continues a heading. A line indented deeper continues the item (hanging
    indent); any other line continues it unless it looks like a new reference starting
    after a finished one (an unnumbered entry under a numbered list, say). A wrapped
    line that carries the source of the entry above ("Biochem J. 2021;478(21):3827-46.",
    "Biochemical Journal, 478(21), 3827-46.") looks like an author start but continues it;
    the first line of a wrapped entry after a complete one is judged with the lines below it.
    """
    if _is_heading(text, current):
        return False
    if indent > current.indent:
        return True
    line = text[start + indent : min(end, start + _SCORE_CHARS)]
    prev_finished = text[current.end - 1 : current.end] in ".)]”\"0123456789"
    if not prev_finished:
        return True
    if not _AUTHOR_START_RE.match(line):
        # a list with one entry per line: a line that is a whole citation by itself (year and
        # locator, or year and a quoted title) after a finished one starts a new entry, whatever
        # its names look like ('v. Thurzó, E. (1926)...', 'Chamberlain, Bobby J. 1995. "..."')
        if _whole_entry(line) and _whole_entry(text[current.start:current.end]) \
                and (citation_score(line) >= 2 or _LOCATOR_RE.search(line)) \
                and _name_start(line) and not _SOURCE_TAIL_RE.match(line):
            return False
        return True
    score = citation_score(line)
    if score < SHAPED and _YEAR_RE.search(text[current.start : current.end]):
        # after a complete entry, judge a wrapped one by its first lines: "Ong LT. Management of ... in"
        score = citation_score(text[start + indent : start + indent + 400])
    new_entry = score >= SHAPED
    return not (new_entry and not _SOURCE_TAIL_RE.match(line))


# how an entry's first line may start: a capitalised name in any script ('Иванова М,'), or a
# lower-case particle before one ('v. Thurzó')
_NEW_ENTRY_START_RE = re.compile(r"(?:[a-z]{1,3}\.?\s)?([^\W\d_])[^\s,;]*[,\s]")
_LOCATOR_RE = re.compile(r"\d+\s?(?:\([^()\n]{1,12}\)\s?)?[:,]\s?[A-Za-z]?\d|[“\"][^”\"]{8,}[”\"]")


# a name written in lower case, then a comma: 'jones, john e.', 'c bowden, a schatzberg', 's, H.'
_LOWER_NAME_RE = re.compile(r"[a-z][\w'’\-]*(?:\s[a-z][\w'’\-]*)?,\s")


def _name_start(line: str) -> bool:
    """A name begins the line: a capital letter, a letter of a script without case ('莫志强'),
    or a lower-case name and its comma, as some databases export them ('jones, john e.')."""
    m = _NEW_ENTRY_START_RE.match(line)
    return bool(m and not m.group(1).islower()) or bool(_LOWER_NAME_RE.match(line))


_ANY_YEAR_RE = re.compile(r"(?<!\d)(?:1[5-9]|20)\d{2}(?!\d)")  # old works too: 'Il Cimento 1 (5-6) (1843)'


def _whole_entry(s: str) -> bool:
    """A line that ends the way a complete citation does: pages, a year or a volume, and a full stop."""
    s = s.rstrip()
    return s.endswith(".") and bool(_ANY_YEAR_RE.search(s)) and len(s) >= 40


def _rstrip(text: str, start: int, end: int) -> int:
    """End of the span after dropping trailing whitespace."""
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


# --- choosing entries ------------------------------------------------------------------


def _is_heading(text: str, item: _Item) -> bool:
    """An unmarked one-line item naming a reference section ("References", "## Sources:")."""
    if item.end - item.start > 60 or "\n" in text[item.start : item.end]:
        return False
    return bool(_HEADING_RE.fullmatch(text[item.start : item.end]))


def _headed_run(items: list[_Item], first: int) -> list[int]:
    """Indices of the items under a heading, up to the first one that is not a reference.

    List items of the first item's marker style are all accepted; other items need at
    least some bibliographic signal and must not be another heading-like short line.
    """
    run: list[int] = []
    marker = items[first].marker if first < len(items) else ""
    for i in range(first, len(items)):
        item = items[i]
        same_list = bool(marker) and item.marker == marker
        if not same_list and item.score < 2:
            break
        run.append(i)
    return run


def _list_runs(items: list[_Item]) -> list[int]:
    """Indices of items in runs of one marker style where most items are citation-shaped."""
    chosen: list[int] = []
    i = 0
    while i < len(items):
        j = i
        while j < len(items) and items[i].marker and items[j].marker == items[i].marker:
            j += 1
        if j == i:
            i += 1
            continue
        chosen.extend(_shaped_core(items, list(range(i, j))))
        i = j
    return chosen


def _shaped_core(items: list[_Item], run: list[int]) -> list[int]:
    """The run trimmed to its first and last shaped items, if most of that core is shaped.

    A numbered run keeps its dated items beyond the core too: agency pages, reports and press
    releases in a numbered list ('6. American Heart Association. ... News release. 2022 Nov 2.')
    score low but are entries of the same list."""
    shaped = [k for k in run if items[k].score >= SHAPED]
    if len(shaped) < 2:
        return []
    lo, hi = run.index(shaped[0]), run.index(shaped[-1])
    core = run[lo : hi + 1]
    if len(shaped) < 0.6 * len(core):
        return []
    if items[run[0]].marker in ("num", "bracket"):
        while hi + 1 < len(run) and items[run[hi + 1]].score >= 1:
            hi += 1
        while lo > 0 and items[run[lo - 1]].score >= 1:
            lo -= 1
    return run[lo : hi + 1]


def _bare_runs(text: str, items: list[_Item]) -> list[int]:
    """Indices of runs of 2+ consecutive unmarked items that start with authors and score high."""
    chosen: list[int] = []
    run: list[int] = []
    for i, item in enumerate(items + [_Item(0, 0, "end", 0)]):
        head = text[item.start : item.start + 200]
        if not item.marker and item.score >= _STRONG and _AUTHOR_START_RE.match(head):
            run.append(i)
            continue
        if len(run) >= 2:
            chosen.extend(run)
        run = []
    return chosen


_LONE_CHARS = 600


def _lone_entries(text: str, items: list[_Item]) -> list[int]:
    """Single entries standing alone between blank lines, as reading lists give one per style
    ('Harvard' then 'Deng, M.G. ... (2023) 'Title', Science Advances, 9(38), p. eadi3902.'): an
    item that is one short paragraph scoring like a full citation (year, authors or a quoted
    title, volume/issue/pages) and ending as an entry does."""
    chosen = []
    for i, item in enumerate(items):
        s = text[item.start:item.end]
        numbered = item.marker in ("num", "bracket")
        if len(s) > _LONE_CHARS or item.score < (4 if numbered else 5) or not _whole_entry(s):
            continue
        if not (_VOL_ISSUE_PAGES_RE.search(s) or _LABELLED_RE.search(s) or _VOL_ISSUE_RE.search(s)):
            continue
        if not (_AUTHOR_START_RE.match(s) or (numbered and _INITIALS_START_RE.match(s))):
            continue
        chosen.append(i)
    return chosen


_VOL_ISSUE_RE = re.compile(r"(?<![\d(])\d{1,5}\s?\(\d{1,4}(?:[\-–]\d{1,4})?\)(?![\d)])")
_INITIALS_START_RE = re.compile(r"(?:[A-Z]\.\s?){1,3}[A-Z][\w'’\-]+,")
# notes that repeat an earlier one: 'Ibid., 3832.', 'Id. at 12.', 'Richter, Sylow, and Hargreaves,
# "Interactions between Insulin and Exercise," 3830.'
NOTE_RE = re.compile(
    r"(?P<ibid>(?:Ibid|Ib\.|Id)\.?(?:,?\s*(?:at\s+)?(?:p{1,2}\.\s*)?[\divxlc\-–]+)?\.?)"
    r"|(?P<short>[A-Z][^“”\"\n]{1,80}?,\s*[“\"*_](?P<title>[^“”\"\n]{3,200}?)[,.]?[”\"*_]\s*,?\s*(?:p{1,2}\.\s*)?"
    r"[\dA-Za-z][\w\-–]{0,12}\.?)",
    re.IGNORECASE)


def _notes_after(text: str, items: list[_Item], chosen: set[int]) -> list[int]:
    """Notes repeating an earlier note ('Ibid., 408.', a Chicago short note) right after an entry
    of the same list: entries too, linked later to the note they repeat."""
    out: list[int] = []
    taken = set(chosen)
    for i in range(1, len(items)):
        if i in taken or (i - 1) not in taken or items[i].marker != items[i - 1].marker:
            continue
        s = text[items[i].start:items[i].end].rstrip(" ↩↑^")
        if NOTE_RE.fullmatch(s):
            out.append(i)
            taken.add(i)
    return out
