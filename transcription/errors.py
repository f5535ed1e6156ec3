"""Errors with one-line messages: the CLI prints them as they are, the app stores them."""

from __future__ import annotations

__all__ = [
    "AudioError",
    "AudioTooLong",
    "CorruptAudio",
    "EmptyAudio",
    "MissingAudio",
    "ModelError",
    "NotAudio",
    "SilentAudio",
    "TranscriptionError",
]


class TranscriptionError(Exception):
    """Base of every error this library raises on purpose.

    ``permanent`` tells a job runner whether retrying the same input can help.
    """

    permanent = True


class AudioError(TranscriptionError):
    """The recording itself cannot be transcribed."""


class MissingAudio(AudioError):
    pass


class NotAudio(AudioError):
    pass


class CorruptAudio(AudioError):
    pass


class EmptyAudio(AudioError):
    pass


class SilentAudio(AudioError):
    pass


class AudioTooLong(AudioError):
    pass


class ModelError(TranscriptionError):
    """The configured model is missing, incomplete or fails its checksum."""
