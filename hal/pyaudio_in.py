"""The microphone through PortAudio (pyaudio): 48 kHz, read on a capture thread, AAC-encoded on another.

An I2S microphone (INMP441, SPH0645, ICS-43432) sends 24-bit samples in 32-bit stereo slots, one slot
silent: the card is opened in that native format (no ``plug`` conversion, which would average the silent
slot in), the configured slot is taken, and the configured gain applied to the full 24 bits before the
sound is scaled for the encoder. A block that arrives later than the samples so far account for is a gap
(an overrun dropped samples): it is reported with its time, never passed over in silence.

The capture thread only reads: encoding (a few per cent of a Pi's core, half of an emulated one) runs on
its own thread behind a bounded queue, so a busy moment delays the sound instead of overrunning the card.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from hal.aac import FRAME, SAMPLE_RATE, AacEncoder, level_dbfs
from hal.interfaces import EncodedPacket, HardwareError, SoundGap
from hal.sound_card import ASOUND, open_portaudio

HOST_BUFFER = 16 * FRAME
"""The card's period (341 ms; ALSA keeps at least two): a capture thread held up for half a second loses
nothing (on the emulated board, 171 ms periods still overran every few seconds). A read takes what waits,
in AAC frames, up to one period."""
BACKLOG_BLOCKS = 256
"""Blocks read but not yet encoded (5.5 s at one frame each, more when the thread read several at once;
1 MiB): beyond them the encoder is too far behind, and a block is dropped and reported as lost sound. With
the capture thread at real-time priority the encoder's thread is the one that waits for a CPU: 64 blocks
(1.4 s) overflowed once in a recording on the emulated board."""
SLOT_SCALE = 2.0**31
"""A 32-bit slot's full scale: the 24 bits of an I2S sample sit at its top."""


class PyAudioIn:
    def __init__(self, now: Callable[[], float], device_name: str = "", channels: int = 1, slot: int = 0,
                 gain_db: float = 0.0, open_pyaudio: Callable[[], Any] | None = None,
                 asound: Path = ASOUND, prioritise: Callable[[], str] | None = None) -> None:
        """``prioritise`` (the device's ``make_realtime``) is asked by the capture thread when it starts."""
        self._pa, self._device_index, self._int32 = open_portaudio(device_name, "input", open_pyaudio, asound)
        self._channels, self._slot = channels, slot
        self._gain = 10 ** (gain_db / 20)
        self._now = now
        self._encoder = AacEncoder()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._prioritise = prioritise
        self.scheduling = "ordinary scheduling"
        """How the capture thread is scheduled; the HIL reads the same from ``ps``."""

    @property
    def format(self) -> dict[str, object]:
        return self._encoder.format

    def start(self, on_packet: Callable[[EncodedPacket], None], gain: Callable[[], float],
              on_gap: Callable[[SoundGap], None]) -> None:
        if self._threads:
            return
        stream = self._open()
        self._encoder.restart()
        self._stop.clear()
        blocks: queue.Queue[tuple[np.ndarray, float] | None] = queue.Queue(BACKLOG_BLOCKS)
        self._threads = [
            threading.Thread(target=self._capture, args=(stream, blocks), name="microphone", daemon=True),
            threading.Thread(target=self._encode, args=(blocks, on_packet, gain, on_gap), name="microphone-aac",
                             daemon=True)]
        for thread in self._threads:
            thread.start()

    def _open(self) -> Any:
        try:
            return self._pa.open(format=self._int32, channels=self._channels,
                                 rate=SAMPLE_RATE, input=True, input_device_index=self._device_index,
                                 frames_per_buffer=HOST_BUFFER)
        except OSError as exc:
            raise HardwareError(f"microphone: cannot open the input device: {exc}") from exc

    def _read(self, stream: Any) -> tuple[np.ndarray, float]:
        """The configured slot of what waits in the card's buffer (whole AAC frames, at least one, at most a
        period), and the time of its first sample: it was heard before the block and what still waits."""
        frames = FRAME * min(max(stream.get_read_available() // FRAME, 1), HOST_BUFFER // FRAME)
        data = stream.read(frames, exception_on_overflow=False)
        first_sample_t = self._now() - (frames + stream.get_read_available()) / SAMPLE_RATE
        return np.frombuffer(data, dtype="<i4").reshape(-1, self._channels)[:, self._slot], first_sample_t

    def _scale(self, slot: np.ndarray) -> np.ndarray:
        """32-bit slot samples as float at the configured gain."""
        return slot.astype(np.float32) * np.float32(self._gain / SLOT_SCALE)

    def _capture(self, stream: Any, blocks: queue.Queue[tuple[np.ndarray, float] | None]) -> None:
        """Reads until stopped. A block the full queue cannot take is dropped: the encoder sees the sound
        after it come late, and reports the gap."""
        if self._prioritise is not None:
            self.scheduling = self._prioritise()
        try:
            while not self._stop.is_set():
                block = self._read(stream)
                with contextlib.suppress(queue.Full):  # dropped: reported by the encoder as a gap
                    blocks.put_nowait(block)
        finally:
            stream.stop_stream()
            stream.close()
            blocks.put(None)  # after everything read: the encoder finishes it

    def _encode(self, blocks: queue.Queue[tuple[np.ndarray, float] | None],
                on_packet: Callable[[EncodedPacket], None], gain: Callable[[], float],
                on_gap: Callable[[SoundGap], None]) -> None:
        while (block := blocks.get()) is not None:
            slot, first_sample_t = block
            for packet in self._encoder.encode(np.clip(self._scale(slot) * gain(), -1.0, 1.0), first_sample_t):
                on_packet(packet)
            for gap in self._encoder.take_gaps():
                on_gap(gap)

    def level(self, seconds: float) -> tuple[float, float]:
        """RMS and peak of what the microphone hears for ``seconds``, in dBFS after the configured gain
        (``bodycam selftest``: a silent slot or a missing gain shows here)."""
        if self._threads:
            raise HardwareError("microphone: busy recording")
        stream = self._open()
        blocks: list[np.ndarray] = []
        try:
            while not blocks or sum(map(len, blocks)) < seconds * SAMPLE_RATE:
                blocks.append(self._scale(self._read(stream)[0]))
        finally:
            stream.stop_stream()
            stream.close()
        return level_dbfs(np.concatenate(blocks))

    def stop(self) -> None:
        """Stops reading; what was read is encoded (and handed on) before this returns."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def close(self) -> None:
        self.stop()
        self._pa.terminate()
