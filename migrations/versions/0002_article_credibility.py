"""View article_credibility: per article, counts by kind and verdict, the bio verdict and the
number of uncited research claims (newest check of each citation still in the article).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from typing import Sequence, Union

from alembic import op

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _count(condition: str) -> str:
    """How many rows meet ``condition`` (0 for none): portable, as PostgreSQL cannot SUM booleans."""
    return f"COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


def _counts(kind: str, prefix: str) -> str:
    return ",\n".join(
        f"{_count(f'l.kind = {chr(39)}{kind}{chr(39)} AND l.verdict = {chr(39)}{v}{chr(39)}')} AS {prefix}_{v}"
        for v in ("verified", "mismatched", "unfound", "unchecked"))


ARTICLE_CREDIBILITY = f"""
CREATE VIEW article_credibility AS
SELECT a.id AS article_id, a.source, a.title,
       {_count("l.kind = 'reference'")} AS references_total,
       {_counts('reference', 'references')},
       {_count("l.kind = 'mention'")} AS mentions_total,
       {_counts('mention', 'mentions')},
       {_count("l.kind = 'quote'")} AS quotes_total,
       {_count("l.kind = 'link'")} AS links_total,
       {_count("l.kind IN ('reference', 'mention') AND l.category = 'scholarly' AND c.linked_to_id IS NULL")}
           AS resolvable,
       {_count("l.kind = 'claim'")} AS uncited_claims,
       CASE MAX(CASE WHEN l.kind = 'bio' THEN
                    CASE l.verdict WHEN 'unfound' THEN 3 WHEN 'mismatched' THEN 2
                                   WHEN 'verified' THEN 1 ELSE 0 END END)
            WHEN 3 THEN 'unfound' WHEN 2 THEN 'mismatched' WHEN 1 THEN 'verified' WHEN 0 THEN 'unchecked'
       END AS bio_verdict,
       {_count("l.kind NOT IN ('claim', 'bio') AND c.linked_to_id IS NULL AND l.verdict = 'unfound'")}
           AS unfound_sources
FROM articles a
LEFT JOIN latest_checks l ON l.article_id = a.id
LEFT JOIN citations c ON c.id = l.citation_id
GROUP BY a.id
"""


def upgrade() -> None:
    op.execute(ARTICLE_CREDIBILITY)


def downgrade() -> None:
    op.execute("DROP VIEW article_credibility")
