"""Simulated speaker: remembers what was played and when, for the window and for tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hal.interfaces import Clock


@dataclass(frozen=True)
class Played:
    t: float
    label: str
    seconds: float


class SimAudioOut:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.played: list[Played] = []

    def play(self, samples: np.ndarray, rate: int, label: str) -> None:
        self.played.append(Played(self._clock.now(), label, len(samples) / rate))

    def playing(self) -> Played | None:
        """What is sounding right now, if anything."""
        if self.played:
            last = self.played[-1]
            if self._clock.now() < last.t + last.seconds:
                return last
        return None
