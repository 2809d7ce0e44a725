"""report_contacts_outcome: an index on report_contacts (outcome, interval_start, wait_ms), so
the abandon profile counts a range's abandoned contacts from the index alone

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_contacts") as batch_op:
        batch_op.create_index(
            "ix_report_contacts_outcome", ["outcome", "interval_start", "wait_ms"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report_contacts") as batch_op:
        batch_op.drop_index("ix_report_contacts_outcome")
