"""event.paper_id: the paper an event changed, indexed, so a paper's state is one lookup

Revision ID: 7d3c9a4e1f26
Revises: 5b8e2f1c7a90
Create Date: 2026-11-30 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d3c9a4e1f26'
down_revision = '5b8e2f1c7a90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_event_paper_id_id', ['paper_id', 'id'], unique=False)
    # Earlier events name their paper in the payload; presence changes do not count.
    if op.get_bind().dialect.name == "postgresql":
        paper = "(payload->>'paper_id')::integer"
    else:
        paper = "CAST(json_extract(payload, '$.paper_id') AS INTEGER)"
    op.execute(f"UPDATE event SET paper_id = {paper} WHERE verb <> 'presence-changed'")


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_paper_id_id')
        batch_op.drop_column('paper_id')
