"""Generate the bundled announcement WAVs with espeak-ng: ``make assets`` (16 kHz, mono, 16-bit).

Professional recordings can replace them without touching the code: put files with the same names
into the folder named by ``audio.announcements_dir``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import wave

import numpy as np

from firmware.announcements import BUNDLED
from firmware.texts import ANNOUNCEMENTS

VOICES = {"de": "de", "en": "en-gb"}
RATE = 16_000


def resample(samples: np.ndarray, rate: int) -> np.ndarray:
    if rate == RATE:
        return samples
    positions = np.arange(0, len(samples), rate / RATE)
    return np.interp(positions, np.arange(len(samples)), samples.astype(np.float64)).astype(np.int16)


def main() -> int:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        print("espeak-ng is not installed (apt-get install espeak-ng)", file=sys.stderr)
        return 1
    for language, voice in VOICES.items():
        (BUNDLED / language).mkdir(parents=True, exist_ok=True)
        for announcement, texts in ANNOUNCEMENTS.items():
            with tempfile.NamedTemporaryFile(suffix=".wav") as raw:
                subprocess.run([espeak, "-v", voice, "-s", "150", "-w", raw.name, texts[language]], check=True)
                with wave.open(raw.name, "rb") as source:
                    rate = source.getframerate()
                    pcm = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
            target = BUNDLED / language / f"{announcement}.wav"
            with wave.open(str(target), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(RATE)
                out.writeframes(resample(pcm, rate).astype("<i2").tobytes())
            print(f"{target}: {texts[language]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
