"""A failed re-check never hides a conclusive verdict (issue 15).

checks.inconclusive marks an attempt that ended "unchecked" because a service (Crossref,
PubMed) failed: kept in history, but not a verdict. latest_checks now shows each citation's
newest conclusive check (the newest attempt only when there is none), with the newest failed
attempt after it beside it (last_failed_check_id, last_failed_at, last_failed_reason), so a
known wrong citation stays in `report`, `export`, `article_summary` and
`article_credibility` when a re-check cannot reach the services. verdict_changes lists the
changes of the verdict latest_checks showed: a failed attempt after a conclusive verdict is
not one. Existing failed attempts are found from their
`sources` (an error other than the web link checker's) and marked; no row is lost.

PostgreSQL: views there are bound to the columns they were created with, so latest_checks,
verdict_changes and retracted_citations (``SELECT *``) are replaced in place (the new columns
come last), and the downgrade drops latest_checks with its dependents and recreates them.

Revision ID: 0003
Revises: 0002
Create Date: 2027-01-10
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = """a.id AS article_id, a.source AS article_source,
       c.id AS citation_id, c.kind, c.category, c.text, c.start_offset, c.end_offset,
       k.id AS check_id, k.run_id, k.verdict, k.reason, k.score,
       k.record_id, r.source AS matched_source, r.doi AS matched_doi, r.pmid AS matched_pmid,
       r.title AS matched_title, k.retracted, COALESCE(r.retracted, 0) AS record_retracted,
       k.differences, k.notes, k.checked_at"""

LATEST_CHECKS = f"""
CREATE VIEW latest_checks AS
SELECT {COLUMNS},
       f.id AS last_failed_check_id, f.checked_at AS last_failed_at, f.reason AS last_failed_reason
FROM citations c
JOIN articles a ON a.id = c.article_id
JOIN checks k ON k.id = COALESCE(
    (SELECT MAX(k2.id) FROM checks k2 WHERE k2.citation_id = c.id AND k2.inconclusive = 0),
    (SELECT MAX(k2.id) FROM checks k2 WHERE k2.citation_id = c.id))
LEFT JOIN checks f ON f.id = (SELECT MAX(k3.id) FROM checks k3
                              WHERE k3.citation_id = c.id AND k3.inconclusive = 1 AND k3.id > k.id)
LEFT JOIN records r ON r.id = k.record_id
WHERE c.present = 1
"""

OLD_LATEST_CHECKS = f"""
CREATE VIEW latest_checks AS
SELECT {COLUMNS}
FROM checks k
JOIN citations c ON c.id = k.citation_id
JOIN articles a ON a.id = c.article_id
LEFT JOIN records r ON r.id = k.record_id
WHERE c.present = 1
  AND k.id = (SELECT MAX(k2.id) FROM checks k2 WHERE k2.citation_id = k.citation_id)
"""


def _verdict_changes(where: str) -> str:
    return f"""
CREATE VIEW verdict_changes AS
SELECT v.citation_id, a.source AS article_source, c.text,
       v.from_verdict, v.to_verdict, v.from_run, v.to_run, v.changed_at
FROM (
    SELECT k.citation_id,
           LAG(k.verdict) OVER w AS from_verdict, k.verdict AS to_verdict,
           LAG(k.run_id) OVER w AS from_run, k.run_id AS to_run,
           k.checked_at AS changed_at
    FROM checks k{where}
    WINDOW w AS (PARTITION BY k.citation_id ORDER BY k.id)
) v
JOIN citations c ON c.id = v.citation_id
JOIN articles a ON a.id = c.article_id
WHERE v.from_verdict IS NOT NULL AND v.from_verdict <> v.to_verdict
"""


MARK_FAILED = """
UPDATE checks SET inconclusive = 1
WHERE verdict = 'unchecked'
  AND EXISTS (SELECT 1 FROM json_each(checks.sources) s WHERE s.key <> 'web' AND s.value <> 'ok')
"""


PG_MARK_FAILED = """
UPDATE checks SET inconclusive = 1
WHERE verdict = 'unchecked'
  AND EXISTS (SELECT 1 FROM json_each_text(checks.sources::json) s WHERE s.key <> 'web' AND s.value <> 'ok')
"""

NEW_VERDICT_CHANGES = _verdict_changes(
    "\n    WHERE k.inconclusive = 0 OR NOT EXISTS (SELECT 1 FROM checks k0 WHERE "
    "k0.citation_id = k.citation_id AND k0.id < k.id AND k0.inconclusive = 0)")


def _sibling(revision_id: str):
    """The module of another revision (its view SQL), found through Alembic's script directory."""
    from alembic import context

    return context.script.get_revision(revision_id).module


def _upgrade_postgresql() -> None:
    op.execute(PG_MARK_FAILED)
    op.execute(LATEST_CHECKS.replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
    op.execute(NEW_VERDICT_CHANGES.replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
    first = _sibling("0001")
    op.execute(first.RETRACTED_CITATIONS.replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))


def _downgrade_postgresql() -> None:
    op.execute("DROP VIEW verdict_changes")
    op.execute(_verdict_changes(""))
    op.execute("DROP VIEW latest_checks CASCADE")  # with article_summary, retracted_citations, article_credibility
    op.execute(OLD_LATEST_CHECKS)
    first = _sibling("0001")
    op.execute(first.ARTICLE_SUMMARY)
    op.execute(first.RETRACTED_CITATIONS)
    op.execute(_sibling("0002").ARTICLE_CREDIBILITY)
    op.execute("ALTER TABLE checks DROP COLUMN inconclusive")


def upgrade() -> None:
    op.add_column("checks", sa.Column("inconclusive", sa.Integer(), nullable=False, server_default="0"))
    if op.get_bind().dialect.name == "postgresql":
        return _upgrade_postgresql()
    op.execute(MARK_FAILED)
    # views are SQL text in SQLite: the dependent ones (article_summary, retracted_citations,
    # article_credibility) read the new latest_checks without being recreated
    op.execute("DROP VIEW latest_checks")
    op.execute(LATEST_CHECKS)
    op.execute("DROP VIEW verdict_changes")
    # a failed attempt after a conclusive verdict was never shown as the verdict: not a change
    op.execute(NEW_VERDICT_CHANGES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        return _downgrade_postgresql()
    op.execute("DROP VIEW verdict_changes")
    op.execute(_verdict_changes(""))
    op.execute("DROP VIEW latest_checks")
    op.execute(OLD_LATEST_CHECKS)
    op.execute("ALTER TABLE checks DROP COLUMN inconclusive")  # SQLite 3.35+; no view reads it now
