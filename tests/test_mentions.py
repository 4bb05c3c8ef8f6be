"""Narrative mentions: extraction (pure) and verdicts on hand-built records (pure)."""

from citeaudit.extract.mentions import find_mentions
from citeaudit.mentions_verdict import judge_mention
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
