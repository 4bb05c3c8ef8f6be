"""The store: schema (a public interface), migrations, and the Store API, on both backends
(SQLite, and PostgreSQL on a throwaway server: the ``backend`` fixture of conftest.py)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeaudit.models import (
    Check,
    Citation,
    Document,
    FieldComparison,
    Fields,
    Person,
    Record,
    RecordUpdate,
)
from citeaudit.store import Store, StoreError, current_revision
from citeaudit.store.db import alembic_config
from citeaudit.store.tables import include_object, metadata

TABLES = {"articles", "runs", "citations", "records", "records_fts", "checks", "searches", "decisions"}
VIEWS = {"latest_checks", "article_summary", "verdict_changes", "retracted_citations", "accepted_citations"}
# Search input full of FTS5 syntax: only its words count ("and" is a word of the title).
HOSTILE = [('"AND OR NOT * ( ) : ^ -', ["10.1/k"]), ('kratom" OR "', ["10.1/k"]), ("title:trial*", ["10.1/k"]),
           ("NEAR(x y", []), ("", []), ("   ", []), ('"', []), ("*", []), ("-x", []), ("\x00", []), ("_", []),
           ("\u0301", [])]


@pytest.fixture
def db_path(db_target):
    """A file path (SQLite) or a fresh PostgreSQL database's URL."""
    return db_target


@pytest.fixture
def sqlite_path(tmp_path):
    return tmp_path / "audit.db"


@pytest.fixture
def store(db_path):
    with Store(db_path) as s:
        yield s


def _is_url(db_path) -> bool:
    return "://" in str(db_path)


def sql(db_path, query, *params):
    """Rows of a query run with the plain driver, as users would: sqlite3 on a file, psycopg on
    a PostgreSQL URL (``?`` placeholders become ``%s``)."""
    if _is_url(db_path):
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(db_path)
        with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database) as con:
            return [tuple(row) for row in con.execute(query.replace("?", "%s"), params or None).fetchall()]
    con = sqlite3.connect(db_path)
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def make_doc(source):
    return Document(source=str(source), text="Smith J (2020) ... Jones K (2019) ...", title="Kratom and pain",
                    content_hash="h1")


def make_citations():
    return [
        Citation("reference", "Smith J. Kratom and back pain. Pain Med. 2020;21:1-9.", 0, 14,
                 Fields(authors=[Person("Smith", "J")], year=2020, title="Kratom and back pain", doi="10.1/k")),
        Citation("reference", "Jones K. Opioids. BMJ. 2019.", 19, 33, Fields(authors=[Person("Jones", "K")], year=2019)),
        Citation("quote", '"kratom helps"', 5, 18, linked_to=0, note="quote of ref 1"),
    ]


def make_record(**overrides):
    values = dict(
        source="crossref", doi="10.1/k", pmid="123", title="Kratom and back pain: a trial",
        authors=[Person("Smith", "J"), Person("van der Berg", "Anna")], journal="Pain Medicine",
        journal_abbrevs=["Pain Med"], year=2020, years=[2019, 2020], volume="21", issue="1", pages="1-9",
        updates=[RecordUpdate("correction", doi="10.1/c", source="publisher", date="2021-01-01")],
        raw='{"DOI": "10.1/k"}', raw_format="crossref-json",
    )
    values.update(overrides)
    return Record(**values)


def run_audit(store, doc, verdicts, record=None):
    """Save a document, its citations and one check per citation as one run."""
    article_id = store.upsert_article(doc)
    run_id = store.start_run(article_id, "offline", "0.1.0", doc.content_hash)
    ids = store.save_citations(article_id, make_citations())
    for citation_id, verdict in zip(ids, verdicts):
        matched = record if verdict == "verified" else None
        diffs = [FieldComparison("year", 2020, 2021, False, note="off by one")] if verdict == "mismatched" else []
        store.save_check(run_id, citation_id, Check(verdict, f"{verdict} reason", record=matched, score=0.5,
                                                    differences=diffs, sources={"crossref": "ok"}))
    store.finish_run(run_id, "complete")
    return article_id, run_id, ids


# --- schema ---------------------------------------------------------------------------


