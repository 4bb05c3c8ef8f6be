"""Author bios: "About the Author" sections, bio paragraphs, bylines, HTML author boxes and
schema.org author markup, with the claims they make.

One Citation(kind="bio") per person, Fields(authors=[the person], topic=claimed topics),
extra = {"name", "degrees", "institutions", "topics", "journals", "publication_claims",
"other_claims"}. Which of these claims an index can test is decided by the bio verdict.
"""

from __future__ import annotations

import re

from citeaudit.extract.prose import document_subject, sentence_spans, words
from citeaudit.models import Citation, Document, Fields, Person

_HEADING_RE = re.compile(
    r"^[ \t#*_]*(?:about\s+the\s+authors?|about\s+the\s+writer|author\s+bio(?:graphy)?|meet\s+the\s+authors?"
    r"|about\s+(?:dr\.?|prof\.?)\s+[A-Z][^\n]{0,40}|written\s+by|reviewed\s+by)[ \t:*_]*$",
    re.IGNORECASE | re.MULTILINE)
_U, _L = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_INITIALS = rf"(?:[{_U}]\.\s*){{1,3}}"
_FIRST = rf"[{_U}][{_L}]+(?:-[{_U}][{_L}]+)?"
_GIVEN = rf"(?:{_INITIALS}|{_FIRST}(?:\s+{_FIRST}(?=\s+[{_U}]))?(?:\s+{_INITIALS}|\s+))"
_FAMILY = (rf"(?:(?:De|Van|Von|Da|Di|Del|Le|La|de|van|von|da|di|del)\s+(?:der\s+|den\s+)?)?"
           rf"[{_U}][A-Za-zÀ-ÖØ-öø-ÿ'’]*[{_L}][A-Za-zÀ-ÖØ-öø-ÿ'’]*(?:-[{_U}][A-Za-zÀ-ÖØ-öø-ÿ'’]+)?")
_NAME = rf"(?:Dr\.?\s+|Prof(?:essor|\.)?\s+)?{_GIVEN}{_FAMILY}"
_PERSON_RE = re.compile(rf"^(?P<given>{_GIVEN})(?P<family>{_FAMILY})$")
_INLINE_HEADING_RE = re.compile(
    r"^[ \t#*_]*(?:about\s+the\s+authors?|about\s+the\s+writer|author\s+bio(?:graphy)?|meet\s+the\s+authors?"
    r"|author)[ \t*_]*[:\-–—][ \t*_]*(?=\S)", re.IGNORECASE | re.MULTILINE)
# a work the bio names: 'whose work includes "Title", published in Journal in 2021'
_QUOTED_TITLE_RE = re.compile(r"“([^“”]{8,400})”|\"([^\"\n]{8,400})\"")
_PAPER_WHERE_RE = re.compile(
    r"^\s*[,(]?\s*(?:\((?P<y0>(?:19|20)\d\d)\)\s*,?\s*)?(?:(?:published|appearing|appeared)\s+)?in\s+(?:the\s+)?"
    r"(?P<j>[A-Za-z][^;()“”\"]*?)(?:,?\s+(?:in|\()\s*(?P<y>(?:19|20)\d\d)\)?)?\s*(?:[.;]\s|[.;]?$|,\s+(?:where|which|and\s+(?:she|he|they|has|is|was))\b)")
_BIO_START_RE = re.compile(
    rf"^(?P<name>{_NAME})(?:,\s*(?:[A-Z][A-Za-z.]{{1,8}}(?:,\s*)?)+)?\s+(?:is|was|has\s+been|holds|serves)\s+"
    r"(?:a|an|the)?\s*(?:[\w\-]+\s+){0,4}?(?:pharmacologist|physician|doctor|researcher|scientist|expert|nurse|"
    r"pharmacist|professor|writer|author|journalist|editor|specialist|clinician|psychiatrist|psychologist|"
    r"neuroscientist|nutritionist|dietitian|therapist|counselor|surgeon|practitioner|advocate|consultant)",
    re.MULTILINE)
