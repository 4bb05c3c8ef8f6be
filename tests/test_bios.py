"""Author bios: extraction of claims and the verdict from gathered evidence (pure)."""

from citeaudit.judge.bio import judge_bio
from citeaudit.extract.bios import find_bios
from citeaudit.models import Document

TEXT = ("Kratom kratom kratom is discussed here.\n\nAbout the Author\nDr. Jane Roe is a leading expert in pain. "
        "With a PhD in Pharmacology from Harvard University, she has published numerous papers on kratom and "
        "serves as a contributing author for The Journal of Alternative Pain Management.\n")


def bio():
    [b] = find_bios(Document(source="t", text=TEXT))
    return b


def test_bio_claims():
    b = bio()
    assert b.kind == "bio" and b.extra["name"] == "Dr. Jane Roe"
    assert (b.fields.authors[0].family, b.fields.authors[0].given) == ("Roe", "Jane")
    assert "PhD in Pharmacology" in b.extra["degrees"] and b.extra["institutions"] == ["Harvard University"]
    assert b.extra["topics"][0] == "kratom"
    assert b.extra["journals"] == ["The Journal of Alternative Pain Management"]
    assert b.extra["publication_claims"]


def test_bio_verdicts():
    b = bio()
    none = {"query_name": "Roe J", "name_total": {"pubmed": 0}, "errors": [],
            "topics": {"kratom": {"pubmed": 0, "crossref": 0}},
            "journals": {"The Journal of Alternative Pain Management": {"crossref": False, "nlm": False}}}
    check = judge_bio(b, none)
    assert check.verdict == "unfound" and "not a known journal" in check.reason
    elsewhere = {**none, "name_total": {"pubmed": 12}, "journals": {}}
    assert judge_bio(b, elsewhere).verdict == "mismatched"
    common = {**none, "name_total": {"pubmed": 5000}, "topics": {"kratom": {"pubmed": 3}}, "journals": {}}
    check = judge_bio(b, common)
    assert check.verdict == "unchecked" and "3 works on kratom by authors named Roe J" in check.reason
    failed = {**none, "topics": {"kratom": {"pubmed": None}}, "journals": {}, "errors": ["pubmed: timed out"]}
    assert judge_bio(b, failed).verdict == "unchecked"
    assert judge_bio(b, None, offline=True).verdict == "unchecked"


# --- inline bios naming a paper -----------------------------------------------------------------


INLINE = ('Notes\n\nAbout the author: Dr. J. E. De Neve is a clinical scientist whose work includes "The impact of '
          'time-restricted eating on quality of life: evidence from older adults", published in Int J Drug Policy '
          'in 2021.\n\nMore text.\n')


def test_inline_bio_with_initials_and_a_named_paper():
    [b] = find_bios(Document(source="t", text=INLINE))
    assert (b.fields.authors[0].family, b.fields.authors[0].given) == ("De Neve", "J. E.")
    assert b.extra["papers"] == [{"title": "The impact of time-restricted eating on quality of life: evidence from "
                                           "older adults", "journal": "Int J Drug Policy", "year": 2021}]
    from citeaudit.extract.quotes import find_quotes
    assert find_quotes(Document(source="t", text=INLINE), [(b.start, b.end)]) == []


def _paper(verdict: str) -> dict:
    return {"title": "The impact of time-restricted eating", "journal": "Int J Drug Policy", "year": 2021,
            "verdict": verdict, "reason": "no work in crossref, pubmed matches", "record": None}


def test_named_paper_verdicts():
    [b] = find_bios(Document(source="t", text=INLINE))
    base = {"query_name": "De Neve J", "errors": [], "topics": {}, "journals": {}}
    publishes = {**base, "name_total": {"pubmed": 4, "crossref_named": 1}, "papers": [_paper("unfound")]}
    check = judge_bio(b, publishes)
    assert check.verdict == "mismatched" and "publishes (4 works" in check.reason
    assert any(c["verdict"] == "unfound" and c["claim"].startswith("paper ") for c in b.extra["claims_checked"])
    no_trace = {**base, "name_total": {"pubmed": 0, "crossref_named": 0}, "papers": [_paper("unfound")]}
    assert judge_bio(b, no_trace).verdict == "unfound"
    real = {**base, "name_total": {"pubmed": 4}, "papers": [_paper("verified")]}
    assert judge_bio(b, real).verdict == "verified"


def test_bios_end_to_end(settings, tmp_path, audit_text):
    """Against the emulator: a real paper by its author; an invented paper by a real author; an unknown person."""
    text = ('Notes\n\nAbout the author: Dr. T. J. VanDyck is a researcher whose work includes "Hemodynamic monitoring '
            'in cardiogenic shock", published in Current Opinion in Critical Care in 2021.\n\nFiller.\n\n'
            'About the author: Dr. J. Tobacyk is a clinical scientist whose work includes "The impact of '
            'time-restricted eating on quality of life: evidence from older adults", published in Int J Drug Policy '
            'in 2021.\n\nFiller.\n\n'
            'About the author: Dr. Q. Zyxwvut is a researcher whose work includes "Curcumin for alcohol craving: a '
            'pilot study", published in Nutr Res Rev in 2025.\n')
    bios = [it for it in audit_text(text) if it.citation.kind == "bio"]
    assert [it.check.verdict for it in bios] == ["verified", "mismatched", "unfound"]
    assert "Tobacyk J publishes" in bios[1].check.reason
