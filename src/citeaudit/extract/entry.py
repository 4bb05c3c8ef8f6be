"""Parse one reference-list entry into bibliographic :class:`Fields`.

Handles Vancouver/NLM, AMA, APA, Harvard, Chicago, MLA and the blog hybrids seen in
health articles ('Author, (Year), "Title" Journal Volume 10'). The entry is read in
four steps: identifiers (DOI/PMID/PMCID/URL) are taken out, the text is split into
an author block, a year, a title and a source "tail", then the author block and the
tail (journal, volume, issue, pages) are parsed. Nothing here raises on odd input.
"""

from __future__ import annotations

import re

from citeaudit.extract.identifiers import find_dois, find_pmcids, find_pmids, find_urls
from citeaudit.models import Fields, Person

_MAX_CHARS = 4000
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "la", "le", "du", "dos", "ter", "ten"}
_SUFFIXES = {"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"}
_CREDENTIALS = (
    "MD|PhD|DO|RN|MPH|MSc|MS|BSc|BS|PharmD|DPhil|FRCP|MBBS|MBChB|DrPH|MA|BA|NP|PA-C|DNP|FACP|RD|LD|CPT|MBA|DC|ND|LAc"
)
_CREDENTIAL_RE = re.compile(rf",?\s*\b(?:{_CREDENTIALS})\b\.?(?=\s*(?:,|&|\band\b|$))")
_DR_RE = re.compile(r"\b(?:Dr|Prof)\.?\s+")
_ET_AL_RE = re.compile(r",?\s*\bet\.?\s*al\b\.?,?", re.IGNORECASE)
_AND_RE = re.compile(r"\s*(?:&|\band\b)\s*")
_ORG_RE = re.compile(
    r"\b(?:Organi[sz]ation|Institutes?|Association|Agency|Administration|Department|Dept|Cent(?:er|re)s?|Council"
    r"|Society|University|College|Foundation|Ministry|Office|Board|Clinic|Hospital|Medicine|Health|Commission"
    r"|Committee|Services?|Authority|Group|Network|Alliance|Federation|Academy|Panel|Inc|Ltd|LLC|Corporation"
    r"|Company|Press|Government|Bureau|Consortium|Collaboration)\b"
)
_ACRONYM_RE = re.compile(r"[A-Z][A-Z&.\-]{1,9}")

_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]{0,6}\.?"
# "(2020)", "(2020a)", "(2020, March 3)" and Wikipedia's "(December 2022)" / "(3 April 2020)"
_PAREN_YEAR_RE = re.compile(
    rf"\(\s*(?:(?:\d{{1,2}}\s)?{_MONTHS}(?:\s\d{{1,2}},?)?\s)?((?:1[89]|20)\d{{2}})[a-z]?(?:\s*[,;][^()]{{0,30}})?\s*\)"
)
# Markdown in a plain-text entry: "[https://doi.org/10.x](https://doi.org/10.x)", "*Journal*", "_25_(7)"
_MD_LINK_RE = re.compile(r"\[([^\[\]]{1,500})\]\((https?://[^()\s]{1,2000})\)")
_MD_STAR_RE = re.compile(r"(?<![\w*\\])(\*{1,3})(?=\S)([^*]{1,500}?)(?<=\S)\1(?![\w*])")
_MD_UNDERSCORE_RE = re.compile(r"(?<![\w/\\=.-])(_{1,3})(?=\S)([^_]{1,500}?)(?<=\S)\1(?![\w/])")
# medium labels of Vancouver/NLM: "Curr Opin Crit Care [Internet]. 2021"
_MEDIUM_RE = re.compile(r"\s?\[(?:Internet|Online|serial\s+(?:on\s+the\s+Internet|online)|Epub\s+ahead\s+of\s+print)\]",
                        re.IGNORECASE)