def test_tables_views_and_pragmas(store, db_path, backend):
    if backend == "postgresql":
        names = dict(sql(db_path, "SELECT table_name, CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END "
                                  "FROM information_schema.tables WHERE table_schema = 'public'"))
        assert {n for n in TABLES - {"records_fts"} if names.get(n) == "table"} == TABLES - {"records_fts"}
        assert {n for n in VIEWS if names.get(n) == "view"} == VIEWS
        assert "queue" in names
        # full-text search: a generated tsvector column with a GIN index instead of FTS5
        assert sql(db_path, "SELECT data_type FROM information_schema.columns "
                            "WHERE table_name = 'records' AND column_name = 'search_vector'") == [("tsvector",)]
        assert sql(db_path, "SELECT indexdef LIKE '%USING gin%' FROM pg_indexes "
                            "WHERE indexname = 'ix_records_search_vector'") == [(True,)]
        return
    names = dict(sql(db_path, "SELECT name, type FROM sqlite_master"))
    assert {n for n in TABLES if names.get(n) == "table"} == TABLES
    assert {n for n in VIEWS if names.get(n) == "view"} == VIEWS
    assert sql(db_path, "PRAGMA journal_mode") == [("wal",)]
    with store.engine.connect() as conn:
        pragmas = [conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in
                   ("foreign_keys", "busy_timeout", "synchronous", "journal_mode")]
    assert pragmas == [1, 30000, 1, "wal"]


def test_table_classes_match_migrated_schema(store):
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_database_is_at_head(store, db_path):
    head = ScriptDirectory.from_config(alembic_config(db_path)).get_current_head()
    # 0003: failed attempts never hide a verdict; 0004: editors' decisions; 0005: the work queue;
    # 0006: the index latest_checks reads failed attempts from; 0007: evidence (bio counts, link pages)
    assert current_revision(db_path) == head == "0007"


# --- articles, runs, citations, checks ------------------------------------------------


def test_second_run_adds_run_and_checks_but_not_article_or_citations(store, db_path, tmp_path):
    doc = make_doc(tmp_path / "a.txt")
    first = run_audit(store, doc, ["unfound", "unchecked", "unchecked"])
    second = run_audit(store, doc, ["verified", "mismatched", "unchecked"], record=make_record())
    assert first[0] == second[0]
    assert first[2] == second[2]
    assert second[1] == first[1] + 1
    counts = {t: sql(db_path, f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("articles", "runs", "citations", "checks")}
    assert counts == {"articles": 1, "runs": 2, "citations": 3, "checks": 6}
    assert sql(db_path, "SELECT source, title, kind FROM articles") == [(str(tmp_path / "a.txt"), "Kratom and pain", "text")]
    assert sql(db_path, "SELECT status, mode, tool_version FROM runs ORDER BY id") == [("complete", "offline", "0.1.0")] * 2


def test_latest_checks_view_and_method_return_newer_verdict(store, db_path, tmp_path):
    doc = make_doc(tmp_path / "a.txt")
    run_audit(store, doc, ["unfound", "unchecked", "unchecked"])
    _, run2, ids = run_audit(store, doc, ["verified", "mismatched", "unchecked"], record=make_record())
    rows = sql(db_path, "SELECT citation_id, verdict, run_id, matched_doi, matched_pmid FROM latest_checks "
                        "ORDER BY citation_id")
    assert rows == [(ids[0], "verified", run2, "10.1/k", "123"), (ids[1], "mismatched", run2, None, None),
                    (ids[2], "unchecked", run2, None, None)]
    mismatched = store.latest_checks(article_source=str(tmp_path / "a.txt"), verdict="mismatched")
    assert [(r["citation_id"], r["reason"]) for r in mismatched] == [(ids[1], "mismatched reason")]
    assert mismatched[0]["differences"] == [{"field": "year", "stated": 2020, "found": 2021, "note": "off by one"}]
    assert len(store.latest_checks(limit=2)) == 2
    assert store.latest_checks(older_than_days=1) == []
    sql_update(db_path, "UPDATE checks SET checked_at = '2000-01-01T00:00:00Z' WHERE citation_id = ?", ids[2])
    assert [r["citation_id"] for r in store.latest_checks(older_than_days=1)] == [ids[2]]


def sql_update(db_path, statement, *params):
    if _is_url(db_path):
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(db_path)
        with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database) as con:
            con.execute(statement.replace("?", "%s"), params or None)
        return
    con = sqlite3.connect(db_path)
    with con:
        con.execute(statement, params)
    con.close()


