"""`citeaudit reverify`: an audit stored through the CLI against the emulator, then the
world changes (a work is retracted, an unfound work appears, a down source comes back)
and reverify appends new checks, prints the transitions and exits 1 when something got
worse, leaving the old checks untouched. Also: selection, retraction/correction notes,
and two real concurrent reverify processes on one database."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.emulate import Emulator
from citeaudit.commands.lock import LockBusy, ReverifyLock, lock_path
from citeaudit.models import Check, Record, RecordUpdate
from citeaudit.commands.reverify import BETTER, CHANGED, WORSE, compare
from citeaudit.judge.reference import record_notes

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "fixtures/articles/900_reverify_stimulants.txt"
CITEAUDIT = str(Path(sys.executable).parent / "citeaudit")

SADASIVAN = "10.1371/journal.pone.0033693"  # real Crossref record with an updated-by correction
LEE = "10.1016/j.neurobiolaging.2010.03.024"  # retracted at run time (RECONSTRUCTED variant)
TOSATTO = "10.1038/srep16696"  # missing from the corpus at first: unfound, then appears
LIEBER = "10.1002/jor.1100150407"  # its Crossref DOI lookup fails at first: unchecked, then comes back

runner = CliRunner()


def retracted_variant(message: dict) -> dict:
    """RECONSTRUCTED for tests: a copy of a real Crossref work with a retraction notice added in
    `updated-by`, shaped like Crossref's Retraction Watch entries. The notice carries no DOI: none
    was seen in any source, and none is invented."""
    m = copy.deepcopy(message)
    m["updated-by"] = [{"type": "retraction", "source": "retraction-watch", "label": "Retraction",
                        "updated": {"date-parts": [[2026, 3, 2]], "date-time": "2026-03-02T00:00:00Z"}}]
    return m


def rows(db, query, *params):
    con = sqlite3.connect(db)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def by_doi(report):
    return {(c["matched"] or {}).get("doi") or c["stated"].get("doi"): c for c in report["citations"]}


@pytest.fixture
def first_audit(corpus, emulator, service_env, monkeypatch):
    """The stored audit: Tosatto not yet in Crossref, Lieber's DOI lookup failing."""
    monkeypatch.setenv("CITEAUDIT_RETRIES", "0")  # a 503 is final at once
    service_env["CITEAUDIT_RETRIES"] = "0"
    tosatto = corpus.crossref_work(TOSATTO)
    corpus.remove_crossref(TOSATTO)
    emulator.set_fault(f"/crossref/works/{LIEBER}", "503")
    result = runner.invoke(app, ["run", str(ARTICLE), "--format", "json"])
    assert result.exit_code == 1, result.output  # the unfound one is a finding
    report = json.loads(result.stdout)
    return {"report": report, "tosatto": tosatto, "db": service_env["CITEAUDIT_DB"]}


def test_first_audit_verdicts_and_correction_note(first_audit):
    cites = by_doi(first_audit["report"])
    assert {d: c["verdict"] for d, c in cites.items()} == {
        SADASIVAN: "verified", LEE: "verified", TOSATTO: "unfound", LIEBER: "unchecked"}
    assert "could not check" in cites[LIEBER]["reason"]  # a failed source is never "unfound"
    notes = cites[SADASIVAN]["notes"]
    assert notes == ["CORRECTION: notice 10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda, 2012-05-08, "
                     "source publisher"]
    assert cites[SADASIVAN]["retracted"] is False


