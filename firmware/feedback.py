"""Tone and vibration patterns of the design notes, and the tone synthesis behind them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from states.actions import Feedback

SAMPLE_RATE = 16_000
_FADE_S = 0.005  # avoids clicks at tone edges


@dataclass(frozen=True)
class Pattern:
    tones: tuple[tuple[float, float], ...] = ()
    """``(frequency Hz, seconds)``; frequency 0 is a pause."""
    vibration: tuple[float, float, int] | None = None
    """``(on seconds, off seconds, count)``."""


PATTERNS: dict[Feedback, Pattern] = {
    Feedback.START: Pattern(((880, 0.12), (0, 0.08), (1320, 0.12)), (0.15, 0.1, 2)),
    Feedback.STOP: Pattern(((660, 0.7),), (0.4, 0.0, 1)),
    Feedback.REMINDER: Pattern((), (0.2, 0.0, 1)),
    Feedback.LOW_BATTERY: Pattern(((440, 0.1), (0, 0.1)) * 3 + ((440, 0.1),), None),
    Feedback.DENIED: Pattern((), (0.08, 0.08, 3)),
    Feedback.HINT: Pattern((), (0.2, 0.0, 1)),
    Feedback.HOLD_TICK: Pattern((), (0.05, 0.0, 1)),
    Feedback.MARKER: Pattern(((1000, 0.05),), (0.1, 0.0, 1)),
}

# Stands in for a spoken announcement whose file is missing or unreadable.
ANNOUNCEMENT_CHIME: tuple[tuple[float, float], ...] = ((784, 0.15), (988, 0.15), (1175, 0.25))


def synthesize(tones: tuple[tuple[float, float], ...], rate: int = SAMPLE_RATE) -> np.ndarray:
    parts = []
    fade = int(_FADE_S * rate)
    for frequency, seconds in tones:
        n = round(seconds * rate)
        if frequency <= 0:
            parts.append(np.zeros(n, dtype=np.float32))
            continue
        wave = 0.6 * np.sin(2 * np.pi * frequency * np.arange(n) / rate)
        envelope = np.ones(n)
        ramp = np.linspace(0.0, 1.0, min(fade, n // 2))
        envelope[: len(ramp)] = ramp
        envelope[n - len(ramp) :] = ramp[::-1]
        parts.append((wave * envelope).astype(np.float32))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
