"""Initial schema: articles, runs, citations, records (+ full-text index), checks, searches, views.

Revision ID: 0001
Revises:
Create Date: 2026-11-21

Timestamps are ISO-8601 UTC text, booleans INTEGER 0/1, structured values JSON text.

SQLite and PostgreSQL get the same tables and views (the views' SQL is written to run on
both); the full-text index differs: an FTS5 table kept by triggers in SQLite, a generated
``tsvector`` column ``records.search_vector`` with a GIN index in PostgreSQL.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _fk(name: str, target: str, ondelete: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


FTS_COLUMNS = "title, authors, journal, journal_abbrevs"

FTS_SQL = [
    f"""CREATE VIRTUAL TABLE records_fts USING fts5(
        {FTS_COLUMNS},
        content='records', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN
        INSERT INTO records_fts(rowid, {FTS_COLUMNS})
        VALUES (new.id, new.title, new.authors, new.journal, new.journal_abbrevs);
    END""",
    f"""CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN
        INSERT INTO records_fts(records_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.authors, old.journal, old.journal_abbrevs);
    END""",
    f"""CREATE TRIGGER records_fts_update AFTER UPDATE OF {FTS_COLUMNS} ON records BEGIN
        INSERT INTO records_fts(records_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.authors, old.journal, old.journal_abbrevs);
        INSERT INTO records_fts(rowid, {FTS_COLUMNS})
        VALUES (new.id, new.title, new.authors, new.journal, new.journal_abbrevs);
    END""",
]

# PostgreSQL: the same four columns, weighted as FTS_WEIGHTS in store/repo.py (A 4, B 2, C 1)
PG_FTS_SQL = [
    """ALTER TABLE records ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(authors, '')), 'B') ||
        setweight(to_tsvector('simple', coalesce(journal, '')), 'C') ||
        setweight(to_tsvector('simple', coalesce(journal_abbrevs, '')), 'C')) STORED""",
    "CREATE INDEX ix_records_search_vector ON records USING gin (search_vector)",
]


def _count(condition: str) -> str:
    """How many rows meet ``condition`` (0 for none): portable, as PostgreSQL cannot SUM booleans."""
    return f"COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


# Each citation still in its article, with its newest check. "retracted" is what the
# check saw; "record_retracted" is what the stored record says now.
LATEST_CHECKS = """
CREATE VIEW latest_checks AS
SELECT a.id AS article_id, a.source AS article_source,
       c.id AS citation_id, c.kind, c.category, c.text, c.start_offset, c.end_offset,
       k.id AS check_id, k.run_id, k.verdict, k.reason, k.score,
       k.record_id, r.source AS matched_source, r.doi AS matched_doi, r.pmid AS matched_pmid,
       r.title AS matched_title, k.retracted, COALESCE(r.retracted, 0) AS record_retracted,
       k.differences, k.notes, k.checked_at
FROM checks k
JOIN citations c ON c.id = k.citation_id
JOIN articles a ON a.id = c.article_id
LEFT JOIN records r ON r.id = k.record_id
WHERE c.present = 1
  AND k.id = (SELECT MAX(k2.id) FROM checks k2 WHERE k2.citation_id = k.citation_id)
"""

ARTICLE_SUMMARY = f"""
CREATE VIEW article_summary AS
SELECT a.id AS article_id, a.source, a.title, a.kind, a.first_seen, a.last_seen,
       (SELECT COUNT(*) FROM citations c WHERE c.article_id = a.id AND c.present = 1) AS citations,
       COUNT(l.check_id) AS checked,
       {_count("l.verdict = 'verified'")} AS verified,
       {_count("l.verdict = 'mismatched'")} AS mismatched,
       {_count("l.verdict = 'unfound'")} AS unfound,
       {_count("l.verdict = 'unchecked'")} AS unchecked,
       {_count("l.retracted <> 0 OR l.record_retracted <> 0")} AS retracted,
       lr.id AS last_run_id, lr.started_at AS last_run_started_at,
       lr.finished_at AS last_run_finished_at, lr.status AS last_run_status
FROM articles a
LEFT JOIN latest_checks l ON l.article_id = a.id
LEFT JOIN runs lr ON lr.id = (SELECT MAX(r.id) FROM runs r WHERE r.article_id = a.id)
GROUP BY a.id, lr.id, lr.started_at, lr.finished_at, lr.status
"""

VERDICT_CHANGES = """
CREATE VIEW verdict_changes AS
SELECT v.citation_id, a.source AS article_source, c.text,
       v.from_verdict, v.to_verdict, v.from_run, v.to_run, v.changed_at
