"""Each command (run, reverify, report, export) with each service down, refusing, silent, or
answering 429/503: the exit code says "incomplete" (3) or "findings" (1), never 0; nothing
becomes unfound; and no mismatched/unfound verdict stored earlier vanishes from latest_checks,
`report` or `export` (a failed re-check is kept in history beside it).

Articles: the reverify seed (one work missing from Crossref: unfound) and seed 003 (a bio and
mentions judged unfound when every service answers). Waits are small: a silent service is
given up after two requests of CITEAUDIT_FIRST_ANSWER_TIMEOUT (0.5 s here).
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.emulate import Corpus, Emulator

from .helpers import FIXTURES, RECORDS

ARTICLES = [FIXTURES / "articles/900_reverify_stimulants.txt", FIXTURES / "articles/003_kratom_dopamine.txt"]
TOSATTO = "10.1038/srep16696"  # removed from the emulated Crossref: unfound when every service answers
FAULTS = ["down", "refusing", "silent", "429", "503"]
TARGETS = ["crossref", "pubmed", "both"]
FINDINGS = ("mismatched", "unfound")

runner = CliRunner()


class BlackHole:
    """Accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.sock.close()


def _closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def corpus():
    c = Corpus().load_dir(RECORDS)
    c.remove_crossref(TOSATTO)
    return c


@pytest.fixture(scope="module")
def healthy(corpus):
    with Emulator(corpus, enforce_limits=False) as emu:
        yield emu


@pytest.fixture(scope="module")
def faulty(corpus):
    """A second emulator whose every answer is the fault under test."""
    with Emulator(corpus, enforce_limits=False) as emu:
        yield emu


@pytest.fixture(scope="module")
def hole():
    h = BlackHole()
    yield h
    h.close()


def base_env(healthy, db: Path) -> dict[str, str]:
    return {"CITEAUDIT_CROSSREF_URL": healthy.crossref_url, "CITEAUDIT_EUTILS_URL": healthy.eutils_url,
            "CITEAUDIT_MAILTO": "tests@example.org", "CITEAUDIT_TIMEOUT": "1", "CITEAUDIT_RETRIES": "1",
            "CITEAUDIT_MAX_WAIT": "2", "CITEAUDIT_FIRST_ANSWER_TIMEOUT": "0.5", "CITEAUDIT_DB": str(db),
            "CITEAUDIT_CHECK_LINKS": "0"}


def invoke(monkeypatch, env: dict[str, str], *args: str):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runner.invoke(app, list(args))


def latest(db: Path) -> dict[int, str]:
    con = sqlite3.connect(db)
    try:
        return dict(con.execute("SELECT citation_id, verdict FROM latest_checks"))
    finally:
        con.close()


@pytest.fixture(scope="module")
def baseline(healthy, tmp_path_factory):
    """The audit with every service answering: its findings are what must never vanish."""
    db = tmp_path_factory.mktemp("baseline") / "audit.db"
    mp = pytest.MonkeyPatch()
    try:
        result = invoke(mp, base_env(healthy, db), "run", *map(str, ARTICLES), "--format", "json")
    finally:
        mp.undo()
    assert result.exit_code == 1, result.output  # Tosatto unfound, the bio unfound
    verdicts = latest(db)
    findings = {cid: v for cid, v in verdicts.items() if v in FINDINGS}
    assert len(findings) >= 2, verdicts
    return db, verdicts, findings


def broken_env(fault: str, target: str, healthy, faulty, hole, db: Path) -> dict[str, str]:
    env = base_env(healthy, db)
    bad = {"down": "http://citeaudit-test.invalid", "refusing": _closed_port_url(), "silent": hole.url}.get(fault)
    faulty.clear_faults()
    if bad is None:
        faulty.set_fault("/", fault)
    if target in ("crossref", "both"):
        env["CITEAUDIT_CROSSREF_URL"] = (bad + "/crossref") if bad else faulty.crossref_url
    if target in ("pubmed", "both"):
        env["CITEAUDIT_EUTILS_URL"] = (bad + "/eutils") if bad else faulty.eutils_url
    return env


def assert_findings_kept(db: Path, findings: dict[int, str], conclusive_now: dict[int, str]) -> None:
    """Every earlier finding is still the latest verdict, unless a conclusive new check replaced it."""
    now = latest(db)
    for cid, verdict in findings.items():
        assert now[cid] == conclusive_now.get(cid, verdict), (cid, verdict, now[cid])


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("fault", FAULTS)
def test_every_command_with_a_service_failing(monkeypatch, tmp_path, healthy, faulty, hole, baseline, fault, target):
    base_db, base_verdicts, findings = baseline
    db = tmp_path / "audit.db"
    source, copy = sqlite3.connect(base_db), sqlite3.connect(db)  # WAL mode: copy through SQLite
    source.backup(copy)
    source.close()
    copy.close()
    env = broken_env(fault, target, healthy, faulty, hole, db)
    try:
        # run: never exit 0, nothing unfound, one line per failed service
        # --refresh: every answer from the services, none from the fresh records the baseline stored
        ran = invoke(monkeypatch, env, "run", *map(str, ARTICLES), "--format", "json", "--refresh")
        reports = [json.loads(line) for line in _json_objects(ran.stdout)]
        verdicts = {c["id"]: c["verdict"] for r in reports for c in r["citations"]}
        assert "unfound" not in verdicts.values(), [c["reason"] for r in reports for c in r["citations"]
                                                    if c["verdict"] == "unfound"]
        assert ran.exit_code == (1 if set(FINDINGS) & set(verdicts.values()) else 3), ran.output
        assert "unchecked" in ran.stderr and "Traceback" not in ran.stderr
        conclusive = {cid: v for cid, v in verdicts.items() if v != "unchecked"}
        assert_findings_kept(db, findings, conclusive)

        # reverify: a run where services failed is not "unchanged", and hides nothing
        again = invoke(monkeypatch, env, "reverify", "--older-than", "0", "--format", "json")
        assert again.exit_code in (1, 3), again.output
        summary = json.loads(again.stdout)
        assert summary["failed"] > 0 and summary["unchanged"] + summary["failed"] + summary["changed"] == \
            summary["checked"]
        assert all(t["after"] != "unfound" for t in summary["transitions"])
        for t in summary["transitions"]:
            conclusive[t["citation_id"]] = t["after"]
        assert_findings_kept(db, findings, conclusive)
    finally:
        faulty.clear_faults()

    # report and export read the database: the findings are there, with the failed re-check beside them
    reported = invoke(monkeypatch, env, "report", str(ARTICLES[0]), "--format", "json")
    assert reported.exit_code == 1, reported.output
    tosatto = [c for c in json.loads(reported.stdout)["citations"] if TOSATTO in c["text"].lower()]
    assert tosatto and tosatto[0]["verdict"] == "unfound"
    assert tosatto[0]["last_failed"]["at"] and any(n.startswith("last re-check failed at") for n in tosatto[0]["notes"])
    exported = invoke(monkeypatch, env, "export", "--format", "jsonl")
    assert exported.exit_code == 0
    rows = {r["citation_id"]: r for r in map(json.loads, exported.stdout.splitlines())}
    for cid, verdict in findings.items():
        assert rows[cid]["verdict"] == conclusive.get(cid, verdict)


def _json_objects(text: str) -> list[str]:
    """The JSON reports `run` prints one after another."""
    out, depth, start = [], 0, None
    for i, ch in enumerate(text):
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and start is not None:
                out.append(text[start:i + 1])
    return out
