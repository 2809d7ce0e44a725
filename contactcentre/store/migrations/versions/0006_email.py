"""email: mailboxes, inbound messages (raw first), quarantine, threads, Message-IDs, attachments,
bounces, outbound mail and categorisation rules

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import contactcentre.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "email_mailboxes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("acknowledge", sa.Boolean(), nullable=False),
        sa.Column("acknowledgement_text", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_email_mailboxes_queue_id_queues"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_mailboxes")),
        sa.UniqueConstraint("address", name=op.f("uq_email_mailboxes_address")),
    )
    op.create_table(
        "email_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("pattern", sa.String(length=255), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("skill", sa.String(length=64), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "field in ('sender', 'domain', 'subject', 'body', 'language')",
            name=op.f("ck_email_rules_field"),
        ),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["email_mailboxes.id"],
            name=op.f("fk_email_rules_mailbox_id_email_mailboxes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_email_rules_queue_id_queues"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_rules")),
    )
    op.create_table(
        "email_threads",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("interaction_id", sa.String(length=36), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("customer_address", sa.String(length=254), nullable=False),
        sa.Column("subject_key", sa.String(length=255), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column(
            "submitted_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "created_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_message_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_email_threads_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_email_threads_interaction_id_interactions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["email_mailboxes.id"],
            name=op.f("fk_email_threads_mailbox_id_email_mailboxes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_threads")),
        sa.UniqueConstraint("interaction_id", name=op.f("uq_email_threads_interaction_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_email_threads_reference")),
    )
    with op.batch_alter_table("email_threads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_email_threads_sender_subject",
            ["mailbox_id", "customer_address", "subject_key"],
            unique=False,
        )

    op.create_table(
        "email_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("provider_event_id", sa.String(length=128), nullable=True),
        sa.Column("envelope_from", sa.String(length=254), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "received_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "processed_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("from_address", sa.String(length=254), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("text_body", sa.Text(), nullable=True),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("quoted_text", sa.Text(), nullable=True),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("thread_id", sa.String(length=36), nullable=True),
        sa.CheckConstraint(
            "status in ('received', 'processed', 'quarantined')",
            name=op.f("ck_email_inbound_status"),
        ),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["email_mailboxes.id"],
            name=op.f("fk_email_inbound_mailbox_id_email_mailboxes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["email_threads.id"],
            name=op.f("fk_email_inbound_thread_id_email_threads"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_inbound")),
        sa.UniqueConstraint("mailbox_id", "message_key", name="uq_email_inbound_message_key"),
        sa.UniqueConstraint("source", "provider_event_id", name="uq_email_inbound_event"),
    )
    with op.batch_alter_table("email_inbound", schema=None) as batch_op:
        batch_op.create_index("ix_email_inbound_status", ["status", "id"], unique=False)

    op.create_table(
        "email_message_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("thread_id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column(
            "created_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["email_mailboxes.id"],
            name=op.f("fk_email_message_ids_mailbox_id_email_mailboxes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["email_threads.id"],
            name=op.f("fk_email_message_ids_thread_id_email_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_message_ids")),
        sa.UniqueConstraint(
            "mailbox_id", "message_id", name=op.f("uq_email_message_ids_mailbox_id")
        ),
    )
    op.create_table(
        "email_outbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("in_reply_to", sa.String(length=255), nullable=True),
        sa.Column("references", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("sent_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status in ('queued', 'sending', 'sent', 'failed')",
            name=op.f("ck_email_outbound_status"),
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["email_threads.id"],
            name=op.f("fk_email_outbound_thread_id_email_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_outbound")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_email_outbound_idempotency_key")),
        sa.UniqueConstraint("message_id", name=op.f("uq_email_outbound_message_id")),
    )
    with op.batch_alter_table("email_outbound", schema=None) as batch_op:
        batch_op.create_index("ix_email_outbound_status", ["status", "id"], unique=False)

    op.create_table(
        "email_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("refusal", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["email_inbound.id"],
            name=op.f("fk_email_attachments_inbound_id_email_inbound"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_attachments")),
        sa.UniqueConstraint("inbound_id", "part", name=op.f("uq_email_attachments_inbound_id")),
    )
    op.create_table(
        "email_bounces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("diagnostic", sa.Text(), nullable=False),
        sa.Column("thread_id", sa.String(length=36), nullable=True),
        sa.Column(
            "created_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["email_inbound.id"],
            name=op.f("fk_email_bounces_inbound_id_email_inbound"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["email_threads.id"],
            name=op.f("fk_email_bounces_thread_id_email_threads"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_bounces")),
        sa.UniqueConstraint("inbound_id", "address", name=op.f("uq_email_bounces_inbound_id")),
    )
    with op.batch_alter_table("email_bounces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_bounces_address"), ["address"], unique=False)

    op.create_table(
        "email_quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column(
            "created_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["email_inbound.id"],
            name=op.f("fk_email_quarantine_inbound_id_email_inbound"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_quarantine")),
        sa.UniqueConstraint("inbound_id", name=op.f("uq_email_quarantine_inbound_id")),
    )


def downgrade() -> None:
    op.drop_table("email_quarantine")
    with op.batch_alter_table("email_bounces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_bounces_address"))

    op.drop_table("email_bounces")
    op.drop_table("email_attachments")
    with op.batch_alter_table("email_outbound", schema=None) as batch_op:
        batch_op.drop_index("ix_email_outbound_status")

    op.drop_table("email_outbound")
    op.drop_table("email_message_ids")
    with op.batch_alter_table("email_inbound", schema=None) as batch_op:
        batch_op.drop_index("ix_email_inbound_status")

    op.drop_table("email_inbound")
    with op.batch_alter_table("email_threads", schema=None) as batch_op:
        batch_op.drop_index("ix_email_threads_sender_subject")

    op.drop_table("email_threads")
    op.drop_table("email_rules")
    op.drop_table("email_mailboxes")
