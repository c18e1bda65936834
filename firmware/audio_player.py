"""Plays tones and announcements on a thread of its own, so the state machine never waits for sound.

Feedback comes first: an officer must hear within a tenth of a second that recording started, whatever is
sounding. Every sound is played in blocks of ``BLOCK_S``; between two blocks, waiting feedback takes over,
and what the speaker's buffer still held of the sound before is dropped (a buffer long enough to ride out a
busy moment is too long to wait behind). So that this holds while a sound's last blocks are still in the
buffer, every sound is followed by ``TAIL_S`` of silence, written in blocks as well, unless another sound is
waiting; feedback that comes later drops that silence. An interrupted announcement goes on where it stopped
sounding; an interrupted feedback tone is dropped, since the newer one says what is true now. For the same
reason a new announcement replaces one that has not started yet. While anything plays, ``gain`` tells the
microphone to record at −20 dB, so feedback tones do not dominate the evidence track.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hal.interfaces import AudioOut, HardwareError, SpeakerUnderrun

PLAYBACK_GAIN = 0.1  # microphone gain while the speaker plays: −20 dB
BLOCK_S = 0.04  # how long feedback may wait behind an announcement
TAIL_S = 0.7
"""At least the speaker's buffer (hal/pyaudio_out.py: 683 ms): the silence after a sound during which
feedback can still take over from what the buffer holds of it."""


@dataclass(frozen=True, eq=False)  # compared by identity: samples are arrays
class Sound:
    samples: np.ndarray
    rate: int
    label: str
    announcement: bool = False


class AudioPlayer:
    def __init__(self, out: AudioOut, threaded: bool, on_start: Callable[[Sound], None] = lambda sound: None,
                 on_error: Callable[[Sound, str], None] = lambda sound, detail: None):
        self._out = out
        self._on_start = on_start
        self._on_error = on_error
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
        while (sound := self._next()) is not None:
            self._stream(sound)

    def _next(self) -> Sound | None:
        """Waits for the next sound, feedback before announcements; None once stopped and all played."""
        with self._lock:
            while not self._queue and not self._stopped:
                self._lock.wait()
            return self._take(feedback_only=False)

    def _take(self, feedback_only: bool) -> Sound | None:
        with self._lock:
            chosen = next((s for s in self._queue if not s.announcement), None)
            if chosen is None and not feedback_only and self._queue:
                chosen = self._queue[0]
            if chosen is not None:
                self._queue.remove(chosen)
            return chosen

    def _stream(self, sound: Sound) -> None:
        block = max(1, round(BLOCK_S * sound.rate))
        samples = np.concatenate([sound.samples, np.zeros(round(TAIL_S * sound.rate), sound.samples.dtype)])
        self._playing = True
        if not sound.announcement:
            self._out.cut(sound.rate)  # feedback does not wait behind the silence after the sound before
        try:
            self._on_start(sound)
            position = 0
            while position < len(samples):
                while (feedback := self._take(feedback_only=True)) is not None:
                    position = max(0, position - self._out.cut(sound.rate))
                    self._stream(feedback)
                    if not sound.announcement:
                        return
                    self._playing = True
                if position >= len(sound.samples) and self._waiting():
                    return  # the next sound follows at once; its own tail comes after it
                if not self._write(sound, samples[position : position + block]):
                    return
                position += block
        finally:
            self._playing = False

    def _waiting(self) -> bool:
        with self._lock:
            return bool(self._queue)

    def _play(self, sound: Sound) -> None:
        """Virtual time: the whole sound at once (it takes no time)."""
        self._playing = True
        try:
            self._on_start(sound)
            self._write(sound, sound.samples)
        finally:
            self._playing = False

    def _write(self, sound: Sound, samples: np.ndarray) -> bool:
        """False when the speaker refused: the rest of that sound is dropped, the next one is tried. A gap
        the speaker reports is logged and the sound goes on."""
        try:
            self._out.write(samples, sound.rate, sound.label)
        except SpeakerUnderrun as exc:
            self._on_error(sound, str(exc))
        except HardwareError as exc:
            self._on_error(sound, str(exc))
            return False
        return True