def test_reverify_after_the_world_changed(corpus, emulator, first_audit):
    db = first_audit["db"]
    n = len(first_audit["report"]["citations"])  # 4 references (+ whatever narrative mentions extraction finds)
    old_checks = rows(db, "SELECT * FROM checks ORDER BY id")
    old_runs = rows(db, "SELECT id, status FROM runs")
    assert len(old_checks) == n and old_runs == [(1, "complete")]

    corpus.add_crossref(retracted_variant(corpus.crossref_work(LEE)))  # the work becomes retracted
    corpus.add_crossref(first_audit["tosatto"])  # the unfound work appears
    emulator.clear_faults()  # the down source comes back

    result = runner.invoke(app, ["reverify", "--older-than", "0", "--format", "table"])
    assert result.exit_code == 1, result.output  # something got worse: a retraction
    out = result.stdout
    assert "WORSE" in out and "newly retracted" in out
    assert "unfound -> verified" in out and "unchecked -> verified" in out
    assert "RETRACTED: 2026-03-02, source retraction-watch" in out
    assert f"{n} citations re-checked in 1 article: 3 changed (1 worse, 2 better), {n - 3} unchanged" in out

    # old checks intact, new ones appended in a new run
    assert rows(db, "SELECT * FROM checks WHERE run_id = 1 ORDER BY id") == old_checks
    assert rows(db, "SELECT id, status FROM runs ORDER BY id") == [(1, "complete"), (2, "complete")]
    assert rows(db, "SELECT COUNT(*) FROM checks WHERE run_id = 2") == [(n,)]
    new = dict(rows(db, "SELECT r.doi, k.verdict || ':' || k.retracted FROM checks k JOIN records r "
                        "ON r.id = k.record_id JOIN citations c ON c.id = k.citation_id "
                        "WHERE k.run_id = 2 AND c.kind = 'reference'"))
    assert new == {SADASIVAN: "verified:0", LEE: "verified:1", TOSATTO: "verified:0", LIEBER: "verified:0"}
    changes = rows(db, "SELECT from_verdict, to_verdict FROM verdict_changes v JOIN citations c "
                       "ON c.id = v.citation_id WHERE c.kind = 'reference'")
    assert sorted(changes) == [("unchecked", "verified"), ("unfound", "verified")]
    assert rows(db, "SELECT DISTINCT matched_doi FROM retracted_citations") == [(LEE,)]

    # the stored report flags the retracted work in every format; the correction is a note
    table = runner.invoke(app, ["report", str(ARTICLE)])
    assert table.exit_code == 0, table.output
    lee_line = next(line for line in table.stdout.splitlines() if "Lee HJ" in line)
    assert "VERIFIED" in lee_line and "[RETRACTED WORK]" in lee_line
    assert "note: CORRECTION: notice 10.1371/annotation/" in table.stdout
    assert "1 cite retracted work" in table.stdout
    rep = json.loads(runner.invoke(app, ["report", str(ARTICLE), "--format", "json"]).stdout)
    refs = [c for c in rep["citations"] if c["kind"] == "reference"]
    assert [c["retracted"] for c in refs] == [False, True, False, False]
    assert [c["verdict"] for c in refs] == ["verified"] * 4
    assert rep["summary"]["retracted"] == sum(c["retracted"] for c in rep["citations"]) >= 1
    md = runner.invoke(app, ["report", str(ARTICLE), "--format", "markdown"]).stdout
    lee_row = next(line for line in md.splitlines() if "Lee HJ" in line)
    assert "| verified **RETRACTED WORK** | reference |" in lee_row
    csv_out = runner.invoke(app, ["report", str(ARTICLE), "--format", "csv"]).stdout.splitlines()
    assert csv_out[0].endswith(",retracted,fix,accepted_reason")
    assert next(line for line in csv_out if "Lee HJ" in line).endswith(",yes,,")
    assert not next(line for line in csv_out if "Tosatto L" in line).endswith(",yes")

    # nothing changed since: exit 0, no transitions
    again = runner.invoke(app, ["reverify", "--older-than", "0", "--format", "json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["changed"] == 0 and json.loads(again.stdout)["checked"] == n


def test_reverify_json_transitions(corpus, emulator, first_audit):
    corpus.add_crossref(first_audit["tosatto"])
    emulator.clear_faults()
    result = runner.invoke(app, ["reverify", "--older-than", "0", "--format", "json"])
    assert result.exit_code == 0, result.output  # only improvements
    d = json.loads(result.stdout)
    n = len(first_audit["report"]["citations"])
    assert (d["checked"], d["changed"], d["worse"], d["better"], d["unchanged"]) == (n, 2, 0, 2, n - 2)
    assert {(t["before"], t["after"], t["direction"]) for t in d["transitions"]} == {
        ("unfound", "verified", "better"), ("unchecked", "verified", "better")}
    assert all(t["check_id"] > n and t["previous_check_id"] <= n for t in d["transitions"])


def test_default_selection_is_old_or_unchecked(corpus, emulator, first_audit):
    """Fresh checks are not due under --older-than 30; the unchecked one always is."""
    emulator.clear_faults()
    result = runner.invoke(app, ["reverify", "--format", "json"])
    d = json.loads(result.stdout)
    assert result.exit_code == 0 and d["checked"] == 1
    assert [(t["before"], t["after"]) for t in d["transitions"]] == [("unchecked", "verified")]
    assert rows(first_audit["db"], "SELECT COUNT(*) FROM checks WHERE run_id = 2") == [(1,)]


def test_max_age_days_reuses_fresh_records_without_asking(emulator, service_env):
    """With --max-age-days and records stored moments ago, reverify asks the services nothing
    and still appends a new check per citation (old checks intact); without it, it asks."""
    db = service_env["CITEAUDIT_DB"]
    first = runner.invoke(app, ["run", str(ARTICLE), "--format", "json"])
    assert first.exit_code == 0, first.output  # nothing faulty, nothing missing: no finding
    n = len(json.loads(first.stdout)["citations"])
    old_checks = rows(db, "SELECT * FROM checks ORDER BY id")
    emulator.reset_stats()

    result = runner.invoke(app, ["reverify", "--older-than", "0", "--max-age-days", "30", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert sum(pool["requests"] for pool in emulator.stats.values()) == 0, emulator.stats
    d = json.loads(result.stdout)
    assert (d["checked"], d["changed"], d["runs"]) == (n, 0, [2])
    assert rows(db, "SELECT COUNT(*) FROM checks WHERE run_id = 2") == [(n,)]
    assert rows(db, "SELECT verdict, COUNT(*) FROM checks WHERE run_id = 2 GROUP BY verdict") == \
        rows(db, "SELECT verdict, COUNT(*) FROM checks WHERE run_id = 1 GROUP BY verdict")
    assert rows(db, "SELECT * FROM checks WHERE run_id = 1 ORDER BY id") == old_checks

    fresh = runner.invoke(app, ["reverify", "--older-than", "0", "--format", "json"])  # the default: ask again
    assert fresh.exit_code == 0, fresh.output
    assert emulator.stats["crossref-doi"]["requests"] > 0
    assert rows(db, "SELECT COUNT(*) FROM checks WHERE run_id = 3") == [(n,)]


def test_narrowing_options(corpus, emulator, first_audit):
    db = first_audit["db"]
    r = runner.invoke(app, ["reverify", "--older-than", "0", "--verdict", "verified", "--limit", "1", "-f", "csv"])
    assert r.exit_code == 0, r.output
    assert rows(db, "SELECT COUNT(*) FROM checks WHERE run_id = 2") == [(1,)]
    r = runner.invoke(app, ["reverify", "--older-than", "0", "--article", str(ARTICLE), "--verdict", "unfound"])
    assert r.exit_code == 0 and rows(db, "SELECT COUNT(*) FROM checks WHERE run_id = 3") == [(1,)]
    assert "0 changed" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["--verdict", "fine"], "unknown verdict 'fine'"),
    (["--format", "xml"], "unknown format 'xml'"),
    (["--article", "/no/such/article.txt"], "no article"),
])
def test_usage_errors_exit_2_with_one_line(first_audit, args, message):
    result = runner.invoke(app, ["reverify", *args])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_database_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["--db", str(tmp_path / "none.db"), "reverify"])
    assert result.exit_code == 2 and "no database at" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_quiet_prints_nothing_when_nothing_changed(first_audit):
    result = runner.invoke(app, ["reverify", "--older-than", "0", "--verdict", "verified", "--quiet"])
    assert result.exit_code == 0 and result.stdout == ""


