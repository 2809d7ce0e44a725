"""routing policy table; least_needed queue strategy

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import contactcentre.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD = (
    "strategy in ('longest_idle', 'most_skilled', 'round_robin', 'fewest_handled', "
    "'weighted_random')"
)
NEW = OLD[:-1] + ", 'least_needed')"


def upgrade() -> None:
    op.create_table(
        "routing_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("skill_preference_seconds", sa.Float(), nullable=False),
        sa.Column("agent_choice", sa.String(length=16), nullable=False),
        sa.Column(
            "updated_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "agent_choice in ('best_ranked', 'longest_queue')",
            name=op.f("ck_routing_policy_agent_choice"),
        ),
        sa.CheckConstraint(
            "skill_preference_seconds >= 0", name=op.f("ck_routing_policy_skill_preference")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_policy")),
    )
    with op.batch_alter_table("queues") as batch:
        batch.drop_constraint(op.f("ck_queues_strategy"), type_="check")
        batch.create_check_constraint("strategy", NEW)


def downgrade() -> None:
    op.execute("UPDATE queues SET strategy = 'longest_idle' WHERE strategy = 'least_needed'")
    with op.batch_alter_table("queues") as batch:
        batch.drop_constraint(op.f("ck_queues_strategy"), type_="check")
        batch.create_check_constraint("strategy", OLD)
    op.drop_table("routing_policy")
