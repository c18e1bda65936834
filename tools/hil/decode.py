"""What the HIL checks read back from the kernel's simulated parts, decoded without the firmware's help:
the SPI byte stream the display was sent (SSD1351 commands, window, RGB565 frames), the speaker's
sound (where, and how faithfully, an expected announcement is in it) and the vibration motor's line
(its pulses and their PWM duty cycle)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bodycam.errors import BodycamError

COLUMN, ROW, WRITE_RAM = 0x15, 0x75, 0x5C
"""SSD1351: set column address, set row address, write RAM (datasheet, section 9)."""
RECORD_HEAD = 5  # the capture's line state ('D', 'C', '?') and the length, 4 bytes little-endian


class DecodeError(BodycamError, ValueError):
    pass


def spi_transfers(capture: bytes) -> list[tuple[str, bytes]]:
    """The transfers in hil-spi-loopback's capture: (the data/command line, the bytes), in order."""
    transfers, at = [], 0
    while at + RECORD_HEAD <= len(capture):
        line, length = chr(capture[at]), int.from_bytes(capture[at + 1 : at + RECORD_HEAD], "little")
        end = at + RECORD_HEAD + length
        if line not in "DC?" or end > len(capture):
            raise DecodeError(f"capture: a broken record at byte {at}")
        transfers.append((line, capture[at + RECORD_HEAD : end]))
        at = end
    if at != len(capture):
        raise DecodeError(f"capture: {len(capture) - at} stray bytes at the end")
    return transfers


@dataclass(frozen=True)
class Frame:
    window: tuple[int, int, int, int]  # first column, last column, first row, last row
    rgb: np.ndarray


def ssd1351_frames(transfers: list[tuple[str, bytes]]) -> list[Frame]:
    """Every whole frame written to the panel's RAM: a command byte sent with the line low, its arguments
    with the line high; RAM writes go into the window set before them. What the capture cut short (its
    first and last frame, and a RAM write whose window was set before the capture began) is left out;
    anything sent with the line in the wrong state, or a RAM write without a window once one was seen in
    the capture, is an error."""
    commands: list[tuple[int, bytearray]] = []
    for line, data in transfers:
        if line == "?":
            raise DecodeError("the data/command line could not be read during a transfer")
        if line == "C":
            if len(data) != 1:
                raise DecodeError(f"a command transfer of {len(data)} bytes: SSD1351 commands are one byte")
            commands.append((data[0], bytearray()))
        elif not commands:
            continue  # the capture began in the middle of a frame
        else:
            commands[-1][1].extend(data)
    frames, column, row = [], None, None
    for command, args in commands:
        if command == COLUMN and len(args) == 2:
            column = (args[0], args[1])
        elif command == ROW and len(args) == 2:
            row = (args[0], args[1])
        elif command == WRITE_RAM and args:
            if column is None and row is None:
                continue  # the capture began after this frame's window was set
            if column is None or row is None:
                raise DecodeError("a RAM write before the window was set")
            width, height = column[1] - column[0] + 1, row[1] - row[0] + 1
            if len(args) == width * height * 2:
                frames.append(Frame((*column, *row), rgb565(bytes(args), width, height)))
            elif len(args) > width * height * 2:
                raise DecodeError(f"{len(args)} bytes written into a {width}×{height} window")
    return frames


def rgb565(data: bytes, width: int, height: int) -> np.ndarray:
    """Big-endian RGB565 (the SSD1351's 65k colour mode) as 8-bit RGB, each channel's top bits repeated."""
    value = np.frombuffer(data, dtype=">u2").astype(np.uint16).reshape(height, width)
    red, green, blue = value >> 11, (value >> 5) & 0x3F, value & 0x1F
    return np.stack([(red << 3) | (red >> 2), (green << 2) | (green >> 4), (blue << 3) | (blue >> 2)],
                    axis=-1).astype(np.uint8)


@dataclass(frozen=True)
class Match:
    start_s: float  # where the expected sound begins in the capture
    correlation: float  # normalised: 1.0 is the same waveform at any volume
    duration_s: float  # how long the capture is loud from there on


def find_sound(capture: np.ndarray, expected: np.ndarray, rate: int) -> Match:
    """Where ``expected`` is in ``capture`` (both mono, the same rate), by cross-correlation."""
    if capture.size < expected.size or not expected.any():
        raise DecodeError(f"{capture.size / rate:.1f} s captured, shorter than the {expected.size / rate:.1f} s "
                          "expected or the expectation is silent")
    size = 1 << int(np.ceil(np.log2(capture.size + expected.size)))
    product = np.fft.irfft(np.fft.rfft(capture, size) * np.conj(np.fft.rfft(expected, size)), size)
    lags = product[: capture.size - expected.size + 1]
    start = int(np.argmax(lags))
    window = capture[start : start + expected.size]
    norm = float(np.linalg.norm(window) * np.linalg.norm(expected))
    correlation = float(lags[start] / norm) if norm else 0.0
    loud = np.flatnonzero(np.abs(capture[start:]) > 0.05 * np.abs(expected).max())
    return Match(start / rate, correlation, (int(loud[-1]) + 1) / rate if loud.size else 0.0)


@dataclass(frozen=True)
class Pulse:
    start_s: float
    duration_s: float  # first to last high sample
    duty: float  # the share of samples high within it


def pwm_pulses(times: np.ndarray, values: np.ndarray, gap_s: float) -> list[Pulse]:
    """The pulses in a sampled line: high samples closer than ``gap_s`` (several PWM periods) belong to one
    pulse; its duty cycle is the share of its samples that are high (sampling unrelated to the PWM)."""
    high = np.flatnonzero(values)
    if high.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(times[high]) > gap_s)
    pulses = []
    for first, last in zip(np.r_[0, breaks + 1], np.r_[breaks, high.size - 1], strict=True):
        begin, end = high[first], high[last]
        pulses.append(Pulse(float(times[begin]), float(times[end] - times[begin]),
                            float(values[begin : end + 1].mean())))
    return pulses