def test_verdict_changes_shows_transitions(store, db_path, tmp_path):
    doc = make_doc(tmp_path / "a.txt")
    _, run1, ids = run_audit(store, doc, ["unfound", "unchecked", "unchecked"])
    _, run2, _ = run_audit(store, doc, ["verified", "unchecked", "unchecked"], record=make_record())
    rows = sql(db_path, "SELECT citation_id, from_verdict, to_verdict, from_run, to_run FROM verdict_changes")
    assert rows == [(ids[0], "unfound", "verified", run1, run2)]


def test_article_summary_counts(store, db_path, tmp_path):
    doc = make_doc(tmp_path / "a.txt")
    run_audit(store, doc, ["unfound", "unfound", "unfound"])
    _, run2, _ = run_audit(store, doc, ["verified", "mismatched", "unchecked"],
                           record=make_record(updates=[RecordUpdate("retraction", doi="10.1/r")]))
    rows = sql(db_path, "SELECT citations, verified, mismatched, unfound, unchecked, retracted, last_run_id, "
                        "last_run_status FROM article_summary")
    assert rows == [(3, 1, 1, 0, 1, 1, run2, "complete")]
    assert sql(db_path, "SELECT verdict, matched_doi FROM retracted_citations") == [("verified", "10.1/k")]


def test_article_report_citation_and_history(store, tmp_path):
    doc = make_doc(tmp_path / "a.txt")
    run_audit(store, doc, ["unfound", "unchecked", "unchecked"])
    run_audit(store, doc, ["verified", "unchecked", "unchecked"], record=make_record())
    article, rows = store.article_report(str(tmp_path / "a.txt"))
    assert (article["title"], article["citations"], article["verified"], article["unchecked"]) == (
        "Kratom and pain", 3, 1, 2)
    assert [r["start_offset"] for r in rows] == [0, 5, 19]
    cited = store.citation(rows[0]["citation_id"])
    assert cited["citation"] == Citation("reference", make_citations()[0].text, 0, 14, make_citations()[0].fields)
    assert cited["fields"].authors == [Person("Smith", "J")]
    history = store.history(rows[0]["citation_id"])
    assert [(h["verdict"], h["matched_doi"], h["sources"]) for h in history] == [
        ("unfound", None, {"crossref": "ok"}), ("verified", "10.1/k", {"crossref": "ok"})]
    with pytest.raises(StoreError, match="no article"):
        store.article_report(str(tmp_path / "missing.txt"))


def test_linked_to_and_repeated_texts(store, db_path, tmp_path):
    article_id = store.upsert_article(make_doc(tmp_path / "a.txt"))
    citations = make_citations() + [Citation("reference", "Jones  K. OPIOIDS. BMJ. 2019.", 40, 55)]
    ids = store.save_citations(article_id, citations)
    assert len(set(ids)) == 4
    assert store.citation(ids[2])["linked_to_id"] == ids[0]
    assert sql(db_path, "SELECT COUNT(DISTINCT key) FROM citations") == [(4,)]
    # the same list again, with moved spans: same rows, updated spans
    moved = [Citation(c.kind, c.text, c.start + 100, c.end + 100, c.fields, linked_to=c.linked_to) for c in citations]
    assert store.save_citations(article_id, moved) == ids
    assert sql(db_path, "SELECT start_offset FROM citations ORDER BY id") == [(100,), (119,), (105,), (140,)]


def test_citation_dropped_from_article_leaves_views(store, db_path, tmp_path):
    doc = make_doc(tmp_path / "a.txt")
    _, _, ids = run_audit(store, doc, ["verified", "unfound", "unfound"], record=make_record())
    article_id = store.upsert_article(doc)
    assert store.save_citations(article_id, make_citations()[:1]) == ids[:1]
    assert sql(db_path, "SELECT id, present FROM citations ORDER BY id") == [(ids[0], 1), (ids[1], 0), (ids[2], 0)]
    assert sql(db_path, "SELECT citations, verified, unfound FROM article_summary") == [(1, 1, 0)]
    assert [r["citation_id"] for r in store.latest_checks()] == [ids[0]]


