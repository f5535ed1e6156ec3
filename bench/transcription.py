"""Transcription benchmark: RTF, WER, DER and peak memory per model and speaker mode.

Run from the repository root: ``.venv/bin/python bench/transcription.py [--models tiny.en base]``.
Reads the evaluation audio in ../shared/data; prints one table.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.transcription.tr_metrics import attribution, rttm, stm, wer  # noqa: E402
from transcription import TranscriptionSettings, asr, audio, transcribe  # noqa: E402
from transcription.models import resolve_model  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
JFK = (
    "And so, my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
SAMPLES = [
    ("jfk (speech)", DATA / "audio-whisper-jfk" / "jfk.flac", None, None),
    (
        "northwind stereo 16k",
        DATA / "synthetic-call-northwind" / "call_stereo_16k.wav",
        "call_ref.txt",
        "call_turns.rttm",
    ),
    (
        "northwind stereo 8k ulaw",
        DATA / "synthetic-call-northwind" / "call_stereo_8k_ulaw.wav",
        "call_ref.txt",
        "call_turns.rttm",
    ),
    (
        "northwind mono 8k ulaw",
        DATA / "synthetic-call-northwind" / "call_mono_8k_ulaw.wav",
        "call_ref.txt",
        "call_turns.rttm",
    ),
    (
        "pyannote sample (mono)",
        DATA / "audio-pyannote-sample" / "sample.wav",
        "sample.stm",
        "sample.rttm",
    ),
    ("osr harvard 8k", DATA / "audio-osr-8k-harvard" / "OSR_us_000_0034_8k.wav", None, None),
]
OSR = (
    "A gold ring will please most any girl. The long journey home took a year. "
    "She saw a cat in the neighbor's house. A pink shell was found on the sandy beach. "
    "Small children came to see him. The grass and bushes were wet with dew. "
    "The blind man counted his old coins. A severe storm tore down the barn. "
    "She called his name many times. When you hear the bell, come quickly."
)


def reference_text(path: Path, ref: str | None) -> str:
    if ref is None:
        return JFK if "jfk" in path.name else OSR
    if ref.endswith(".stm"):
        return " ".join(r[3] for r in stm(path.parent / ref))
    return (path.parent / ref).read_text()


def der_of(transcript, turns_path: Path) -> float:
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = Annotation(), Annotation()
    for speaker, start, end in rttm(turns_path):
        ref[Segment(start, end)] = speaker
    for seg in transcript.segments:
        hyp[Segment(seg.start, seg.end)] = seg.speaker
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return DiarizationErrorRate(collar=0.25, skip_overlap=False)(ref, hyp, detailed=False)


def batched_vs_sequential(model_dir: Path, path: Path) -> tuple[float, float, float]:
    """RTF of plain vs BatchedInferencePipeline decoding of one mono file."""
    from faster_whisper import BatchedInferencePipeline

    model = asr.load_whisper(model_dir)
    samples = audio.load(path)[0]
    duration = len(samples) / audio.SAMPLE_RATE
    start = time.perf_counter()
    segments, _ = model.transcribe(samples, beam_size=5, language="en", vad_filter=True)
    list(segments)
    sequential = time.perf_counter() - start
    start = time.perf_counter()
    segments, _ = BatchedInferencePipeline(model).transcribe(
        samples, beam_size=5, language="en", batch_size=8
    )
    list(segments)
    batched = time.perf_counter() - start
    return duration, sequential / duration, batched / duration


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="callqa-bench-"))
    print(
        f"{'model':8} {'sample':26} {'mode':9} {'RTF':>6} {'WER':>6} {'DER':>6} {'attr':>6}"
        f" {'peak MB':>8}"
    )
    for model in args.models:
        settings = TranscriptionSettings(model=model, instance_dir=instance)
        for name, path, ref, turns in SAMPLES:
            if not path.exists():
                print(f"{model:8} {name:26} missing {path}")
                continue
            started = time.perf_counter()
            transcript = transcribe(path, settings)
            rtf = (time.perf_counter() - started) / transcript.audio.duration
            error = wer(reference_text(path, ref), transcript.text)
            der = attr = float("nan")
            if turns:
                der = der_of(transcript, path.parent / turns)
                labels = {"speaker90": "customer", "speaker91": "agent"}
                named = [(labels.get(s, s), a, b) for s, a, b in rttm(path.parent / turns)]
                attr = attribution(transcript, named) if "northwind" in name else float("nan")
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{model:8} {name:26} {transcript.speaker_mode:9} {rtf:6.3f} {error:6.1%} "
                f"{der:6.1%} {attr:6.1%} {peak:8.0f}"
            )
        _, model_dir = resolve_model(model, instance)
        dur, seq, bat = batched_vs_sequential(
            model_dir, DATA / "synthetic-call-northwind" / "call_mono_8k_ulaw.wav"
        )
        print(
            f"{model:8} {'northwind mono, ASR only':26} seq RTF {seq:.3f} | "
            f"batched(8) RTF {bat:.3f} | x{seq / bat:.2f}"
        )


if __name__ == "__main__":
    main()