# --- the pure parts ------------------------------------------------------------------------


@pytest.mark.parametrize("before, after, notes, expected", [
    ("verified", "mismatched", [], (["verified -> mismatched"], WORSE)),
    ("mismatched", "unfound", [], (["mismatched -> unfound"], WORSE)),
    ("unchecked", "unfound", [], (["unchecked -> unfound"], WORSE)),
    ("unchecked", "verified", [], (["unchecked -> verified"], BETTER)),
    ("unfound", "mismatched", [], (["unfound -> mismatched"], BETTER)),
    ("verified", "unchecked", [], (["verified -> unchecked"], CHANGED)),  # a source down says nothing
    ("verified", "verified", ["RETRACTED: source retraction-watch"], (["newly retracted"], WORSE)),
    ("verified", "verified", ["CORRECTION: notice 10.1/x"], (["new correction"], CHANGED)),
    ("verified", "verified", ["EXPRESSION OF CONCERN: notice 10.1/y"], (["new expression of concern"], WORSE)),
    ("verified", "verified", ["2 works fit this citation equally; the first is shown"], ([], CHANGED)),
])
def test_compare(before, after, notes, expected):
    changes, direction, _ = compare({"verdict": before, "notes": [], "retracted": 0}, Check(after, "r", notes=notes))
    assert (changes, direction) == expected


