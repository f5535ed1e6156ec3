"""interaction job id (processing pipeline)

Revision ID: 7c1e9a4b2d30
Revises: 546cd1e6d697
Create Date: 2026-11-25 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1e9a4b2d30'
down_revision = '546cd1e6d697'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_id', sa.String(length=36), nullable=True))


def downgrade():
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_column('job_id')
