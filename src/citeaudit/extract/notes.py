"""Notes that repeat an earlier note: 'Ibid., 408.' and Chicago short notes ('Richter, Sylow, and
Hargreaves, "Interactions between Insulin and Exercise," 3830.'). Pure.

Such a note names no work of its own: it is linked (``linked_to``) to the full note it repeats and
shares that note's verdict, instead of being judged as a grey reference or searched."""

from __future__ import annotations

import re

from citeaudit.extract.references import NOTE_RE
from citeaudit.models import Citation
from citeaudit.normalize import fold

_TRAILER_RE = re.compile(r"[\s↩↑^]+$")


def _family(text: str) -> str:
    """The family name a short note starts with: 'Richter' of 'Richter, Sylow, and Hargreaves, ...',
    'Adamantidis' of 'Adamantidis and de Lecea, ...'."""
    lead = re.split(r",|\s+(?:and|&)\s+", text, maxsplit=1)[0].split()
    return fold(lead[-1]) if lead else ""


def _title_words(title: str) -> list[str]:
    return fold(title).split()


def _repeats(short_title: str, family: str, entry: Citation) -> bool:
    words = _title_words(short_title)
    target = fold(entry.fields.title or entry.text)
    if not words or " ".join(words) not in target:
        return False
    fams = [fold(p.family) for p in entry.fields.authors if p.family]
    return not fams or family in fams or family in fold(entry.text[:200])


def link_notes(citations: list[Citation]) -> None:
    """Link every Ibid. and short note among the reference entries to the full note it repeats."""
    previous: int | None = None  # the full note the last note stands for
    for i, c in enumerate(citations):
        if c.kind != "reference" or not c.extra.get("entry"):
            continue
        m = NOTE_RE.fullmatch(_TRAILER_RE.sub("", c.text))
        if m is None:
            previous = i
            continue
        target = None
        if m.group("ibid"):
            target = previous
            c.extra["note"] = "ibid"
        else:
            family = _family(c.text)
            for k in range(i - 1, -1, -1):
                e = citations[k]
                if e.kind == "reference" and e.linked_to is None and "note" not in e.extra \
                        and _repeats(m.group("title"), family, e):
                    target = k
                    break
            if target is not None:
                c.extra["note"] = "short"
        if target is None:
            previous = None
            continue
        c.linked_to = target
        c.category = citations[target].category
        previous = target
