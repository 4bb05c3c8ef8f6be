"""Quotes: extraction, linking to the reference list, and the abstract check (pure)."""

from citeaudit.extract.quotes import find_quotes, link_to_references
from citeaudit.models import Citation, Document, Fields
from citeaudit.judge.quote import quote_status

TEXT = ("A 2020 study found that participants taking kratom: “demonstrated a substantial and statistically "
        "significant increase in pain tolerance.” The DEA calls it a “drug of concern”.")


def test_quote_is_extracted_with_attribution():
    q = find_quotes(Document(source="t", text=TEXT))
    assert len(q) == 1
    assert q[0].kind == "quote" and q[0].fields.year == 2020
    assert q[0].extra["quote"].startswith("demonstrated a substantial")


def test_quote_links_to_the_one_plain_study_of_that_year():
    q = find_quotes(Document(source="t", text=TEXT))[0]
    refs = [Citation("reference", "r1", 500, 510, Fields(year=2020, title="Kratom use: an online survey")),
            Citation("reference", "r2", 520, 530, Fields(year=2020, title="Kratom and pain tolerance: a study")),
            Citation("reference", "r3", 540, 550, Fields(year=2019, title="Another study"))]
    cits = [q] + refs
    link_to_references(cits)
    assert q.linked_to == 2


def test_quote_status():
    abstract = "Kratom decoction demonstrated a substantial and statistically significant increase in pain tolerance."
    assert quote_status("demonstrated a substantial and statistically significant increase in pain tolerance",
                        [abstract])[0] == "verbatim"
    assert quote_status("demonstrated a substantial and statisticaly significant increase in pain tolerence",
                        [abstract])[0] == "near-verbatim"
    assert quote_status("kratom cures every cancer known to medicine", [abstract])[0] == "not in the abstract"
    assert quote_status("anything at all here", [])[0] == "abstract unavailable"
