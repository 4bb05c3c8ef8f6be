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
_CONNECT = r"(?:(?:of|and|for|in|on|the|de|da|do|di|der|des|du|la|le)\b|&)"
_JOURNAL_CTX_RE = re.compile(
    rf"\b(?:in|by)\s+(?:the\s+)?(?P<j>(?:The\s+)?{_CAP}(?:\s+(?:{_CAP}|{_CONNECT}))*)")
JOURNAL_WORDS = frozenset("""journal lancet annals archives proceedings review reviews bulletin frontiers reports letters
research medicine pharmacology chemistry therapeutics psychiatry neuroscience toxicology dependence addiction science
sciences plos bmj jama nature cell pediatrics neurology neuropsychopharmacology psychopharmacology ethnopharmacology
pain anesthesiology pharmacotherapy abuse misuse rehabilitation policy nutrition nutrients dietetics therapy
physiology psychology oncology cardiology endocrinology metabolism gastroenterology hepatology nephrology urology
dermatology ophthalmology pediatric obstetrics gynecology epidemiology nursing advances cancer diabetes obesity sleep
surgery trials biology biochemistry pharmacy hypertension gastroenterologia arquivos revista cochrane database""".split())
# 'Arquivos de Gastroenterologia', 'Revue de ...': a word ending like a discipline names a journal
_DISCIPLINE_RE = re.compile(r"(?:olog(?:y|ia|ie|ica)|iatry|iatrics|ics|medicine|medizin)$", re.IGNORECASE)
SINGLE_JOURNALS = frozenset("Lancet JAMA BMJ NEJM PNAS eLife Nature Science Cell Pediatrics Neurology Addiction Circulation Pain "
                            "Psychopharmacology Neuropsychopharmacology Toxicology Anesthesiology Gut Sleep Brain Blood Diabetes "
                            "Hypertension Stroke Thorax Obesity Nutrients".split())
_NOT_JOURNAL = frozenset("united states america europe asia southeast".split())
_INSTITUTION_RE = re.compile(
    rf"\b(?:researchers?|scientists?|a\s+team|investigators|experts?|doctors?|physicians?)\s+(?:at|from|of)\s+"
    rf"(?:the\s+)?(?P<i>{_CAP}(?:\s+(?:{_CAP}|of|and|for|the))*)"
    r"|(?P<u>University\s+of\s+[A-Z]\w+(?:\s+[A-Z]\w+)?|[A-Z]\w+\s+University|Johns\s+Hopkins(?:\s+Medicine)?"
    r"|Mayo\s+Clinic|Harvard(?:\s+Medical\s+School)?|Cleveland\s+Clinic)")
_UP = "A-ZÀ-ÖØ-Þ"
_LETTERS = "A-Za-zÀ-ÖØ-öø-ÿ"
# a family name: 'Foss', 'Montalbán-López', 'VanDyck', "O'Brien", 'De Neve', 'van der Berg'
FAMILY = (rf"(?:(?:[Dd]e|[Vv]an|[Vv]on|[Dd]a|[Dd]i|[Dd]el|[Ll]e|[Ll]a)\s+(?:[Dd]er\s+|[Dd]en\s+)?)?"
          rf"[{_UP}][{_LETTERS}'’]*(?:-[{_UP}][{_LETTERS}'’]*)?")
_FAM = rf"(?P<fam>{FAMILY})"
_FAM2 = rf"(?P<fam2>{FAMILY})"
_AUTHORS_RE = re.compile(
    rf"(?<![\w\-]){_FAM}(?:\s+(?:and|&)\s+{_FAM2})?\s+"
    r"(?:et\s+al\.?|and\s+(?:colleagues|co-?workers|associates|co-?authors|team))")
_LED_BY_RE = re.compile(
    rf"\b(?i:researchers|scientists|a\s+team|investigators|a\s+group|authors)\s+led\s+by\s+"
    rf"(?:(?:Dr|Prof|Professor)\.?\s+)?(?:[{_UP}][{_LETTERS}]*\.?\s+){{0,2}}{_FAM}(?=[\s,.;)]|$)")
