"""The microphone through PortAudio (pyaudio): 48 kHz mono, AAC-encoded on a capture thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from hal.aac import FRAME, SAMPLE_RATE, AacEncoder
from hal.interfaces import EncodedPacket, HardwareError
from hal.pyaudio_out import find_device


class PyAudioIn:
    def __init__(self, now: Callable[[], float], device_name: str = "",
                 open_pyaudio: Callable[[], Any] | None = None) -> None:
        if open_pyaudio is None:
            import pyaudio

            open_pyaudio = pyaudio.PyAudio
        self._pa = open_pyaudio()
        self._device_index = find_device(self._pa, device_name, "input")
        self._now = now
        self._encoder = AacEncoder()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def format(self) -> dict[str, object]:
        return self._encoder.format

    def start(self, on_packet: Callable[[EncodedPacket], None], gain: Callable[[], float]) -> None:
        if self._thread is not None:
            return
        try:
            stream = self._pa.open(
                format=self._pa.get_format_from_width(2),
                channels=1,
                rate=SAMPLE_RATE,
                input=True,
                input_device_index=self._device_index,
                frames_per_buffer=FRAME,
            )
        except OSError as exc:
            raise HardwareError(f"microphone: cannot open the input device: {exc}") from exc
        self._stop.clear()
        self._thread = threading.Thread(target=self._capture, args=(stream, on_packet, gain), name="microphone",
                                        daemon=True)
        self._thread.start()

    def _capture(self, stream: Any, on_packet: Callable[[EncodedPacket], None], gain: Callable[[], float]) -> None:
        try:
            while not self._stop.is_set():
                data = stream.read(FRAME, exception_on_overflow=False)
                # The block just read started FRAME samples ago; the encoder keeps time from there on.
                first_sample_t = self._now() - FRAME / SAMPLE_RATE
                pcm = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0 * gain()
                for packet in self._encoder.encode(pcm, first_sample_t):
                    on_packet(packet)
        finally:
            stream.stop_stream()
            stream.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def close(self) -> None:
        self.stop()
        self._pa.terminate()
