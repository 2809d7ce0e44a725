"""customer_value_history and customer_value_alerts: CLV and segment per customer per quarter,
and the alert raised once when CLV fell two quarters in a row

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import contactcentre.store.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

WHEN = contactcentre.store.types.UTCDateTime(timezone=True)
MONEY = sa.Numeric(12, 2)


def upgrade() -> None:
    op.create_table(
        "customer_value_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("clv", MONEY, nullable=False),
        sa.Column("segment", sa.String(length=24), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_value_history_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_value_history")),
        sa.UniqueConstraint(
            "customer_id", "quarter", name=op.f("uq_customer_value_history_customer_id")
        ),
    )
    with op.batch_alter_table("customer_value_history") as batch:
        batch.create_index("ix_customer_value_history_customer_id", ["customer_id"], unique=False)
    op.create_table(
        "customer_value_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("clv_two_quarters_ago", MONEY, nullable=False),
        sa.Column("clv_last_quarter", MONEY, nullable=False),
        sa.Column("clv_now", MONEY, nullable=False),
        sa.Column("segment", sa.String(length=24), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_value_alerts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_value_alerts")),
        sa.UniqueConstraint(
            "customer_id", "quarter", name=op.f("uq_customer_value_alerts_customer_id")
        ),
    )
    with op.batch_alter_table("customer_value_alerts") as batch:
        batch.create_index("ix_customer_value_alerts_customer_id", ["customer_id"], unique=False)
        batch.create_index("ix_customer_value_alerts_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer_value_alerts") as batch:
        batch.drop_index("ix_customer_value_alerts_created_at")
        batch.drop_index("ix_customer_value_alerts_customer_id")
    op.drop_table("customer_value_alerts")
    with op.batch_alter_table("customer_value_history") as batch:
        batch.drop_index("ix_customer_value_history_customer_id")
    op.drop_table("customer_value_history")