def test_mark_stale_runs_incomplete(store, db_path, tmp_path):
    article_id = store.upsert_article(make_doc(tmp_path / "a.txt"))
    alive = store.start_run(article_id, "online", "0.1.0", "h1")
    dead = store.start_run(article_id, "online", "0.1.0", "h1")
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    sql_update(db_path, "UPDATE runs SET pid = ? WHERE id = ?", child.pid, dead)
    assert store.mark_stale_runs_incomplete() == 1
    assert sql(db_path, "SELECT id, status FROM runs ORDER BY id") == [(alive, "running"), (dead, "incomplete")]


# --- records and searches -------------------------------------------------------------


def test_record_round_trip(store):
    record = make_record()
    [record_id] = store.save_records([record])
    assert store.save_records([record]) == [record_id]
    assert store.get_record("crossref", doi="10.1/K") == record
    assert store.get_record(None, pmid="123") == record
    assert store.get_record("pubmed", pmid="123") is None


def test_record_columns_are_queryable(store, db_path):
    store.save_records([make_record()])
    assert sql(db_path, "SELECT record_key, doi, authors, journal_abbrevs, year, retracted FROM records") == [
        ("crossref:doi:10.1/k", "10.1/k", "Smith J; van der Berg Anna", "Pain Med", 2020, 0)]


def test_get_record_max_age(store, db_path):
    store.save_records([make_record()])
    assert store.get_record("crossref", doi="10.1/k", max_age_days=1) is not None
    sql_update(db_path, "UPDATE records SET fetched_at = '2000-01-01T00:00:00Z'")
    assert store.get_record("crossref", doi="10.1/k", max_age_days=1) is None
    assert store.get_record("crossref", doi="10.1/k").title == "Kratom and back pain: a trial"


def test_search_records_by_words_and_after_update(store):
    store.save_records([make_record(), make_record(doi="10.2/x", pmid=None, title="Coffee and sleep",
                                                   authors=[Person("Müller", "K")], journal="Sleep",
                                                   journal_abbrevs=["Sleep"])])
    assert [r.doi for r in store.search_records("kratom back pain")] == ["10.1/k"]
    assert [r.doi for r in store.search_records("muller sleep")] == ["10.2/x"]
    assert [r.doi for r in store.search_records("Pain Med")] == ["10.1/k"]
    store.save_records([make_record(title="Renamed study")])
    assert store.search_records("kratom") == []
    assert [r.title for r in store.search_records("renamed")] == ["Renamed study"]


@pytest.mark.parametrize(("query", "dois"), HOSTILE)
def test_search_records_survives_hostile_input(store, query, dois):
    store.save_records([make_record()])
    assert [r.doi for r in store.search_records(query)] == dois


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text())
def test_search_records_never_raises(store, query):
    assert isinstance(store.search_records(query), list)


def test_get_search_none_vs_empty(store, db_path):
    assert store.get_search("crossref", "q:kratom") is None
    store.save_search("crossref", "q:nothing", [])
    assert store.get_search("crossref", "q:nothing") == []
    store.save_search("crossref", "q:kratom", [make_record(), make_record(doi="10.2/x")])
    assert [r.doi for r in store.get_search("crossref", "q:kratom", max_age_days=1)] == ["10.1/k", "10.2/x"]
    sql_update(db_path, "UPDATE searches SET fetched_at = '2000-01-01T00:00:00Z'")
    assert store.get_search("crossref", "q:kratom", max_age_days=1) is None


# --- opening and migrating ------------------------------------------------------------


