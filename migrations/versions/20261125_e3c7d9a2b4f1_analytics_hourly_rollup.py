"""analytics: hourly pre-aggregated counts per channel, queue and tag, with mood and score
aggregates, and the refresh watermark

Revision ID: e3c7d9a2b4f1
Revises: b5e2f1a90c11
Create Date: 2026-11-25 17:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e3c7d9a2b4f1"
down_revision = "b5e2f1a90c11"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "analytics_hourly",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("queue", sa.String(length=120), nullable=False),
        sa.Column("taxonomy_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("interactions", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("mood_sum", sa.Float(), nullable=False),
        sa.Column("better", sa.Integer(), nullable=False),
        sa.Column("worse", sa.Integer(), nullable=False),
        sa.Column("same", sa.Integer(), nullable=False),
        sa.Column("ai_n", sa.Integer(), nullable=False),
        sa.Column("ai_sum", sa.Float(), nullable=False),
        sa.Column("ai_sq", sa.Float(), nullable=False),
        sa.Column("review_n", sa.Integer(), nullable=False),
        sa.Column("review_sum", sa.Float(), nullable=False),
        sa.Column("review_sq", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_hourly")),
        sa.UniqueConstraint(
            "hour",
            "channel",
            "queue",
            "taxonomy_id",
            "tag_id",
            name=op.f("uq_analytics_hourly_hour"),
        ),
    )
    op.create_index("ix_analytics_hourly_tag_hour", "analytics_hourly", ["tag_id", "hour"])
    op.create_index("ix_analytics_hourly_queue", "analytics_hourly", ["queue"])
    op.create_table(
        "analytics_rollup_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_rollup_state")),
    )


def downgrade():
    op.drop_table("analytics_rollup_state")
    op.drop_index("ix_analytics_hourly_queue", table_name="analytics_hourly")
    op.drop_index("ix_analytics_hourly_tag_hour", table_name="analytics_hourly")
    op.drop_table("analytics_hourly")
