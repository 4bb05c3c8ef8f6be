"""Running-text helpers shared by the narrative extractors (mentions, quotes, bios, claims).

Sentence spans, the article's main subject, and the topic words of a claim. Pure and
linear: regexes without nested quantifiers over whole sentences.
"""

from __future__ import annotations

import re
from collections import Counter

# a sentence ends at . ! ? (optionally followed by a closing quote/bracket) before a space and
# a capital, digit or opening quote (a note marker '[3]' after the stop stays with its sentence);
# or at a line break
_END_RE = re.compile(r"(?<=[.!?])[”\"’')\]]?(?:\[\d{1,3}(?:[,\u2013\-]\d{1,3})*\])?(?=\s+[A-Z0-9“\"‘(])|\n")
_ABBREV_RE = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|Prof|St|vs|etc|al|e\.g|i\.e|Fig|No|Vol|Jr|Sr|Inc|Ltd|Co|U\.S|Ph\.D|M\.D|[A-Z])\.)$")
WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*[A-Za-z0-9]|[A-Za-z]")
YEAR_RE = re.compile(r"(?<![\d.,])(19[5-9]\d|20[0-4]\d)(?!\d|,\d|\s*(?:mg|g|kg|ml|people|participants|patients|adults))")

STOPWORDS = frozenset("""
a about above after again against all almost also although am among an and any are as at be because been before
being below between both but by can could did do does doing done down during each either else even ever every few
for from further had has have having he her here hers herself him himself his how however i if in into is it its
itself just least less like made make many may me might more most much must my neither no nor not now of off often
on once one only or other our ours out over own per perhaps quite rather same several she should since so some
such than that the their them themselves then there these they this those though through thus to too under until
up upon us very via was we well were what when where whether which while who whom whose why will with within
without would yet you your yours new
""".split())
# words that report or qualify a finding rather than say what it is about
REPORTING = frozenset("""
study studies trial trials review reviews analysis analyses survey surveys report reports reported paper papers
article articles research researchers scientists scientist experts expert investigators authors team data evidence
finding findings found find finds show shows showed shown demonstrate demonstrates demonstrated demonstrating suggest
suggests suggested suggesting indicate indicates indicated indicating reveal reveals revealed conclude concluded
published publish journal international small-scale large-scale small large recent recently randomized randomised
controlled clinical double-blind placebo-controlled pilot meta-analysis systematic narrative inquiry cohort case
observational preclinical animal human significant significantly substantial substantially statistically potential
potentially possible possibly promising promise results result effect effects led lead leads use used using user
users people participants subjects compared comparable fewer greater higher lower reduced reduce reduces reducing
increased increase increases increasing improved improve improves improvement improvements decreased decrease
associated association linked related effective efficacy benefit benefits helpful help helps state states stated
according noted notes note claim claims claimed confirm confirms confirmed validate validates validated acknowledge
acknowledges stress support supports supported examine examined examining explore explored exploring assess assessed
conducted conduct carried involving involved including include includes various certain specific particular
following first second third one two three four five years year month months week weeks day days ago today well
university institute hospital school college medicine medical department center centre clinic foundation
colleagues co-workers coworkers writing wrote write writes explained explains described describes describe discussed
looked traced issue others say says said told
""".split())
POPULATION = frozenset("rats rat mice mouse animals animal patients patient adults adult children women men "
                       "volunteers veterans users subjects participants".split())


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text[start:end], whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    s = start
    for m in _END_RE.finditer(text, start, end):
        cut = m.end() if m.group() != "\n" else m.start()
        if m.group() != "\n" and _ABBREV_RE.search(text[max(s, cut - 8):cut].rstrip("”\"’')]")):
            continue
        if m.group() == "\n" and _wrapped(text, s, cut, end):
            continue
        spans.append((s, cut))
        s = m.end()
    spans.append((s, end))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a >= 3:
            out.append((a, b))
    return out


def _wrapped(text: str, start: int, cut: int, end: int) -> bool:
    """A line break inside a hard-wrapped paragraph (not a sentence or block boundary)."""
    line = text[max(start, text.rfind("\n", start, cut) + 1):cut].rstrip()
    nxt = text[cut + 1:min(end, cut + 3)]
    if not line or not nxt.strip() or nxt.startswith("\n"):
        return False
    if nxt[0].islower():
        return True
    return len(line) >= 60 and line[-1] not in ".!?:;”\"" and nxt[0].isalpha()


def words(text: str) -> list[str]:
    return [re.sub(r"'s$", "", w.lower().replace("’", "'")) for w in WORD_RE.findall(text)]


def content_words(text: str) -> list[str]:
    """Lower-case words that are neither stopwords nor reporting/qualifying words, in order, once each."""
    out: list[str] = []
    for w in words(text):
        w = re.sub(r"'s$", "", w)
        if len(w) < 3 or w in STOPWORDS or w in REPORTING or w.isdigit():
            continue
        if w not in out:
            out.append(w)
    return out


# frequent in any health article, so never the subject ahead of a specific word
GENERIC = frozenset("""pain chronic health treatment treatments management patients patient dose doses dosage body relief
side risk risks people natural benefits benefit withdrawal brain receptor receptors doctor medication medications
medicine therapy therapies symptoms symptom disease diseases drug drugs opioid opioids alternative care condition
conditions life quality safety safe professional professionals individual individuals level levels product products
form forms strain strains plant plants effects important however""".split())


def document_subject(text: str, limit: int = 3) -> list[str]:
    """The words an article is mostly about (e.g. ['kratom', 'pain']): its most frequent content
    words, specific words before words common to all health writing."""
    counts = Counter(w for w in words(text) if len(w) >= 4 and w not in STOPWORDS and w not in REPORTING)
    top = [w for w, _ in counts.most_common(limit * 4)]
    ranked = [w for w in top if w not in GENERIC] + [w for w in top if w in GENERIC]
    return ranked[:limit]


def stem(w: str) -> str:
    """A crude stem for topic overlap: 'analgesics' ~ 'analgesic', 'reduced' ~ 'reduce'."""
    w = w.lower()
    for suf in ("ies", "es", "s", "ed", "ing", "ly"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            return w[: -len(suf)][:7]
    return w[:7]


def overlap(terms: list[str], text: str | None) -> list[str]:
    """The terms (by stem) that occur in text."""
    if not text:
        return []
    have = {stem(w) for w in words(text)}
    have |= {stem(p) for w in words(text) if "-" in w for p in w.split("-") if len(p) >= 3}  # 'Kratom-Pharmacology'
    return [t for t in terms if stem(t) in have]


def find_year(text: str) -> int | None:
    m = YEAR_RE.search(text)
    return int(m.group(1)) if m else None