FROM (
    SELECT k.citation_id,
           LAG(k.verdict) OVER w AS from_verdict, k.verdict AS to_verdict,
           LAG(k.run_id) OVER w AS from_run, k.run_id AS to_run,
           k.checked_at AS changed_at
    FROM checks k
    WINDOW w AS (PARTITION BY k.citation_id ORDER BY k.id)
) v
JOIN citations c ON c.id = v.citation_id
JOIN articles a ON a.id = c.article_id
WHERE v.from_verdict IS NOT NULL AND v.from_verdict <> v.to_verdict
"""

RETRACTED_CITATIONS = """
CREATE VIEW retracted_citations AS
SELECT * FROM latest_checks WHERE retracted = 1 OR record_retracted = 1
"""

VIEWS = {
    "latest_checks": LATEST_CHECKS,
    "article_summary": ARTICLE_SUMMARY,
    "verdict_changes": VERDICT_CHANGES,
    "retracted_citations": RETRACTED_CITATIONS,
}


def upgrade() -> None:
    op.create_table(
        "articles",
        _id(),
        _text("source"),
        _text("kind"),
        _text("title", nullable=True),
        _text("content_hash"),
        _text("first_seen"),
        _text("last_seen"),
        sa.UniqueConstraint("source", name="uq_articles_source"),
    )
    op.create_table(
        "runs",
        _id(),
        _fk("article_id", "articles.id", "CASCADE"),
        _text("started_at"),
        _text("finished_at", nullable=True),
        _text("status"),
        _text("mode"),
        _text("tool_version"),
        _text("content_hash"),
        _int("pid", nullable=True),
        sa.CheckConstraint("status IN ('running', 'complete', 'incomplete', 'failed')", name="ck_runs_status"),
        sa.CheckConstraint("mode IN ('online', 'offline')", name="ck_runs_mode"),
    )
    op.create_index("ix_runs_article_id", "runs", ["article_id"])
    op.create_table(
        "citations",
        _id(),
        _fk("article_id", "articles.id", "CASCADE"),
        _text("key"),
        _text("kind"),
        _text("category"),
        _text("text"),
        _int("start_offset"),
        _int("end_offset"),
        _text("fields"),
        _text("note", nullable=True),
        _text("extra"),
        _fk("linked_to_id", "citations.id", "SET NULL", nullable=True),
        _int("present"),
        _text("first_seen"),
        _text("last_seen"),
        sa.UniqueConstraint("article_id", "key", name="uq_citations_article_key"),
    )
    op.create_table(
        "records",
        _id(),
        _text("source"),
        _text("record_key"),
        _text("doi", nullable=True),
        _text("pmid", nullable=True),
        _text("pmcid", nullable=True),
        _text("title", nullable=True),
        _text("authors"),
        _text("journal", nullable=True),
        _text("journal_abbrevs"),
        _int("year", nullable=True),
        _text("volume", nullable=True),
        _text("issue", nullable=True),
        _text("pages", nullable=True),
        _int("retracted"),
        _text("data"),
        _text("raw", nullable=True),
        _text("raw_format", nullable=True),
        _text("fetched_at"),
        sa.UniqueConstraint("source", "record_key", name="uq_records_source_key"),
    )
    op.create_index("ix_records_doi", "records", ["doi"])
    op.create_index("ix_records_pmid", "records", ["pmid"])
    op.create_table(
        "checks",
        _id(),
        _fk("run_id", "runs.id", "CASCADE"),
        _fk("citation_id", "citations.id", "CASCADE"),
        _text("verdict"),
        _text("reason"),
        _fk("record_id", "records.id", "SET NULL", nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        _text("differences"),
        _text("comparisons"),
        _text("candidates"),
        _text("notes"),
        _text("sources"),
        _int("retracted"),
        _text("checked_at"),
        sa.CheckConstraint(
            "verdict IN ('verified', 'mismatched', 'unfound', 'unchecked')", name="ck_checks_verdict"
        ),
    )
    op.create_index("ix_checks_citation_id_id", "checks", ["citation_id", "id"])
    op.create_index("ix_checks_run_id", "checks", ["run_id"])
    op.create_index("ix_checks_record_id", "checks", ["record_id"])
    op.create_table(
        "searches",
        _id(),
        _text("source"),
        _text("query_key"),
        _text("record_keys"),
        _text("fetched_at"),
        sa.UniqueConstraint("source", "query_key", name="uq_searches_source_key"),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in PG_FTS_SQL if postgresql else FTS_SQL:
        op.execute(statement)
    for sql in VIEWS.values():
        op.execute(sql)


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW {name}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_records_search_vector")
        op.execute("ALTER TABLE records DROP COLUMN search_vector")
    else:
        for trigger in ("records_fts_update", "records_fts_delete", "records_fts_insert"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE records_fts")
    for table in ("searches", "checks", "records", "citations", "runs", "articles"):
        op.drop_table(table)
