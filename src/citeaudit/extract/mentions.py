"""Narrative mentions: sentences that point at one specific study without a formal reference.

"a 2017 study published in the Journal of Pain Research found that kratom extract reduced
mechanical allodynia in rats" -> Citation(kind="mention") with Fields(year=2017,
journal="Journal of Pain Research", study_type="study", topic="kratom extract mechanical
allodynia rats") and extra {"anchor": "kratom", "terms": [...], "population": [...]}.

A sentence is a mention when it names a study (or authors) and at least one detail that
makes it specific: a year, a journal, an institution or named authors. "Studies show..."
with nothing specific is an uncited claim (claims.py), not a mention.
"""

from __future__ import annotations

import re

from citeaudit.extract.prose import (POPULATION, content_words, document_subject, find_year,
                                     sentence_spans)
from citeaudit.models import Citation, Document, Fields, Person

_CAP = r"[A-Z][\w&'’\-]*"
_CONNECT = r"(?:of|and|for|in|on|the|&)"
_JOURNAL_CTX_RE = re.compile(
    rf"\b(?:in|by)\s+(?:the\s+)?(?P<j>(?:The\s+)?{_CAP}(?:\s+(?:{_CAP}|{_CONNECT}))*)")
JOURNAL_WORDS = frozenset("""journal lancet annals archives proceedings review reviews bulletin frontiers reports letters
research medicine pharmacology chemistry therapeutics psychiatry neuroscience toxicology dependence addiction science
sciences plos bmj jama nature cell pediatrics neurology neuropsychopharmacology psychopharmacology ethnopharmacology
pain anesthesiology pharmacotherapy""".split())
SINGLE_JOURNALS = frozenset("Lancet JAMA BMJ NEJM Nature Science Cell Pediatrics Neurology Addiction Circulation Pain "
                            "Psychopharmacology Neuropsychopharmacology Toxicology Anesthesiology".split())
_NOT_JOURNAL = frozenset("united states america europe asia southeast".split())
_INSTITUTION_RE = re.compile(
    rf"\b(?:researchers?|scientists?|a\s+team|investigators|experts?|doctors?|physicians?)\s+(?:at|from|of)\s+"
    rf"(?:the\s+)?(?P<i>{_CAP}(?:\s+(?:{_CAP}|of|and|for|the))*)"
    r"|(?P<u>University\s+of\s+[A-Z]\w+(?:\s+[A-Z]\w+)?|[A-Z]\w+\s+University|Johns\s+Hopkins(?:\s+Medicine)?"
    r"|Mayo\s+Clinic|Harvard(?:\s+Medical\s+School)?|Cleveland\s+Clinic)")
_AUTHORS_RE = re.compile(
    r"\b(?P<fam>[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?)(?:\s+(?:and|&)\s+(?P<fam2>[A-Z][a-z]+))?\s+"
    r"(?:et\s+al\.?|and\s+(?:colleagues|co-?workers|associates))")
STUDY_TYPE_RE = re.compile(
    r"\b(meta-analys[ie]s|systematic\s+review|narrative\s+review|comprehensive\s+review|narrative\s+inquiry"
    r"|randomi[sz]ed(?:,?\s+[\w\-]+){0,3}\s+trial|clinical\s+trial|pilot\s+study|case\s+report|case\s+series"
    r"|cohort\s+study|cross-sectional\s+study|trial|review|survey|study|experiment|analysis|paper|article)\b",
    re.IGNORECASE)
_SINGULAR_RE = re.compile(
    r"\b(?:a|an|one|the|this|that|their|his|her|recent)\s+(?:[\w\-]+\s+){0,3}?"
    r"(?:study|trial|review|survey|meta-analysis|analysis|paper|article|experiment|inquiry|report)\b", re.IGNORECASE)
_FINDING_RE = re.compile(
    r"\b(?:found|find|finds|showed|shows|shown|demonstrated|demonstrates|indicated|indicates|reported|reports|"
    r"suggested|suggests|concluded|revealed|observed|noted|stated|states)\s+(?:that\s+)?", re.IGNORECASE)
_CLAUSE_END_RE = re.compile(r",\s*(?:suggesting|which|indicating|although|but|while)\b|;")


def clean_journal(name: str) -> str | None:
    """A journal name from the words after 'published in', or None if they do not name one."""
    name = re.sub(r"^(?:the)\s+", "", name.strip(), flags=re.IGNORECASE)
    name = re.sub(r"(?:\s+(?:of|and|for|in|on|the|&))+$", "", name)
    ws = name.split()
    if not ws or ws[0].lower() in _NOT_JOURNAL:
        return None
    if len(ws) == 1:
        return name if name in SINGLE_JOURNALS else None
    if not any(w.lower().strip("'’") in JOURNAL_WORDS for w in ws):
        return None
    return name


