"""Decoding what the microphone adapter produced, for the audio tests."""

from __future__ import annotations

import base64
from collections.abc import Iterable

import av
import numpy as np


def decode_aac(extradata_b64: str, payloads: Iterable[bytes]) -> np.ndarray:
    """The mono samples of AAC packets, given the stream's extradata as the adapter's format has it."""
    codec = av.CodecContext.create("aac", "r")
    codec.extradata = base64.b64decode(extradata_b64)
    return np.concatenate([frame.to_ndarray().ravel() for data in payloads for frame in codec.decode(av.Packet(data))])