def test_already_retracted_is_not_newly_retracted():
    note = "RETRACTED: source retraction-watch"
    changes, direction, _ = compare({"verdict": "verified", "notes": [note], "retracted": 1},
                                    Check("verified", "r", notes=[note]))
    assert changes == [] and direction == CHANGED


def test_record_notes_cover_crossref_and_pubmed_notices():
    crossref = Record("crossref", doi="10.1/a", updates=[
        RecordUpdate("retraction", doi="10.1/r", source="retraction-watch", date="2024-01-02"),
        RecordUpdate("correction", doi="10.1/c", source="publisher")])
    pubmed = Record("pubmed", pmid="1", publication_types=["Journal Article", "Retracted Publication"],
                    updates=[RecordUpdate("correction", pmid="77", source="pubmed", label="Erratum in: X")])
    notes = record_notes([crossref, pubmed])
    assert notes == ["RETRACTED: notice 10.1/r, 2024-01-02, source retraction-watch",
                     "CORRECTION: notice 10.1/c, source publisher",
                     "CORRECTION: notice PMID 77, source pubmed"]
    assert Check("verified", "r", notes=notes).retracted
    notice = Record("pubmed", pmid="2", publication_types=["Retraction of Publication"],
                    update_to=[RecordUpdate("retraction", pmid="1", source="pubmed")])
    assert record_notes([notice]) == ["NOTICE: the cited item is a retraction notice for PMID 1, not the study itself"]
    assert record_notes([Record("pubmed", pmid="3", publication_types=["Retraction of Publication"])]) == [
        "NOTICE: the cited item is a retraction notice (PubMed: Retraction of Publication), not the study itself"]
    crossref_notice = Record("crossref", doi="10.1/n", update_to=[RecordUpdate("correction", doi="10.1/a")])
    assert record_notes([crossref_notice]) == [
        "NOTICE: the cited item is a correction notice for 10.1/a, not the study itself"]
    withdrawn = record_notes([Record("crossref", updates=[RecordUpdate("withdrawal", source="publisher")])])
    assert withdrawn == ["WITHDRAWN: source publisher"] and Check("verified", "r", notes=withdrawn).retracted


# --- the lock -------------------------------------------------------------------------------


def test_lock_in_process(tmp_path):
    db = tmp_path / "a.db"
    with ReverifyLock(db):
        assert lock_path(db).read_text().strip() == str(os.getpid())
        with pytest.raises(LockBusy, match="another reverify is running"):
            ReverifyLock(db, wait=0).acquire()
    with ReverifyLock(db, wait=0):  # released: free again
        pass