_TRAILING_YEAR_RE = re.compile(r"[.,]\s*((?:1[89]|20)\d{2})[a-z]?[.,]?\s*$")
_CHICAGO_YEAR_RE = re.compile(r"\.\s((?:1[89]|20)\d{2})[a-z]?\.\s")
_YEAR_RE = re.compile(r"(?<!\d)((?:1[89]|20)\d{2})(?!\d)")
_QUOTED_RE = re.compile(r"\"([^\"]{2,600})\"")
_SENTENCE_END_RE = re.compile(r"[.?!](?=\s|$)")
_VANCOUVER_NAME_RE = re.compile(r"(?:(?:[a-z]{1,4}\s)?[A-Z][\w'’\-]*\s){1,3}[A-Z]{1,4}\.?")
_INITIALS_RE = re.compile(r"(?:[A-Z]\.\s?-?){1,4}|[A-Z]{1,2}")
_GIVEN_NAME_RE = re.compile(r"[A-Z][a-z'’\-]+(?:\s[A-Z][a-z'’\-]+)?(?:\s[A-Z]\.?)*")
_SURNAME_RE = re.compile(r"(?:[a-z]{1,4}\s)?[A-Z][\w'’\-]+(?:\s[A-Z][a-z][\w'’\-]*)?")  # 'Cabrera Garcia'

_LABEL_BEFORE_RE = re.compile(
    r"(?:\b(?:doi|PMID|PMCID|Available\s+(?:from|at|online)|Retrieved\s+from|URL|Link)\s*:?\s*)$", re.IGNORECASE
)
_ACCESSED_RE = re.compile(
    r"\[(?:cited|accessed|updated)[^\]]{0,60}\]|\b(?:Accessed|Retrieved|Updated)\s+(?:on\s+)?[A-Za-z]{0,9}\.?\s?\d{1,2},?\s\d{4}"
    r"|\b(?:Accessed|Retrieved)\s+(?:on\s+)?\d{1,2}\s[A-Za-z]{3,9}\.?\s\d{4}",
    re.IGNORECASE,
)
# where the journal name stops and volume/date/pages begin
_SOURCE_NUMBERS_RE = re.compile(
    r"(?<![\w.])(?:\d|Vol\b|Vol\.|vol\.|Volume\b|pp?\.\s?\d|Issue\b|No\.\s?\d"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d"
    # AMA online-first: "Am Psychol. Published online May 21, 2020"
    r"|Published\s+online\b|Epub\b|Online\s+ahead\s+of\s+print)|;"
)
_PAGE = r"[A-Za-z]{0,4}\d[\w]*(?:\s?[-–—]\s?[A-Za-z]{0,4}\d[\w]*)?"
_VOL_ISSUE_PAGES_RE = re.compile(
    rf"(?<![\w])(?P<vol>\d{{1,5}}[A-Z]?)\s?\((?P<iss>[^()]{{1,20}})\)(?:\s?[:,]\s?(?:pp?\.\s?)?(?P<pages>{_PAGE}))?"
)
# Chicago notes-bibliography: "Journal 24, no. 7 (2022): 992–1009" / "Behaviour 158 (2021): 1007–42"
_CHICAGO_NUMS_RE = re.compile(
    rf"(?<![\w])(?P<vol>\d{{1,5}}[A-Z]?)(?:,?\s?no\.\s?(?P<iss>[\w\-/]{{1,10}}))?\s?"
    rf"\((?:[A-Z][a-z]{{2,8}}\.?\s)?(?:\d{{1,2}}\s)?(?P<year>(?:1[89]|20)\d{{2}})\)(?:\s?:\s?(?P<pages>{_PAGE}))?"
)
# a page that is letters, as indexes give a supplement or an abstract book ('Gastroenterology 146, S
# (2014).', 'ChemInform 24, no (2010).', 'Sen'i Gakkaishi 69, P_46 (2013).')
_LETTER_PAGE = r"[A-Za-z]{1,3}(?:_?\d{1,6})?"
# Nature: "Sci. Rep. 5, 16696 (2015)." -- volume, pages, then the year in parentheses at the end
_NATURE_END_RE = re.compile(
    rf"(?<![\w])\d{{1,5}}[A-Z]?,\s?(?:pp?\.\s?)?(?:{_PAGE}|{_LETTER_PAGE})\s?(?P<y>\(\s*(?P<year>(?:1[89]|20)\d{{2}})[a-z]?\s*\))[\s.]*$"
)
# AIP's author list: initials first ('A.B. Family', 'G.V. Dal Piaz', 'P.G. de Benedetti'), names
# separated by ', ' with ', and ' or ' and ' before the last, then ', ' and the journal
_AIP_NAME = r"(?:[A-Z][a-z]?\.\s?-?){1,4}\s?(?:[a-z]{1,4}\s)?[A-Z][\w'’\-]+(?:\s[A-Z][\w'’\-]+)?"
_AIP_AUTHORS_RE = re.compile(  # atomic: each name is read one way only, so a long line cannot backtrack
    rf"(?>{_AIP_NAME})(?>,?\s(?:and\s)?(?>{_AIP_NAME})){{0,40}}+(?:,?\set\sal\.)?,\s(?=[^\d,]+\s\d)")
