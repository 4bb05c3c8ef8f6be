"""Field matching and verdicts on hand-built citations and records (pure functions)."""

from citeaudit.judge.match import assess, is_abbreviation_of, journal_matches, title_similarity
from citeaudit.models import Citation, Fields, Person, Record, RecordUpdate, SourceAnswer
from citeaudit.judge.reference import judge

BATH = Record(
    source="pubmed", pmid="31567595", doi="10.1097/adm.0000000000000570",
    title="Self-reported Health Diagnoses and Demographic Correlates With Kratom Use: Results From an Online Survey",
    authors=[Person("Bath", "R"), Person("Bucholz", "T"), Person("Grundmann", "O")],
    journal="Journal of addiction medicine", journal_abbrevs=["J Addict Med"], year=2020, years=[2019, 2020],
    volume="14", issue="3", pages="244-252",
)


def cite(**kw) -> Citation:
    return Citation(kind="reference", text="x", start=0, end=1, fields=Fields(**kw))


def bath_fields(**over) -> dict:
    base = dict(authors=[Person("Bath", "R"), Person("Bucholz", "T")], year=2020, title=BATH.title,
                journal="J Addict Med", volume="14", issue="3", pages="244-252")
    base.update(over)
    return base


def test_journal_abbreviations():
    assert is_abbreviation_of("J Addict Med", "Journal of Addiction Medicine")
    assert is_abbreviation_of("Front. Pharmacol.", "Frontiers in Pharmacology")
    assert not is_abbreviation_of("J Med", "Journal of Medicinal Chemistry")
    assert journal_matches("Substance Abuse", Record(source="x", journal="Substance Abuse: Research and Treatment"))[0]
    assert not journal_matches("Journal of Pain Research", BATH)[0]


def test_title_similarity_tolerates_case_and_typos_not_other_titles():
    assert title_similarity(BATH.title.upper(), BATH.title) == 1.0
    assert title_similarity(BATH.title.replace("Kratom", "Kratum"), BATH.title) > 0.95
    assert title_similarity("Kratom and pain tolerance in rats", BATH.title) < 0.6


def test_exact_citation_is_verified():
    check = judge(cite(**bath_fields()), [SourceAnswer("pubmed", records=[BATH])])
    assert check.verdict == "verified"
    assert check.record.pmid == "31567595"
    assert check.differences == []


def test_online_first_year_is_not_a_mismatch():
    check = judge(cite(**bath_fields(year=2019)), [SourceAnswer("pubmed", records=[BATH])])
    assert check.verdict == "verified"


def test_year_off_by_two_is_a_mismatch_naming_the_field():
    check = judge(cite(**bath_fields(year=2022)), [SourceAnswer("pubmed", records=[BATH])])
    assert check.verdict == "mismatched"
    assert [(d.field, d.stated, d.found) for d in check.differences] == [("year", 2022, 2020)]
    assert "year: stated 2022, found 2020" in check.reason


def test_other_journal_and_first_author_are_named():
    check = judge(cite(**bath_fields(journal="Pain Medicine")), [SourceAnswer("pubmed", records=[BATH])])
    assert check.verdict == "mismatched" and [d.field for d in check.differences] == ["journal"]
    check = judge(cite(**bath_fields(authors=[Person("Miller", "J")])), [SourceAnswer("pubmed", records=[BATH])])
    assert check.verdict == "mismatched" and [d.field for d in check.differences] == ["first_author"]


def test_fabricated_work_is_unfound_when_sources_answered():
    c = cite(authors=[Person("Johnson", "E")], year=2017, title="Kratom extract reduces mechanical allodynia in rats",
             journal="Journal of Pain Research", volume="10", pages="100-110")
    check = judge(c, [SourceAnswer("crossref", records=[BATH]), SourceAnswer("pubmed")])
    assert check.verdict == "unfound"


def test_source_failure_is_unchecked_never_unfound():
    c = cite(title="Some study that may well exist", year=2020, authors=[Person("Doe", "J")])
    check = judge(c, [SourceAnswer("crossref", ok=False, error="crossref search: timed out (4 attempts)"),
                      SourceAnswer("pubmed")])
    assert check.verdict == "unchecked"
    assert "timed out" in check.reason


def test_work_only_pubmed_has_is_verified_when_crossref_has_nothing():
    check = judge(cite(**bath_fields()), [SourceAnswer("crossref"), SourceAnswer("pubmed", records=[BATH])])
    assert check.verdict == "verified"


def test_doi_of_another_work_is_a_doi_mismatch():
    other = Record(source="crossref", doi="10.1000/other", title="A different paper on liver injury",
                   authors=[Person("Lee", "K")], journal="Hepatology", year=2015)
    c = cite(**bath_fields(doi="10.1000/other"))
    check = judge(c, [SourceAnswer("crossref", by_identifier={"doi:10.1000/other": other}),
                      SourceAnswer("pubmed", records=[BATH])])
    assert check.verdict == "mismatched"
    assert [d.field for d in check.differences] == ["doi"]
    assert check.record.pmid == "31567595"


def test_retracted_work_is_flagged():
    retracted = Record(**{**BATH.__dict__, "updates": [RecordUpdate("retraction", doi="10.1/notice", source="retraction-watch")]})
    check = judge(cite(**bath_fields()), [SourceAnswer("pubmed", records=[retracted])])
    assert check.verdict == "verified"
    assert check.notes and check.notes[0].startswith("RETRACTED")


def test_grey_literature_is_unchecked():
    c = Citation(kind="reference", text="NIDA. (2022), Kratom.", start=0, end=5, category="grey",
                 fields=Fields(publisher="NIDA", year=2022, title="Kratom"))
    assert judge(c, []).verdict == "unchecked"


def test_assess_requires_independent_agreement():
    # same title words but nothing else agrees: not accepted
    a = assess(Fields(title="Kratom", year=1990, authors=[Person("Nobody")]),
               [Record(source="crossref", title="Kratom", year=2021, authors=[Person("Someone")])])
    assert not a.accepted
