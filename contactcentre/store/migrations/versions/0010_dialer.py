"""dialer: outbound campaigns (mode, queue, caller ID, compliance settings, script, custom
fields, status), their lead lists and leads, do-not-call entries, dial attempts and CSV imports

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 23:31:00.500708
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import contactcentre.store.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("dial_ratio", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("caller_id", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction", sa.String(length=4), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.String(length=8), nullable=False),
        sa.Column("window_end", sa.String(length=8), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("retry_delays", sa.JSON(), nullable=False),
        sa.Column("ring_timeout_seconds", sa.Float(), nullable=False),
        sa.Column("min_ring_seconds", sa.Float(), nullable=False),
        sa.Column("connect_seconds", sa.Float(), nullable=False),
        sa.Column("abandon_limit", sa.Float(), nullable=False),
        sa.Column("require_consent", sa.Boolean(), nullable=False),
        sa.Column("legal_overrides", sa.JSON(), nullable=False),
        sa.Column("dispositions", sa.JSON(), nullable=False),
        sa.Column("script", sa.Text(), nullable=False),
        sa.Column("custom_fields", sa.JSON(), nullable=False),
        sa.Column("hopper_size", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint("jurisdiction in ('us', 'uk')", name=op.f("ck_campaigns_jurisdiction")),
        sa.CheckConstraint(
            "mode in ('preview', 'progressive', 'power', 'predictive')",
            name=op.f("ck_campaigns_mode"),
        ),
        sa.CheckConstraint(
            "status in ('draft', 'active', 'paused', 'stopped')", name=op.f("ck_campaigns_status")
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_campaigns_queue_id_queues"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("name", name=op.f("uq_campaigns_name")),
    )
    op.create_table(
        "dnc_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("list_key", sa.String(length=24), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("added_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(scope = 'campaign') = (campaign_id IS NOT NULL)",
            name=op.f("ck_dnc_entries_campaign_scope"),
        ),
        sa.CheckConstraint(
            "scope in ('internal', 'campaign', 'national')", name=op.f("ck_dnc_entries_scope")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_dnc_entries_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dnc_entries")),
        sa.UniqueConstraint("number", "list_key", name=op.f("uq_dnc_entries_number")),
    )
    with op.batch_alter_table("dnc_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dnc_entries_number"), ["number"], unique=False)

    op.create_table(
        "lead_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_lead_lists_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_lists")),
        sa.UniqueConstraint("campaign_id", "name", name=op.f("uq_lead_lists_campaign_id")),
    )
    with op.batch_alter_table("lead_lists", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lead_lists_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "lead_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=True),
        sa.Column("list_name", sa.String(length=120), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("errors_total", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "mode in ('all_or_nothing', 'skip_bad_rows')", name=op.f("ck_lead_imports_mode")
        ),
        sa.CheckConstraint(
            "status in ('imported', 'rejected')", name=op.f("ck_lead_imports_status")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_lead_imports_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["lead_lists.id"],
            name=op.f("fk_lead_imports_list_id_lead_lists"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_imports")),
    )
    with op.batch_alter_table("lead_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lead_imports_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("time_zones", sa.JSON(), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("custom", sa.JSON(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_leads_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["lead_lists.id"],
            name=op.f("fk_leads_list_id_lead_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("campaign_id", "number", name=op.f("uq_leads_campaign_id")),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index("ix_leads_list_order", ["list_id", "score"], unique=False)
        batch_op.create_index(batch_op.f("ix_leads_number"), ["number"], unique=False)

    op.create_table(
        "dial_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column(
            "placed_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column(
            "answered_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "greeting_ended_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "agent_connected_at",
            contactcentre.store.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("ended_at", contactcentre.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("amd_used", sa.Boolean(), nullable=False),
        sa.Column("amd_false_positive", sa.Boolean(), nullable=False),
        sa.Column("disposition", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "result in ('human', 'machine', 'busy', 'no_answer', 'failed', 'canceled')",
            name=op.f("ck_dial_attempts_result"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_dial_attempts_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["leads.id"],
            name=op.f("fk_dial_attempts_lead_id_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dial_attempts")),
    )
    with op.batch_alter_table("dial_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_dial_attempts_lead", ["lead_id", "placed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_dial_attempts_number"), ["number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dial_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dial_attempts_number"))
        batch_op.drop_index("ix_dial_attempts_lead")

    op.drop_table("dial_attempts")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_number"))
        batch_op.drop_index("ix_leads_list_order")

    op.drop_table("leads")
    with op.batch_alter_table("lead_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_imports_campaign_id"))

    op.drop_table("lead_imports")
    with op.batch_alter_table("lead_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_lists_campaign_id"))

    op.drop_table("lead_lists")
    with op.batch_alter_table("dnc_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dnc_entries_number"))

    op.drop_table("dnc_entries")
    op.drop_table("campaigns")
