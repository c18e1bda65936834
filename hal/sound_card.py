"""Finding a sound card for PortAudio by its ALSA card id, as ``aplay -l`` names it.

On a fresh Raspberry Pi OS card, ALSA's default card is HDMI (``vc4hdmi``), which refuses to play without
a monitor; the camera's amp and microphone are cards an overlay adds, numbered in probe order. PortAudio
names a hardware device ``<card name>: <pcm name> (hw:N,M)``, and several cards may share a name (every
snd-aloop card is "Loopback"), so the card's id is looked up in ``/proc/asound`` (``<id> -> cardN``) and
the device matched by its ``hw:N,0``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hal.interfaces import HardwareError

ASOUND = Path("/proc/asound")
CARD_ID = re.compile(r"[A-Za-z0-9_]{1,15}")
"""What ALSA allows in a card id (sound/core/init.c keeps letters, digits and '_', 15 at most)."""
HW_DEVICE = re.compile(r"\(hw:(\d+),(\d+)\)$")
CARDS_LISTED = 2000  # characters of /proc/asound/cards quoted in an error


def card_index(card_id: str, asound: Path = ASOUND) -> int | None:
    """The number of the card with this id; None when there is none (or ``card_id`` is no card id)."""
    if not CARD_ID.fullmatch(card_id):
        return None
    try:
        target = os.readlink(asound / card_id)
    except OSError:
        return None
    match = re.fullmatch(r"card(\d+)", target)
    return int(match.group(1)) if match else None


def cards(asound: Path = ASOUND) -> str:
    """The cards this machine has, one line each (``0 vc4hdmi``), for an error message."""
    try:
        with (asound / "cards").open(errors="replace") as f:
            text = f.read(CARDS_LISTED)
    except OSError:
        return "none"
    found = [m.group(1) + " " + m.group(2) for m in re.finditer(r"^\s*(\d+) \[(\S+)\s*\]", text, re.MULTILINE)]
    return ", ".join(found) or "none"


def open_portaudio(name: str, direction: str, open_pyaudio: Callable[[], Any] | None,
                   asound: Path = ASOUND) -> tuple[Any, int | None, int]:
    """PortAudio started, the device's index (``find_device``), and PyAudio's 32-bit integer format
    (not ``get_format_from_width(4)``: that is float). Anything that fails is a HardwareError naming the
    part, with PortAudio let go of again."""
    import pyaudio

    part = "speaker" if direction == "output" else "microphone"
    try:
        pa = (open_pyaudio or pyaudio.PyAudio)()
    except OSError as exc:  # PortAudio itself cannot start, e.g. ALSA refuses its configuration
        raise HardwareError(f"{part}: PortAudio cannot start: {exc}") from exc
    try:
        return pa, find_device(pa, name, direction, asound), pyaudio.paInt32
    except HardwareError:
        pa.terminate()
        raise


def find_device(pa: Any, name: str, direction: str, asound: Path = ASOUND) -> int | None:
    """PortAudio's index of the card ``name`` (an ALSA card id) or of the first device whose name contains
    ``name``, for ``direction`` ("input" or "output"); None for the system default (``name`` empty)."""
    if not name:
        return None
    key = "maxOutputChannels" if direction == "output" else "maxInputChannels"
    card = card_index(name, asound)
    for index in range(pa.get_device_count()):
        info = pa.get_device_info_by_index(index)
        label = str(info.get("name", ""))
        if info.get(key, 0) <= 0:
            continue
        if card is None and name in label:
            return index
        hw = HW_DEVICE.search(label)
        if card is not None and hw is not None and (int(hw.group(1)), int(hw.group(2))) == (card, 0):
            return index
    part = "speaker" if direction == "output" else "microphone"
    setting = "audio.output_device" if direction == "output" else "audio.input_device"
    raise HardwareError(f"{part}: no {direction} device {name!r} (sound cards: {cards(asound)}); is its overlay "
                        f"in the boot config (audio.overlays) and the camera rebooted since? Else check {setting}")
