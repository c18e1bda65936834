"""The simulated speaker: a WAV log of everything played, and the laptop's speaker when there is one."""

from __future__ import annotations

import os
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hal.interfaces import Clock

LOG_RATE = 16_000


@dataclass(frozen=True)
class Played:
    t: float
    label: str
    seconds: float


class SimAudioOut:
    """``write`` logs the sound; in real time it also plays it (pygame mixer) and takes as long as it lasts."""

    def __init__(self, clock: Clock, log_path: Path, realtime: bool) -> None:
        self._clock = clock
        self._realtime = realtime
        self._mixer = _open_mixer() if realtime else None
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = wave.open(str(log_path), "wb")  # noqa: SIM115 - open for the whole run, closed in close()
        self._log.setnchannels(1)
        self._log.setsampwidth(2)
        self._log.setframerate(LOG_RATE)
        self.played: list[Played] = []

    def write(self, samples: np.ndarray, rate: int, label: str) -> None:
        seconds = len(samples) / rate
        now = self._clock.now()
        last = self.played[-1] if self.played else None
        if last is not None and last.label == label and abs(last.t + last.seconds - now) < 0.01:
            self.played[-1] = Played(last.t, label, last.seconds + seconds)  # the next block of the same sound
        else:
            self.played.append(Played(now, label, seconds))
        pcm = _to_pcm16(samples, rate)
        self._log.writeframes(pcm.tobytes())
        if self._mixer is not None:
            self._mixer.Sound(buffer=pcm.tobytes()).play()
        if self._realtime:
            time.sleep(seconds)  # a speaker is busy for as long as the sound lasts

    def cut(self, rate: int) -> int:
        """Nothing waits: a write returns once its sound is over."""
        return 0

    def playing(self) -> Played | None:
        """What is sounding right now, if anything."""
        if self.played:
            last = self.played[-1]
            if self._clock.now() < last.t + last.seconds:
                return last
        return None

    def close(self) -> None:
        self._log.close()


def _to_pcm16(samples: np.ndarray, rate: int) -> np.ndarray:
    if rate != LOG_RATE:
        positions = np.arange(0, len(samples), rate / LOG_RATE)
        samples = np.interp(positions, np.arange(len(samples)), samples)
    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")


def has_sound_card(cards: Path = Path("/proc/asound/cards")) -> bool:
    """Whether ALSA lists a card (asking SDL instead makes ALSA print errors where there is none)."""
    try:
        return "no soundcards" not in cards.read_text()
    except OSError:
        return False


def _open_mixer() -> Any:
    """pygame's mixer at the log's format, or None when the machine has no sound device."""
    if not has_sound_card():
        return None
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    try:
        import pygame

        pygame.mixer.init(frequency=LOG_RATE, size=-16, channels=1)
    except Exception:  # no audio device, no driver: the WAV log still records what would have played
        return None
    return pygame.mixer
