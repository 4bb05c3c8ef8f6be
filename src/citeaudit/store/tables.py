"""The store's tables as SQLModel classes: the Python view of the public schema.

These classes describe the tables that migration ``0001_initial`` (and any later
migration) creates; they are used to build queries, never to create tables. A
test compares them with a migrated database, so a schema change needs both a
migration and an edit here.

Conventions of the public schema: timestamps are ISO-8601 UTC text
(``2026-11-21T06:00:00Z``), booleans are INTEGER 0/1, structured values are JSON
text. The full-text index ``records_fts`` and the views are defined in the
migrations only (SQLAlchemy metadata cannot describe them).
"""

from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import CheckConstraint, Float, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from citeaudit.models import VERDICTS

metadata = SQLModel.metadata

RUN_STATUSES = ("running", "complete", "incomplete", "failed")
RUN_MODES = ("online", "offline")
QUEUE_STATUSES = ("queued", "running", "done", "failed")
QUEUE_KINDS = ("audit", "reverify")
# Everything the migrations create but the metadata does not describe: SQLite's FTS5 tables,
# PostgreSQL's generated tsvector column records.search_vector and its GIN index.
UNMODELLED_PREFIXES = ("records_fts", "alembic_version", "sqlite_")
UNMODELLED_COLUMNS = ("search_vector",)
UNMODELLED_INDEXES = ("ix_records_search_vector",)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Article(SQLModel, table=True):
    """An audited article, identified by its source (absolute file path or URL)."""

    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("source", name="uq_articles_source"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str = Field(sa_type=Text)
    kind: str = Field(sa_type=Text)
    title: Optional[str] = Field(default=None, sa_type=Text)
    content_hash: str = Field(sa_type=Text)
    first_seen: str = Field(sa_type=Text)
    last_seen: str = Field(sa_type=Text)


class Run(SQLModel, table=True):
    """One audit of one article; ``pid`` is the process that ran it."""

    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint(_in("status", RUN_STATUSES), name="ck_runs_status"),
        CheckConstraint(_in("mode", RUN_MODES), name="ck_runs_mode"),
        Index("ix_runs_article_id", "article_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="articles.id", ondelete="CASCADE")
    started_at: str = Field(sa_type=Text)
    finished_at: Optional[str] = Field(default=None, sa_type=Text)
    status: str = Field(sa_type=Text)
    mode: str = Field(sa_type=Text)
    tool_version: str = Field(sa_type=Text)
    content_hash: str = Field(sa_type=Text)
    pid: Optional[int] = Field(default=None, sa_type=Integer)
    host: Optional[str] = Field(default=None, sa_type=Text)  # the machine of ``pid`` (0005)


class CitationRow(SQLModel, table=True):
    """A citation of an article; ``key`` is its stable identity within the article.

    ``present`` is 0 once a later save of the article no longer contains it.
    """

    __tablename__ = "citations"
    __table_args__ = (UniqueConstraint("article_id", "key", name="uq_citations_article_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="articles.id", ondelete="CASCADE")
    key: str = Field(sa_type=Text)
    kind: str = Field(sa_type=Text)
    category: str = Field(sa_type=Text)
    text: str = Field(sa_type=Text)
    start_offset: int = Field(sa_type=Integer)
    end_offset: int = Field(sa_type=Integer)
    fields: str = Field(sa_type=Text)  # JSON: the stated Fields
    note: Optional[str] = Field(default=None, sa_type=Text)
    extra: str = Field(sa_type=Text)  # JSON: Citation.extra
    linked_to_id: Optional[int] = Field(default=None, foreign_key="citations.id", ondelete="SET NULL")
    present: int = Field(sa_type=Integer)
    first_seen: str = Field(sa_type=Text)
    last_seen: str = Field(sa_type=Text)


class RecordRow(SQLModel, table=True):
    """A bibliographic record from one source; ``data`` is the full record as JSON."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("source", "record_key", name="uq_records_source_key"),
        Index("ix_records_doi", "doi"),
        Index("ix_records_pmid", "pmid"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str = Field(sa_type=Text)
    record_key: str = Field(sa_type=Text)
    doi: Optional[str] = Field(default=None, sa_type=Text)
    pmid: Optional[str] = Field(default=None, sa_type=Text)
    pmcid: Optional[str] = Field(default=None, sa_type=Text)
    title: Optional[str] = Field(default=None, sa_type=Text)
    authors: str = Field(sa_type=Text)  # "Bath R; Bucholz T"
    journal: Optional[str] = Field(default=None, sa_type=Text)
    journal_abbrevs: str = Field(sa_type=Text)  # "; "-separated
    year: Optional[int] = Field(default=None, sa_type=Integer)
    volume: Optional[str] = Field(default=None, sa_type=Text)
    issue: Optional[str] = Field(default=None, sa_type=Text)
    pages: Optional[str] = Field(default=None, sa_type=Text)
    retracted: int = Field(sa_type=Integer)
    data: str = Field(sa_type=Text)
    raw: Optional[str] = Field(default=None, sa_type=Text)
    raw_format: Optional[str] = Field(default=None, sa_type=Text)
    fetched_at: str = Field(sa_type=Text)


class CheckRow(SQLModel, table=True):
    """The verdict on one citation in one run."""

    __tablename__ = "checks"
    __table_args__ = (
        CheckConstraint(_in("verdict", VERDICTS), name="ck_checks_verdict"),
        Index("ix_checks_citation_id_id", "citation_id", "id"),
        Index("ix_checks_citation_inconclusive_id", "citation_id", "inconclusive", "id"),  # 0006: latest_checks
        Index("ix_checks_run_id", "run_id"),
        Index("ix_checks_record_id", "record_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="runs.id", ondelete="CASCADE")
    citation_id: int = Field(foreign_key="citations.id", ondelete="CASCADE")
    verdict: str = Field(sa_type=Text)
    reason: str = Field(sa_type=Text)
    record_id: Optional[int] = Field(default=None, foreign_key="records.id", ondelete="SET NULL")
    score: float = Field(sa_type=Float)
    differences: str = Field(sa_type=Text)  # JSON list of {field, stated, found, note?}
    comparisons: str = Field(sa_type=Text)  # JSON list of FieldComparison
    candidates: str = Field(sa_type=Text)  # JSON list of Record.summary()
    notes: str = Field(sa_type=Text)  # JSON list of str
    sources: str = Field(sa_type=Text)  # JSON {source: "ok" | error}
    retracted: int = Field(sa_type=Integer)
    checked_at: str = Field(sa_type=Text)
    # 1: "unchecked" because a service failed; an attempt that never hides a conclusive verdict
    inconclusive: int = Field(default=0, sa_type=Integer, sa_column_kwargs={"server_default": "0"})


class SearchRow(SQLModel, table=True):
    """A cached search: which records a source returned for a query."""

    __tablename__ = "searches"
    __table_args__ = (UniqueConstraint("source", "query_key", name="uq_searches_source_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str = Field(sa_type=Text)
    query_key: str = Field(sa_type=Text)
    record_keys: str = Field(sa_type=Text)  # JSON list of Record.key
    fetched_at: str = Field(sa_type=Text)


class Decision(SQLModel, table=True):
    """An editor's decision on a citation (`citeaudit accept`), with the evidence it was given
    on; it stands while ``revoked_at`` is NULL (revoked by the editor or by changed evidence)."""

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint("decision IN ('accepted')", name="ck_decisions_decision"),
        Index("ix_decisions_citation_id", "citation_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    citation_id: int = Field(foreign_key="citations.id", ondelete="CASCADE")
    decision: str = Field(default="accepted", sa_type=Text, sa_column_kwargs={"server_default": "accepted"})
    reason: str = Field(sa_type=Text)
    accepted_at: str = Field(sa_type=Text)
    accepted_by: Optional[str] = Field(default=None, sa_type=Text)
    check_id: Optional[int] = Field(default=None, foreign_key="checks.id", ondelete="SET NULL")
    verdict: str = Field(sa_type=Text)
    record_id: Optional[int] = Field(default=None, foreign_key="records.id", ondelete="SET NULL")
    retracted: int = Field(default=0, sa_type=Integer, sa_column_kwargs={"server_default": "0"})
    revoked_at: Optional[str] = Field(default=None, sa_type=Text)
    revoked_by: Optional[str] = Field(default=None, sa_type=Text)  # "editor" | "evidence"
    revoked_reason: Optional[str] = Field(default=None, sa_type=Text)


class QueueRow(SQLModel, table=True):
    """An article waiting for, being audited by, or audited by a worker (`citeaudit worker`)."""

    __tablename__ = "queue"
    __table_args__ = (
        CheckConstraint(_in("status", QUEUE_STATUSES), name="ck_queue_status"),
        CheckConstraint(_in("kind", QUEUE_KINDS), name="ck_queue_kind"),
        Index("ix_queue_status_id", "status", "id"),
        Index("uq_queue_pending", "kind", "source", unique=True,
              sqlite_where=text("status IN ('queued', 'running')"),
              postgresql_where=text("status IN ('queued', 'running')")),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str = Field(sa_type=Text)
    kind: str = Field(default="audit", sa_type=Text, sa_column_kwargs={"server_default": "audit"})
    status: str = Field(default="queued", sa_type=Text, sa_column_kwargs={"server_default": "queued"})
    added_at: str = Field(sa_type=Text)
    claimed_by: Optional[str] = Field(default=None, sa_type=Text)  # "host:pid:nonce" of the worker
    claimed_at: Optional[str] = Field(default=None, sa_type=Text)
    lease_until: Optional[str] = Field(default=None, sa_type=Text)
    attempts: int = Field(default=0, sa_type=Integer, sa_column_kwargs={"server_default": "0"})
    finished_at: Optional[str] = Field(default=None, sa_type=Text)
    run_id: Optional[int] = Field(default=None, foreign_key="runs.id", ondelete="SET NULL")
    error: Optional[str] = Field(default=None, sa_type=Text)


class EvidenceRow(SQLModel, table=True):
    """What was learned about a citation that is not a record (a bio's counts, a link's page),
    kept for reuse while fresh (migration 0007)."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_evidence_kind_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=Text)  # "bio" | "link"
    key: str = Field(sa_type=Text)
    data: str = Field(sa_type=Text)  # JSON
    fetched_at: str = Field(sa_type=Text)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic autogenerate filter: ignore what the metadata does not model (FTS, views)."""
    if type_ == "column" and name in UNMODELLED_COLUMNS and getattr(obj, "table", None) is not None \
            and obj.table.name == "records":
        return False
    if type_ == "index" and name in UNMODELLED_INDEXES:
        return False
    return not (type_ == "table" and name and name.startswith(UNMODELLED_PREFIXES))
