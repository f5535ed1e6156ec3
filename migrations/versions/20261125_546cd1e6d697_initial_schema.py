"""initial schema

Revision ID: 546cd1e6d697
Revises: 
Create Date: 2026-11-25 14:43:57.487452

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '546cd1e6d697'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coaching_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('content_md', sa.Text(), nullable=False),
    sa.Column('quiz', sa.JSON(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_modules')),
    sa.UniqueConstraint('slug', name=op.f('uq_coaching_modules_slug'))
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_email'), ['email'], unique=False)

    op.create_table('recordings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('format', sa.String(length=32), nullable=False),
    sa.Column('channels', sa.Integer(), nullable=True),
    sa.Column('sample_rate', sa.Integer(), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recordings')),
    sa.UniqueConstraint('sha256', name=op.f('uq_recordings_sha256')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_recordings_storage_key'))
    )
    op.create_table('rubrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubrics')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_rubrics_name'))
    )
    op.create_table('taxonomies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='taxonomystatus', native_enum=False, length=16), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomies')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_taxonomies_name'))
    )
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name'))
    )
    op.create_table('agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('employee_ref', sa.String(length=64), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_agents_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agents')),
    sa.UniqueConstraint('employee_ref', name=op.f('uq_agents_employee_ref'))
    )
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agents_team_id'), ['team_id'], unique=False)

    op.create_table('criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('section', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('na_allowed', sa.Boolean(), nullable=False),
    sa.Column('is_critical', sa.Boolean(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('guidance', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubrics.id'], name=op.f('fk_criteria_rubric_id_rubrics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criteria')),
    sa.UniqueConstraint('rubric_id', 'key', name=op.f('uq_criteria_rubric_id'))
    )
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criteria_rubric_id'), ['rubric_id'], unique=False)

    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('taxonomy_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('examples', sa.JSON(), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['tags.id'], name=op.f('fk_tags_parent_id_tags')),
    sa.ForeignKeyConstraint(['taxonomy_id'], ['taxonomies.id'], name=op.f('fk_tags_taxonomy_id_taxonomies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('taxonomy_id', 'key', name=op.f('uq_tags_taxonomy_id'))
    )
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tags_taxonomy_id'), ['taxonomy_id'], unique=False)

    op.create_table('interactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('voice', 'chat', 'email', 'social', name='channel', native_enum=False, length=16), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('customer_ref', sa.String(length=120), nullable=True),
    sa.Column('queue', sa.String(length=120), nullable=True),
    sa.Column('direction', sa.Enum('inbound', 'outbound', name='direction', native_enum=False, length=16), nullable=False),
    sa.Column('external_id', sa.String(length=120), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('status', sa.Enum('received', 'transcribing', 'transcribed', 'scoring', 'ready', 'failed', name='status', native_enum=False, length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('recording_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('ai_total', sa.Float(), nullable=True),
    sa.Column('ai_auto_fail', sa.Boolean(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('scored_rubric_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_interactions_agent_id_agents')),
    sa.ForeignKeyConstraint(['recording_id'], ['recordings.id'], name=op.f('fk_interactions_recording_id_recordings')),
    sa.ForeignKeyConstraint(['scored_rubric_id'], ['rubrics.id'], name=op.f('fk_interactions_scored_rubric_id_rubrics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interactions')),
    sa.UniqueConstraint('external_id', name=op.f('uq_interactions_external_id'))
    )
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interactions_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_ai_total'), ['ai_total'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_customer_ref'), ['customer_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_recording_id'), ['recording_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_started_at'), ['started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_status'), ['status'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'reviewer', 'trainer', 'agent', name='role', native_enum=False, length=16), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('is_active_user', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_users_agent_id_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('agent_id', name=op.f('uq_users_agent_id')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('key_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_keys_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_user_id'), ['user_id'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('assigned', 'in_progress', 'completed', 'overdue', name='assignmentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_assignments_agent_id_agents')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['module_id'], ['coaching_modules.id'], name=op.f('fk_assignments_module_id_coaching_modules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_module_id'), ['module_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('request_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_created_at'), ['created_at'], unique=False)

    op.create_table('calibration_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revealed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_calibration_sessions_interaction_id_interactions')),
    sa.ForeignKeyConstraint(['lead_id'], ['users.id'], name=op.f('fk_calibration_sessions_lead_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_sessions'))
    )
    with op.batch_alter_table('calibration_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_sessions_interaction_id'), ['interaction_id'], unique=False)

    op.create_table('coaching_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('action_items', sa.JSON(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_coaching_sessions_agent_id_agents')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_coaching_sessions_coach_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_sessions'))
    )
    with op.batch_alter_table('coaching_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_sessions_agent_id'), ['agent_id'], unique=False)

    op.create_table('review_queues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_review_queues_reviewer_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_review_queues_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_queues'))
    )
    with op.batch_alter_table('review_queues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_queues_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_queues_team_id'), ['team_id'], unique=False)

    op.create_table('score_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_score_suggestions_criterion_id_criteria')),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_score_suggestions_interaction_id_interactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_suggestions')),
    sa.UniqueConstraint('interaction_id', 'criterion_id', name=op.f('uq_score_suggestions_interaction_id'))
    )
    with op.batch_alter_table('score_suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_suggestions_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_suggestions_interaction_id'), ['interaction_id'], unique=False)

    op.create_table('transcripts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('engine', sa.String(length=40), nullable=False),
    sa.Column('model', sa.String(length=120), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('speaker_mode', sa.String(length=16), nullable=False),
    sa.Column('agent_channel_confidence', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_transcripts_interaction_id_interactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transcripts')),
    sa.UniqueConstraint('interaction_id', name=op.f('uq_transcripts_interaction_id'))
    )
    op.create_table('calibration_participants',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['calibration_sessions.id'], name=op.f('fk_calibration_participants_session_id_calibration_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calibration_participants_user_id_users')),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_calibration_participants'))
    )
    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('calibration_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'acknowledged', 'disputed', 'resolved', name='evaluationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('auto_fail', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('private_note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['calibration_id'], ['calibration_sessions.id'], name=op.f('fk_evaluations_calibration_id_calibration_sessions')),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_evaluations_interaction_id_interactions')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_evaluations_reviewer_id_users')),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubrics.id'], name=op.f('fk_evaluations_rubric_id_rubrics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations'))
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluations_interaction_id'), ['interaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_status'), ['status'], unique=False)

    op.create_table('quiz_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_quiz_attempts_assignment_id_assignments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempts'))
    )
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_attempts_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('sampling_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['queue_id'], ['review_queues.id'], name=op.f('fk_sampling_rules_queue_id_review_queues')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_sampling_rules_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sampling_rules'))
    )
    with op.batch_alter_table('sampling_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sampling_rules_queue_id'), ['queue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sampling_rules_team_id'), ['team_id'], unique=False)

    op.create_table('segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transcript_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('speaker', sa.Enum('agent', 'customer', 'unknown', name='speaker', native_enum=False, length=16), nullable=False),
    sa.Column('start_s', sa.Float(), nullable=False),
    sa.Column('end_s', sa.Float(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('redacted_text', sa.Text(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('words', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'], name=op.f('fk_segments_transcript_id_transcripts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segments')),
    sa.UniqueConstraint('transcript_id', 'position', name=op.f('uq_segments_transcript_id'))
    )
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segments_transcript_id'), ['transcript_id'], unique=False)

    op.create_table('assignment_evaluations',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_assignment_evaluations_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_assignment_evaluations_evaluation_id_evaluations')),
    sa.PrimaryKeyConstraint('assignment_id', 'evaluation_id', name=op.f('pk_assignment_evaluations'))
    )
    op.create_table('coaching_moments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('at_s', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_coaching_moments_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_coaching_moments_interaction_id_interactions')),
    sa.ForeignKeyConstraint(['session_id'], ['coaching_sessions.id'], name=op.f('fk_coaching_moments_session_id_coaching_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_moments'))
    )
    with op.batch_alter_table('coaching_moments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_moments_session_id'), ['session_id'], unique=False)

    op.create_table('evaluation_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('is_na', sa.Boolean(), nullable=False),
    sa.Column('ai_score', sa.Float(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('moment_s', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_evaluation_items_criterion_id_criteria')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_items_evaluation_id_evaluations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_items')),
    sa.UniqueConstraint('evaluation_id', 'criterion_id', name=op.f('uq_evaluation_items_evaluation_id'))
    )
    with op.batch_alter_table('evaluation_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_items_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('queue_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('draw_seed', sa.BigInteger(), nullable=True),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_queue_entries_interaction_id_interactions')),
    sa.ForeignKeyConstraint(['queue_id'], ['review_queues.id'], name=op.f('fk_queue_entries_queue_id_review_queues')),
    sa.ForeignKeyConstraint(['rule_id'], ['sampling_rules.id'], name=op.f('fk_queue_entries_rule_id_sampling_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_entries')),
    sa.UniqueConstraint('queue_id', 'interaction_id', name=op.f('uq_queue_entries_queue_id'))
    )
    with op.batch_alter_table('queue_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_entries_interaction_id'), ['interaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_entries_queue_id'), ['queue_id'], unique=False)

    op.create_table('segment_embeddings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=120), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_segment_embeddings_segment_id_segments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segment_embeddings')),
    sa.UniqueConstraint('segment_id', 'model', name=op.f('uq_segment_embeddings_segment_id'))
    )
    with op.batch_alter_table('segment_embeddings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segment_embeddings_segment_id'), ['segment_id'], unique=False)

    op.create_table('disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'accepted', 'declined', name='disputestatus', native_enum=False, length=16), nullable=False),
    sa.Column('resolution_note', sa.Text(), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_disputes_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['item_id'], ['evaluation_items.id'], name=op.f('fk_disputes_item_id_evaluation_items')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_disputes_raised_by_id_users')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_disputes_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disputes'))
    )
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disputes_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('tag_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.Integer(), nullable=True),
    sa.Column('segment_id', sa.Integer(), nullable=True),
    sa.Column('evaluation_item_id', sa.Integer(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(CASE WHEN interaction_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN segment_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN evaluation_item_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_tag_assignments_one_target')),
    sa.ForeignKeyConstraint(['evaluation_item_id'], ['evaluation_items.id'], name=op.f('fk_tag_assignments_evaluation_item_id_evaluation_items')),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], name=op.f('fk_tag_assignments_interaction_id_interactions')),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_tag_assignments_segment_id_segments')),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_tag_assignments_tag_id_tags')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag_assignments'))
    )
    with op.batch_alter_table('tag_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tag_assignments_interaction_id'), ['interaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tag_assignments_segment_id'), ['segment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tag_assignments_tag_id'), ['tag_id'], unique=False)



def downgrade():
    with op.batch_alter_table('tag_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tag_assignments_tag_id'))
        batch_op.drop_index(batch_op.f('ix_tag_assignments_segment_id'))
        batch_op.drop_index(batch_op.f('ix_tag_assignments_interaction_id'))

    op.drop_table('tag_assignments')
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disputes_evaluation_id'))

    op.drop_table('disputes')
    with op.batch_alter_table('segment_embeddings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segment_embeddings_segment_id'))

    op.drop_table('segment_embeddings')
    with op.batch_alter_table('queue_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_entries_queue_id'))
        batch_op.drop_index(batch_op.f('ix_queue_entries_interaction_id'))

    op.drop_table('queue_entries')
    with op.batch_alter_table('evaluation_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_items_evaluation_id'))

    op.drop_table('evaluation_items')
    with op.batch_alter_table('coaching_moments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_moments_session_id'))

    op.drop_table('coaching_moments')
    op.drop_table('assignment_evaluations')
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segments_transcript_id'))

    op.drop_table('segments')
    with op.batch_alter_table('sampling_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sampling_rules_team_id'))
        batch_op.drop_index(batch_op.f('ix_sampling_rules_queue_id'))

    op.drop_table('sampling_rules')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_attempts_assignment_id'))

    op.drop_table('quiz_attempts')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluations_status'))
        batch_op.drop_index(batch_op.f('ix_evaluations_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_evaluations_interaction_id'))

    op.drop_table('evaluations')
    op.drop_table('calibration_participants')
    op.drop_table('transcripts')
    with op.batch_alter_table('score_suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_suggestions_interaction_id'))
        batch_op.drop_index(batch_op.f('ix_score_suggestions_criterion_id'))

    op.drop_table('score_suggestions')
    with op.batch_alter_table('review_queues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_queues_team_id'))
        batch_op.drop_index(batch_op.f('ix_review_queues_reviewer_id'))

    op.drop_table('review_queues')
    with op.batch_alter_table('coaching_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_sessions_agent_id'))

    op.drop_table('coaching_sessions')
    with op.batch_alter_table('calibration_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_sessions_interaction_id'))

    op.drop_table('calibration_sessions')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_module_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_agent_id'))

    op.drop_table('assignments')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_user_id'))

    op.drop_table('api_keys')
    op.drop_table('users')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interactions_status'))
        batch_op.drop_index(batch_op.f('ix_interactions_started_at'))
        batch_op.drop_index(batch_op.f('ix_interactions_recording_id'))
        batch_op.drop_index(batch_op.f('ix_interactions_customer_ref'))
        batch_op.drop_index(batch_op.f('ix_interactions_ai_total'))
        batch_op.drop_index(batch_op.f('ix_interactions_agent_id'))

    op.drop_table('interactions')
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tags_taxonomy_id'))

    op.drop_table('tags')
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criteria_rubric_id'))

    op.drop_table('criteria')
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agents_team_id'))

    op.drop_table('agents')
    op.drop_table('teams')
    op.drop_table('taxonomies')
    op.drop_table('rubrics')
    op.drop_table('recordings')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_email'))
        batch_op.drop_index(batch_op.f('ix_login_attempts_created_at'))

    op.drop_table('login_attempts')
    op.drop_table('events')
    op.drop_table('coaching_modules')
