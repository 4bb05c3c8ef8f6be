"""Uncited research claims: "Studies show...", "Research suggests...", "Scientists acknowledge...",
"Clinical trials show promise..." with no citation in the same sentence or right after it.

Each becomes Citation(kind="claim", category="grey"): nothing to resolve, verdict unchecked
("research claimed without a source"), counted per article.
"""

from __future__ import annotations

import re

from citeaudit.extract.prose import sentence_spans
from citeaudit.models import Citation, Document, Fields

_CLAIM_RE = re.compile(
    r"\b(?:(?:recent|several|many|some|numerous|multiple|preclinical|clinical|animal|human|scientific|"
    r"observational|small|large|new|other|early|limited|existing|current)\s+)*"
    r"(?:studies|research|trials|evidence|data|science|scientists|researchers|experts|reports|surveys|findings|"
    r"reviews|case\s+reports|case\s+studies|the\s+literature)\s+(?:\w+\s+){0,2}?"
    r"(?:show|shows|showed|shown|suggest|suggests|suggested|indicate|indicates|indicated|demonstrate|demonstrates|"
    r"demonstrated|validate|validates|confirm|confirms|confirmed|find|finds|found|reveal|reveals|revealed|"
    r"acknowledge|acknowledges|support|supports|prove|proves|proven|tell|tells|report|reported|agree|agrees|"
    r"point|points|link|linked|associate|associated|recommend|recommends|believe|believes|say|says|warn|warns|"
    r"emphasi[sz]e|are\s+(?:still\s+)?(?:studying|uncovering|exploring)|offer|offers|attest|"
    r"highlight|highlights)\b"
    r"|\b(?:according\s+to\s+(?:research|studies|scientists|experts|science))\b"
    r"|\b(?:research|studies|trials)\s+(?:have|has)\s+(?:also\s+)?(?:shown|found|demonstrated|suggested)\b"
    r"|\bscientifically\s+(?:proven|shown)\b|\bclinically\s+proven\b"
    r"|\b(?:clinical\s+)?trials\s+(?:show|showed)\s+promise\b"
    # 'A recent study showed ...' with nothing to identify it (a specific one is a mention)
    r"|\b(?:a|one)\s+(?:(?:recent|new|small|large|major|landmark|single|published)\s+)*(?:study|trial|survey|review"
    r"|analysis|paper)\s+(?:\w+\s+){0,2}?(?:found|finds|showed|shows|suggests|suggested|revealed|demonstrated"
    r"|concluded|proved)\b",
    re.IGNORECASE)
_CITED_RE = re.compile(r"\[\d{1,3}(?:[,\u2013\-]\s?\d{1,3})*\]|\([A-Z][\w'\-]+(?: et al\.?)?,? (?:19|20)\d{2}\)"
                       r"|https?://|\bdoi\b|\bPMID\b", re.IGNORECASE)
_FOLLOWED_RE = re.compile(r"^(?:For (?:example|instance)|One|A (?:19|20)\d{2})\b")


# 'we asked what the research shows about ...': an indirect question, not a claim
_ASKED_RE = re.compile(r"\b(?:what|whether|how|if|why)\s+(?:the\s+|new\s+|recent\s+)?$", re.IGNORECASE)
# where a sentence turns to another claim: '... the heart[3], yet research suggests ...'
_CLAUSE_BREAK_RE = re.compile(r",\s+(?:yet|but|although|though|while|whereas)\b|;\s+|\s+but\s+")


def _clause(sentence: str, start: int, end: int) -> str:
    """The clause of the sentence holding sentence[start:end]: a note marker in an earlier clause
    belongs to that clause, not to the claim."""
    lo, hi = 0, len(sentence)
    for b in _CLAUSE_BREAK_RE.finditer(sentence):
        if b.end() <= start:
            lo = b.start()
        elif b.start() >= end:
            hi = b.start()
            break
    return sentence[lo:hi]


def find_claims(doc: Document, cited: list[tuple[int, int]] | None = None,
                skip: list[tuple[int, int]] | None = None) -> list[Citation]:
    """Sentences asserting research with no citation in them or right after them.

    ``cited``: spans of citations found elsewhere (mentions, quotes, references): a claim
    overlapping one, or immediately followed by a 'For example, a 2017 study...' mention,
    is not uncited. ``skip``: spans never to look in (reference list, bios).
    """
    text = doc.text
    cited = list(cited or [])
    link_spans = [(l.start, l.end) for l in doc.links]
    spans = sentence_spans(text)
    out = []
    for n, (s, e) in enumerate(spans):
        if any(a < e and s < b for a, b in (skip or [])):
            continue
        sentence = text[s:e]
        if "\n" not in sentence and sentence[-1] not in ".!?”\"" and len(sentence) < 90:
            continue  # a heading, not a sentence
        m = _CLAIM_RE.search(sentence)
        while m and _ASKED_RE.search(sentence[: m.start()]):
            m = _CLAIM_RE.search(sentence, m.end())  # 'we asked what the research shows': a question
        if not m or _CITED_RE.search(_clause(sentence, m.start(), m.end())):
            continue
        if any(a < e and s < b for a, b in cited + link_spans):
            continue
        if n + 1 < len(spans):
            ns, ne = spans[n + 1]
            if _FOLLOWED_RE.match(text[ns:ne]) and any(a < ne and ns < b for a, b in cited):
                continue
        out.append(Citation(kind="claim", text=sentence, start=s, end=e, fields=Fields(), category="grey",
                            extra={"phrase": m.group(0)}))
    return out
