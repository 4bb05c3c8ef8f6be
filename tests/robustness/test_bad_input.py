"""Hostile article files through the real CLI: a one-line error and exit 2, or a correct audit.

Never a traceback; memory bounded (the read is capped and the cap is named in the error).
Every case runs `citeaudit run --offline` in a subprocess against a database that holds the
fixture records, so a correct audit can be compared with the audit of the clean seed.
"""

from __future__ import annotations

import codecs
import json
import resource
import shutil
import sys

import pytest

from citeaudit.ingest.document import MAX_BYTES

from .helpers import RECORDS, SEED_002, assert_no_traceback, db_rows, one_line_error, run_cli

ARTICLE = SEED_002.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory):
    """A database holding the fixture records (loaded once for the module)."""
    db = tmp_path_factory.mktemp("baddb") / "records.db"
    p = run_cli("--db", str(db), "records", "load", str(RECORDS))
    assert p.returncode == 0, p.stderr
    return db


@pytest.fixture
def db(loaded_db, tmp_path):
    copy = tmp_path / "audit.db"
    shutil.copy(loaded_db, copy)
    return copy


def audit(db, path):
    return run_cli("--db", str(db), "run", str(path), "--offline", "--format", "json")


def reference_verdicts(report: dict) -> list[tuple[str, str]]:
    return [(c["verdict"], " ".join(c["text"].split())[:40]) for c in report["citations"] if c["kind"] == "reference"]


@pytest.fixture(scope="module")
def baseline(loaded_db, tmp_path_factory):
    """The offline audit of the clean UTF-8 seed article."""
    db = tmp_path_factory.mktemp("base") / "audit.db"
    shutil.copy(loaded_db, db)
    p = audit(db, SEED_002)
    assert p.returncode in (0, 1), p.stderr
    report = json.loads(p.stdout)
    refs = reference_verdicts(report)
    assert len(refs) >= 10 and any(v == "verified" for v, _ in refs)
    return refs


# --- rejected with one line and exit 2 ---------------------------------------------------

REJECTED = {
    "empty.txt": (b"", "file is empty"),
    "blank.txt": (b"  \n\n\t \r\n", "file is empty"),
    "binary.txt": (bytes(range(256)) * 64, "looks binary"),
    "image.html": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40, "looks binary"),
    "gzip.md": (b"\x1f\x8b\x08\x00" + bytes(range(1, 256)) * 40, "looks binary"),
}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_unreadable_file_is_one_line_error(db, tmp_path, name):
    data, why = REJECTED[name]
    path = tmp_path / name
    path.write_bytes(data)
    p = audit(db, path)
    assert p.returncode == 2
    line = one_line_error(p)
    assert why in line and name in line


def test_missing_file_and_directory(db, tmp_path):
    p = audit(db, tmp_path / "nope.txt")
    assert p.returncode == 2 and "no such file" in one_line_error(p)
    (tmp_path / "empty_dir").mkdir()
    p = audit(db, tmp_path / "empty_dir")
    assert p.returncode == 2 and "no .txt" in one_line_error(p)


def test_200_mb_file_is_refused_with_the_cap_stated_and_memory_bounded(db, tmp_path):
    """A 200 MB file (sparse, made here) is refused after reading at most the cap."""
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.write(ARTICLE.encode("utf-8"))
        f.truncate(200 * 1024 * 1024)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = audit(db, path)
    assert p.returncode == 2
    line = one_line_error(p)
    assert f"{MAX_BYTES // (1024 * 1024)} MB limit" in line
    # ru_maxrss is the largest child so far (KB on Linux): the 200 MB were never held
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if sys.platform.startswith("linux") and peak_kb > before:
        assert peak_kb < 190 * 1024


# --- audited correctly ---------------------------------------------------------------


