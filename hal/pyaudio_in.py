"""The microphone through PortAudio (pyaudio): 48 kHz, AAC-encoded on a capture thread.

An I2S microphone (INMP441, SPH0645, ICS-43432) sends 24-bit samples in 32-bit stereo slots, one slot
silent: the card is opened in that native format (no ``plug`` conversion, which would average the silent
slot in), the configured slot is taken, and the configured gain applied to the full 24 bits before the
sound is scaled for the encoder. A block that arrives later than the samples so far account for is a gap
(an overrun dropped samples): it is reported with its time, never passed over in silence.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from hal.aac import FRAME, SAMPLE_RATE, AacEncoder, level_dbfs
from hal.interfaces import EncodedPacket, HardwareError, SoundGap
from hal.sound_card import ASOUND, open_portaudio

HOST_BUFFER = 8 * FRAME
"""The card's period (171 ms; ALSA keeps at least two): a capture thread held up by the CPU for a third
of a second loses nothing. Reads still take one AAC frame at a time, dated by what waits behind them."""
SLOT_SCALE = 2.0**31
"""A 32-bit slot's full scale: the 24 bits of an I2S sample sit at its top."""


class PyAudioIn:
    def __init__(self, now: Callable[[], float], device_name: str = "", channels: int = 1, slot: int = 0,
                 gain_db: float = 0.0, open_pyaudio: Callable[[], Any] | None = None,
                 asound: Path = ASOUND) -> None:
        self._pa, self._device_index, self._int32 = open_portaudio(device_name, "input", open_pyaudio, asound)
        self._channels, self._slot = channels, slot
        self._gain = 10 ** (gain_db / 20)
        self._now = now
        self._encoder = AacEncoder()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def format(self) -> dict[str, object]:
        return self._encoder.format

    def start(self, on_packet: Callable[[EncodedPacket], None], gain: Callable[[], float],
              on_gap: Callable[[SoundGap], None]) -> None:
        if self._thread is not None:
            return
        stream = self._open()
        self._encoder.restart()
        self._stop.clear()
        self._thread = threading.Thread(target=self._capture, args=(stream, on_packet, gain, on_gap),
                                        name="microphone", daemon=True)
        self._thread.start()

    def _open(self) -> Any:
        try:
            return self._pa.open(format=self._int32, channels=self._channels,
                                 rate=SAMPLE_RATE, input=True, input_device_index=self._device_index,
                                 frames_per_buffer=HOST_BUFFER)
        except OSError as exc:
            raise HardwareError(f"microphone: cannot open the input device: {exc}") from exc

    def _read(self, stream: Any) -> tuple[np.ndarray, float]:
        """One block of the configured slot at the configured gain, and the time of its first sample:
        the samples still waiting in the buffer (a late thread) arrived after it."""
        waiting = stream.get_read_available()
        data = stream.read(FRAME, exception_on_overflow=False)
        first_sample_t = self._now() - (FRAME + waiting) / SAMPLE_RATE
        slots = np.frombuffer(data, dtype="<i4").reshape(-1, self._channels)
        return slots[:, self._slot].astype(np.float32) * np.float32(self._gain / SLOT_SCALE), first_sample_t

    def _capture(self, stream: Any, on_packet: Callable[[EncodedPacket], None], gain: Callable[[], float],
                 on_gap: Callable[[SoundGap], None]) -> None:
        try:
            while not self._stop.is_set():
                pcm, first_sample_t = self._read(stream)
                for packet in self._encoder.encode(np.clip(pcm * gain(), -1.0, 1.0), first_sample_t):
                    on_packet(packet)
                for gap in self._encoder.take_gaps():
                    on_gap(gap)
        finally:
            stream.stop_stream()
            stream.close()

    def level(self, seconds: float) -> tuple[float, float]:
        """RMS and peak of what the microphone hears for ``seconds``, in dBFS after the configured gain
        (``bodycam selftest``: a silent slot or a missing gain shows here)."""
        if self._thread is not None:
            raise HardwareError("microphone: busy recording")
        stream = self._open()
        try:
            blocks = [self._read(stream)[0] for _ in range(max(1, math.ceil(seconds * SAMPLE_RATE / FRAME)))]
        finally:
            stream.stop_stream()
            stream.close()
        return level_dbfs(np.concatenate(blocks))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def close(self) -> None:
        self.stop()
        self._pa.terminate()