_BYLINE_RE = re.compile(rf"^[ \t]*(?:by|written\s+by|medically\s+reviewed\s+by)[ \t:]+(?P<name>{_NAME})"
                        r"(?P<deg>(?:,\s*[A-Z][A-Za-z.]{1,8})*)[ \t]*$", re.MULTILINE | re.IGNORECASE)
_DEGREE_RE = re.compile(
    r"\b(Ph\.?\s?D\.?|M\.?D\.?(?=[\s,.;)])|Pharm\.?\s?D\.?|MPH|MSc|M\.?S\.?(?=[\s,])|BSc|RN|DNP|DO(?=[\s,])|PsyD|"
    r"doctorate|master'?s\s+degree|bachelor'?s\s+degree|certificate)"
    r"(?:\s+(?:in|of)\s+(?P<field>(?-i:[A-Z]\w+(?:\s+[A-Z]\w+)*)))?", re.IGNORECASE)
_INSTITUTION_RE = re.compile(
    r"\b(?:the\s+)?(?:prestigious\s+)?(University\s+of\s+[A-Z][\w]+(?:\s+[A-Z][\w]+)?|[A-Z][\w]+\s+University"
    r"|Harvard(?:\s+Medical\s+School)?|Stanford|Yale|Johns\s+Hopkins|Mayo\s+Clinic|Oxford|Cambridge|MIT"
    r"|[A-Z][\w]+\s+(?:Institute|College|Hospital|Medical\s+Center)(?:\s+of\s+[A-Z][\w]+)?)")
_JOURNAL_NAME_RE = re.compile(
    r"(?:The\s+)?(?:[A-Z][\w&\-]+\s+){0,4}Journal(?:\s+(?:of|for|on|and|&|[A-Z][\w&\-]+)){0,7}"
    r"|\b(?:The\s+)?(?:Lancet|JAMA|BMJ|New\s+England\s+Journal\s+of\s+Medicine)\b")
_PUBLICATION_RE = re.compile(
    r"\b(?:published|authored|co-authored|written)\s+(?:numerous|many|several|over\s+\d+|more\s+than\s+\d+|"
    r"\d+|dozens\s+of|extensive)?\s*(?:[\w\-]+\s+){0,2}(?:papers|articles|studies|publications)\b"
    r"|\bresearch\s+has\s+been\s+(?:featured|published)\b"
    r"|\b(?:conducted|led)\s+(?:extensive\s+|numerous\s+)?(?:research|studies|clinical\s+trials)\b"
    r"|\binvolved\s+in\s+clinical\s+trials\b"
    r"|\bcontributing\s+(?:author|writer|editor)\b", re.IGNORECASE)
_TOPIC_AFTER_RE = re.compile(
    r"\b(?:papers|articles|research|studies|expert|expertise|specializ\w+|specialis\w+|focus\w*|studying|exploring)"
    r"\s+(?:on|in|of|into)\s+(?:the\s+)?(?P<t>[a-z][\w\- ]{2,60}?)(?=[,.;]|\s+(?:and|including|with|as|for)\b)")
_TITLES = re.compile(r"^(?:Dr\.?|Prof(?:essor|\.)?)\s+")
# a desk or a team signs too ('By Wellness Desk Staff', 'author: Health Desk'): not a person to look up
_NOT_A_PERSON_RE = re.compile(
    r"\b(?:desk|staff|team|editors?|editorial|newsroom|board|contributors|writers|reporters|panel|committee"
    r"|department|media|press|news|health|wellness|admin|group)\b", re.IGNORECASE)
# research the bio claims (a role or publications): only then is the article's subject a claimed topic
_RESEARCH_ROLE_RE = re.compile(
    r"\b(?:researcher|scientist|professor|expert|pharmacologist|neuroscientist|epidemiologist|investigator"
    r"|toxicologist|physiologist|lecturer|Ph\.?\s?D)\b", re.IGNORECASE)