# news prose: 'Roe, Poe and Moe, writing in Pediatrics in 2018, ...', 'Writing in Science in 2019, Roe and
# Poe reviewed ...', 'a 2015 analysis by Doe's team in ...'
_WRITING_RE = re.compile(
    rf"(?<![\w\-]){_FAM}(?P<rest>(?:,\s+{FAMILY}){{0,4}}(?:,?\s+(?:and|&)\s+{FAMILY})?),\s+(?:writing|reporting)\s+in\b")
_WRITING_LEAD_RE = re.compile(
    rf"^\s*(?:Writing|Reporting)\s+in\s+[^,;]{{2,120}},\s+{_FAM}(?:\s+(?:and|&)\s+{_FAM2})?"
    r"(?:\s+et\s+al\.?|\s+and\s+(?:colleagues|co-?workers))?\s+[a-z]{3,}ed\b")
_PLAIN_FAMILY = (rf"(?:(?:[Dd]e|[Vv]an|[Vv]on|[Dd]a|[Dd]i|[Dd]el|[Ll]e|[Ll]a)\s+(?:[Dd]er\s+|[Dd]en\s+)?)?"
                 rf"[{_UP}][{_LETTERS}]*(?:-[{_UP}][{_LETTERS}]*)?")
_TEAM_RE = re.compile(
    rf"(?<![\w\-])(?P<fam>{_PLAIN_FAMILY})['’]s\s+(?:research\s+)?(?:team|group|lab|laboratory|colleagues|co-?workers)\b")
_YEAR_AUTHORS_RE = re.compile(rf"(?<![\w\-]){_FAM}(?:\s+(?:and|&)\s+{_FAM2})?\s+\((?:19|20)\d\d[a-z]?\)")
_STUDY_WORD = (r"(?:study|trial|review|survey|meta-analysis|analysis|paper|article|report|experiment|inquiry"
               r"|investigation|publication)")
_BY_RE = re.compile(
    rf"\b{_STUDY_WORD}\s+(?:[\w\-]+\s+){{0,2}}?(?:by|from)\s+(?:(?:Dr|Prof|Professor)\.?\s+)?{_FAM}"
    rf"(?:\s+(?:and|&)\s+{_FAM2})?(?=\s+(?:in|at|published|was|\()\b|\s*[,(]|\s*$)")
_REPORTING_VERB = (r"(?:found|find|finds|showed|shows|shown|demonstrated|demonstrates|indicated|indicates|reported"
                   r"|reports|suggested|suggests|concluded|concludes|revealed|observed|noted|stated|argued|described"
                   r"|documented|confirmed|established)")
_PAST_VERB = (r"(?:found|showed|shown|demonstrated|indicated|reported|suggested|concluded|revealed|observed|noted"
              r"|stated|argued|described|documented|confirmed|established)")
_PRESENT_VERB = r"(?:finds|shows|demonstrates|indicates|reports|suggests|concludes|reveals|notes|states|argues)"
_SUBJECT_RE = re.compile(rf"(?:^|[,;]\s+)(?:(?:Dr|Prof|Professor)\.?\s+)?{_FAM}\s+{_REPORTING_VERB}\b")
_NOT_NAMES = frozenset("""the a an this that these those their his her its our researchers scientists investigators
authors experts doctors they it results findings data participants patients study studies research one another
however in on for some many most further similarly overall together harvard stanford yale oxford cambridge nih fda
cdc who nice""".split())

STUDY_TYPE_RE = re.compile(
    r"\b(meta-analys[ie]s|systematic\s+review|narrative\s+review|comprehensive\s+review|narrative\s+inquiry"
    r"|randomi[sz]ed(?:,?\s+[\w\-]+){0,3}\s+trial|clinical\s+trial|pilot\s+study|case\s+report|case\s+series"
    r"|cohort\s+study|cross-sectional\s+study|trial|review|survey|study|experiment|analysis|paper|article)\b",
    re.IGNORECASE)
_SINGULAR_RE = re.compile(
    r"\b(?:a|an|one|the|this|that|their|his|her|recent)\s+(?:[\w\-]+\s+){0,3}?"
    r"(?:study|trial|review|survey|meta-analysis|analysis|paper|article|experiment|inquiry|report)\b", re.IGNORECASE)