def test_non_database_file_gives_store_error(tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_text("just some notes, not a database\n" * 10)
    with pytest.raises(StoreError, match="is not a citeaudit database"):
        Store(junk)
    assert junk.read_text().startswith("just some notes")


def test_foreign_sqlite_database_gives_store_error(tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE contacts (name TEXT)")
    con.close()
    with pytest.raises(StoreError, match="holds other tables"):
        Store(other)


def test_newer_database_gives_store_error(db_path):
    Store(db_path).close()
    sql_update(db_path, "UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError, match="newer citeaudit"):
        Store(db_path)


# Rows written with the columns of revision 0001: they must survive every later migration.
ROWS_AT_0001 = {
    "articles": {"id": 1, "source": "/a.txt", "kind": "text", "title": "T", "content_hash": "h",
                 "first_seen": "2026-01-01T00:00:00Z", "last_seen": "2026-01-02T00:00:00Z"},
    "runs": {"id": 1, "article_id": 1, "started_at": "2026-01-01T00:00:00Z", "finished_at": None,
             "status": "complete", "mode": "online", "tool_version": "0.1.0", "content_hash": "h", "pid": 42},
    "citations": {"id": 1, "article_id": 1, "key": "k1", "kind": "reference", "category": "scholarly",
                  "text": "Smith 2020", "start_offset": 0, "end_offset": 10, "fields": '{"year": 2020}',
                  "note": None, "extra": "{}", "linked_to_id": None, "present": 1,
                  "first_seen": "2026-01-01T00:00:00Z", "last_seen": "2026-01-01T00:00:00Z"},
    "records": {"id": 1, "source": "crossref", "record_key": "crossref:doi:10.1/k", "doi": "10.1/k",
                "pmid": "123", "pmcid": None, "title": "Kratom trial", "authors": "Smith J", "journal": "Pain",
                "journal_abbrevs": "", "year": 2020, "volume": "1", "issue": None, "pages": "1-9",
                "retracted": 0, "data": '{"source": "crossref", "doi": "10.1/k", "title": "Kratom trial"}',
                "raw": None, "raw_format": None, "fetched_at": "2026-01-01T00:00:00Z"},
    "checks": {"id": 1, "run_id": 1, "citation_id": 1, "verdict": "verified", "reason": "ok", "record_id": 1,
               "score": 0.9, "differences": "[]", "comparisons": "[]", "candidates": "[]", "notes": "[]",
               "sources": '{"crossref": "ok"}', "retracted": 0, "checked_at": "2026-01-01T00:00:00Z"},
    "searches": {"id": 1, "source": "crossref", "query_key": "q", "record_keys": '["crossref:doi:10.1/k"]',
                 "fetched_at": "2026-01-01T00:00:00Z"},
}


def insert_rows(db_path, rows: dict) -> None:
    """Insert ``{table: row}`` with the plain driver (explicit ids; PostgreSQL's sequences moved past them)."""
    for table, row in rows.items():
        sql_update(db_path, f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                   *row.values())
        if _is_url(db_path):
            sql(db_path, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def test_migration_preserves_data(db_path):
    command.upgrade(alembic_config(db_path), "0001")
    assert current_revision(db_path) == "0001"
    insert_rows(db_path, ROWS_AT_0001)

    with Store(db_path) as store:
        for table, row in ROWS_AT_0001.items():
            assert sql(db_path, f"SELECT {', '.join(row)} FROM {table}") == [tuple(row.values())], table
        assert [r.title for r in store.search_records("kratom")] == ["Kratom trial"]
        assert [(r["citation_id"], r["verdict"]) for r in store.latest_checks()] == [(1, "verified")]
    head = ScriptDirectory.from_config(alembic_config(db_path)).get_current_head()
    assert current_revision(db_path) == head


def test_migration_0003_keeps_a_conclusive_verdict_over_failed_attempts(db_path, tmp_path):
    """A database at 0002 holding verified, then a failed attempt (unchecked, a service error):
    after the upgrade latest_checks shows the verified check with the failed attempt beside it,
    article_summary counts it verified, and no row is lost."""
    command.upgrade(alembic_config(db_path), "0002")
    insert_rows(db_path, ROWS_AT_0001)
    failed = dict(ROWS_AT_0001["checks"], id=2, verdict="unchecked", record_id=None,
                  reason="could not check: crossref: timed out", sources='{"crossref": "timed out"}',
                  checked_at="2026-02-01T00:00:00Z")
    insert_rows(db_path, {"checks": failed})
    assert sql(db_path, "SELECT verdict FROM latest_checks") == [("unchecked",)]  # the old view hid it
    with Store(db_path) as store:
        assert sql(db_path, "SELECT COUNT(*) FROM checks") == [(2,)]
        assert sql(db_path, "SELECT id, inconclusive FROM checks ORDER BY id") == [(1, 0), (2, 1)]
        [row] = store.latest_checks()
        assert (row["check_id"], row["verdict"], row["last_failed_check_id"]) == (1, "verified", 2)
        assert row["last_failed_at"] == "2026-02-01T00:00:00Z" and "timed out" in row["last_failed_reason"]
        assert sql(db_path, "SELECT verified, unchecked FROM article_summary") == [(1, 0)]
        assert sql(db_path, "SELECT COUNT(*) FROM verdict_changes") == [(0,)]
    command.downgrade(alembic_config(db_path), "0002")
    assert sql(db_path, "SELECT verdict FROM latest_checks") == [("unchecked",)]
    assert sql(db_path, "SELECT COUNT(*) FROM checks") == [(2,)]


def test_failed_attempt_never_hides_the_last_conclusive_verdict(store, db_path, tmp_path):
    doc = make_doc(tmp_path / "a.txt")
    _, _, ids = run_audit(store, doc, ["mismatched", "unfound", "unchecked"])
    run_id = store.start_run(store.upsert_article(doc), "online", "0.1.0", "h1")
    down = {"crossref": "crossref search: Crossref unreachable (name resolution failed)"}
    for citation_id in ids[:2]:
        store.save_check(run_id, citation_id, Check("unchecked", "could not check: crossref", sources=down))
    latest = {r["citation_id"]: r for r in store.latest_checks()}
    assert [latest[i]["verdict"] for i in ids] == ["mismatched", "unfound", "unchecked"]
    assert latest[ids[0]]["last_failed_reason"] == "could not check: crossref"
    assert latest[ids[2]]["last_failed_at"] is None
    assert sql(db_path, "SELECT mismatched, unfound FROM article_summary") == [(1, 1)]
    # a conclusive re-check replaces it, and the failed attempt is no longer beside it
    store.save_check(run_id, ids[0], Check("verified", "matches", sources={"crossref": "ok"}))
    latest = {r["citation_id"]: r for r in store.latest_checks()}
    assert latest[ids[0]]["verdict"] == "verified" and latest[ids[0]]["last_failed_at"] is None
    # a citation only ever checked while the services failed shows that attempt
    assert store.history(ids[1])[-1]["inconclusive"] == 1


# Datasette shows a search box (and honours `?_search=`) on a table when an FTS virtual table
# names it as its content table with double quotes or brackets: content="records".
DATASETTE_FTS_DETECTION = """SELECT name FROM sqlite_master WHERE rootpage = 0 AND (
    sql LIKE '%VIRTUAL TABLE%USING FTS%content="records"%' OR sql LIKE '%VIRTUAL TABLE%USING FTS%content=[records]%'
    OR (tbl_name = 'records' AND sql LIKE '%VIRTUAL TABLE%USING FTS%'))"""


def test_migration_0004_makes_the_fts_table_detectable_and_keeps_the_index(sqlite_path):
    db_path = str(sqlite_path)  # FTS5 and Datasette are SQLite's
    command.upgrade(alembic_config(db_path), "0003")
    con = sqlite3.connect(db_path)
    with con:
        for table, row in ROWS_AT_0001.items():
            con.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                        tuple(row.values()))
    con.close()
    assert sql(db_path, DATASETTE_FTS_DETECTION) == []  # content='records': Datasette saw no FTS
    with Store(db_path) as store:
        assert sql(db_path, DATASETTE_FTS_DETECTION) == [("records_fts",)]
        assert [r.title for r in store.search_records("kratom")] == ["Kratom trial"]  # rebuilt index
        assert sql(db_path, "SELECT rowid FROM records_fts WHERE records_fts MATCH 'kratom'") == [(1,)]
        assert sql(db_path, "SELECT COUNT(*) FROM decisions") == [(0,)]
    command.downgrade(alembic_config(db_path), "0003")
    assert sql(db_path, "SELECT name FROM sqlite_master WHERE name IN ('decisions', 'accepted_citations')") == []
    assert sql(db_path, "SELECT rowid FROM records_fts WHERE records_fts MATCH 'kratom'") == [(1,)]