_VOL_PAGES_RE = re.compile(rf";\s?(?P<vol>\d{{1,5}}[A-Z]?)(?:\s?:\s?(?P<pages>{_PAGE}))?(?![\w(])")
_BARE_VOL_PAGES_RE = re.compile(
    rf"(?P<vol>\d{{1,5}}[A-Z]?)\s?,\s?(?:pp?\.\s?)?(?P<pages>{_PAGE}|{_LETTER_PAGE}(?=[\s.]*$))")
_LABELLED = {
    "volume": re.compile(r"\b(?:Vol(?:ume)?\.?|vol\.?)\s?(\d{1,5}[A-Z]?)"),
    "issue": re.compile(r"\b(?:Issue|Iss\.|No\.|no\.|Number|Nr\.)\s?(\d{1,5}[\w\-]*)"),
    "pages": re.compile(rf"\b(?:pp?\.|[Aa]rticle(?:\s(?:no\.|number))?|Art\.)\s?({_PAGE})"),
}
_PAGE_RANGE_RE = re.compile(r"(?<![\w\-])([eE]?\d{1,6}\s?[-–—]\s?[eE]?\d{1,6})(?![\w\-])")
_ARTICLE_NUMBER_RE = re.compile(r"(?<![\w.])([eE]?\d{3,})(?![\w.])")


def parse_entry(text: str) -> Fields:
    """Parse one reference entry into Fields; unparseable parts are simply left empty."""
    fields = Fields()
    s = _normalise(text[:_MAX_CHARS])
    s = _take_identifiers(s, fields)
    authors, year, title, tail = _split(s)
    fields.year = year
    _set_authors(fields, authors)
    fields.title = _clean_title(title)
    _parse_source(tail, fields)
    if not _quoted(s, fields.title) and (fields.title or "") + "." not in s:  # 'Title?.' ends for sure
        _move_short_subtitle(fields)
    if fields.year is None:
        m = _YEAR_RE.search(tail)
        fields.year = int(m.group(1)) if m else None
    return fields


def _quoted(s: str, title: str | None) -> bool:
    """Whether the title stands in quotation marks in the entry (so its end is certain)."""
    if not title:
        return False
    i = s.find(title)
    return i > 0 and s[i - 1] in "\"'‘“" and s[i + len(title): i + len(title) + 1] in ("\"", "'", "’", "”")


def _move_short_subtitle(fields: Fields) -> None:
    """'How many fish? A census. Drugs, 12(3)': a short subtitle after a '?'/'!' was read as
    the start of the journal; give it back to the title."""
    if not (fields.title and fields.journal and fields.title[-1:] in "?!" and ". " in fields.journal):
        return
    seg, journal = fields.journal.split(". ", 1)
    words = seg.split()
    if len(words) >= 2 and any(len(w) >= 4 and w.islower() for w in words) and journal.strip():
        fields.title = f"{fields.title} {seg}"
        fields.journal = journal.strip()


