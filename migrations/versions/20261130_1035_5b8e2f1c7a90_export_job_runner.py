"""export job runner: which process runs a job, so that a dead one's job fails at once

Revision ID: 5b8e2f1c7a90
Revises: 3d1541d784a7
Create Date: 2026-11-30 10:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b8e2f1c7a90'
down_revision = '3d1541d784a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('runner', sa.String(length=200), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_column('runner')
