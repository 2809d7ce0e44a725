"""reporting: one row per contact and 15-minute interval roll-ups (queue, agent, channel,
disposition) of their tallies, and the incremental roll-up's watermark

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import contactcentre.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# routing.tally.Tally's fields as of this revision (frozen here: a migration never imports code
# that may change after it).
TALLY = (
    "queued",
    "answered",
    "answered_in_target",
    "answer_wait_ms",
    "abandoned",
    "abandoned_in_target",
    "abandon_wait_ms",
    "short_abandoned",
    "callbacks",
    "left_in_target",
    "handled",
    "talk_ms",
    "hold_ms",
    "acw_ms",
    "transferred",
    "rated",
    "satisfied",
    "effort_rated",
    "effort_sum",
    "first_responses",
    "first_response_ms",
    "next_responses",
    "next_response_ms",
    "resolved_contacts",
    "resolution_ms",
    "disposed",
    "resolved_first_contact",
    "callback_contacts",
    "callbacks_kept",
)
WHEN = contactcentre.store.types.UTCDateTime(timezone=True)


def _tally() -> list[sa.Column[int]]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in TALLY]


def _interval_table(name: str, *dims: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interval_start", WHEN, nullable=False),
        *dims,
        *_tally(),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(f"ix_{name}_interval", ["interval_start"], unique=False)


def upgrade() -> None:
    op.create_table(
        "report_contacts",
        sa.Column("interaction_id", sa.String(length=36), nullable=False),
        sa.Column("interval_start", WHEN, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("arrived_at", WHEN, nullable=True),
        sa.Column("queued_at", WHEN, nullable=True),
        sa.Column("left_at", WHEN, nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.Column("wait_ms", sa.BigInteger(), nullable=True),
        sa.Column("disposition", sa.String(length=40), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("ces", sa.Integer(), nullable=True),
        sa.Column("callback_for", sa.String(length=36), nullable=True),
        *_tally(),
        sa.PrimaryKeyConstraint("interaction_id", name=op.f("pk_report_contacts")),
    )
    with op.batch_alter_table("report_contacts", schema=None) as batch_op:
        batch_op.create_index("ix_report_contacts_interval", ["interval_start"], unique=False)
    _interval_table(
        "report_queue_intervals",
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
    )
    _interval_table(
        "report_agent_intervals",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
    )
    _interval_table(
        "report_channel_intervals",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
    )
    _interval_table(
        "report_disposition_intervals",
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("disposition", sa.String(length=40), nullable=False),
    )
    op.create_table(
        "report_watermarks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("gaps", sa.JSON(), nullable=False),
        sa.Column("rolled_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_report_watermarks")),
    )


def downgrade() -> None:
    op.drop_table("report_watermarks")
    for name in (
        "report_disposition_intervals",
        "report_channel_intervals",
        "report_agent_intervals",
        "report_queue_intervals",
        "report_contacts",
    ):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{name}_interval")
        op.drop_table(name)
