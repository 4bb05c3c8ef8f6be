"""Uncited research claims (pure)."""

from citeaudit.extract.claims import find_claims
from citeaudit.models import Document


def test_uncited_claims_are_listed_cited_ones_are_not():
    text = ("Animal studies show kratom compounds reduce pain. Scientists acknowledge promising signs. "
            "Research suggests kratom works [3]. Clinical trials show promise for low back pain relief. "
            "Kratom is a tree.")
    claims = find_claims(Document(source="t", text=text))
    assert [c.extra["phrase"] for c in claims] == ["Animal studies show", "Scientists acknowledge",
                                                   "Clinical trials show"]
    assert all(c.kind == "claim" and c.category == "grey" for c in claims)
