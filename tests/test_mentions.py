"""Narrative mentions: extraction (pure) and verdicts on hand-built records (pure)."""

from citeaudit.extract.mentions import find_mentions
from citeaudit.judge.mentions import judge_mention
from citeaudit.models import Document, Person, Record, SourceAnswer

TEXT = ("Kratom is popular. Kratom users talk about kratom. For instance, a 2017 study published in the Journal of "
        "Pain Research found that kratom extract significantly reduced mechanical allodynia in rats, suggesting "
        "its potential for neuropathic pain management. Studies show kratom helps. Foss et al. (2020) reported "
        "that mitragynine reduced allodynia in rats given kratom.")


def mentions():
    return find_mentions(Document(source="t", text=TEXT))


def test_mention_fields():
    m = mentions()
    assert len(m) == 2
    first = m[0]
    assert first.kind == "mention"
    assert (first.fields.year, first.fields.journal, first.fields.study_type) == (2017, "Journal of Pain Research", "study")
    assert first.extra["anchor"] == "kratom" and "allodynia" in first.extra["terms"]
    assert first.extra["population"] == ["rats"]
    assert [p.family for p in m[1].fields.authors] == ["Foss"] and m[1].fields.year == 2020


def rec(**kw) -> Record:
    return Record(source="pubmed", pmid=kw.pop("pmid", "1"), **kw)


def test_verified_when_journal_year_and_topic_fit():
    r = rec(title="Kratom extract reduces mechanical allodynia in rats", journal="Journal of Pain Research",
            year=2017, abstract="Kratom extract reduced mechanical allodynia in rats.")
    check = judge_mention(mentions()[0], [SourceAnswer("pubmed", records=[r])])
    assert check.verdict == "verified" and check.record is r


def test_mismatched_names_the_nearest_real_work():
    r = rec(title="Mitragynine from kratom reduces mechanical allodynia in rats", journal="Drug and Alcohol Dependence",
            year=2020, authors=[Person("Foss", "JD")], abstract="Kratom extract and mechanical allodynia in rats.")
    check = judge_mention(mentions()[0], [SourceAnswer("pubmed", records=[r])])
    assert check.verdict == "mismatched"
    assert {d.field for d in check.differences} == {"journal", "year"}
    assert "Drug and Alcohol Dependence" in check.reason


def test_unfound_and_network_failure_is_unchecked():
    m = mentions()[0]
    assert judge_mention(m, [SourceAnswer("pubmed")]).verdict == "unfound"
    check = judge_mention(m, [SourceAnswer("pubmed"), SourceAnswer("crossref", ok=False, error="HTTP 503")])
    assert check.verdict == "unchecked" and "HTTP 503" in check.reason


def test_several_candidates_are_listed():
    a = rec(pmid="1", title="Kratom alkaloids at opioid receptors", journal="Journal of Medicinal Chemistry", year=2019)
    b = rec(pmid="2", title="Kratom alkaloids and analgesia", journal="Journal of Medicinal Chemistry", year=2021)
    m = find_mentions(Document(source="t", text="Kratom kratom kratom. A study published in the Journal of "
                                                "Medicinal Chemistry found that kratom alkaloids had analgesic effects."))[0]
    check = judge_mention(m, [SourceAnswer("pubmed", records=[a, b])])
    assert check.verdict == "verified" and len(check.candidates) == 1
    assert any("2 works fit" in n for n in check.notes)


# --- mentions naming a title, authors and an abbreviated journal -------------------------------

from citeaudit.extract.mentions import find_authors, find_journal, stated_topic  # noqa: E402
from citeaudit.extract.quotes import find_quotes  # noqa: E402
from citeaudit.resolve.sources.mention_queries import crossref_mention_queries, pubmed_mention_terms  # noqa: E402

TITLED = ('A 2025 study by Zijlstra and colleagues in Global Spine Journal, "Remineralization Rate of Lytic '
          'Lesions of the Spine in Multiple Myeloma Patients", reported that the findings were clinically meaningful.')
DESCRIBED = ("In a 2020 study on kratom and Pain Tolerance, published in Yale J Biol Med, Vicknasingam and "
             "colleagues concluded that the findings were clinically meaningful.")


def one(text: str):
    [m] = find_mentions(Document(source="t", text=text))
    return m


def test_quoted_title_after_a_study_is_a_mention_not_a_quote():
    doc = Document(source="t", text=TITLED)
    assert find_quotes(doc) == []
    m = one(TITLED)
    assert m.fields.title.startswith("Remineralization Rate of Lytic Lesions")
    assert (m.fields.year, m.fields.journal, [p.family for p in m.fields.authors]) == (
        2025, "Global Spine Journal", ["Zijlstra"])
    # a real quotation is still a quote
    q = 'A 2020 study found that participants taking kratom: "demonstrated a substantial increase in pain tolerance".'
    assert len(find_quotes(Document(source="t", text=q))) == 1


