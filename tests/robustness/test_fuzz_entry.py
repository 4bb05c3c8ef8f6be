"""Fuzz target for the reference-entry parser (`parse_entry`).

Runs briefly in `make test`; `make fuzz` (or CITEAUDIT_FUZZ_EXAMPLES=N) runs it much longer.
The parser must never raise, must return a Fields, and what it fills in must be sane.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeaudit.extract import parse_entry
from citeaudit.models import Fields

EXAMPLES = int(os.environ.get("CITEAUDIT_FUZZ_EXAMPLES", "150"))

TOKENS = [
    "Bath R", "Bucholz T", "Smith, J. A.", "van der Berg, K.", "O'Neil M", "\u00c9lodie Dupont", "Kaye, A.D.", "et al",
    "&", ",", ", ", ". ", "; ", ":", "(", ")", "[", "]", "\u201c", "\u201d", "\"", "'", "\u2013", "-", " ", "  ",
    "(2020)", "2020", "(n.d.)", "1899", "2999", "May/Jun", "Jun 29", "Epub", "Vol.", "Volume 14", "No. 3", "Issue 10",
    "pp.", "244-252", "e33693", "14(3):244-252", "9, 55\u201369", "J Addict Med", "Pain Ther", "The Lancet",
    "Retrieved from", "https://doi.org/10.1097/ADM.0000000000000570", "doi:10.1/a)b(", "10.1000/", "PMID: 31567595",
    "PMID:", "PMC7309661", "http://", "https://x.y/z?q=(1)", "Kratom and pain", "A study.", "?", "!", "\n", "\t",
    "\u202e", "\x00", "\x1b[2J", "\ufffd", "\U0001f4a9", "\u0644\u0627",
]

entry = st.one_of(
    st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), max_size=40).map("".join),
    st.text(max_size=300),
    st.text(alphabet="0123456789()-:;.,/ ", max_size=200),
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entry)
def test_parse_entry_never_raises(text):
    f = parse_entry(text)
    assert isinstance(f, Fields)
    assert f.year is None or 1000 <= f.year <= 2999
    if f.doi:
        assert f.doi.startswith("10.") and f.doi == f.doi.lower() and not f.doi.startswith("10./")
    if f.pmid:
        assert f.pmid.isdigit()
    for p in f.authors:
        assert isinstance(p.family, str) and isinstance(p.given, str)
    f.to_dict()  # serialisable


def test_parse_entry_on_huge_and_degenerate_inputs():
    for text in ["", " ", "(" * 5000, "\u201c" * 3000, "Bath R, " * 3000, "1" * 20000, "10." * 4000,
                 "a" * 100000, "(2020) " * 2000, "\x00" * 1000]:
        assert isinstance(parse_entry(text), Fields)