# a quoted expert with a research claim: '..., said Dr. Jane Roe, a sleep researcher at X who has published
# studies on melatonin.' (a quoted clinician with no such claim is not a bio)
_QUOTED_EXPERT_RE = re.compile(
    rf"\b(?:said|says|explained|added|noted|according\s+to)\s+(?P<name>{_NAME}),\s+(?:a|an|the)\s+[^.;]{{0,150}}?"
    r"\b(?:who\s+(?:has\s+)?(?:published|studies|researches|has\s+studied)|whose\s+research|has\s+published)\b[^.;]*[.;]?")


def is_person(name: str) -> bool:
    """A person's name, not a desk's, team's or organisation's signature."""
    return not _NOT_A_PERSON_RE.search(name)


def person_of(name: str) -> Person:
    """'Dr. Emma Johnson' -> Person('Johnson', 'Emma'); 'Dr. J. E. De Neve' -> Person('De Neve', 'J. E.')."""
    bare = " ".join(_TITLES.sub("", name.strip()).split())
    m = _PERSON_RE.match(bare)
    if m:
        return Person(m.group("family"), " ".join(m.group("given").split()))
    parts = bare.split()
    if len(parts) == 1:
        return Person(parts[0])
    return Person(parts[-1], " ".join(parts[:-1]))


def _paragraph_end(text: str, start: int, limit: int = 2500) -> int:
    """End of the bio that starts at `start`: up to the next heading, blank-line-separated
    paragraph not about the person, or `limit` characters."""
    stop = min(len(text), start + limit)
    m = re.search(r"\n[ \t]*\n", text[start:stop])
    return start + m.start() if m else stop


def _bio_spans(doc: Document) -> list[tuple[int, int, str | None]]:
    """(start, end, name or None) of each bio block."""
    text = doc.text
    spans: list[tuple[int, int, str | None]] = [(s, e, None) for s, e in doc.blocks.get("bio", [])]
    for m in _INLINE_HEADING_RE.finditer(text):  # 'About the author: Dr. ... is ...' on one line
        spans.append((m.end(), _paragraph_end(text, m.end()), None))
    for m in _HEADING_RE.finditer(text):
        s = m.end()
        while s < len(text) and text[s].isspace():
            s += 1
        spans.append((s, _paragraph_end(text, s), None))
    for m in _BIO_START_RE.finditer(text):
        s = m.start()
        end = _paragraph_end(text, s)
        family = person_of(m.group("name")).family
        # following paragraphs about the same person belong to the bio
        while True:
            nxt = re.match(r"\s*\n[ \t]*\n[ \t]*", text[end:end + 10])
            if not nxt:
                break
            ns = end + nxt.end()
            ne = _paragraph_end(text, ns)
            if family not in text[ns:ne] and not re.match(r"(?:She|He|They|Her|His|Their)\b", text[ns:ne]):
                break
            end = ne
        spans.append((s, end, m.group("name")))
    for m in _BYLINE_RE.finditer(text):
        spans.append((m.start(), m.end(), m.group("name")))
    for m in _QUOTED_EXPERT_RE.finditer(text):
        spans.append((m.start("name"), m.end(), m.group("name")))
    # overlapping spans: keep the widest
    spans.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    merged: list[tuple[int, int, str | None]] = []
    for s, e, n in spans:
        if merged and s < merged[-1][1]:
            ps, pe, pn = merged[-1]
            merged[-1] = (ps, max(pe, e), pn or n)
        else:
            merged.append((s, e, n))
    return merged


def _name_in(block: str) -> str | None:
    m = re.search(_NAME, block)
    while m and _TITLES.sub("", m.group()).split()[0] in ("The", "About", "With", "Her", "His", "Throughout"):
        m = re.compile(_NAME).search(block, m.end())
    return m.group().strip() if m else None


def named_papers(block: str) -> list[dict]:
    """Works a bio names by title: [{"title", "journal", "year"}] (journal and year when stated)."""
    out = []
    for m in _QUOTED_TITLE_RE.finditer(block):
        title = (m.group(1) or m.group(2)).strip().rstrip(",")
        if len(title.split()) < 3:
            continue
        paper: dict = {"title": title, "journal": None, "year": None}
        w = _PAPER_WHERE_RE.match(block[m.end():])
        if w:
            j = " ".join(w.group("j").split()).rstrip(" .,")
            paper["journal"] = j or None
            y = w.group("y") or w.group("y0")
            paper["year"] = int(y) if y else None
        if paper["year"] is None:
            y = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", block[m.end():m.end() + 200].split(".")[0])
            paper["year"] = int(y.group(1)) if y else None
        out.append(paper)
    return out


