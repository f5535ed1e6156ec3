"""Embedded diarization on real speech (DER with pyannote.metrics) and pyannote conversion."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from pyannote.core import Annotation
from pyannote.core import Segment as Span

from tests.conftest import shared_data
from tests.transcription.tr_metrics import rttm, stm, wer
from transcription import audio, transcribe
from transcription.diarize import EmbeddedDiarizer, cluster, from_annotation
from transcription.features import mel_filters, mel_power


def annotation(turns) -> Annotation:
    result = Annotation()
    for speaker, start, end in turns:
        result[Span(start, end)] = speaker
    return result


def der(reference, hypothesis) -> float:
    from pyannote.metrics.diarization import DiarizationErrorRate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # uem approximated from the two annotations
        return DiarizationErrorRate(collar=0.25, skip_overlap=False)(reference, hypothesis)


def test_mel_filters_are_triangles_in_order():
    filters = mel_filters()
    assert filters.shape == (40, 201)
    peaks = filters.argmax(axis=1)
    assert np.all(np.diff(peaks) >= 0)
    assert 7000 <= peaks[-1] * 40 < 8000  # the top band centres below Nyquist
    tone = np.sin(2 * np.pi * 1000 * np.arange(16000) / 16000).astype(np.float32)
    band = mel_power(tone).mean(axis=0).argmax()
    assert abs(filters[band].argmax() * 40 - 1000) <= 80


def test_cluster_separates_two_groups():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=256), rng.normal(size=256)
    vectors = np.stack(
        [a + rng.normal(scale=0.3, size=256) for _ in range(5)]
        + [b + rng.normal(scale=0.3, size=256) for _ in range(4)]
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert cluster(vectors, 2).tolist() == [0] * 5 + [1] * 4


@pytest.mark.models
def test_der_on_pyannote_sample():
    samples = audio.load(shared_data("audio-pyannote-sample", "sample.wav"))[0]
    diarizer = EmbeddedDiarizer()
    diarizer.add(samples[: 16000 * 15], 0.0)  # two chunks, clustered together at the end
    diarizer.add(samples[16000 * 15 :], 15.0)
    hypothesis = annotation((t.speaker, t.start, t.end) for t in diarizer.turns())
    reference = annotation(rttm(shared_data("audio-pyannote-sample", "sample.rttm")))
    assert der(reference, hypothesis) < 0.25


@pytest.mark.models
def test_pyannote_sample_wer_and_speakers(base):
    transcript = transcribe(shared_data("audio-pyannote-sample", "sample.wav"), base)
    reference = stm(shared_data("audio-pyannote-sample", "sample.stm"))
    assert wer(" ".join(r[3] for r in reference), transcript.text) < 0.20
    assert transcript.speaker_mode == "embedded"
    assert {s.speaker for s in transcript.segments} == {"agent", "customer"}
    assert transcript.model == "base"


def test_annotation_conversion_renames_by_first_appearance():
    source = Annotation()
    source[Span(5.0, 7.0)] = "SPEAKER_01"
    source[Span(1.0, 4.0)] = "SPEAKER_00"
    source[Span(4.5, 5.5), "overlap"] = "SPEAKER_01"
    turns = from_annotation(source)
    assert [(t.speaker, t.start, t.end) for t in turns] == [
        ("speaker_0", 1.0, 4.0),
        ("speaker_1", 4.5, 5.5),
        ("speaker_1", 5.0, 7.0),
    ]
