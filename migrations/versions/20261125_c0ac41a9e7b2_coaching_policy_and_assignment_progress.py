"""coaching: auto-assign policy; assignment start, reminder and triggering interactions

Revision ID: c0ac41a9e7b2
Revises: 998352f01455
Create Date: 2026-11-25 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c0ac41a9e7b2"
down_revision = "998352f01455"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "coaching_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("is_auto_assign", sa.Boolean(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("last_n", sa.Integer(), nullable=False),
        sa.Column("min_evaluations", sa.Integer(), nullable=False),
        sa.Column("ai_weight", sa.Float(), nullable=False),
        sa.Column("due_days", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_coaching_policies_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_policies")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("trigger_interaction_ids", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("trigger_interaction_ids")
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("started_at")
    op.drop_table("coaching_policies")