_FINDING_RE = re.compile(
    r"\b(?:found|find|finds|showed|shows|shown|showing|demonstrated|demonstrates|indicated|indicates|reported|reports|"
    r"suggested|suggests|concluded|revealed|observed|noted|stated|states|described|explained|reviewed|traced|argued"
    r"|pointed\s+to|tied|linked|warned|said|urged|recommended|advised|called\s+for|cautioned|estimated|predicted)"
    r"\s+(?:that\s+|how\s+)?", re.IGNORECASE)
_CLAUSE_END_RE = re.compile(r",\s*(?:suggesting|which|indicating|although|but|while)\b|;")


def clean_journal(name: str) -> str | None:
    """A journal name from the capitalised words after 'in', or None if they do not name one."""
    name = re.sub(r"^(?:the)\s+", "", name.strip(), flags=re.IGNORECASE)
    name = re.sub(r"(?:\s+(?:of|and|for|in|on|the|&))+$", "", name)
    ws = name.split()
    if not ws or ws[0].lower() in _NOT_JOURNAL:
        return None
    if len(ws) == 1:
        return name if name in SINGLE_JOURNALS else None
    if not any(w.lower().strip("'’") in JOURNAL_WORDS or (w[0].isupper() and _DISCIPLINE_RE.search(w)) for w in ws):
        return None
    return name


# 'published in <journal>' names a journal whatever its words ('Big Data & Society', 'ACI open',
# 'Yale J Biol Med'); so does 'in <journal>' right after named authors ('a study by Hora in PeerJ')
_PUBLISHED_IN_RE = re.compile(
    r"\b(?:(?:published|appearing|appeared|printed|reported)(?:\s+(?:last\s+year|this\s+year|earlier\s+this\s+year"
    r"|recently|online|in\s+(?:19|20)\d\d))?\s+in|[Ww]riting\s+in|\bin(?=\s+the\s+journal\s+[A-Z])|(?:an?|the)\s+(?:(?:19|20)\d\d\s+)?issue\s+of)"
    r"\s+(?:the\s+(?:journal\s+)?|journal\s+)?(?=[A-Za-z])")
_JOURNAL_STOP_RE = re.compile(
    rf"\s*(?:[,;:()\[\]“”\"]|\.(?:\s|$)|$)|\s+(?:{_PAST_VERB}|{_PRESENT_VERB}\s+that|that|which|where|who|whose|in\s+(?:19|20)\d\d|in\s+a"
    r"|and\s+(?:it|they|was|were|found|showed|reported)|by|with|from|last|this|earlier|involving|among|suggest\w*"
    r"|was|were|is|are|has|have)\b")
_JOURNAL_LIST_TAIL_RE = re.compile(r",\s+([A-Z][\w\-]*),?\s+(?:and|&)\s+([A-Z][\w\-]*)\b")


def _journal_at(sentence: str, pos: int, require_words: bool) -> tuple[str, int, int] | None:
    """The journal name starting at `pos`: up to a comma, bracket, sentence end or a verb."""
    rest = sentence[pos:]
    stop = _JOURNAL_STOP_RE.search(rest)
    name = rest[: stop.start()] if stop else rest
    tail = _JOURNAL_LIST_TAIL_RE.match(rest, len(name))  # 'Journal of Neuroscience, Psychology, and Economics'
    if tail and re.search(r"\b(?:of|and|&)\b", name):
        name = rest[: tail.end()]
    name = re.sub(r"(?:\s+(?:of|and|for|in|on|the|&))+$", "", name.strip())
    if len(name) < 3 or len(name) > 120 or not (name[0].isupper() or re.match(r"[a-z]+[A-Z]", name)):
        return None
    if name.split()[0].lower() in _NOT_JOURNAL or re.fullmatch(r"(?:19|20)\d\d", name):
        return None
    if require_words and clean_journal(name) is None:
        return None
    return name, pos, pos + len(name)


