"""The shared work queue (`citeaudit queue add`, `citeaudit worker`) and runs.host.

queue: one row per article to audit. A worker claims the oldest claimable row (queued, or
running with its lease expired: its worker died) by setting status 'running', claimed_by and
lease_until, and renews the lease while it works; 'done' (with the run_id) is written in the
transaction that completes the run, and a done row is never claimed again. A row claimed
``max attempts`` times without finishing becomes 'failed'. One queued-or-running row per
(kind, source): adding an article already waiting adds nothing.

runs.host: the machine whose process ``pid`` ran it, so that only that machine decides from
the pid whether a 'running' run was abandoned (several machines share a PostgreSQL database).

Revision ID: 0005
Revises: 0004
Create Date: 2027-02-01
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PENDING = "status IN ('queued', 'running')"


def upgrade() -> None:
    op.add_column("runs", sa.Column("host", sa.Text(), nullable=True))
    op.create_table(
        "queue",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False, server_default="audit"),
        sa.Column("status", sa.Text(), nullable=False, server_default="queued"),
        sa.Column("added_at", sa.Text(), nullable=False),
        sa.Column("claimed_by", sa.Text(), nullable=True),
        sa.Column("claimed_at", sa.Text(), nullable=True),
        sa.Column("lease_until", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("finished_at", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="SET NULL"), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="ck_queue_status"),
        sa.CheckConstraint("kind IN ('audit', 'reverify')", name="ck_queue_kind"),
    )
    op.create_index("ix_queue_status_id", "queue", ["status", "id"])
    op.create_index("uq_queue_pending", "queue", ["kind", "source"], unique=True,
                    sqlite_where=sa.text(PENDING), postgresql_where=sa.text(PENDING))


def downgrade() -> None:
    op.drop_index("uq_queue_pending", table_name="queue")
    op.drop_index("ix_queue_status_id", table_name="queue")
    op.drop_table("queue")
    op.execute("ALTER TABLE runs DROP COLUMN host")  # SQLite 3.35+ (as 0003); no view reads it