def _normalise(s: str) -> str:
    """One line, single spaces, curly double quotes made straight."""
    s = s.replace("“", '"').replace("”", '"').replace("„", '"').replace("″", '"')
    s = _MEDIUM_RE.sub("", s)
    if "](" in s or "*" in s or "_" in s:  # Markdown left in plain text
        s = _MD_LINK_RE.sub(lambda m: m.group(1) if m.group(1) in m.group(2) else f"{m.group(1)} {m.group(2)}", s)
        s = _MD_UNDERSCORE_RE.sub(r"\2", _MD_STAR_RE.sub(r"\2", s))
    return " ".join(s.split())


# --- identifiers -----------------------------------------------------------------------


def _take_identifiers(s: str, fields: Fields) -> str:
    """Record DOI/PMID/PMCID/URL in ``fields`` and return ``s`` with them (and labels) removed."""
    dois, pmids, pmcids, urls = find_dois(s), find_pmids(s), find_pmcids(s), find_urls(s)
    fields.doi = dois[0][2] if dois else None
    fields.pmid = pmids[0][2] if pmids else None
    fields.pmcid = pmcids[0][2] if pmcids else None
    plain_urls = [u for _, _, u in urls if not (fields.doi and fields.doi in u.lower())]
    fields.url = plain_urls[0] if plain_urls else None
    spans = sorted((a, b) for a, b, _ in dois + pmids + pmcids + urls)
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            pos = max(pos, end)
            continue
        before = s[pos:start]
        label = _LABEL_BEFORE_RE.search(before[-40:])
        out.append(before[: len(before) - len(label.group(0))] if label else before)
        out.append(" ")
        pos = end
    out.append(s[pos:])
    s = _ACCESSED_RE.sub(" ", "".join(out))
    return " ".join(s.split())


# --- splitting into authors / year / title / tail --------------------------------------


def _split(s: str) -> tuple[str, int | None, str, str]:
    """(author block, year, title, source tail) of an entry, a Nature-style closing year aside."""
    n = _NATURE_END_RE.search(s)
    if n:
        head = s[: n.start("y")].rstrip()
        a = _AIP_AUTHORS_RE.match(head)
        if a:  # AIP: 'A.B. Family, C. Other, and D. Third, Journal 5, 10 (2020).' -- no title
            return a.group(0).rstrip(", "), int(n.group("year")), "", head[a.end():]
    if n:  # Nature: Authors. Title. Journal 5, 1-10 (2020). -- the year closes the entry
        authors, year, title, tail = _split_by_style(s[: n.start("y")].rstrip())
        return authors, year or int(n.group("year")), title, tail
    return _split_by_style(s)


def _split_by_style(s: str) -> tuple[str, int | None, str, str]:
    """Cut an entry into (author block, year, title, source tail) by its visible style."""
    quoted = _QUOTED_RE.search(s)
    p = _PAREN_YEAR_RE.search(s, 0, quoted.start() if quoted else min(len(s), 400))
    if not p and not (quoted and quoted.start() < 400) and _looks_like_authors(s[:400].rsplit(",", 1)[0]):
        # a long APA author list (up to 20 names and a group) puts the year far in
        p = _PAREN_YEAR_RE.search(s, 400, quoted.start() if quoted else min(len(s), 2000))
    if p:  # APA, Harvard, blog hybrids: Authors (2020). Title. Source
        title, tail = _title_and_tail(s[p.end() :])
        return s[: p.start()], int(p.group(1)), title, tail
    if quoted:  # MLA and quoted-title styles: Authors. "Title." Source
        pre = s[: quoted.start()]
        y = _TRAILING_YEAR_RE.search(pre)
        authors = pre[: y.start()] if y else pre
        return authors, int(y.group(1)) if y else None, quoted.group(1), s[quoted.end() :]
    c = _CHICAGO_YEAR_RE.search(s, 0, 400)
    if c and _looks_like_authors(s[: c.start()]):  # Chicago: Authors. 2020. Title. Source
        title, tail = _title_and_tail(s[c.end() :])
        return s[: c.start()], int(c.group(1)), title, tail
    end = _author_block_end(s)  # Vancouver / AMA: Authors. Title. Journal. 2020;1(2):3-4.
    title, tail = _title_and_tail(s[end:])
    return s[:end], None, title, tail