_SUBTITLE_RE = re.compile(rf":\s+(?P<sub>{_CAP}(?:\s+(?:{_CAP}|of|and|for|in|on|the|&)){{0,5}})(?=\s*[,;.()]|\s+[a-z]|$)")


def _with_subtitle(sentence: str, got: tuple[str, int, int] | None) -> tuple[str, int, int] | None:
    """'Substance Abuse' + ': Research and Treatment' when the words after a colon read as a journal's."""
    if not got:
        return got
    m = _SUBTITLE_RE.match(sentence, got[2])
    if m and any(w.lower() in JOURNAL_WORDS for w in m.group("sub").split()):
        return sentence[got[1]:m.end()], got[1], m.end()
    return got


def find_journal(sentence: str) -> tuple[str, int, int] | None:
    """(journal, start, end) named in a sentence, or None."""
    return _with_subtitle(sentence, _find_journal(sentence))


def _find_journal(sentence: str) -> tuple[str, int, int] | None:
    for m in _PUBLISHED_IN_RE.finditer(sentence):
        strict = m.group(0).lower().startswith("reported")  # 'reported in Malaysia' is a place
        got = _journal_at(sentence, m.end(), require_words=strict)
        if got:
            return got
    by = _BY_RE.search(sentence)
    if by:
        after = re.match(r"(?:\s+(?:and|&)\s+[\w\-]+)?\s*(?:et\s+al\.?|and\s+(?:colleagues|co-?workers|associates))?"
                         r"\s+in\s+(?:the\s+)?(?=[A-Za-z])", sentence[by.end():])
        if after:
            got = _journal_at(sentence, by.end() + after.end(), require_words=False)
            if got and not re.fullmatch(r"(?:19|20)\d\d", got[0]):
                return got
    m = _AUTHORS_RE.search(sentence)
    if m:
        after = re.match(r"\s+in\s+(?:the\s+)?(?=[A-Z])", sentence[m.end():])
        if after:
            got = _journal_at(sentence, m.end() + after.end(), require_words=False)
            if got:
                return got
    for m in _JOURNAL_CTX_RE.finditer(sentence):
        j = clean_journal(m.group("j"))
        if j:
            start = sentence.find(j, m.start("j"))
            return j, start, start + len(j)
    m = _COCHRANE_RE.search(sentence)  # 'a 2021 Cochrane review': the Cochrane Database of Systematic Reviews
    if m:
        return COCHRANE, m.start(), m.start() + len("Cochrane")
    return None


COCHRANE = "Cochrane Database of Systematic Reviews"
_COCHRANE_RE = re.compile(r"\bCochrane\s+(?:systematic\s+)?(?:review|meta-analysis|analysis)")


def find_institution(sentence: str) -> str | None:
    m = _INSTITUTION_RE.search(sentence)
    if not m:
        return None
    inst = (m.group("i") or m.group("u") or "").strip()
    inst = re.sub(r"(?:\s+(?:of|and|for|the))+$", "", inst)
    return inst or None


def _name_ok(fam: str | None) -> bool:
    return bool(fam) and fam.split()[-1].lower() not in _NOT_NAMES and len(fam) >= 2


def find_authors(sentence: str) -> list[Person]:
    """Named authors: 'Foss et al.', 'Foss and colleagues', 'Foss and Lee (2020)', 'researchers
    led by Dr. Foss', 'a study by Foss in ...', '..., Foss concluded that'."""
    for rx in (_AUTHORS_RE, _LED_BY_RE, _YEAR_AUTHORS_RE, _TEAM_RE, _WRITING_RE, _WRITING_LEAD_RE, _BY_RE, _SUBJECT_RE):
        m = rx.search(sentence)
        if not m or not _name_ok(m.group("fam")):
            continue
        if rx is _SUBJECT_RE and not re.search(rf"\b{_STUDY_WORD}\b", sentence, re.IGNORECASE):
            continue
        if rx is _WRITING_RE:
            rest = [n for n in re.split(r",\s+|,?\s+(?:and|&)\s+", m.group("rest")) if n.strip()]
            return [Person(m.group("fam"))] + [Person(n.strip()) for n in rest if _name_ok(n.strip())]
        fam2 = m.groupdict().get("fam2")
        return [Person(m.group("fam"))] + ([Person(fam2)] if fam2 and _name_ok(fam2) else [])
    return []


