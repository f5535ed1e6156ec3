"""analytics: stored emerging-topics results, computed in the background

Revision ID: f1d2c3b4a5e6
Revises: e3c7d9a2b4f1
Create Date: 2026-11-25 18:55:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f1d2c3b4a5e6"
down_revision = "e3c7d9a2b4f1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "emerging_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("last", sa.Date(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("filters_key", sa.String(length=120), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emerging_snapshots")),
    )
    op.create_index(
        "ix_emerging_snapshots_key_computed", "emerging_snapshots", ["filters_key", "computed_at"]
    )


def downgrade():
    op.drop_index("ix_emerging_snapshots_key_computed", table_name="emerging_snapshots")
    op.drop_table("emerging_snapshots")
