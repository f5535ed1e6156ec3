"""tagging and analytics: taxonomy versions, tag decisions, packed segment embeddings,
tagging runs, interaction mood and source, event owner

Revision ID: ab1fd13dabc9
Revises: c0ac41a9e7b2
Create Date: 2026-11-25 17:14:41

"""

import sqlalchemy as sa
from alembic import op

revision = "ab1fd13dabc9"
down_revision = "c0ac41a9e7b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tagging_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taxonomy_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("backtest", "retag", name="runkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="runstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_tagging_runs_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["taxonomy_id"], ["taxonomies.id"], name=op.f("fk_tagging_runs_taxonomy_id_taxonomies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tagging_runs")),
    )
    with op.batch_alter_table("tagging_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tagging_runs_taxonomy_id"), ["taxonomy_id"], unique=False
        )

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_events_created_by_id_users"), "users", ["created_by_id"], ["id"]
        )

    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("author_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("mood_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("mood_label", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("mood_start", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("mood_end", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("mood_trajectory", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("mood_detail", sa.JSON(), nullable=False, server_default="{}")
        )
        batch_op.add_column(sa.Column("tagged_taxonomy_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("top_tag_confidence", sa.Float(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_interactions_mood_label"), ["mood_label"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_interactions_tagged_taxonomy_id_taxonomies"),
            "taxonomies",
            ["tagged_taxonomy_id"],
            ["id"],
        )

    # nothing was ever stored per segment (the app did not embed yet): replace the table
    op.drop_table("segment_embeddings")
    op.create_table(
        "segment_embeddings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("dims", sa.Integer(), nullable=False),
        sa.Column("positions", sa.JSON(), nullable=False),
        sa.Column("vectors", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_segment_embeddings_interaction_id_interactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_embeddings")),
        sa.UniqueConstraint(
            "interaction_id", "model", name=op.f("uq_segment_embeddings_interaction_id")
        ),
    )
    op.create_index(
        op.f("ix_segment_embeddings_interaction_id"), "segment_embeddings", ["interaction_id"]
    )

    with op.batch_alter_table("tag_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("taxonomy_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(), nullable=True))
        batch_op.create_index(
            "ix_tag_assignments_interaction_tag", ["interaction_id", "tag_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tag_assignments_taxonomy_id"), ["taxonomy_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_tag_assignments_taxonomy_id_taxonomies"),
            "taxonomies",
            ["taxonomy_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_tag_assignments_decided_by_id_users"), "users", ["decided_by_id"], ["id"]
        )

    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("negative_examples", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("is_retired", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("merged_into", sa.String(length=80), nullable=True))

    with op.batch_alter_table("taxonomies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("based_on_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_taxonomies_based_on_id_taxonomies"),
            "taxonomies",
            ["based_on_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_taxonomies_created_by_id_users"), "users", ["created_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("taxonomies", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_taxonomies_created_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_taxonomies_based_on_id_taxonomies"), type_="foreignkey"
        )
        batch_op.drop_column("published_at")
        batch_op.drop_column("created_by_id")
        batch_op.drop_column("note")
        batch_op.drop_column("based_on_id")

    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_column("merged_into")
        batch_op.drop_column("is_retired")
        batch_op.drop_column("negative_examples")

    with op.batch_alter_table("tag_assignments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_tag_assignments_decided_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_tag_assignments_taxonomy_id_taxonomies"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_tag_assignments_taxonomy_id"))
        batch_op.drop_index("ix_tag_assignments_interaction_tag")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by_id")
        batch_op.drop_column("taxonomy_id")

    op.drop_index(op.f("ix_segment_embeddings_interaction_id"), table_name="segment_embeddings")
    op.drop_table("segment_embeddings")
    op.create_table(
        "segment_embeddings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_segment_embeddings_segment_id_segments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_embeddings")),
        sa.UniqueConstraint("segment_id", "model", name=op.f("uq_segment_embeddings_segment_id")),
    )
    op.create_index(op.f("ix_segment_embeddings_segment_id"), "segment_embeddings", ["segment_id"])

    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_interactions_tagged_taxonomy_id_taxonomies"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_interactions_mood_label"))
        batch_op.drop_column("top_tag_confidence")
        batch_op.drop_column("tagged_taxonomy_id")
        batch_op.drop_column("mood_detail")
        batch_op.drop_column("mood_trajectory")
        batch_op.drop_column("mood_end")
        batch_op.drop_column("mood_start")
        batch_op.drop_column("mood_label")
        batch_op.drop_column("mood_score")
        batch_op.drop_column("author_hash")
        batch_op.drop_column("source")

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_events_created_by_id_users"), type_="foreignkey")
        batch_op.drop_column("created_by_id")
        batch_op.drop_column("description")

    with op.batch_alter_table("tagging_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tagging_runs_taxonomy_id"))

    op.drop_table("tagging_runs")