def test_two_real_reverify_processes(corpus, first_audit, service_env):
    """A reverify stuck on a hanging service holds the lock; a second exits 75 at once without
    touching the database; a third with --wait waits, then runs after the first, never interleaved."""
    db = first_audit["db"]
    checks_before = rows(db, "SELECT COUNT(*) FROM checks")[0][0]
    corpus.add_crossref(first_audit["tosatto"])
    with Emulator(corpus, enforce_limits=False, hang_seconds=120) as stuck, \
            Emulator(corpus, enforce_limits=False) as good:
        stuck.set_fault("crossref-doi", "hang")
        env = {**os.environ, **service_env}

        def point_at(emu, **extra):
            return {**env, "CITEAUDIT_CROSSREF_URL": emu.crossref_url, "CITEAUDIT_EUTILS_URL": emu.eutils_url,
                    **extra}

        holder = subprocess.Popen([CITEAUDIT, "reverify", "--older-than", "0"], env=point_at(stuck, CITEAUDIT_TIMEOUT="300",
                                                                                  CITEAUDIT_FIRST_ANSWER_TIMEOUT="300"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            while stuck.stats["crossref-doi"]["requests"] == 0:  # the holder has the lock and is stuck
                assert holder.poll() is None, holder.communicate()
                time.sleep(0.05)
            second = subprocess.run([CITEAUDIT, "reverify", "--older-than", "0"], env=point_at(good),
                                    capture_output=True, text=True)
            assert second.returncode == 75
            assert second.stderr.startswith("citeaudit: another reverify is running on this database (pid ")
            assert len(second.stderr.strip().splitlines()) == 1 and "Traceback" not in second.stderr
            assert second.stdout == ""
            assert rows(db, "SELECT COUNT(*) FROM checks")[0][0] == checks_before

            waiter = subprocess.Popen([CITEAUDIT, "reverify", "--older-than", "0", "--wait", "300", "-f", "json"],
                                      env=point_at(good), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            line = waiter.stderr.readline()
            assert line.startswith("citeaudit: waiting up to 300s for another reverify on this database")
        finally:
            stuck.stop()  # the hanging requests end: the holder finishes (its citations unchecked)
        h_out, h_err = holder.communicate(timeout=120)
        w_out, w_err = waiter.communicate(timeout=120)
    assert holder.returncode == 3, h_err  # re-checks failed: incomplete (not worse, and not "unchanged")
    assert waiter.returncode == 0, w_err  # unchecked -> verified only
    n = len(first_audit["report"]["citations"])
    runs = rows(db, "SELECT run_id, MIN(id), MAX(id), COUNT(*) FROM checks GROUP BY run_id ORDER BY run_id")
    assert [r[0] for r in runs] == [1, 2, 3] and [r[3] for r in runs] == [n, n, n]
    assert runs[1][2] < runs[2][1]  # the waiter's checks all come after the holder's
    d = json.loads(w_out)
    assert d["runs"] == [3] and d["checked"] == n


def test_a_work_pubmed_settled_gets_its_crossref_notices_once():
    """A work that fit from PubMed alone gets its Crossref record (and so its updated-by
    notices) from the resolver's notice step: one DOI lookup, however many citations."""
    from citeaudit.models import Citation, Fields, Person
    from citeaudit.resolve.resolver import Resolver
    from citeaudit.judge.reference import judge

    work = dict(doi="10.1/w", title="Kratom and pain tolerance", authors=[Person("Smith", "J")], journal="Pain",
                year=2020, volume="3", pages="1-9")
    pubmed = Record("pubmed", pmid="9", **work)
    crossref = Record("crossref", updates=[RecordUpdate("retraction", source="retraction-watch")], **work)

    class FakeCrossref:
        name, id_kinds = "crossref", ("doi",)
        asked: list = []

        def applies_to(self, citation):
            return True

        def fetch(self, kind, ids):
            self.asked.append((kind, list(ids)))
            return {i: crossref for i in ids}

        def search(self, citation, limit=5):
            return []

    class FakePubMed:
        name, id_kinds = "pubmed", ()

        def applies_to(self, citation):
            return True

        def fetch(self, kind, ids):
            return {}

        def search(self, citation, limit=5, fetch=None):
            return [pubmed]

    citation = Citation("reference", "Smith J. Kratom and pain tolerance. Pain. 2020;3:1-9.", 0, 10,
                        Fields(authors=[Person("Smith", "J")], title="Kratom and pain tolerance", journal="Pain",
                               year=2020, volume="3", pages="1-9"))
    source = FakeCrossref()
    answers = Resolver([source, FakePubMed()], store=None).resolve([citation, citation])
    assert source.asked == [("doi", ["10.1/w"])]  # shared details: asked once
    check = judge(citation, answers[0])
    assert check.verdict == "verified" and check.retracted