def _title_and_tail(rest: str) -> tuple[str, str]:
    """Split what follows the author/year block into the title and the rest."""
    rest = rest.lstrip(" .,;:")
    if rest.startswith('"'):
        close = rest.find('"', 1)
        if close > 0:
            return rest[1:close], rest[close + 1 :]
    if rest[:1] in "'‘":
        # the closing quote is followed by punctuation ("'Title', Journal"); an apostrophe
        # inside the title ("Anaxagoras' theory") is followed by a space
        m = re.search(r"['’](?=[,.;:](?:\s|$)|\s*$)", rest[1:]) or re.search(r"['’](?=[\s,.;:]|$)", rest[1:])
        if m:
            return rest[1 : m.start() + 1], rest[m.end() + 1 :]
    m = _SENTENCE_END_RE.search(rest)
    if not m:
        return rest, ""
    keep = m.group(0) in "?!"
    if keep:
        sub = _subtitle_after_question(rest[m.end() :])
        if sub:
            return rest[: m.end()] + sub, rest[m.end() + len(sub) + 1 :]
    return rest[: m.end() if keep else m.start()], rest[m.end() :]


def _subtitle_after_question(after: str) -> str | None:
    """The subtitle of a title ending in '?'/'!' ("Do fish get wasted? Assessing the ...
    fish. PeerJ, 6, e5956"): a wordy, number-free sentence followed by a source with
    numbers that does not start with a year (as Vancouver's "J Med. 2020;..." does)."""
    m = re.search(r"\.(?=\s)", after)
    if not m:
        return None
    seg, rest = after[: m.start()], after[m.end() :].lstrip()
    if len(seg.split()) < 5 or any(ch.isdigit() for ch in seg) or not re.search(r"\d", rest) or rest[:1].isdigit():
        return None
    return seg


def _author_block_end(s: str) -> int:
    """Where a Vancouver/AMA author block ends (at a ". "), or 0 when there is none."""
    stops = [m.start() for m in re.finditer(r"\.(?=\s)", s[:2000])]
    if not stops:
        return 0
    first = s[: stops[0]]
    if _is_org(first):
        return stops[0]
    lead = first.split(",", 1)[0].strip()
    if "," in first and _VANCOUVER_NAME_RE.fullmatch(lead) and _looks_like_authors(first):
        return stops[0]
    cap = _title_end_before_journal(s, stops)
    best = 0
    for stop in stops[:40]:
        if stop >= cap or not _looks_like_authors(s[:stop]):
            break
        best = stop
        if s[:stop].endswith("et al"):  # "et al." closes an author list
            break
    return best


_VANCOUVER_JOURNAL_END_RE = re.compile(r"\.\s(?:1[89]|20)\d{2}[^;.]{0,25};\s?[\dA-Za-z]")


def _title_end_before_journal(s: str, stops: list[int]) -> int:
    """In 'Authors. Title. Journal. 2001;6(4):259-66.' the stop that ends the title: the
    author block must end before it, so a one-word title ('Siraisi N. Introduction.') is
    not read as part of a name. No Vancouver tail: no limit."""
    m = _VANCOUVER_JOURNAL_END_RE.search(s)
    if not m:
        return len(s)
    before = [st for st in stops if st < m.start()]
    return before[-1] if before else len(s)


# --- authors ---------------------------------------------------------------------------