def test_named_authors_journal_and_stated_topic():
    m = one(DESCRIBED)
    assert (m.fields.year, m.fields.journal, m.fields.authors[0].family) == (2020, "Yale J Biol Med", "Vicknasingam")
    assert m.extra["stated_topic"] == "kratom and Pain Tolerance"
    assert {m.extra["anchor"], *m.extra["terms"]} == {"kratom", "pain", "tolerance"}
    assert find_authors("Foss and Lee (2020) showed that it worked.")[0].family == "Foss"
    assert [p.family for p in find_authors("Researchers led by Dr. Jane Montalbán-López found that it helped.")] == [
        "Montalbán-López"]
    assert find_authors("A 2020 study by Hora in J Syst Integr Neurosci found that it helped.")[0].family == "Hora"
    assert find_authors("In a 2020 study on yoga, published in PeerJ, De Neve concluded that it helped.")[0].family == \
        "De Neve"
    assert find_authors("In a 2020 study on yoga, published in PeerJ, Researchers concluded that it helped.") == []
    for text, journal in [("A 2024 study by Uysal and colleagues in CEN case reports, found that", "CEN case reports"),
                          ("a study published in Big Data & Society found that", "Big Data & Society"),
                          ("published in Journal of Neuroscience, Psychology, and Economics in 2012.",
                           "Journal of Neuroscience, Psychology, and Economics"),
                          ("a study published in Recent Patents on Biotechnology showed", "Recent Patents on Biotechnology")]:
        assert find_journal(text)[0] == journal, text
    assert stated_topic("In a 2021 study on grazer behaviour, published in Ecology Letters, X found") == "grazer behaviour"


def test_author_journal_and_year_drive_the_searches():
    m = one(DESCRIBED)
    terms = pubmed_mention_terms(m)
    assert 'Vicknasingam[1au] AND "Yale J Biol Med"[ta] AND 2019:2021[dp]' in terms
    assert any(t.startswith('"Yale J Biol Med"[ta] AND 2019:2021[dp] AND') for t in terms)
    queries = crossref_mention_queries(m)
    assert {"query_author": "Vicknasingam", "query_bibliographic": "kratom pain tolerance",
            "query_container_title": "Yale J Biol Med",
            "filter": {"from_pub_date": "2019", "until_pub_date": "2021"}} in queries
    titled = pubmed_mention_terms(one(TITLED))
    assert titled[0].startswith("remineralization[ti] AND rate[ti]")


def test_author_journal_year_agree_topic_supports():
    m = one(DESCRIBED)
    real = rec(title="Kratom use and pain tolerance in people who use kratom regularly", journal="Yale J Biol Med",
               year=2020, authors=[Person("Vicknasingam", "B")])
    check = judge_mention(m, [SourceAnswer("pubmed", records=[real])])
    assert check.verdict == "verified" and check.record is real
    # the same people, journal and year, but a paper on something else: not this study
    other = rec(title="Methadone maintenance and HIV risk behaviours", journal="Yale J Biol Med", year=2020,
                authors=[Person("Vicknasingam", "B")], abstract="Methadone clients reported fewer HIV risk behaviours.")
    check = judge_mention(m, [SourceAnswer("pubmed", records=[other]), SourceAnswer("crossref")])
    assert check.verdict == "unfound" and "on another topic" in check.reason


def test_titled_mention_is_judged_like_a_reference():
    m = one(TITLED)
    r = rec(title="Remineralization Rate of Lytic Lesions of the Spine in Multiple Myeloma Patients",
            journal="Global Spine Journal", year=2025, authors=[Person("Zijlstra", "H")])
    assert judge_mention(m, [SourceAnswer("pubmed", records=[r])]).verdict == "verified"
    wrong_year = rec(title=r.title, journal=r.journal, year=2019, authors=r.authors)
    check = judge_mention(m, [SourceAnswer("pubmed", records=[wrong_year])])
    assert check.verdict == "mismatched" and [d.field for d in check.differences] == ["year"]
    assert judge_mention(m, [SourceAnswer("pubmed"), SourceAnswer("crossref")]).verdict == "unfound"


def test_too_vague_is_unchecked_not_unfound():
    m = one("Kratom is everywhere. A 2019 study found that kratom improved mood in adults.")
    assert not (m.fields.journal or m.fields.authors or m.fields.title)
    check = judge_mention(m, [SourceAnswer("pubmed"), SourceAnswer("crossref")])
    assert check.verdict == "unchecked" and "too vague" in check.reason


def test_mentions_end_to_end(settings, tmp_path, audit_text):
    """Against the emulator: a titled mention, an author+journal+year mention, a topic+journal+year
    mention, and an invented study by real authors in their own journal."""

    text = "\n\n".join([
        "Notes on the evidence",
        'A 2025 study by Zijlstra and colleagues in Global Spine Journal, "Remineralization Rate of Lytic Lesions of '
        'the Spine in Multiple Myeloma Patients Undergoing Radiation Therapy", reported that the findings held.',
        DESCRIBED,
        "In a 2021 study on grazer behaviour can regulate large-scale patterning of community states, published in "
        "Ecology Letters, the authors concluded that the effect was modest.",
        "In a 2022 survey on intermittent fasting and opioid withdrawal in patients with fibromyalgia, published in "
        "Methods in Ecology and Evolution, Record and colleagues observed that the findings were meaningful.",
    ]) + "\n"
    items = audit_text(text, "mentions.txt")
    got = [(it.citation.kind, it.check.verdict) for it in items if it.citation.kind in ("mention", "quote")]
    assert got == [("mention", "verified"), ("mention", "verified"), ("mention", "verified"), ("mention", "unfound")]