def find_journal(sentence: str) -> tuple[str, int, int] | None:
    for m in _JOURNAL_CTX_RE.finditer(sentence):
        j = clean_journal(m.group("j"))
        if j:
            start = sentence.find(j, m.start("j"))
            return j, start, start + len(j)
    return None


def find_institution(sentence: str) -> str | None:
    m = _INSTITUTION_RE.search(sentence)
    if not m:
        return None
    inst = (m.group("i") or m.group("u") or "").strip()
    inst = re.sub(r"(?:\s+(?:of|and|for|the))+$", "", inst)
    return inst or None


def find_authors(sentence: str) -> list[Person]:
    m = _AUTHORS_RE.search(sentence)
    if not m or m.group("fam") in ("The", "A", "An", "This", "These", "Researchers", "Scientists"):
        return []
    return [Person(m.group("fam"))] + ([Person(m.group("fam2"))] if m.group("fam2") else [])


def study_type(sentence: str) -> str | None:
    m = STUDY_TYPE_RE.search(sentence)
    return " ".join(m.group(1).lower().split()) if m else None


def main_clause(sentence: str) -> str:
    """What the study is said to have found: the words after 'found that', up to ', suggesting'."""
    m = _FINDING_RE.search(sentence)
    clause = sentence[m.end():] if m else sentence
    cut = _CLAUSE_END_RE.search(clause)
    return clause[: cut.start()] if cut and cut.start() > 20 else clause


def topic_of(sentence: str, subject: list[str], drop: str = "") -> tuple[str | None, list[str], list[str]]:
    """(anchor, other topic terms, population words) of a sentence.

    The anchor is the article's subject word when the sentence uses it (e.g. 'kratom'),
    else its first content word; terms are the claim's other content words.
    """
    dropped = set(content_words(drop))
    clause_terms = [w for w in content_words(main_clause(sentence)) if w not in dropped]
    all_terms = [w for w in content_words(sentence) if w not in dropped]
    in_sentence = [w for w in all_terms if w in subject]
    anchor = in_sentence[0] if in_sentence else None
    terms = clause_terms or all_terms
    if anchor is None and terms:
        anchor = max(all_terms[:6] or terms[:4], key=len)
    population = [w for w in all_terms if w in POPULATION]
    others = [w for w in terms if w != anchor and w not in POPULATION]
    return anchor, others[:10], population


def _skip_spans(doc: Document) -> list[tuple[int, int]]:
    return list(doc.blocks.get("bio", [])) + list(doc.blocks.get("references", []))


def mention_in(sentence: str, start: int, subject: list[str]) -> Citation | None:
    """The mention a sentence makes, or None."""
    journal = find_journal(sentence)
    institution = find_institution(sentence)
    authors = find_authors(sentence)
    stype = study_type(sentence)
    year = find_year(sentence)
    singular = bool(_SINGULAR_RE.search(sentence))
    if not (stype or authors):
        return None
    specific = bool(journal or authors or (institution and (singular or stype)) or (year and singular))
    if not specific:
        return None
    drop = " ".join(x for x in (journal and journal[0], institution, " ".join(p.family for p in authors)) if x)
    anchor, terms, population = topic_of(sentence, subject, drop)
    if not anchor:
        return None
    fields = Fields(authors=authors, et_al=bool(authors), year=year, journal=journal[0] if journal else None,
                    topic=" ".join([anchor, *terms, *population]), study_type=stype)
    pointers = [p for p, v in (("year", year), ("journal", journal), ("institution", institution),
                               ("authors", authors)) if v]
    extra = {"anchor": anchor, "terms": terms, "population": population, "pointers": pointers}
    if institution:
        extra["institution"] = institution
    return Citation(kind="mention", text=sentence, start=start, end=start + len(sentence), fields=fields,
                    category="scholarly", extra=extra)


def find_mentions(doc: Document, skip: list[tuple[int, int]] | None = None) -> list[Citation]:
    """Every narrative mention in the document, outside the given spans (reference entries,
    quotes already extracted, bio blocks)."""
    spans = list(skip or []) + _skip_spans(doc)
    subject = document_subject(doc.text)
    out = []
    for s, e in sentence_spans(doc.text):
        if any(a < e and s < b for a, b in spans):
            continue
        c = mention_in(doc.text[s:e], s, subject)
        if c is not None:
            out.append(c)
    return out
