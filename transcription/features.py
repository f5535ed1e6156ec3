"""Mel power spectrogram in numpy, matching what resemblyzer's encoder was trained on.

resemblyzer computes it with librosa; doing it here keeps librosa (and numba's start-up
compilation) out of the process: 25 ms Hann windows, 10 ms hop, 40 Slaney mel bands, power 2,
no log.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["mel_filters", "mel_power"]

N_FFT = 400
HOP = 160
N_MELS = 40


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log_part, linear)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    linear = mel * (200.0 / 3)
    log_part = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, log_part, linear)


@lru_cache(maxsize=4)
def mel_filters(sample_rate: int = 16_000, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """Triangular filters on the Slaney mel scale, area-normalised; shape (n_mels, n_fft//2+1)."""
    fft_freqs = np.linspace(0, sample_rate / 2, 1 + n_fft // 2)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(sample_rate / 2), n_mels + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_freqs[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


@lru_cache(maxsize=1)
def _window() -> np.ndarray:
    n = np.arange(N_FFT)
    return (0.5 - 0.5 * np.cos(2 * np.pi * n / N_FFT)).astype(np.float32)


def mel_power(samples: np.ndarray) -> np.ndarray:
    """Frames of mel power for 16 kHz mono audio; shape (frames, 40), float32."""
    padded = np.pad(np.asarray(samples, dtype=np.float32), N_FFT // 2)
    count = 1 + (len(padded) - N_FFT) // HOP
    if count < 1:
        return np.zeros((0, N_MELS), dtype=np.float32)
    index = np.arange(N_FFT)[None, :] + HOP * np.arange(count)[:, None]
    spectrum = np.abs(np.fft.rfft(padded[index] * _window(), axis=1)) ** 2
    return (spectrum @ mel_filters().T).astype(np.float32)
