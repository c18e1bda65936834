"""Plays tones and announcements on a thread of its own, so the state machine never waits for sound.

Tones play in order; a new announcement replaces one that has not started yet (an officer pressing on
should hear what is true now, not a queue of the past). While anything plays, ``gain`` tells the
microphone to record at −20 dB, so feedback tones do not dominate the evidence track.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hal.interfaces import AudioOut

PLAYBACK_GAIN = 0.1  # microphone gain while the speaker plays: −20 dB


@dataclass(frozen=True, eq=False)  # compared by identity: samples are arrays
class Sound:
    samples: np.ndarray
    rate: int
    label: str
    announcement: bool = False


class AudioPlayer:
    def __init__(self, out: AudioOut, threaded: bool, on_start: Callable[[Sound], None] = lambda sound: None):
        self._out = out
        self._on_start = on_start
        self._threaded = threaded
        self._queue: deque[Sound] = deque()
        self._lock = threading.Condition()
        self._playing = False
        self._stopped = False
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name="audio-out", daemon=True)
            self._thread.start()

    @property
    def gain(self) -> float:
        """For the microphone: full gain when quiet, attenuated while a sound plays."""
        return PLAYBACK_GAIN if self._playing else 1.0

    def play(self, sound: Sound) -> None:
        if not self._threaded:
            self._play(sound)  # virtual time: sounds take no time
            return
        with self._lock:
            if sound.announcement:
                self._queue = deque(s for s in self._queue if not s.announcement)
            self._queue.append(sound)
            self._lock.notify()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._stopped:
                    self._lock.wait()
                if not self._queue:
                    return  # stopped, and everything asked for has played (last warnings included)
                sound = self._queue.popleft()
            self._play(sound)

    def _play(self, sound: Sound) -> None:
        self._playing = True
        try:
            self._on_start(sound)
            self._out.write(sound.samples, sound.rate, sound.label)
        finally:
            self._playing = False
