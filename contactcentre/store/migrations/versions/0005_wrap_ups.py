"""wrap_ups: one wrap-up per agent who handled a contact (a transferred contact has several)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import contactcentre.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wrap_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.String(length=36), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("disposition_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "created_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_wrap_ups_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["disposition_id"],
            ["dispositions.id"],
            name=op.f("fk_wrap_ups_disposition_id_dispositions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_wrap_ups_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wrap_ups")),
        sa.UniqueConstraint("interaction_id", "agent_id", name=op.f("uq_wrap_ups_interaction_id")),
    )
    with op.batch_alter_table("wrap_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wrap_ups_interaction_id"), ["interaction_id"], unique=False
        )
    # Contacts wrapped up before this revision: their one wrap-up, by the handling agent, so
    # a second wrap-up by that agent is still refused.
    op.execute(
        "INSERT INTO wrap_ups (interaction_id, agent_id, disposition_id, notes, created_at) "
        "SELECT id, agent_id, disposition_id, wrap_up_notes, COALESCE(ended_at, created_at) "
        "FROM interactions WHERE disposition_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("wrap_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wrap_ups_interaction_id"))
    op.drop_table("wrap_ups")
