"""comments and notifications

Revision ID: 9c4e2b7a1d30
Revises: af9e020e8b62
Create Date: 2026-11-25 14:40:22.442338

"""
from alembic import op
import sqlalchemy as sa

import workspace.db


# revision identifiers, used by Alembic.
revision = '9c4e2b7a1d30'
down_revision = 'af9e020e8b62'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('notification_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_preference_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preference')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_preference_user_id_kind'))
    )
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('created_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', workspace.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('email_state', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_notification_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_notification_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_notification_event_id_user_id'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_email_state'), ['email_state'], unique=False)
        batch_op.create_index('ix_notification_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('comment_thread',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('paper_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=True),
    sa.Column('anchor_text', sa.Text(), nullable=True),
    sa.Column('anchor_index', sa.Integer(), nullable=True),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', workspace.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_comment_thread_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], name=op.f('fk_comment_thread_paper_id_paper'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_comment_thread_resolved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revision_id'], ['revision.id'], name=op.f('fk_comment_thread_revision_id_revision'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['section_id'], ['section.id'], name=op.f('fk_comment_thread_section_id_section'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_comment_thread_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_thread'))
    )
    with op.batch_alter_table('comment_thread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_thread_paper_id'), ['paper_id'], unique=False)
        batch_op.create_index('ix_comment_thread_section_id_status', ['section_id', 'status'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('created_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_at', workspace.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', workspace.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_comment_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['thread_id'], ['comment_thread.id'], name=op.f('fk_comment_thread_id_comment_thread'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_thread_id'), ['thread_id'], unique=False)

    op.create_table('suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('paper_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('base_revision_id', sa.Integer(), nullable=True),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', workspace.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_suggestion_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['base_revision_id'], ['revision.id'], name=op.f('fk_suggestion_base_revision_id_revision'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_suggestion_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], name=op.f('fk_suggestion_paper_id_paper'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revision_id'], ['revision.id'], name=op.f('fk_suggestion_revision_id_revision'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['section_id'], ['section.id'], name=op.f('fk_suggestion_section_id_section'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_suggestion_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion'))
    )
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_paper_id'), ['paper_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_section_id'), ['section_id'], unique=False)




def downgrade():
    
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_section_id'))
        batch_op.drop_index(batch_op.f('ix_suggestion_paper_id'))

    op.drop_table('suggestion')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_thread_id'))

    op.drop_table('comment')
    with op.batch_alter_table('comment_thread', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_thread_section_id_status')
        batch_op.drop_index(batch_op.f('ix_comment_thread_paper_id'))

    op.drop_table('comment_thread')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_id_read_at')
        batch_op.drop_index(batch_op.f('ix_notification_email_state'))

    op.drop_table('notification')
    op.drop_table('notification_preference')

