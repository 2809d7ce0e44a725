"""email_imap: a mailbox's IMAP settings (host, port, TLS mode, user, secret reference, folder)
and where its poller is (the folder's UIDVALIDITY and the last UID stored)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("email_mailboxes") as batch:
        batch.add_column(sa.Column("imap_host", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("imap_port", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("imap_tls", sa.String(length=8), nullable=False, server_default="ssl")
        )
        batch.add_column(sa.Column("imap_user", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("imap_secret_ref", sa.String(length=255), nullable=True))
        batch.add_column(
            sa.Column("imap_folder", sa.String(length=255), nullable=False, server_default="INBOX")
        )
        batch.add_column(sa.Column("imap_uidvalidity", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("imap_last_uid", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("email_mailboxes") as batch:
        for column in (
            "imap_last_uid",
            "imap_uidvalidity",
            "imap_folder",
            "imap_secret_ref",
            "imap_user",
            "imap_tls",
            "imap_port",
            "imap_host",
        ):
            batch.drop_column(column)
