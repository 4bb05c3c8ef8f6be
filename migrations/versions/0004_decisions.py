"""Editors' decisions that persist (issue 12): `citeaudit accept CITATION_ID --reason TEXT`.

decisions: one row per acceptance of a citation by an editor, with the evidence it was
given on (the check, its verdict, the matched record and whether it was retracted). An
acceptance stands until `unaccept` or until the evidence changes (a re-check gives another
verdict, another matched work, or a retraction): then revoked_at, revoked_by ('editor' or
'evidence') and revoked_reason are set; the row is kept, so every decision has a history.

accepted_citations: each citation's standing acceptance beside its latest check.

The SQL is plain (no SQLite-only functions), so it works on PostgreSQL as well. On SQLite
the full-text index records_fts is also recreated with content="records" (double quotes),
the spelling Datasette looks for when it decides a table has full-text search.

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-20
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACCEPTED_CITATIONS = """
CREATE VIEW accepted_citations AS
SELECT d.id AS decision_id, l.article_id, l.article_source, l.citation_id, l.kind, l.text,
       l.verdict, l.reason, l.matched_doi, l.matched_pmid, l.check_id, l.checked_at,
       d.reason AS accepted_reason, d.accepted_at, d.accepted_by,
       d.check_id AS accepted_check_id, d.verdict AS accepted_verdict
FROM decisions d
JOIN latest_checks l ON l.citation_id = d.citation_id
WHERE d.revoked_at IS NULL
"""

FTS_COLUMNS = "title, authors, journal, journal_abbrevs"


def _fts(content: str) -> list[str]:
    return [
        "DROP TABLE records_fts",
        f"""CREATE VIRTUAL TABLE records_fts USING fts5(
        {FTS_COLUMNS},
        content={content}, content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
        "INSERT INTO records_fts(records_fts) VALUES ('rebuild')",
    ]


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("citation_id", sa.Integer(), sa.ForeignKey("citations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False, server_default="accepted"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("accepted_at", sa.Text(), nullable=False),
        sa.Column("accepted_by", sa.Text(), nullable=True),
        sa.Column("check_id", sa.Integer(), sa.ForeignKey("checks.id", ondelete="SET NULL"), nullable=True),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("records.id", ondelete="SET NULL"), nullable=True),
        sa.Column("retracted", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("revoked_at", sa.Text(), nullable=True),
        sa.Column("revoked_by", sa.Text(), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("decision IN ('accepted')", name="ck_decisions_decision"),
    )
    op.create_index("ix_decisions_citation_id", "decisions", ["citation_id"])
    op.execute(ACCEPTED_CITATIONS)
    if op.get_bind().dialect.name == "sqlite":
        for statement in _fts('"records"'):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _fts("'records'"):
            op.execute(statement)
    op.execute("DROP VIEW accepted_citations")
    op.drop_index("ix_decisions_citation_id", table_name="decisions")
    op.drop_table("decisions")
