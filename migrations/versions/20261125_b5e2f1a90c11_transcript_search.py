"""review workflow: full-text search over redacted transcripts, a moment for the overall comment

SQLite: an FTS5 external-content table over ``segments.redacted_text`` kept in sync by three
triggers. PostgreSQL: a stored generated column ``redacted_tsv`` =
``to_tsvector('english', redacted_text)`` with a GIN index. A plain expression index was tried
first: it finds rows, but every match check outside the index and every rank recomputes
``to_tsvector`` (about 20 us a line): 2.4 s to find 1,000 calls saying "roaming" among 100,000
calls / 2M lines, 0.2 s with the stored vector. None of this is a model object;
``qa_app.reviews.search.include_object`` keeps it out of the autogenerate drift check.

Revision ID: b5e2f1a90c11
Revises: ab1fd13dabc9
Create Date: 2026-11-25 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e2f1a90c11'
down_revision = 'ab1fd13dabc9'
branch_labels = None
depends_on = None

SQLITE_UP = (
    # porter: "refunds" finds "refund", as the english configuration does on PostgreSQL
    "CREATE VIRTUAL TABLE segments_fts USING fts5(redacted_text, content='segments', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "INSERT INTO segments_fts(segments_fts) VALUES ('rebuild')",
    "CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN "
    "INSERT INTO segments_fts(rowid, redacted_text) VALUES (new.id, new.redacted_text); END",
    "CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN "
    "INSERT INTO segments_fts(segments_fts, rowid, redacted_text) "
    "VALUES ('delete', old.id, old.redacted_text); END",
    "CREATE TRIGGER segments_fts_update AFTER UPDATE OF redacted_text ON segments BEGIN "
    "INSERT INTO segments_fts(segments_fts, rowid, redacted_text) "
    "VALUES ('delete', old.id, old.redacted_text); "
    "INSERT INTO segments_fts(rowid, redacted_text) VALUES (new.id, new.redacted_text); END",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS segments_fts_update",
    "DROP TRIGGER IF EXISTS segments_fts_delete",
    "DROP TRIGGER IF EXISTS segments_fts_insert",
    "DROP TABLE IF EXISTS segments_fts",
)
PG_UP = (
    "ALTER TABLE segments ADD COLUMN redacted_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', redacted_text)) STORED",
    "CREATE INDEX ix_segments_redacted_tsv ON segments USING gin (redacted_tsv)",
)
PG_DOWN = (
    "DROP INDEX IF EXISTS ix_segments_redacted_tsv",
    "ALTER TABLE segments DROP COLUMN IF EXISTS redacted_tsv",
)


def upgrade():
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_moment_s', sa.Float(), nullable=True))
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == 'sqlite' else PG_UP if dialect == 'postgresql' else ():
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in (
        SQLITE_DOWN if dialect == 'sqlite' else PG_DOWN if dialect == 'postgresql' else ()
    ):
        op.execute(statement)
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_column('comment_moment_s')
