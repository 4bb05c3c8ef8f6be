"""Table evidence: what was learned about a citation that is not a bibliographic record, kept
so that a run or `reverify --max-age-days` reuses it while fresh instead of asking again:
a bio's publication counts and journal checks ("bio"), a cited link's fetched page facts
("link"). One JSON document per (kind, key); only complete answers are kept (an answer
where a service failed is never reused).

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-12
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.Text(), nullable=False),
        sa.UniqueConstraint("kind", "key", name="uq_evidence_kind_key"),
    )


def downgrade() -> None:
    op.drop_table("evidence")