def _author_tokens(block: str) -> tuple[list[str], bool]:
    """Comma/semicolon/"and"-separated chunks of an author block, and whether "et al" was there."""
    et_al = bool(_ET_AL_RE.search(block))
    block = _ET_AL_RE.sub(",", block)
    block = _CREDENTIAL_RE.sub("", block)
    block = _DR_RE.sub("", block)
    block = _AND_RE.sub(", ", block)
    tokens = [t.strip() for t in re.split(r"[,;]", block)]
    return [t for t in tokens if t.strip(" .")], et_al


def _is_name_like(token: str) -> bool:
    """A chunk that could be (part of) one person's name: capitalised words and initials."""
    words = token.split()
    if not words or len(words) > 5 or any(ch.isdigit() for ch in token):
        return False
    for i, w in enumerate(words):
        if w.lower() in _PARTICLES or w in _SUFFIXES:
            continue
        if not w[0].isupper():
            return False
        if w.endswith(".") and not _INITIALS_RE.fullmatch(w) and i < len(words) - 1:
            return False
        if w.endswith(".") and len(w) > 3 and i == len(words) - 1 and not _INITIALS_RE.fullmatch(w):
            return False
    return True


def _looks_like_authors(block: str) -> bool:
    """True when every chunk of ``block`` could be a name (or it is an organisation)."""
    tokens, _ = _author_tokens(block)
    return bool(tokens) and all(_is_name_like(t) for t in tokens)


def _is_org(block: str) -> bool:
    """An organisation or agency as author ("World Health Organization", "NIDA")."""
    b = block.strip(" .,;")
    if not b or len(b) > 150:
        return False
    if _ACRONYM_RE.fullmatch(b):
        return True
    tokens, _ = _author_tokens(b)
    return len(tokens) <= 2 and bool(_ORG_RE.search(b)) and not any(_VANCOUVER_NAME_RE.fullmatch(t) for t in tokens)


def _set_authors(fields: Fields, block: str) -> None:
    """Fill authors/et_al (or publisher for an organisation) from the author block."""
    block = block.strip(" ,;:")
    if re.search(r"\b[A-Z][\w'’\-]*[a-z][\w'’\-]*\.$", block):  # "... and Michael R. Pinsky." (not "Smith, J.")
        block = block[:-1]
    if not block:
        return
    if _is_org(block):
        fields.publisher = block.strip(" .,;")
        return
    tokens, fields.et_al = _author_tokens(block)
    fields.authors = _pair_names(tokens)


def _pair_names(tokens: list[str]) -> list[Person]:
    """Turn author chunks into Persons, joining inverted "Surname", "K. E." pairs."""
    people: list[Person] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        two_word = " " in token.strip() and not token.strip().split()[0].islower()
        if nxt and _SURNAME_RE.fullmatch(token) and (
                _INITIALS_RE.fullmatch(nxt) if two_word else _is_given(nxt, first=not people)):
            people.append(Person(token, nxt))
            i += 2
            continue
        person = _parse_name(token)
        if person:
            people.append(person)
        i += 1
    return people


def _is_given(token: str, first: bool) -> bool:
    """Initials ("K. E.", "S.C.") or, for a first inverted author, a given name ("Kirsten E.")."""
    return bool(_INITIALS_RE.fullmatch(token) or (first and _GIVEN_NAME_RE.fullmatch(token.rstrip("."))))


def _is_initials_word(w: str) -> bool:
    """'KE', 'R.', 'Ø' (any alphabet's capitals): Vancouver initials after the family name."""
    core = w[:-1] if w.endswith(".") else w
    return 1 <= len(core) <= 4 and core.isalpha() and core.isupper()


def _parse_name(token: str) -> Person | None:
    """One name as written: "Bath R" (Vancouver), "Kirsten E. Smith", "S.C. Eastlack"."""
    words = [w for w in token.split() if w not in _SUFFIXES]
    if not words or not _is_name_like(token):
        return None
    if len(words) == 1:
        return Person(words[0].rstrip("."))
    if _is_initials_word(words[-1]):
        return Person(" ".join(words[:-1]), words[-1].rstrip("."))
    lead = 0
    while lead < len(words) - 1 and re.fullmatch(r"(?:[A-Z]\.-?){1,3}", words[lead]):
        lead += 1
    if lead and len(words) - lead >= 2:  # initials first: "R. E. Curiel Cid", "L. de Lecea"
        return Person(" ".join(words[lead:]), " ".join(words[:lead]))
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return Person(" ".join(words[cut:]), " ".join(words[:cut]))


