"""The simulated microphone: a WAV file (looped) or a 1 kHz tone, AAC-encoded like the real one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from firmware.announcements import read_wav
from hal.aac import FRAME, SAMPLE_RATE, AacEncoder, level_dbfs
from hal.interfaces import EncodedPacket, SoundGap
from sim.camera import Scheduler
from sim.clock import Handle

TONE_HZ = 1000.0
TONE_LEVEL = 0.25
BLOCK = 2 * FRAME  # samples per simulated read (43 ms, as an ALSA period might be): fewer callbacks


class SimMicrophone:
    def __init__(self, clock: Scheduler, source: Path | None = None) -> None:
        self._clock = clock
        self._encoder = AacEncoder()
        if source is None:
            self._signal = (TONE_LEVEL * np.sin(2 * np.pi * TONE_HZ * np.arange(SAMPLE_RATE) / SAMPLE_RATE))
        else:
            clip = read_wav(source)
            positions = np.arange(0, len(clip.samples), clip.rate / SAMPLE_RATE)
            self._signal = np.interp(positions, np.arange(len(clip.samples)), clip.samples)
        self._signal = self._signal.astype(np.float32)
        self._position = 0
        self._ticker: Handle | None = None

    @property
    def format(self) -> dict[str, object]:
        return self._encoder.format

    @property
    def running(self) -> bool:
        return self._ticker is not None

    def start(self, on_packet: Callable[[EncodedPacket], None], gain: Callable[[], float],
              on_gap: Callable[[SoundGap], None]) -> None:
        """Virtual time loses no sound: ``on_gap`` is never called."""
        if self._ticker is not None:
            return
        self._encoder.restart()

        def capture() -> None:
            end = self._position + BLOCK
            block = self._signal[self._position : end]
            if len(block) < BLOCK:  # wrap around the end of the source
                block = np.concatenate([block, self._signal[: BLOCK - len(block)]])
            self._position = end % len(self._signal)
            for packet in self._encoder.encode(block * gain(), self._clock.now() - BLOCK / SAMPLE_RATE):
                on_packet(packet)

        self._ticker = self._clock.call_every(BLOCK / SAMPLE_RATE, capture)

    def level(self, seconds: float) -> tuple[float, float]:
        """What its source holds, as the self-test reads it from a real microphone."""
        return level_dbfs(self._signal)

    def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        self._ticker = None
