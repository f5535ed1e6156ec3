"""python -m transcription AUDIO: print a speaker-attributed transcript or write its JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .errors import TranscriptionError
from .pipeline import transcribe
from .settings import AGENT_CHANNELS, SPEAKER_CHOICES, TranscriptionSettings
from .types import Transcript


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m transcription", description="Transcribe a call, speaker by speaker."
    )
    parser.add_argument("audio", type=Path, help="recording (wav, mp3, m4a, ogg/opus, flac, webm)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the transcript JSON here")
    parser.add_argument("--model", help="base (default), tiny.en or a CTranslate2 directory")
    parser.add_argument("--language", help="language code (default en); 'auto' to detect")
    parser.add_argument("--speakers", choices=SPEAKER_CHOICES, help="speaker separation mode")
    parser.add_argument("--agent-channel", choices=AGENT_CHANNELS, help="agent's stereo channel")
    parser.add_argument("--beam-size", type=int)
    parser.add_argument("--max-duration", type=float, help="longest accepted recording, seconds")
    parser.add_argument(
        "--instance-dir", type=Path, help="where the base model is assembled (default ./instance)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


class Bar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = 0.0

    def __call__(self, step: str, completed: float, total: float) -> None:
        now = time.monotonic()
        if step != "done" and now - self.last < 0.1:
            return
        self.last = now
        fraction = 0.0 if total <= 0 else min(1.0, completed / total)
        filled = int(fraction * 30)
        self.stream.write(f"\r{step:<10} [{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%}")
        if step == "done":
            self.stream.write("\n")
        self.stream.flush()


def render(transcript: Transcript) -> str:
    lines = []
    for seg in transcript.segments:
        lines.append(f"[{_clock(seg.start)} - {_clock(seg.end)}] {seg.speaker}: {seg.text}")
    return "\n".join(lines)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:05.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    language = None if args.language == "auto" else args.language
    try:
        settings = TranscriptionSettings.from_env(
            os.environ,
            model=args.model,
            speaker_mode=args.speakers,
            agent_channel=args.agent_channel,
            beam_size=args.beam_size,
            max_duration=args.max_duration,
            instance_dir=args.instance_dir,
        )
        if args.language is not None:
            settings = _replace_language(settings, language)
        if settings.instance_dir is None:
            settings = _with_instance(settings, Path("instance"))
        bar = None if args.quiet else Bar(sys.stderr)
        transcript = transcribe(args.audio, settings, bar)
    except (TranscriptionError, ValueError) as exc:
        if not args.quiet:
            sys.stderr.write("\n" if "bar" in locals() and bar and bar.last else "")
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    if args.json:
        args.json.write_text(json.dumps(transcript.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        print(render(transcript))
    return 0


def _replace_language(
    settings: TranscriptionSettings, language: str | None
) -> TranscriptionSettings:
    from dataclasses import replace

    return replace(settings, language=language)


def _with_instance(settings: TranscriptionSettings, path: Path) -> TranscriptionSettings:
    from dataclasses import replace

    return replace(settings, instance_dir=path)


if __name__ == "__main__":
    sys.exit(main())
