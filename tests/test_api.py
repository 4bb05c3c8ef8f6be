"""The Python API (citeaudit.audit_text / audit_file / audit_url): the same typed results the
CLI renders, stored in the same database. Against the loopback emulator and a loopback page."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

import citeaudit
from citeaudit.cli import app
from citeaudit.commands.runner import AuditResult
from citeaudit.models import AuditedCitation

ROOT = Path(__file__).resolve().parents[1]
SEED_003 = ROOT / "fixtures/articles/003_kratom_dopamine.txt"
BATH = ("  \u2022 Bath R, Bucholz T, Buros AF, Singh D, Smith KE, Veltri CA, Grundmann O., (2020), \u201cSelf-reported "
        "Health Diagnoses and Demographic Correlates With Kratom Use: Results From an Online Survey.\u201d "
        "J Addict Med. 2020 May/Jun;14(3):244-252")
ARTICLE = f"Kratom and pain\n\nKratom is studied.\n\nReferences\n\n{BATH}\n"


def test_audit_text_returns_typed_results_and_stores_them(service_env):
    result = citeaudit.audit_text(ARTICLE)
    assert isinstance(result, AuditResult) and isinstance(result.audit.items[0], AuditedCitation)
    refs = [it for it in result.audit.items if it.citation.kind == "reference"]
    assert [it.check.verdict for it in refs] == ["verified"]
    assert refs[0].check.record.doi == "10.1097/adm.0000000000000570"
    assert not result.has_findings and result.run_id is not None
    source = result.report["article"]["source"]
    assert source.startswith("text://sha256/")
    stored = CliRunner().invoke(app, ["report", source, "--format", "json"])  # the CLI sees it
    assert stored.exit_code == 0, stored.output
    assert [c["id"] for c in json.loads(stored.stdout)["citations"]] == [c["id"] for c in result.report["citations"]]
    again = citeaudit.audit_text(ARTICLE, source="draft-42")
    assert again.report["article"]["source"].endswith("draft-42")


def test_audit_file_matches_the_cli_and_renders_every_format(service_env):
    result = citeaudit.audit_file(str(SEED_003))
    assert result.has_findings  # the fabricated study mention and bio are unfound
    cli = json.loads(CliRunner().invoke(app, ["run", str(SEED_003), "--format", "json"]).stdout)
    assert [c["verdict"] for c in cli["citations"]] == [c["verdict"] for c in result.report["citations"]]
    assert json.loads(citeaudit.render(result, "json"))["headline"] == result.report["headline"]
    assert "UNFOUND" in citeaudit.render(result, "table", problems=True)
    assert citeaudit.render(result.report, "html").startswith("<!DOCTYPE html>")


def test_audit_options_and_errors(service_env, tmp_path):
    db = tmp_path / "other.db"
    offline = citeaudit.audit_text(ARTICLE, db=str(db), offline=True)  # nothing stored in other.db yet
    assert db.is_file() and offline.report["run"]["mode"] == "offline"
    assert {it.check.verdict for it in offline.audit.items if it.citation.kind == "reference"} == {"unchecked"}
    with pytest.raises(citeaudit.InputError):
        citeaudit.audit_file(str(tmp_path / "missing.txt"))
    with pytest.raises(citeaudit.InputError):
        citeaudit.audit_text("   ")
    with pytest.raises(ValueError):
        citeaudit.audit_text(ARTICLE, kind="pdf")
    with pytest.raises(citeaudit.InputError):
        citeaudit.audit_url("file:///etc/passwd")


@pytest.fixture
def page_server():
    entry = BATH.strip(" \u2022")
    html = ("<html><head><title>Kratom and pain</title></head><body><article><h1>Kratom</h1>"
            f"<p>Kratom is studied.</p><h2>References</h2><ul><li>{entry}</li></ul></article></body></html>")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/post"
    server.shutdown()


def test_audit_url_refuses_loopback_unless_allowed(service_env, page_server):
    with pytest.raises(citeaudit.InputError):
        citeaudit.audit_url(page_server)
    result = citeaudit.audit_url(page_server, allow_private_urls=True)
    assert result.report["article"]["source"] == page_server
    assert [it.check.verdict for it in result.audit.items if it.citation.kind == "reference"] == ["verified"]
