"""web_logins: each sign-in on the login page, so one can be signed out or revoked alone

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import contactcentre.store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_logins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_seen_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "revoked_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_logins_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_logins")),
    )
    with op.batch_alter_table("web_logins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_logins_user_id"), ["user_id"], unique=False)
    # Sessions signed before this revision name no sign-in: they are refused, and their users
    # sign in again once.


def downgrade() -> None:
    with op.batch_alter_table("web_logins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_logins_user_id"))
    op.drop_table("web_logins")
