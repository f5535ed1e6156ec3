"""transcribe(): recording in, speaker-attributed Transcript out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from . import asr, audio
from .errors import TranscriptionError
from .merge import Labeled, Turn, assign_speakers, label_channel, split_pauses, to_segments
from .models import resolve_model
from .roles import guess_roles
from .settings import TranscriptionSettings
from .types import Role, SpeakerRoles, Transcript

__all__ = ["Progress", "transcribe"]

Progress = Callable[[str, float, float], None]
CHANNELS = ("left", "right")


class ChannelLayoutError(TranscriptionError):
    """``channels`` mode was asked for a recording without two distinct channels."""


def _noop(step: str, completed: float, total: float) -> None:
    return None


def choose_mode(settings: TranscriptionSettings, distinct_channels: bool) -> str:
    """Resolve ``auto``: channels when there are two different ones, else a diarizer."""
    if settings.speaker_mode == "channels" and not distinct_channels:
        raise ChannelLayoutError(
            "speaker mode 'channels' needs a stereo recording with one party per channel"
        )
    if settings.speaker_mode != "auto":
        return settings.speaker_mode
    if distinct_channels:
        return "channels"
    return "pyannote" if settings.pyannote_pipeline else "embedded"


def transcribe(
    path: str | Path,
    settings: TranscriptionSettings | None = None,
    progress: Progress | None = None,
    *,
    company_names: Sequence[str] = (),
) -> Transcript:
    """Transcribe a call and say who said what.

    :param progress: called as ``progress(step, completed, total)`` with seconds of audio.
    :param company_names: extra cues for finding the agent (who says the company's name).
    :raise TranscriptionError: bad input (see ``errors``) or an unusable model; the message is
        one line fit for a user.
    """
    settings = settings or TranscriptionSettings()
    report = progress or _noop
    path = Path(path)
    checked = audio.probe(path, settings.max_duration)
    mode = choose_mode(settings, checked.distinct_channels)
    model_name, model_dir = resolve_model(settings.model, settings.instance_dir)
    whisper = asr.load_whisper(model_dir, settings.compute_type, settings.cpu_threads)
    duration = checked.info.duration

    if mode == "channels":
        labeled, language = _by_channel(path, whisper, settings, report, duration)
        speakers: list[str] = list(CHANNELS)
    else:
        labeled, language = _diarized(path, whisper, settings, report, duration, mode)
        speakers = sorted({s.speaker for s in labeled} - {"unknown"})
    roles, decision = _roles(labeled, speakers, mode, settings, company_names)
    report("done", duration, duration)
    return Transcript(
        audio=checked.info,
        model=model_name,
        language=language or settings.language or "",
        speaker_mode=mode,
        segments=to_segments(labeled, roles),
        roles=decision,
    )


def _by_channel(
    path: Path,
    whisper: object,
    settings: TranscriptionSettings,
    report: Progress,
    duration: float,
) -> tuple[list[Labeled], str | None]:
    labeled: list[Labeled] = []
    language = settings.language
    total = 2 * duration
    done = 0.0
    for offset, chunk in audio.iter_chunks(path, settings.chunk_seconds, mono=False):
        length = chunk.shape[1] / audio.SAMPLE_RATE
        for index, name in enumerate(CHANNELS):
            base = done

            def tick(t: float, base: float = base) -> None:
                report("transcribe", min(total, base + t), total)

            segments, language = asr.recognize(
                whisper,
                chunk[index],
                offset=offset,
                language=settings.language,
                beam_size=settings.beam_size,
                on_progress=tick,
            )
            labeled += label_channel(split_pauses(segments), name)
            done += length
            report("transcribe", min(total, done), total)
    return labeled, language


def _diarized(
    path: Path,
    whisper: object,
    settings: TranscriptionSettings,
    report: Progress,
    duration: float,
    mode: str,
) -> tuple[list[Labeled], str | None]:
    from . import diarize

    segments: list[asr.AsrSegment] = []
    language = settings.language
    diarizer = diarize.EmbeddedDiarizer() if mode == "embedded" else None
    for offset, chunk in audio.iter_chunks(path, settings.chunk_seconds, mono=True):
        mono = np.asarray(chunk[0])
        found, language = asr.recognize(
            whisper,
            mono,
            offset=offset,
            language=settings.language,
            beam_size=settings.beam_size,
            on_progress=lambda t, o=offset: report("transcribe", min(duration, o + t), duration),
        )
        segments += found
        if diarizer is not None:
            diarizer.add(mono, offset)
            report("diarize", min(duration, offset + len(mono) / audio.SAMPLE_RATE), duration)
    if diarizer is not None:
        turns: list[Turn] = diarizer.turns()
    else:
        if settings.pyannote_pipeline is None:
            raise ChannelLayoutError("speaker mode 'pyannote' needs CALLQA_PYANNOTE_PIPELINE")
        turns = diarize.pyannote_turns(path, settings.pyannote_pipeline, report)
    return assign_speakers(split_pauses(segments), turns), language


def _roles(
    labeled: list[Labeled],
    speakers: list[str],
    mode: str,
    settings: TranscriptionSettings,
    company_names: Sequence[str],
) -> tuple[dict[str, Role], SpeakerRoles]:
    if mode == "channels" and settings.agent_channel in CHANNELS:
        agent = settings.agent_channel
        other = next(c for c in CHANNELS if c != agent)
        return {agent: "agent", other: "customer"}, SpeakerRoles("settings", agent, 1.0)
    utterances = [(s.speaker, s.start, s.text) for s in labeled]
    guess = guess_roles(utterances, speakers, company_names)
    return guess.roles, SpeakerRoles("cues", guess.agent, guess.confidence)
