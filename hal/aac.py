"""AAC encoding of microphone PCM with PyAV, timestamped on the monotonic clock shared with the video."""

from __future__ import annotations

import base64
import math
from fractions import Fraction

import numpy as np

from hal.interfaces import EncodedPacket, SoundGap

SAMPLE_RATE = 48_000
FRAME = 1024  # samples per AAC frame
REANCHOR_S = 0.1
"""Blocks that start this much later than the samples so far account for (an overrun dropped samples,
or the microphone was stopped and started again) move the time base forward by the gap."""


def level_dbfs(pcm: np.ndarray) -> tuple[float, float]:
    """RMS and peak of float samples in [-1, 1], in dBFS (-inf for digital silence)."""
    samples = pcm.astype(np.float64)
    rms, peak = float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0, float(np.max(np.abs(samples), initial=0))
    return tuple(20 * math.log10(v) if v > 0 else -math.inf for v in (rms, peak))  # type: ignore[return-value]


class AacEncoder:
    def __init__(self, sample_rate: int = SAMPLE_RATE, bitrate: int = 64_000) -> None:
        import av

        self._av = av
        codec = av.CodecContext.create("aac", "w")
        codec.sample_rate = sample_rate
        codec.layout = "mono"
        codec.format = "fltp"
        codec.bit_rate = bitrate
        codec.time_base = Fraction(1, sample_rate)
        codec.options = {"aac_coder": "fast"}  # a third of the default coder's CPU, fine for speech
        codec.open()
        self._codec = codec
        self._rate = sample_rate
        self._start_us: int | None = None
        self._samples = 0
        self._fed = 0  # samples handed to encode(), pending ones included
        self._pending = np.zeros(0, dtype=np.float32)
        self._continuous = False  # the next block follows the last one without a stop between them
        self._gaps: list[SoundGap] = []

    @property
    def format(self) -> dict[str, object]:
        """What a segment header and the exporter need to mux the stream."""
        return {"codec": "aac", "sample_rate": self._rate, "channels": 1,
                "extradata": base64.b64encode(bytes(self._codec.extradata or b"")).decode()}

    def restart(self) -> None:
        """The microphone was stopped and starts again: the time until its next block is no lost sound."""
        self._continuous = False

    def take_gaps(self) -> list[SoundGap]:
        """The sound lost since the last call: where blocks came later than the samples before them
        account for, while the microphone ran on."""
        gaps, self._gaps = self._gaps, []
        return gaps

    def encode(self, pcm: np.ndarray, first_sample_t: float) -> list[EncodedPacket]:
        """Mono float32 samples starting at ``first_sample_t`` (monotonic s). The first block fixes the time
        base; samples are then counted, and a gap of more than ``REANCHOR_S`` moves it forward: lost sound
        (``take_gaps``) unless the microphone was restarted in between."""
        at_us = round(first_sample_t * 1e6)
        if self._start_us is None:
            self._start_us = at_us
        expected_us = self._start_us + round(self._fed * 1e6 / self._rate)
        gap_us = at_us - expected_us
        if gap_us > REANCHOR_S * 1e6:
            self._start_us += gap_us
            if self._continuous:
                self._gaps.append(SoundGap(expected_us / 1e6, gap_us / 1e6))
        self._continuous = True
        self._fed += len(pcm)
        pending = np.concatenate([self._pending, pcm.astype(np.float32)]) if len(self._pending) else pcm
        packets = []
        whole = len(pending) - len(pending) % FRAME
        for start in range(0, whole, FRAME):
            block = np.ascontiguousarray(pending[start : start + FRAME], dtype=np.float32)
            frame = self._av.AudioFrame.from_ndarray(block.reshape(1, -1), format="fltp", layout="mono")
            frame.sample_rate = self._rate
            frame.pts = self._samples
            frame.time_base = self._codec.time_base
            self._samples += FRAME
            packets.extend(self._packets(self._codec.encode(frame)))
        self._pending = pending[whole:]
        return packets

    def _packets(self, encoded: list) -> list[EncodedPacket]:
        assert self._start_us is not None
        return [EncodedPacket(bytes(p), True, self._start_us + round(p.pts * 1e6 / self._rate), "audio")
                for p in encoded]
