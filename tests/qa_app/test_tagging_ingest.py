"""Tags and mood at ingest, through the real pipeline too, and the re-tag of stored history."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from flask import Flask
from sqlalchemy import func, select

import scoring
from qa_app.auth.models import Role
from qa_app.calls.models import Interaction, Status
from qa_app.extensions import db
from qa_app.reviews.suggestions import store_rubric
from qa_app.tagging import ingest
from qa_app.tagging.library import store_taxonomy, unpack_vectors
from qa_app.tagging.models import (
    AssignmentState,
    SegmentEmbeddings,
    Tag,
    TagAssignment,
    Taxonomy,
    TaxonomyStatus,
)
from qa_app.tasks import run_scoring, run_transcription
from qa_app.timeutil import utcnow
from scoring import encoder
from tests.factories import make_interaction, make_user
from tests.qa_app.calls_helpers import (
    STEREO,
    SentJobs,
    ingest_bytes,
    library_transcript,
    sent_fixture,  # noqa: F401  (the `sent` fixture)
)
from tests.qa_app.test_calls_pipeline import fake

DOUBLE_CHARGE = (
    ("agent", "Northwind billing, how can I help?"),
    ("customer", "I was charged twice for my invoice, card 4111 1111 1111 1111, and I'm angry."),
    ("agent", "Sorry about that, I have refunded the second payment."),
    ("customer", "Great, thank you so much, that's perfect."),
)


def _publish(version: str = "v1", spec: scoring.Taxonomy | None = None) -> Taxonomy:
    for old in db.session.scalars(
        select(Taxonomy).where(Taxonomy.status == TaxonomyStatus.PUBLISHED)
    ):
        old.status = TaxonomyStatus.SUPERSEDED
    return store_taxonomy(
        spec or scoring.demo_taxonomy(),
        name="Northwind",
        version=version,
        status=TaxonomyStatus.PUBLISHED,
    )


def _redact(interaction: Interaction) -> None:
    for segment in interaction.transcript.segments:
        segment.redacted_text = scoring.redact_text(segment.text).text
    db.session.flush()


def _assignments(interaction: Interaction) -> dict[str, TagAssignment]:
    rows = db.session.scalars(
        select(TagAssignment).where(TagAssignment.interaction_id == interaction.id)
    )
    return {f"{a.taxonomy_id}:{a.tag.key}": a for a in rows}


def _keys(interaction: Interaction, taxonomy: Taxonomy) -> set[str]:
    return {
        a.tag.key
        for a in _assignments(interaction).values()
        if a.taxonomy_id == taxonomy.id and a.state is not AssignmentState.REJECTED
    }


def test_tags_evidence_and_mood_are_stored_with_the_version(app: Flask) -> None:
    with app.app_context():
        taxonomy = _publish()
        call = make_interaction(turns=DOUBLE_CHARGE)
        _redact(call)
        assert ingest.analyse_interaction(call) is True

        stored = db.session.scalar(select(SegmentEmbeddings))
        assert stored.interaction_id == call.id and stored.model == encoder.model_name()
        assert stored.positions == [0, 1, 2, 3]
        vectors = unpack_vectors(stored)
        assert vectors.shape == (4, encoder.DIMENSIONS)
        again = encoder.encode([DOUBLE_CHARGE[1][1]])[0]
        assert float(vectors[1] @ again) > 0.999  # float16 storage, same vector

        tags = _assignments(call)
        billing = tags[f"{taxonomy.id}:billing_error"]
        assert billing.state is AssignmentState.SUGGESTED and billing.source == "auto"
        assert 0.5 <= billing.confidence <= 1
        [evidence] = [e for e in billing.evidence if e["segment"] == 1]
        segment = call.transcript.segments[1]
        assert evidence["segment_id"] == segment.id
        assert "4111" not in evidence["quote"] and evidence["quote"] == segment.redacted_text
        assert "charged twice" in evidence["why"]
        db.session.refresh(call)
        assert call.tagged_taxonomy_id == taxonomy.id
        assert call.top_tag_confidence == pytest.approx(max(a.confidence for a in tags.values()))

        assert call.mood_label in {"negative", "neutral", "positive"}
        assert call.mood_start == "negative" and call.mood_end == "positive"
        assert call.mood_trajectory == "better"
        detail = call.mood_detail
        assert detail["lowest"]["segment"] == 1
        assert detail["agent"]["label"] in {"negative", "neutral", "positive"}
        assert [t["segment"] for t in detail["turns"]] == [0, 1, 2, 3]
        assert detail["changes"] and all("4111" not in c["quote"] for c in detail["changes"])


def test_analysing_again_reuses_the_vectors_and_replaces_suggestions(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        _publish()
        call = make_interaction(turns=DOUBLE_CHARGE)
        ingest.analyse_interaction(call)
        before = {k: a.id for k, a in _assignments(call).items()}
        encoded: list[str] = []
        real = encoder.encode

        def counting(texts: Sequence[str]) -> np.ndarray:
            encoded.extend(texts)
            return real(texts)

        monkeypatch.setattr(encoder, "encode", counting)
        ingest.analyse_interaction(call)
        assert encoded == []
        after = _assignments(call)
        assert set(after) == set(before)  # same tags, fresh rows, never duplicated
        assert db.session.scalar(select(func.count()).select_from(SegmentEmbeddings)) == 1


def test_without_a_published_taxonomy_mood_is_still_measured(app: Flask) -> None:
    with app.app_context():
        call = make_interaction(turns=DOUBLE_CHARGE)
        ingest.analyse_interaction(call)
        assert call.mood_label is not None and call.mood_trajectory == "better"
        assert call.tagged_taxonomy_id is None
        assert db.session.scalar(select(func.count()).select_from(TagAssignment)) == 0


def test_retag_keeps_reviewer_decisions_and_never_encodes_history(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        first = _publish()
        reviewer = make_user(Role.REVIEWER)
        calls = [make_interaction(turns=DOUBLE_CHARGE) for _ in range(3)]
        tech = make_interaction(
            turns=(("agent", "Support."), ("customer", "My internet keeps dropping every night."))
        )
        ingest.analyse_interactions([*calls, tech])
        confirmed = _assignments(calls[0])[f"{first.id}:billing_error"]
        confirmed.state, confirmed.decided_by_id = AssignmentState.CONFIRMED, reviewer.id
        confirmed.decided_at = utcnow()
        rejected = _assignments(calls[1])[f"{first.id}:billing_error"]
        rejected.state, rejected.decided_by_id = AssignmentState.REJECTED, reviewer.id
        rejected.decided_at = utcnow()
        db.session.flush()

        spec = scoring.taxonomy_to_dict(scoring.demo_taxonomy())
        spec["version"] = "v2"
        for tag in spec["tags"]:
            if tag["key"] == "connection_problem":
                tag.pop("rule", None)  # the draft relies on examples only now
        second = _publish("v2", scoring.taxonomy_from_dict(spec))

        history = {t for c in [*calls, tech] for s in c.transcript.segments for t in [s.text]}
        real = encoder.encode

        def refuse_history(texts: Sequence[str]) -> np.ndarray:
            assert not history & set(texts), "history was re-encoded"
            return real(texts)

        monkeypatch.setattr(encoder, "encode", refuse_history)
        steps: list[tuple[str, int, int]] = []
        assert ingest.retag_history(second, lambda *a: steps.append(a), batch_size=2) == 4
        assert steps[0] == ("retag", 0, 4) and steps[-1] == ("retag", 4, 4)
        assert len(steps) == 3  # two batches of two

        # the reviewers' own rows stay, and their decisions carry over to the new version
        assert db.session.get(TagAssignment, confirmed.id).state is AssignmentState.CONFIRMED
        assert db.session.get(TagAssignment, rejected.id).state is AssignmentState.REJECTED
        carried = _assignments(calls[0])[f"{second.id}:billing_error"]
        assert carried.state is AssignmentState.CONFIRMED and carried.decided_by_id == reviewer.id
        assert _assignments(calls[1])[f"{second.id}:billing_error"].state is (
            AssignmentState.REJECTED
        )
        # undecided suggestions of the old version are gone, the new version's are there
        assert _keys(calls[2], first) == set()
        assert "billing_error" in _keys(calls[2], second)
        assert "connection_problem" in _keys(tech, second)
        for call in [*calls, tech]:
            db.session.refresh(call)
            assert call.tagged_taxonomy_id == second.id


def test_the_pipeline_tags_and_measures_mood_after_scoring(app: Flask, sent: SentJobs) -> None:
    with app.app_context():
        store_rubric(scoring.default_rubric(), activate=True)
        taxonomy = _publish()
        job = ingest_bytes(app, STEREO.read_bytes())
        db.session.commit()
        run_transcription(job.interaction_id, job.job_id, fake(library_transcript(*DOUBLE_CHARGE)))
        assert run_scoring(job.interaction_id, sent[0].job_id) == "ready"
        call = db.session.get(Interaction, job.interaction_id)
        assert call.status is Status.READY and call.error is None
        assert call.tagged_taxonomy_id == taxonomy.id and call.mood_trajectory == "better"
        assert "billing_error" in _keys(call, taxonomy)
        quotes = [e["quote"] for a in _assignments(call).values() for e in a.evidence]
        assert quotes and not any("4111 1111" in q for q in quotes)


def test_a_tagging_failure_is_noted_and_the_call_is_still_ready(app: Flask, sent: SentJobs) -> None:
    with app.app_context():
        store_rubric(scoring.default_rubric(), activate=True)
        broken = Taxonomy(name="Broken", version="x", status=TaxonomyStatus.PUBLISHED, kinds=["k"])
        broken.tags.append(Tag(key="empty", name="Empty", kind="k", examples=[]))
        db.session.add(broken)
        job = ingest_bytes(app, STEREO.read_bytes())
        db.session.commit()
        run_transcription(job.interaction_id, job.job_id, fake(library_transcript(*DOUBLE_CHARGE)))
        assert run_scoring(job.interaction_id, sent[0].job_id) == "ready"
        call = db.session.get(Interaction, job.interaction_id)
        assert call.status is Status.READY
        assert call.error.startswith("not tagged: TaxonomyError")
        assert call.ai_total is not None  # the scores survived the failed tagging
        assert db.session.scalar(select(func.count()).select_from(TagAssignment)) == 0
