"""Odd inputs (issue 14): a bad byte stays one bad character, only regular files are read,
and HTML cleaning is one pass over the tree however deep it is."""

from __future__ import annotations

import os

import pytest

from citeaudit.ingest import document
from citeaudit.ingest.document import IngestError, _decode_bytes, document_from_html, load_document

from .helpers import SEED_002, cli_env, one_line_error, run_cli


def test_a_bad_byte_becomes_one_replacement_character_where_it_is():
    good = SEED_002.read_bytes()
    text = _decode_bytes(good)
    assert _decode_bytes(good + b"\xff") == text + "\ufffd"
    middle = len(good) // 2
    while good[middle] >= 0x80:  # cut between characters
        middle += 1
    assert _decode_bytes(good[:middle] + b"\xc3" + good[middle:]) == (
        _decode_bytes(good[:middle]) + "\ufffd" + _decode_bytes(good[middle:]))
    assert "3827\u20133846" in _decode_bytes(b"J Pain. 2020;12:3827\xe2\x80\x933846. \xff")


def test_windows_1252_is_still_read_as_windows_1252():
    assert _decode_bytes("caf\u00e9, na\u00efve \u201cquoted\u201d".encode("cp1252")) == "caf\u00e9, na\u00efve \u201cquoted\u201d"


def test_escape_sequences_leave_article_text_whole():
    doc = document.document_from_text("Kra\x1b[31mtom and \x1b]0;owned\x07tea\n", "a.txt")
    assert doc.text == "Kratom and tea\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "article.txt"
    os.mkfifo(fifo)
    with pytest.raises(IngestError, match="not a regular file \\(a FIFO\\)"):
        load_document(str(fifo))
    p = run_cli("--db", str(tmp_path / "a.db"), "run", str(fifo), "--offline", env=cli_env(), timeout=120)
    assert p.returncode == 2
    assert "not a regular file" in one_line_error(p)


def _nested(n: int, attrs: str = "") -> str:
    return ("<html><body><article>" + f"<div{attrs}><p>text</p>" * n + "</div>" * n
            + "<div class='author-bio'><p>Dr. A is a pharmacologist.</p></div></article></body></html>")


@pytest.mark.parametrize("attrs", ["", " class='sidebar'", " itemprop='author'", " class='related'><header"])
def test_deep_nesting_is_cleaned_in_one_pass(monkeypatch, attrs):
    """Each element is judged noise-or-not once and author boxes looked for once per element:
    the work grows with the number of elements, not with elements times depth."""
    calls = {"noise": 0, "bio": 0}
    is_noise, is_bio = document._is_noise, document._is_bio

    def counting_noise(*args, **kw):
        calls["noise"] += 1
        return is_noise(*args, **kw)

    def counting_bio(*args, **kw):
        calls["bio"] += 1
        return is_bio(*args, **kw)

    monkeypatch.setattr(document, "_is_noise", counting_noise)
    monkeypatch.setattr(document, "_is_bio", counting_bio)
    n = 3000
    doc = document_from_html(_nested(n, attrs), "deep.html")
    tags = 2 * n + 6
    assert calls["noise"] <= tags and calls["bio"] <= 3 * tags
    assert "Dr. A is a pharmacologist." in doc.text
    if not attrs:
        assert doc.text.count("text") == n


def test_author_box_inside_dropped_furniture_is_kept_and_cleaned():
    html = ("<html><body><article><p>Body.</p><aside class='sidebar'><div class='author-box'><p>Dr. B writes."
            "</p><div class='share'>Share this</div></div></aside></article></body></html>")
    doc = document_from_html(html, "a.html")
    assert "Dr. B writes." in doc.text and "Share this" not in doc.text and doc.blocks.get("bio")