def bio_claims(block: str, subject: list[str], doc_text: str = "") -> dict:
    papers = named_papers(block)
    quoted = _QUOTED_TITLE_RE.sub(" ", block)  # a title's words are not the bio's own claims
    degrees = []
    for m in _DEGREE_RE.finditer(block):
        d = " ".join(m.group(0).split())
        if d not in degrees:
            degrees.append(d)
    institutions = list(dict.fromkeys(" ".join(m.group(1).split()) for m in _INSTITUTION_RE.finditer(block)))
    journals = []
    for m in _JOURNAL_NAME_RE.finditer(quoted):
        j = re.sub(r"(?:\s+(?:of|for|on|and|&))+$", "", " ".join(m.group(0).split()))
        if len(j.split()) >= 2 and j not in journals and not any(j in (p["journal"] or "") for p in papers):
            journals.append(j)
    topics: list[str] = []
    bw = set(words(quoted))
    outside = words(doc_text.replace(block, " ")) if doc_text else []
    researcher = bool(_PUBLICATION_RE.search(quoted) or _RESEARCH_ROLE_RE.search(quoted))
    for s in subject[:1] if researcher else []:
        # the article's subject counts as a claimed topic when the article is about it and the bio
        # claims research (a writer who 'covers sleep' claims no papers on it)
        if s in bw and s not in topics and (not doc_text or outside.count(s) >= 3):
            topics.append(s)
    for m in _TOPIC_AFTER_RE.finditer(quoted):
        t = " ".join(m.group("t").split())
        if t not in topics and not t.startswith(("the ", "a ")):
            topics.append(t)
    pubs = []
    for ss, se in sentence_spans(block):
        sentence = " ".join(block[ss:se].split())
        if _PUBLICATION_RE.search(sentence) and sentence not in pubs:
            pubs.append(sentence)
    return {"degrees": degrees, "institutions": institutions, "topics": topics[:6], "journals": journals,
            "publication_claims": pubs, "papers": papers}


def find_bios(doc: Document) -> list[Citation]:
    """One bio citation per bio block (and one for schema.org/meta author when no block names them)."""
    text = doc.text
    subject = document_subject(text)
    out: list[Citation] = []
    for s, e, name in _bio_spans(doc):
        block = text[s:e]
        name = name or _name_in(block)
        if not name or not is_person(name):
            continue
        claims = bio_claims(block, subject, text)
        person = person_of(name)
        out.append(Citation(kind="bio", text=block, start=s, end=e,
                            fields=Fields(authors=[person], topic=", ".join(claims["topics"]) or None,
                                          journal=claims["journals"][0] if claims["journals"] else None),
                            category="scholarly", extra={"name": name, **claims}))
    meta_author = (doc.meta or {}).get("author")
    if meta_author and isinstance(meta_author, str):
        first = meta_author.split(",")[0].strip()
        known = {c.fields.authors[0].family.lower() for c in out if c.fields.authors}
        if first and len(first.split()) >= 2 and is_person(first) and person_of(first).family.lower() not in known:
            out.append(Citation(kind="bio", text=f"Author (page metadata): {meta_author}", start=0, end=0,
                                fields=Fields(authors=[person_of(first)], topic=", ".join(subject[:1]) or None),
                                category="scholarly",
                                extra={"name": first, "degrees": [], "institutions": [], "journals": [],
                                       "topics": subject[:1], "publication_claims": [], "papers": [],
                                       "from_meta": True}))
    return out


def bio_spans(citations: list[Citation]) -> list[tuple[int, int]]:
    return [(c.start, c.end) for c in citations if c.kind == "bio" and c.end > c.start]


__all__ = ["find_bios", "bio_claims", "person_of", "bio_spans", "sentence_spans"]
