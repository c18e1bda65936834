"""The speaker of a camera whose sound card is not there (its overlay not yet in effect, a loose amp):
every sound is refused with the reason, so the audio player logs each one it could not play, and the
camera records on while the fault is logged, audited and shown."""

from __future__ import annotations

import numpy as np

from hal.interfaces import HardwareError


class MissingSpeaker:
    def __init__(self, why: str) -> None:
        self._why = why

    def write(self, samples: np.ndarray, rate: int, label: str) -> None:
        raise HardwareError(self._why)

    def cut(self, rate: int) -> int:
        return 0

    def close(self) -> None:
        pass
