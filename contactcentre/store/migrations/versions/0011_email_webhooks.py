"""email_webhooks: a mailbox's provider inbound webhook (which provider, the basic-auth user,
a reference to its secret)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("email_mailboxes") as batch:
        batch.add_column(sa.Column("webhook_provider", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("webhook_user", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("webhook_secret_ref", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("email_mailboxes") as batch:
        for column in ("webhook_secret_ref", "webhook_user", "webhook_provider"):
            batch.drop_column(column)
