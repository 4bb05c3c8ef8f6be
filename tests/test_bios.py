"""Author bios: extraction of claims and the verdict from gathered evidence (pure)."""

from citeaudit.bio_verdict import judge_bio
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