def study_type(sentence: str) -> str | None:
    m = STUDY_TYPE_RE.search(sentence)
    return " ".join(m.group(1).lower().split()) if m else None


def main_clause(sentence: str) -> str:
    """What the study is said to have found: the words after 'found that', up to ', suggesting'."""
    m = _FINDING_RE.search(sentence)
    clause = sentence[m.end():] if m else sentence
    cut = _CLAUSE_END_RE.search(clause)
    return clause[: cut.start()] if cut and cut.start() > 20 else clause


# 'a 2021 study on grazer behaviour, published in ...': what the study was about, said outright
_ABOUT_RE = re.compile(
    rf"\b{_STUDY_WORD}\s+(?:on|of|into|about|examining|investigating|exploring|evaluating|assessing|looking\s+at)"
    r"\s+(?P<t>[^,;()“”\"]{3,300}?)(?=\s*[,;(]|\s+(?:published|appearing|by|in\s+(?:the\s+)?[A-Z])\b|\.\s|\.?$)",
    re.IGNORECASE)


def stated_topic(sentence: str) -> str | None:
    m = _ABOUT_RE.search(sentence)
    if not m:
        return None
    t = m.group("t").strip()
    return t if content_words(t) else None


# --- a quoted title -------------------------------------------------------------------------

_QUOTED_RE = re.compile(r"“([^“”]{8,400})”|\"([^\"\n]{8,400})\"")
_QUOTE_INTRO_RE = re.compile(
    rf"(?:[:]|\b(?:that|said|says|saying|stated|states|wrote|writes|write|noted|notes|explained|added|concluded"
    r"|found|reported|observed|suggested|according\s+to(?:\s+[\w\-.]+){0,8}),?)\s*$", re.IGNORECASE)
_TITLE_INTRO_RE = re.compile(
    r"(?:,|\(|\b(?:titled|entitled|called|named|includes|include|including|such\s+as|paper|article|study|review"
    r"|trial|survey|report)\s*:?)\s*$", re.IGNORECASE)
_TITLE_AFTER_RE = re.compile(
    rf"^\s*(?:[,;)]|\.\s|\.?$|(?:{_REPORTING_VERB}|published|appeared|in\s|was\s|which\s|and\s)\b)", re.IGNORECASE)
_FIRST_PERSON_RE = re.compile(r"\b(?:we|our|us|I|my)\b")


def title_in(sentence: str) -> tuple[str, int, int] | None:
    """A quoted string that is a work's title, not a quotation: it follows a study mention with a
    comma ('A 2025 study by Zijlstra in Global Spine Journal, "Remineralization ...", reported'),
    'titled' or 'work includes', is followed by a comma or a reporting verb, and reads as a title
    (capitalised, no closing full stop, no first person). (title, start, end) or None."""
    for m in _QUOTED_RE.finditer(sentence):
        q = (m.group(1) or m.group(2)).strip()
        before, after = sentence[: m.start()], sentence[m.end():]
        if not q or not (q[0].isupper() or q[0].isdigit()) or q.endswith((".", "!")) or len(q.split()) < 3:
            continue
        if _QUOTE_INTRO_RE.search(before) or _FIRST_PERSON_RE.search(q):
            continue
        if not (_TITLE_INTRO_RE.search(before) and _TITLE_AFTER_RE.match(after)):
            continue
        if not re.search(rf"\b{_STUDY_WORD}\b|\bwork\b|\bpublished\b", before, re.IGNORECASE):
            continue
        start = m.start() + (1 if m.group(1) is not None else 1)
        return q, start, start + len(q)
    return None


