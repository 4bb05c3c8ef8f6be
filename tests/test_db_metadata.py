"""Datasette-ready (issue 12, item 9): `citeaudit db metadata` describes every table and view
and every column of the migrated database as Datasette metadata, with records set up for
full-text search; the FTS table is one Datasette detects (see test_store's migration test)."""

from __future__ import annotations

import json
import sqlite3

from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.store import Store
from tests.test_store import DATASETTE_FTS_DETECTION

runner = CliRunner()


def test_db_metadata_describes_every_table_view_and_column(tmp_path):
    db = tmp_path / "audit.db"
    Store(db).close()
    result = runner.invoke(app, ["--db", str(db), "db", "metadata"])
    assert result.exit_code == 0, result.output
    meta = json.loads(result.stdout)
    tables = meta["databases"]["audit"]["tables"]  # Datasette names a database by its file stem
    con = sqlite3.connect(db)
    try:
        objects = dict(con.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') "
                                   "AND name NOT LIKE 'records_fts%' AND name NOT LIKE 'sqlite_%' "
                                   "AND name <> 'alembic_version'").fetchall())
        assert set(objects) <= set(tables)
        assert {"decisions", "accepted_citations", "latest_checks", "article_summary"} <= set(objects)
        for name in objects:
            columns = [row[1] for row in con.execute(f'PRAGMA table_info("{name}")')]
            assert list(tables[name]["columns"]) == columns, name
            assert all(tables[name]["columns"].values()), (name, [c for c, d in tables[name]["columns"].items() if not d])
            assert tables[name]["description"]
        assert con.execute(DATASETTE_FTS_DETECTION).fetchall() == [("records_fts",)]
    finally:
        con.close()
    assert tables["records"]["fts_table"] == "records_fts" and tables["records"]["fts_pk"] == "id"
    assert tables["records_fts"] == {"hidden": True}


def test_db_metadata_needs_a_database(tmp_path):
    result = runner.invoke(app, ["--db", str(tmp_path / "none.db"), "db", "metadata"])
    assert result.exit_code == 2 and "no database at" in result.output
    assert not (tmp_path / "none.db").exists()
