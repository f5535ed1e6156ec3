"""The app's tagger adapts to a fixed, deterministic sample of customer history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import numpy as np
import pytest
from flask import Flask

import scoring
from qa_app.extensions import db
from qa_app.tagging import ingest
from qa_app.tagging.adaptation import MIN_INTERACTIONS, adaptation_sample, sample_signature
from qa_app.tagging.backtest import backtest_draft
from qa_app.tagging.history import iter_history
from qa_app.tagging.library import store_taxonomy, to_library
from qa_app.tagging.models import TaxonomyStatus
from qa_app.timeutil import utcnow
from tests.factories import make_interaction

TAXONOMY = {
    "version": "adapt-1",
    "kinds": ["complaint"],
    "tags": [
        {
            "key": "billing",
            "name": "Billing",
            "kind": "complaint",
            "examples": ["my bill is wrong", "I was charged twice", "the invoice is too high"],
        },
        {
            "key": "broadband",
            "name": "Broadband",
            "kind": "complaint",
            "examples": ["my internet keeps dropping", "the wifi is down", "slow connection"],
        },
    ],
}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August"]
N_HISTORY = MIN_INTERACTIONS + 40
START = utcnow().replace(microsecond=0) - timedelta(days=30)


def _line(n: int) -> str:
    """A distinct customer line per interaction (real history is not templated)."""
    month = MONTHS[n % len(MONTHS)]
    if n % 2:
        return f"My {month} bill shows {n} pounds more than it should, I was overcharged"
    return f"Since {month} {n} the broadband drops about {n % 17 + 2} times every evening"


@pytest.fixture(autouse=True)
def context(app: Flask) -> Iterator[None]:
    with app.app_context():
        ingest._taggers.clear()
        yield
        ingest._taggers.clear()


def _history(count: int) -> None:
    """``count`` interactions an hour apart from START, plus one-piece posts, embedded."""
    interactions = []
    for n in range(count):
        if n % 10 == 9:  # a one-piece text: counts as customer whatever its speaker
            turns: tuple[tuple[str, str], ...] = (("unknown", _line(n)),)
        else:
            turns = (("agent", f"Northwind, this is agent {n % 7}."), ("customer", _line(n)))
        interaction = make_interaction(turns=turns)
        interaction.created_at = START + timedelta(hours=n)
        interactions.append(interaction)
    db.session.flush()
    ingest.embed_interactions(interactions)
    db.session.commit()


def test_the_sample_is_deterministic_and_respects_cutoff_limit_and_minimum() -> None:
    _history(N_HISTORY)
    cutoff = START + timedelta(hours=N_HISTORY - 20)  # the last 20 are created after it

    sample = adaptation_sample(cutoff)
    assert sample is not None and sample.dtype == np.float32
    # one row per interaction: its customer line (a one-piece text included), no agent turns
    assert sample.shape == (N_HISTORY - 20, 384)
    again = adaptation_sample(cutoff)
    assert again is not None and np.array_equal(sample, again)

    # the latest ``limit`` by id: the first rows dropped, the rest unchanged
    limited = adaptation_sample(cutoff, limit=MIN_INTERACTIONS)
    assert limited is not None
    assert np.array_equal(limited, sample[-MIN_INTERACTIONS:])

    # below the minimum: no adaptation
    assert adaptation_sample(START + timedelta(hours=MIN_INTERACTIONS - 1)) is None
    assert adaptation_sample(cutoff, limit=MIN_INTERACTIONS - 1) is None

    # an interaction created after the cutoff changes nothing
    signature = sample_signature(cutoff)
    late = make_interaction(turns=(("customer", "A brand new complaint about my router"),))
    late.created_at = cutoff + timedelta(minutes=5)
    db.session.flush()
    ingest.embed_interactions([late])
    assert np.array_equal(adaptation_sample(cutoff), sample)
    assert sample_signature(cutoff) == signature

    # one from before the cutoff whose vectors are stored late (a backfill) joins the sample,
    # and the signature the app's tagger cache is keyed by moves with it
    backfilled = make_interaction(turns=(("customer", "The router was down all weekend"),))
    backfilled.created_at = START
    db.session.flush()
    assert sample_signature(cutoff) == signature
    ingest.embed_interactions([backfilled])
    assert sample_signature(cutoff) != signature
    grown = adaptation_sample(cutoff)
    assert grown is not None and len(grown) == len(sample) + 1


def test_templated_history_is_not_adapted_to() -> None:
    interactions = []
    for n in range(MIN_INTERACTIONS + 10):
        interaction = make_interaction(turns=(("customer", _line(n % 20)),))
        interaction.created_at = START + timedelta(hours=n)
        interactions.append(interaction)
    db.session.flush()
    ingest.embed_interactions(interactions)
    assert adaptation_sample(utcnow()) is None  # 210 interactions, 20 distinct texts


def _publish() -> object:
    taxonomy = store_taxonomy(
        scoring.taxonomy_from_dict(TAXONOMY),
        name="Adapt",
        version="adapt-1",
        status=TaxonomyStatus.PUBLISHED,
    )
    db.session.commit()
    return taxonomy


def _confidences(tagger: scoring.Tagger) -> np.ndarray:
    batches = list(iter_history())
    return np.concatenate([tagger.score(b.items, b.vectors).confidence for b in batches])


def test_the_apps_tagger_is_adapted_and_two_builds_agree() -> None:
    _history(N_HISTORY)
    taxonomy = _publish()
    plain = scoring.Tagger(to_library(taxonomy))

    tagger = ingest.tagger_for(taxonomy)
    assert tagger is not plain
    assert not np.allclose(tagger.prototypes.centroids, plain.prototypes.centroids)
    assert ingest.tagger_for(taxonomy) is tagger  # cached per version

    first = _confidences(tagger)
    ingest._taggers.clear()  # another process builds it from scratch
    rebuilt = ingest.tagger_for(taxonomy)
    assert rebuilt is not tagger
    assert np.array_equal(_confidences(rebuilt), first)
    assert not np.array_equal(_confidences(plain), first)


def test_a_small_history_keeps_the_plain_tagger() -> None:
    _history(20)
    taxonomy = _publish()
    plain = scoring.Tagger(to_library(taxonomy))
    tagger = ingest.tagger_for(taxonomy)
    assert np.allclose(tagger.prototypes.centroids, plain.prototypes.centroids)
    assert np.array_equal(_confidences(tagger), _confidences(plain))


def test_a_backtest_adapts_both_versions_to_one_sample() -> None:
    """The same content as draft and published moves nothing, adapted or not."""
    _history(N_HISTORY)
    published = _publish()
    draft = store_taxonomy(
        scoring.taxonomy_from_dict({**TAXONOMY, "version": "adapt-2"}),
        name="Adapt",
        version="adapt-2",
        status=TaxonomyStatus.DRAFT,
    )
    db.session.commit()
    result = backtest_draft(draft, published, cutoff=utcnow())
    assert result["items"] == N_HISTORY
    assert result["changes"] == []