def topic_of(sentence: str, subject: list[str], drop: str = "") -> tuple[str | None, list[str], list[str]]:
    """(anchor, other topic terms, population words) of a sentence.

    The anchor is the article's subject word when the sentence uses it (e.g. 'kratom'),
    else its first content word; terms are the claim's other content words.
    """
    dropped = set(content_words(drop))
    clause_terms = [w for w in content_words(main_clause(sentence)) if w not in dropped]
    all_terms = [w for w in content_words(sentence) if w not in dropped]
    in_sentence = [w for w in subject if w in all_terms]  # the article's main subject first
    anchor = in_sentence[0] if in_sentence else None
    terms = clause_terms or all_terms
    if anchor is None and terms:
        anchor = max(all_terms[:6] or terms[:4], key=len)
    population = [w for w in all_terms if w in POPULATION]
    others = [w for w in terms if w != anchor and w not in POPULATION]
    return anchor, others[:10], population


def _topic_from(text: str, subject: list[str]) -> tuple[str | None, list[str], list[str]]:
    """(anchor, terms, population) of a stated topic or title: all its content words, in order."""
    ws = content_words(text)
    population = [w for w in ws if w in POPULATION]
    ws = [w for w in ws if w not in POPULATION]
    if not ws:
        return None, [], population
    in_subject = [w for w in subject if w in ws]
    anchor = in_subject[0] if in_subject else ws[0]
    return anchor, [w for w in ws if w != anchor][:12], population


# '(Smith et al., 2023)', '(Veltri & Grundmann, 2019; Eastlack et al. 2020)', '(Bath, 2020)'
_PAREN_RE = re.compile(r"\((?P<body>[^()]{4,300}?(?:19|20)\d\d[a-z]?)\)")
_PAREN_CITE_RE = re.compile(
    rf"^\s*(?:(?:e\.g\.|see(?:\s+also)?|cf\.)[,\s]+)?(?P<fam>{FAMILY})(?:\s+(?:and|&)\s+(?P<fam2>{FAMILY})"
    r"|\s+et\s+al\.?)?,?\s+(?P<y>(?:19|20)\d\d)[a-z]?\s*$")
# the article speaking of itself: 'this article was reviewed ...', 'our 2024 review of ...'
_SELF_RE = re.compile(r"\b(?:this|our)\s+(?:(?:19|20)\d\d\s+)?(?:[\w\-']+\s+){0,2}?(?:article|post|page|guide|review|blog|site)\b",
                      re.IGNORECASE)


def paren_cites(sentence: str) -> list[tuple[list[Person], int, int, int, bool]]:
    """Author-year citations in brackets: [(authors, year, start, end of the bracket, et al.)]."""
    out = []
    for m in _PAREN_RE.finditer(sentence):
        parts = [_PAREN_CITE_RE.match(p) for p in m.group("body").split(";")]
        if not parts or not all(parts):
            continue
        for p in parts:
            if not _name_ok(p.group("fam")) or p.group("fam").isupper():  # '(NIDA, 2022)': an organisation
                continue
            people = [Person(p.group("fam"))] + ([Person(p.group("fam2"))] if p.group("fam2") else [])
            out.append((people, int(p.group("y")), m.start(), m.end(), "et al" in p.group(0)))
    return out


def mention_in(sentence: str, start: int, subject: list[str]) -> Citation | None:
    """The (first) mention a sentence makes, or None."""
    got = mentions_in(sentence, start, subject)
    return got[0] if got else None


# where a sentence joins two studies: 'A 2024 study in PNAS tied ..., while a 2023 study in Science ...'
_TWO_STUDIES_RE = re.compile(r",\s+(?:while|whereas|and)\s+(?=(?:a|an|another|one)\s)|;\s+(?=[A-Za-z])")


def _split_mentions(sentence: str, start: int, subject: list[str]) -> list[Citation]:
    """One mention per clause when the clauses of a sentence each describe their own study."""
    cuts = [0] + [m.end() for m in _TWO_STUDIES_RE.finditer(sentence)]
    if len(cuts) < 2:
        return []
    parts = [(a, sentence[a:b].rstrip(" ,;")) for a, b in zip(cuts, cuts[1:] + [len(sentence)])]
    got = [_mention_in(p, start + a, subject) for a, p in parts]
    got = [g for g in got if g is not None and specific_enough(g)]
    return got if len(got) >= 2 else []


