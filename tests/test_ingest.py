"""load_document / document_from_html / document_from_text: formats, links, metadata, bad input."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest

from citeaudit.ingest import document as ingest
from citeaudit.ingest.document import IngestError, document_from_html, document_from_text, load_document

ARTICLES = Path(__file__).resolve().parent.parent / "fixtures" / "articles"

PAGE = """<!DOCTYPE html>
<html><head>
<title>Kratom and Pain | Example Health</title>
<meta name="description" content="What the research says about kratom.">
<meta property="og:site_name" content="Example Health">
<style>body { color: red; }</style>
<script>var tracking = "SCRIPT TEXT";</script>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Example Health"},
  {"@type": "Article", "headline": "Kratom and Pain: The Evidence", "datePublished": "2023-05-05",
   "author": [{"@type": "Person", "name": "Jane Roe"}, {"@type": "Person", "name": "John Doe"}]}
]}
</script>
</head>
<body class="single has-sidebar">
<header class="site-header"><nav><a href="/">Home</a> <a href="/about">About us</a></nav></header>
<div class="breadcrumbs"><a href="/health">Health</a></div>
<article>
<h1>Kratom and Pain</h1>
<p>Kratom is   a <b>plant</b>. A <a href="https://pubmed.ncbi.nlm.nih.gov/32607084/">2020 trial</a> tested it.</p>
<ul><li>Nausea</li><li>Dry <i>mouth</i></li></ul>
<div class="author-bio"><p>Jane Roe is a pharmacist who writes about pain.</p></div>
<noscript>Enable JavaScript</noscript>
</article>
<aside class="sidebar"><p>Popular posts</p></aside>
<section id="comments"><p>Great post! Buy kratom here.</p></section>
<div class="related-posts"><a href="/other">Other post</a></div>
<form><input name="q"><button>Search</button></form>
<footer><p>Copyright 2023</p></footer>
</body></html>
"""


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# --- HTML ------------------------------------------------------------------------------


def test_html_keeps_article_text_and_drops_page_furniture():
    doc = document_from_html(PAGE, "page.html")
    assert doc.kind == "html"
    assert doc.text == (
        "Kratom and Pain\n\n"
        "Kratom is a plant. A 2020 trial tested it.\n\n"
        "• Nausea\n• Dry mouth\n\n"
        "Jane Roe is a pharmacist who writes about pain."
    )
    for dropped in ("SCRIPT TEXT", "color: red", "Home", "Health\n", "Popular posts", "Great post", "Other post",
                    "Search", "Copyright", "Enable JavaScript"):
        assert dropped not in doc.text


def test_html_link_spans_point_at_anchor_text():
    doc = document_from_html(PAGE, "page.html")
    assert len(doc.links) == 1
    link = doc.links[0]
    assert (link.href, link.text) == ("https://pubmed.ncbi.nlm.nih.gov/32607084/", "2020 trial")
    assert doc.text[link.start : link.end] == "2020 trial"


def test_html_metadata_title_and_blocks():
    doc = document_from_html(PAGE, "page.html")
    assert doc.title == "Kratom and Pain | Example Health"
    assert doc.meta == {
        "author": "Jane Roe, John Doe",
        "date": "2023-05-05",
        "description": "What the research says about kratom.",
        "site_name": "Example Health",
        "headline": "Kratom and Pain: The Evidence",
    }
    assert [doc.text[s:e] for s, e in doc.blocks["list_items"]] == ["Nausea", "Dry mouth"]
    assert [doc.text[s:e] for s, e in doc.blocks["bio"]] == ["Jane Roe is a pharmacist who writes about pain."]


def test_html_og_title_meta_author_and_bio_lifted_out_of_footer():
    html = (
        '<html><head><meta property="og:title" content="OG Title"><meta name="author" content="A. Writer">'
        '<meta property="article:published_time" content="2024-01-02"></head><body>'
        "<p>Body<br>second line</p>"
        '<footer><div class="about-author">A. Writer has a PhD.</div><p>Legal</p></footer>'
        '<div itemprop="author"><span itemprop="name">B. Writer</span> '
        '<span itemprop="description">Nurse for 20 years.</span></div></body></html>'
    )
    doc = document_from_html(html.encode("utf-8"), "https://example.org/post")
    assert doc.title == "OG Title"
    assert doc.meta == {"author": "A. Writer", "date": "2024-01-02"}
    assert doc.text == "Body\nsecond line\n\nA. Writer has a PhD.\nB. Writer Nurse for 20 years."
    assert [doc.text[s:e] for s, e in doc.blocks["bio"]] == ["A. Writer has a PhD.", "B. Writer Nurse for 20 years."]
    assert doc.content_hash == hashlib.sha256(html.encode("utf-8")).hexdigest()


def test_html_title_falls_back_to_h1():
    doc = document_from_html("<body><h1> Only  heading </h1><p>x</p></body>", "p.html")
    assert doc.title == "Only heading"
    assert doc.text == "Only heading\n\nx"


def test_html_file_by_extension_and_by_sniffing(tmp_path):
    for name in ("page.html", "page.htm", "page.php"):
        doc = load_document(write(tmp_path, name, PAGE.encode("utf-8")))
        assert doc.kind == "html"
        assert doc.text.startswith("Kratom and Pain\n\nKratom is a plant.")
        assert doc.content_hash == hashlib.sha256(PAGE.encode("utf-8")).hexdigest()


# --- text and Markdown -----------------------------------------------------------------


def test_text_file_links_and_title(tmp_path):
    data = "My Title\r\n\r\nSee https://example.org/x. And www.nih.gov\x07.\n".encode("utf-8")
    doc = load_document(write(tmp_path, "a.txt", data))
    assert doc.kind == "text"
    assert doc.text == "My Title\n\nSee https://example.org/x. And www.nih.gov.\n"
    assert doc.title == "My Title"
    assert [(doc.text[link.start : link.end], link.href) for link in doc.links] == [
        ("https://example.org/x", "https://example.org/x"),
        ("www.nih.gov", "www.nih.gov"),
    ]


def test_unknown_extension_without_html_is_text(tmp_path):
    doc = load_document(write(tmp_path, "notes.dat", b"Plain words <b> here\n"))
    assert (doc.kind, doc.text) == ("text", "Plain words <b> here\n")


def test_long_first_line_is_not_a_title():
    assert document_from_text("x" * 250 + "\nmore", "t.txt").title is None
    assert document_from_text("\n\n  Short  \nmore", "t.txt").title == "Short"


def test_markdown_links_are_reduced_to_anchor_text(tmp_path):
    md = "# Kratom Facts\n\nRead [the NIDA page](https://nida.nih.gov/kratom \"NIDA\") and ![logo](x.png) <https://fda.gov/k>.\nAlso https://example.org/y\n"
    doc = load_document(write(tmp_path, "post.md", md.encode("utf-8")))
    assert doc.kind == "markdown"
    assert doc.title == "Kratom Facts"
    assert doc.text == "# Kratom Facts\n\nRead the NIDA page and  https://fda.gov/k.\nAlso https://example.org/y\n"
    assert [(doc.text[link.start : link.end], link.href) for link in doc.links] == [
        ("the NIDA page", "https://nida.nih.gov/kratom"),
        ("https://fda.gov/k", "https://fda.gov/k"),
        ("https://example.org/y", "https://example.org/y"),
    ]


def test_markdown_extension_variants(tmp_path):
    doc = load_document(write(tmp_path, "post.markdown", b"[a](https://a.org)"))
    assert (doc.kind, doc.text, doc.links[0].href) == ("markdown", "a", "https://a.org")


def test_seed_article_loads_with_hash():
    path = ARTICLES / "002_kratom_back_pain.txt"
    doc = load_document(str(path))
    assert doc.title == "Kratom for Chronic Back Pain: An Alternative Relief?"
    assert doc.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.source == str(path)


# --- encodings -------------------------------------------------------------------------


def test_utf16_with_bom(tmp_path):
    data = codecs.BOM_UTF16_LE + "Café “kratom” study\n".encode("utf-16-le")
    doc = load_document(write(tmp_path, "u16.txt", data))
    assert doc.text == "Café “kratom” study\n"
    assert doc.content_hash == hashlib.sha256(data).hexdigest()


def test_utf8_bom_is_dropped(tmp_path):
    doc = load_document(write(tmp_path, "bom.txt", codecs.BOM_UTF8 + "Tête\n".encode("utf-8")))
    assert doc.text == "Tête\n"


def test_cp1252_fallback(tmp_path):
    doc = load_document(write(tmp_path, "win.txt", "It’s “kratom” – café\r\n".encode("cp1252")))
    assert doc.text == "It’s “kratom” – café\n"


# --- bad input -------------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = str(tmp_path / "nope.txt")
    with pytest.raises(IngestError) as e:
        load_document(path)
    assert str(e.value) == f"{path}: no such file"


def test_directory(tmp_path):
    with pytest.raises(IngestError) as e:
        load_document(str(tmp_path))
    assert str(e.value) == f"{tmp_path}: is a directory, not a file"


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n"])
def test_empty_file(tmp_path, data):
    path = write(tmp_path, "empty.txt", data)
    with pytest.raises(IngestError) as e:
        load_document(path)
    assert str(e.value) == f"{path}: file is empty"


def test_binary_with_nul_bytes(tmp_path):
    path = write(tmp_path, "img.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(IngestError) as e:
        load_document(path)
    assert str(e.value) == f"{path}: file looks binary (it contains NUL bytes)"


def test_binary_mostly_control_characters(tmp_path):
    path = write(tmp_path, "blob.bin", bytes(range(1, 32)) * 20)
    with pytest.raises(IngestError) as e:
        load_document(path)
    assert str(e.value) == f"{path}: file looks binary (mostly non-text characters)"


def test_too_large_reads_only_cap_plus_one(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_BYTES", 1024)
    path = write(tmp_path, "big.txt", b"a" * 5000)
    reads = []
    real_open = Path.open

    def spying_open(self, *args, **kwargs):
        fh = real_open(self, *args, **kwargs)
        real_read = fh.read
        fh_read = lambda n=-1: reads.append(n) or real_read(n)  # noqa: E731
        return _Proxy(fh, fh_read)

    monkeypatch.setattr(Path, "open", spying_open)
    with pytest.raises(IngestError) as e:
        load_document(path)
    assert str(e.value) == f"{path}: file is larger than the 1 KB limit"
    assert reads == [1025]


def test_default_cap_is_20_mb_in_message(tmp_path, monkeypatch):
    assert ingest.MAX_BYTES == 20 * 1024 * 1024
    monkeypatch.setattr(ingest, "MAX_BYTES", 10)
    path = write(tmp_path, "big.txt", b"a" * 11)
    with pytest.raises(IngestError) as e:
        load_document(path)
    assert str(e.value) == f"{path}: file is larger than the 10 bytes limit"


class _Proxy:
    """A file object whose read() is replaced, usable as a context manager."""

    def __init__(self, fh, read):
        self._fh, self.read = fh, read

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()