# --- title and source ------------------------------------------------------------------


def _clean_title(title: str) -> str | None:
    """Strip quotes, spaces and a trailing period/comma from a title."""
    t = title.strip().strip("\"'‘’").strip()
    t = t.rstrip(" .,;:").strip("\"'‘’").strip()
    return t or None


def _parse_source(tail: str, fields: Fields) -> None:
    """Read journal, volume, issue, pages (and year if still unknown) from the tail."""
    tail = tail.strip(" .,;:")
    if not tail:
        return
    m = _SOURCE_NUMBERS_RE.search(tail)
    journal = _clean_journal(tail[: m.start()] if m else tail)
    numbers = tail[m.start() :] if m else ""
    _parse_numbers(numbers, fields)
    if journal and not (fields.volume or fields.issue or fields.pages) and ", " in journal:
        journal, publisher = journal.split(", ", 1)
        fields.publisher = fields.publisher or publisher.strip(" .")
    fields.journal = journal if journal and len(journal) <= 250 else None


def _clean_journal(name: str) -> str | None:
    """Trim separators; drop a final period unless the name is dotted ("Front. Pharmacol.")."""
    name = name.strip(" ,;:–—-")
    if name.endswith(".") and "." not in name[:-1]:
        name = name[:-1].rstrip()
    return name or None


def _parse_numbers(n: str, fields: Fields) -> None:
    """Volume, issue and pages from the numeric part of a source tail."""
    for rx in (_CHICAGO_NUMS_RE, _VOL_ISSUE_PAGES_RE, _VOL_PAGES_RE):
        m = rx.search(n)
        if m:
            found = m.groupdict()
            year = found.pop("year", None)
            if year and fields.year is None:
                fields.year = int(year)
            _fill(fields, found)
            n = n[: m.start()] + " " * (m.end() - m.start()) + n[m.end() :]
            break
    else:
        m = _BARE_VOL_PAGES_RE.match(n)
        if m and not _YEAR_RE.fullmatch(m.group("vol")):
            _fill(fields, m.groupdict())
            n = " " * m.end() + n[m.end() :]
    vol_end = 0
    for key, rx in _LABELLED.items():
        m = rx.search(n)
        if m and not getattr(fields, key):
            _fill(fields, {key: m.group(1)})
            vol_end = m.end() if key == "volume" else vol_end
            n = n[: m.start()] + " " * (m.end() - m.start()) + n[m.end() :]
    if fields.volume and not fields.pages:
        fields.pages = _loose_pages(n[vol_end:])


def _loose_pages(s: str) -> str | None:
    """A page range or article number that is not a year (after "Volume 108, Oct 2022, ...")."""
    for m in _PAGE_RANGE_RE.finditer(s):
        ends = re.split(r"\s?[-–—]\s?", m.group(1))
        if not all(_YEAR_RE.fullmatch(e) for e in ends):
            return _norm_pages(m.group(1))
    for m in _ARTICLE_NUMBER_RE.finditer(s):
        if not _YEAR_RE.fullmatch(m.group(1)):
            return m.group(1)
    return None


def _fill(fields: Fields, found: dict[str, str | None]) -> None:
    """Set volume/issue/pages from regex groups (keys vol/iss/pages or field names)."""
    names = {"vol": "volume", "iss": "issue"}
    for key, value in found.items():
        name = names.get(key, key)
        if value and not getattr(fields, name):
            value = value.strip()
            setattr(fields, name, _norm_pages(value) if name == "pages" else value)


def _norm_pages(pages: str) -> str:
    """"55 – 69" -> "55-69"."""
    return re.sub(r"\s?[-–—]\s?", "-", pages.strip())