def mentions_in(sentence: str, start: int, subject: list[str]) -> list[Citation]:
    """The mentions a sentence makes: one, one per clause describing its own study, or one per
    bracketed author-year citation."""
    cites = paren_cites(sentence)
    if not cites:
        two = _split_mentions(sentence, start, subject)
        if two:
            return two
        one = _mention_in(sentence, start, subject)
        return [one] if one else []
    bare = sentence  # the brackets blanked: their names are not the claim's topic
    for a, b in sorted({(x[2], x[3]) for x in cites}, reverse=True):
        bare = bare[:a] + " " * (b - a) + bare[b:]
    out = []
    for people, year, _, _, et_al in cites:
        c = _mention_in(bare, start, subject, authors=people, year=year, text=sentence)
        if c is not None:
            c.extra["bracketed"] = "et al" if et_al else "names"
            out.append(c)
    return out


_WRITERS_RE = re.compile(r"^\s*((?:[A-Za-z][\w\-]*\s+){0,3}?[A-Za-z][\w\-]*)\s+(?:writing|reporting)\s+in\b")


def _mention_in(sentence: str, start: int, subject: list[str], authors: list[Person] | None = None,
                year: int | None = None, text: str | None = None) -> Citation | None:
    """The mention a sentence makes, or None (authors/year given: a bracketed citation's)."""
    text = text or sentence
    titled = title_in(sentence)
    bare = sentence if not titled else sentence[: titled[1] - 1] + " " + sentence[titled[2] + 1:]
    bare = _SELF_RE.sub(lambda m: " " * len(m.group()), bare)
    journal = find_journal(bare)
    institution = find_institution(bare)
    authors = authors or find_authors(bare)
    stype = study_type(bare)
    year = year or find_year(bare)
    singular = bool(_SINGULAR_RE.search(bare))
    if not (stype or authors):
        return None
    specific = bool(titled or journal or authors or (institution and (singular or stype)) or (year and singular))
    if not specific:
        return None
    about = stated_topic(bare)
    writers = _WRITERS_RE.match(bare)  # 'Endocrinologists writing in ...': who wrote, not what about
    drop = " ".join(x for x in (journal and journal[0], institution, " ".join(p.family for p in authors),
                                writers and writers.group(1)) if x)
    if titled:
        anchor, terms, population = _topic_from(titled[0], subject)
    elif about:
        anchor, terms, population = _topic_from(about, subject)
    else:
        anchor, terms, population = topic_of(bare, subject, drop)
    if not anchor:
        return None
    fields = Fields(authors=authors, et_al=bool(authors), year=year, journal=journal[0] if journal else None,
                    title=titled[0] if titled else None,
                    topic=" ".join([anchor, *terms, *population]), study_type=stype)
    pointers = [p for p, v in (("title", titled), ("year", year), ("journal", journal), ("institution", institution),
                               ("authors", authors)) if v]
    extra = {"anchor": anchor, "terms": terms, "population": population, "pointers": pointers}
    if about and not titled:
        extra["stated_topic"] = about
    if institution:
        extra["institution"] = institution
    if _LED_BY_RE.search(bare):
        extra["led_by"] = True
    return Citation(kind="mention", text=text, start=start, end=start + len(text), fields=fields,
                    category="scholarly", extra=extra)


def _skip_spans(doc: Document) -> list[tuple[int, int]]:
    return list(doc.blocks.get("bio", [])) + list(doc.blocks.get("references", []))


def find_mentions(doc: Document, skip: list[tuple[int, int]] | None = None) -> list[Citation]:
    """Every narrative mention in the document, outside the given spans (reference entries,
    quotes already extracted, bio blocks)."""
    spans = list(skip or []) + _skip_spans(doc)
    subject = document_subject(doc.text)
    out = []
    for s, e in sentence_spans(doc.text):
        if any(a < e and s < b for a, b in spans):
            continue
        out += mentions_in(doc.text[s:e], s, subject)
    return out


def specific_enough(c: Citation) -> bool:
    """Whether a search on what the mention states could have found a real work: a title, named
    authors or a journal (a year and a generic topic are not enough to call anything unfound)."""
    f = c.fields
    return bool(f.title or f.authors or f.journal)