def _mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252 (undefined bytes kept as C1 controls), as editors do."""
    out = []
    for b in text.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


ENCODED = {
    "utf16le-bom.txt": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf16be-bom.txt": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf16le-nobom.txt": lambda t: t.encode("utf-16-le"),
    "utf8-bom.txt": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "cp1252.txt": lambda t: t.replace("\u2009", " ").encode("cp1252"),
    "crlf.txt": lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    "mojibake.txt": lambda t: _mojibake(t).encode("utf-8"),
    "control-chars.txt": lambda t: t.replace("Kratom", "Kra\x07\x1b[31mtom\x00\x08").encode("utf-8"),
    # one invalid byte does not turn the whole UTF-8 file into Windows-1252 (issue 14)
    "bad-byte-end.txt": lambda t: t.encode("utf-8") + b"\xff",
    "bad-bytes-inside.txt": lambda t: t.replace("Kratom", "Kratom\udcff", 1).encode("utf-8", "surrogateescape"),
    "rtl.txt": lambda t: ("\u202e\u200f" + t + "\n\u0645\u0631\u0627\u062c\u0639 \u05de\u05e7\u05d5\u05e8\u05d5\u05ea\n").encode("utf-8"),
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_encodings_and_odd_characters_give_the_same_audit(db, tmp_path, baseline, name):
    path = tmp_path / name
    path.write_bytes(ENCODED[name](ARTICLE))
    p = audit(db, path)
    assert_no_traceback(p)
    assert p.returncode in (0, 1), p.stderr
    report = json.loads(p.stdout)
    got = reference_verdicts(report)
    assert [v for v, _ in got] == [v for v, _ in baseline], (got, baseline)
    for c in report["citations"]:
        assert "\x00" not in c["text"] and "\x1b" not in c["text"]


def test_broken_html_with_scripts_and_styles(db, tmp_path, baseline):
    refs = [line.strip(" •\u2022") for line in ARTICLE.splitlines() if "(20" in line and "\u201c" in line]
    body = "".join(f"<li>{r}" for r in refs)  # unclosed <li>s
    html = (
        "<html><head><title>Kratom <b>back pain</title><style>p{color:red}</style>"
        "<script>document.write('<p>Fake A, (2020), \u201cInjected.\u201d Nature 1:1</p>')</script></head>"
        "<body><div><p>Intro <b>bold <i>italic</p></div></span></table>"
        "<h2>References</h2><ul>" + body + "<script>var x = '</ul>';</script><style>li{}</style>"
        "<div><p>unclosed <p>nesting <div></li></ul></body></div></html>"
    )
    path = tmp_path / "broken.html"
    path.write_text(html, encoding="utf-8")
    p = audit(db, path)
    assert_no_traceback(p)
    assert p.returncode in (0, 1), p.stderr
    report = json.loads(p.stdout)
    texts = " ".join(c["text"] for c in report["citations"])
    assert "Injected" not in texts and "document.write" not in texts and "color:red" not in texts
    verified = [c for c in report["citations"] if c["verdict"] == "verified"]
    assert len(verified) == sum(1 for v, _ in baseline if v == "verified")


def test_5000_entry_reference_list(tmp_path):
    """5,000 entries are all extracted, stored and reported (offline, against an empty db:
    with 5,000 near-identical candidates to compare, matching alone takes minutes)."""
    db = tmp_path / "empty.db"
    entry = ("  \u2022 Bath R, Bucholz T, Buros AF, (2020), \u201cSelf-reported Health Diagnoses and Demographic "
             "Correlates With Kratom Use {i}.\u201d J Addict Med. 2020;14(3):244-252\n")
    text = "Kratom and you\n\nSome text.\n\nReferences\n\n" + "".join(entry.format(i=i) for i in range(5000))
    path = tmp_path / "many.txt"
    path.write_text(text, encoding="utf-8")
    p = run_cli("--db", str(db), "run", str(path), "--offline", "--format", "csv", timeout=300)
    assert_no_traceback(p)
    assert p.returncode in (0, 1), p.stderr
    assert len(p.stdout.strip().splitlines()) == 5001  # header + one row per entry
    assert db_rows(db, "SELECT count(*) FROM citations WHERE kind = 'reference'") == [(5000,)]
    assert db_rows(db, "SELECT status FROM runs") == [("complete",)]


def test_entries_of_10000_characters(db, tmp_path, baseline):
    long_title = " ".join(["kratom"] * 1700)  # ~11,900 characters
    text = (ARTICLE + "\n  \u2022 Smith K, (2021), \u201c" + long_title + ".\u201d J Addict Med. 2021;15(1):1-2\n"
            "  \u2022 " + "x" * 10000 + " (2020) Nature 1:1\n")
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    p = audit(db, path)
    assert_no_traceback(p)
    assert p.returncode in (0, 1), p.stderr
    got = reference_verdicts(json.loads(p.stdout))
    assert [v for v, _ in got[: len(baseline)]] == [v for v, _ in baseline]
    for c in json.loads(p.stdout)["citations"]:
        assert c["verdict"] != "verified" or len(c["text"]) < 1000


def test_bad_file_among_good_ones_does_not_stop_the_run(db, tmp_path):
    (tmp_path / "a_empty.txt").write_bytes(b"")
    shutil.copy(SEED_002, tmp_path / "b_good.txt")
    p = run_cli("--db", str(db), "run", str(tmp_path / "a_empty.txt"), str(tmp_path / "b_good.txt"),
                "--offline", "--format", "json")
    assert p.returncode == 2
    assert "a_empty.txt: file is empty" in one_line_error(p)
    assert "verified" in p.stdout
