"""Property-based tests: the extractors never raise on arbitrary text, and every citation
they return points into the document (0 <= start <= end <= len(text), text[start:end] == c.text)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeaudit.extract import extract_references, find_reference_entries
from citeaudit.ingest.document import document_from_html, document_from_text
from citeaudit.models import Document
from citeaudit.extract.citations import extract_citations

# pieces that steer random text towards reference lists, quotes and identifiers
FRAGMENTS = [
    "References\n", "Sources:\n", "\n  \u2022 ", "\n1. ", "\n[2] ", "\n- ", "Bath R, Bucholz T, ", "Smith, J. A., & Lee, K. ",
    "et al. ", "(2020). ", "(2019), ", "\u201cKratom and pain.\u201d ", "\"A study of things.\" ", "J Addict Med. ",
    "2020;14(3):244-252", "Nature 1:1.", "Vol. 12, No. 3, pp. 45\u201367.", "doi:10.1097/ADM.0000000000000570 ",
    "https://doi.org/10.1000/xyz(1)", "PMID: 31567595 ", "PMC7309661 ", "https://example.org/a?b=1 ",
    "A 2020 study found that ", "Researchers at Johns Hopkins say ", "According to a review in The Lancet, ",
    "\u201d", "\u201c", "(", ")", "[", "]", ":", ";", ".", ",", "\n\n", "\t", "\r\n", "\u202e", "\u200f",
    "\u0645\u0631\u0627\u062c\u0639", "\x00", "\x1b[31m", "\ufffd", "\U0001f600", "\u0301",
]

articleish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=60).map("".join)
any_text = st.one_of(st.text(max_size=400), articleish)

# `make fuzz` raises this with CITEAUDIT_FUZZ_EXAMPLES
SETTINGS = settings(max_examples=max(60, int(os.environ.get("CITEAUDIT_FUZZ_EXAMPLES", "0")) // 10), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_spans(doc: Document, citations) -> None:
    n = len(doc.text)
    for c in citations:
        assert 0 <= c.start <= c.end <= n, (c.start, c.end, n)
        if c.kind == "link" and c.start == c.end:
            # a link with no anchor text (an image, an empty <a>): empty span, the URL as its text
            assert c.text == c.extra.get("href"), c
            continue
        assert doc.text[c.start:c.end] == c.text, (c.kind, c.start, c.end)


@SETTINGS
@given(any_text)
def test_reference_extraction_never_raises_and_spans_are_inside(text):
    doc = Document(source="t.txt", text=text)
    for start, end in find_reference_entries(doc):
        assert 0 <= start <= end <= len(text)
    _assert_spans(doc, extract_references(doc))


@SETTINGS
@given(any_text, st.sampled_from(["text", "markdown"]))
def test_full_extraction_on_ingested_text(text, kind):
    doc = document_from_text(text, "t.md", kind)
    for link in doc.links:
        assert 0 <= link.start <= link.end <= len(doc.text)
    _assert_spans(doc, extract_citations(doc))


html_bits = st.sampled_from(["<p>", "</p>", "<li>", "</li>", "<ul>", "</ul>", "<a href='https://doi.org/10.1/x'>",
                             "</a>", "<script>", "</script>", "<style>", "<div class='author-bio'>", "</div>",
                             "<br>", "<h2>References</h2>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#0;"])


@SETTINGS
@given(st.lists(st.one_of(html_bits, st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=50).map("".join))
def test_full_extraction_on_arbitrary_html(html):
    doc = document_from_html(html, "t.html")
    for link in doc.links:
        assert 0 <= link.start <= link.end <= len(doc.text)
    _assert_spans(doc, extract_citations(doc))
