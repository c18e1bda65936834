"""Spoken announcements: bundled WAVs (made by ``make assets``), replaceable by an operator's recordings.

Files are ``<language>/<announcement>.wav``, 16-bit mono PCM, looked up first in ``audio.announcements_dir``
(when set) and then in the bundled assets. A missing or unreadable file is reported, never fatal: the
caller plays a chime instead and the camera keeps working.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bodycam.errors import BodycamError
from states.actions import Announcement

BUNDLED = Path(__file__).parent / "assets" / "audio"


@dataclass(frozen=True)
class Clip:
    samples: np.ndarray
    rate: int


class AnnouncementError(BodycamError, ValueError):
    pass


def announcement_path(announcement: Announcement, language: str, override_dir: str = "") -> Path:
    name = Path(language) / f"{announcement}.wav"
    if override_dir and (Path(override_dir) / name).exists():
        return Path(override_dir) / name
    return BUNDLED / name


def read_wav(path: Path) -> Clip:
    """A 16-bit PCM WAV as mono float32 samples in [-1, 1]."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise AnnouncementError(f"{path}: {8 * wav.getsampwidth()}-bit samples; 16-bit PCM is needed")
            channels, rate = wav.getnchannels(), wav.getframerate()
            pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    except FileNotFoundError:
        raise AnnouncementError(f"{path}: file not found") from None
    except (OSError, EOFError, wave.Error) as exc:
        raise AnnouncementError(f"{path}: not a readable WAV file ({exc})") from None
    samples = pcm.reshape(-1, channels).mean(axis=1) / 32768.0
    return Clip(samples.astype(np.float32), rate)


class Announcements:
    """Loads each announcement once and keeps it; reports files that cannot be used."""

    def __init__(self, language: str, override_dir: str = "") -> None:
        self._language = language
        self._override_dir = override_dir
        self._cache: dict[Announcement, Clip] = {}

    def clip(self, announcement: Announcement) -> Clip:
        """Raises AnnouncementError with the path and the cause when the file cannot be used."""
        if announcement not in self._cache:
            self._cache[announcement] = read_wav(announcement_path(announcement, self._language,
                                                                   self._override_dir))
        return self._cache[announcement]
