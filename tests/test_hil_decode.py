"""The HIL's decoders on their own, fed what the real parts would give them: the luma SSD1351 driver's
transfers as the SPI loopback module captures them (and the preview's rendering they must show), a
speaker capture with an announcement in it, and a sampled PWM line."""

from __future__ import annotations

import numpy as np
import pytest

from firmware.preview import DeviceStatus, Preview
from hal.luma_display import LumaDisplay, PanelSpec, open_luma_device
from hal.pyaudio_out import resample
from sim.camera import MovingPattern, preview_of, preview_step
from tools.hil.checks import BATTERY_PERCENT, SETTINGS
from tools.hil.decode import DecodeError, find_sound, pwm_pulses, spi_transfers, ssd1351_frames
from tools.hil.preview_match import PreviewRenderer, match_preview

CHUNK = 4096  # py-spidev's writebytes2 splits a frame into transfers of the spidev buffer's size


class CapturingSerial:
    """A luma serial interface writing hil-spi-loopback's capture format: the DC line, length, bytes."""

    def __init__(self) -> None:
        self.capture = bytearray()

    def _transfer(self, line: str, data: bytes) -> None:
        self.capture += line.encode() + len(data).to_bytes(4, "little") + data

    def command(self, *cmd: int) -> None:
        self._transfer("C", bytes(cmd))

    def data(self, data) -> None:
        data = bytes(data)
        for at in range(0, len(data), CHUNK):
            self._transfer("D", data[at : at + CHUNK])

    def cleanup(self) -> None:
        pass


def test_ssd1351_frames_decode_from_the_spi_capture_as_luma_sent_them():
    serial = CapturingSerial()
    display = LumaDisplay(open_luma_device(PanelSpec("ssd1351", 128, 128), serial), "ssd1351")
    display.power(True)
    rng = np.random.default_rng(7)
    frames = [rng.integers(0, 256, (128, 128, 3), dtype=np.uint8) for _ in range(2)]
    for frame in frames:
        display.show(frame)
    decoded = ssd1351_frames(spi_transfers(bytes(serial.capture)))
    assert [f.window for f in decoded] == [(0, 127, 0, 127)] * 3, "luma clears the panel at start, then ours"
    assert not decoded[0].rgb.any()
    top_bits = np.array([3, 2, 3], dtype=np.uint8)  # RGB565 keeps 5, 6 and 5 bits
    for sent, got in zip(frames, decoded[1:], strict=True):
        assert np.array_equal(got.rgb >> top_bits, sent >> top_bits)
    began = bytearray()  # the capture switched on in the middle of the first frame
    for line, data in spi_transfers(bytes(serial.capture))[-3:]:
        began += line.encode() + len(data).to_bytes(4, "little") + data
    assert ssd1351_frames(spi_transfers(bytes(began))) == [], "half a frame is no frame"
    cut = bytes(serial.capture[: len(serial.capture) - 1000])  # the capture's buffer ran out mid-frame
    with pytest.raises(DecodeError, match="broken record"):
        spi_transfers(cut)


def test_a_capture_that_begins_between_the_window_and_its_ram_write_skips_that_frame():
    """The first run from an empty cache began its capture right there and failed on a sound bus."""
    serial = CapturingSerial()
    display = LumaDisplay(open_luma_device(PanelSpec("ssd1351", 128, 128), serial), "ssd1351")
    display.power(True)
    display.show(np.full((128, 128, 3), 200, dtype=np.uint8))
    transfers = spi_transfers(bytes(serial.capture))
    write_ram = max(i for i, (line, data) in enumerate(transfers) if line == "C" and data == bytes([0x5C]))
    display.show(np.full((128, 128, 3), 100, dtype=np.uint8))
    later = spi_transfers(bytes(serial.capture))[write_ram:]  # from the RAM write on: its window is not in it
    frames = ssd1351_frames(later)
    assert len(frames) == 1 and frames[0].rgb[0, 0, 0] >> 3 == 100 >> 3, "the first is skipped, the next is whole"
    half_window = [("C", bytes([0x15])), ("D", bytes([0, 127])), ("C", bytes([0x5C])), ("D", bytes(128 * 128 * 2))]
    with pytest.raises(DecodeError, match="RAM write before the window"):
        ssd1351_frames(half_window)  # a column range seen, no row range: not a capture that began late


def test_a_frame_sent_with_the_data_command_line_wrong_does_not_decode():
    serial = CapturingSerial()
    serial.command(0x15)
    serial._transfer("C", bytes([0, 127]))  # the arguments with the line low: the panel takes them as commands
    with pytest.raises(DecodeError, match="SSD1351 commands are one byte"):
        ssd1351_frames(spi_transfers(bytes(serial.capture)))
    assert ssd1351_frames(spi_transfers(b"")) == []


def test_an_announcement_is_found_in_a_capture_by_its_waveform_at_any_volume():
    rate = 48_000
    rng = np.random.default_rng(3)
    words = resample(rng.standard_normal(16_000).astype(np.float32) * 0.3, 16_000, rate)  # 1 s of "speech"
    tones = 0.5 * np.sin(2 * np.pi * 880 * np.arange(rate // 4) / rate)
    capture = np.concatenate([np.zeros(rate), tones, np.zeros(rate // 2), 0.4 * words, np.zeros(rate)])
    match = find_sound(capture, words, rate)
    assert match.start_s == pytest.approx(1.75, abs=1e-3) and match.correlation > 0.99
    assert match.duration_s == pytest.approx(1.0, abs=0.02)
    other = resample(rng.standard_normal(16_000).astype(np.float32) * 0.3, 16_000, rate)
    assert find_sound(capture, other, rate).correlation < 0.2, "another sound of the same kind is no match"


@pytest.fixture(scope="module")
def renderer():
    return PreviewRenderer(SETTINGS, BATTERY_PERCENT)


def test_a_display_frame_sent_through_luma_is_found_as_the_preview_of_its_pattern_frame(renderer):
    c, d = SETTINGS.camera, SETTINGS.display
    pattern = MovingPattern(c.width, c.height)
    camera_frame = preview_of(pattern.frame(321, "2026-12-05 07:12:45.67 UTC"),
                              preview_step((c.width, c.height), (c.preview_width, c.preview_height)))
    serial = CapturingSerial()
    display = LumaDisplay(open_luma_device(PanelSpec("ssd1351", d.width, d.height), serial), "ssd1351")
    display.power(True)
    preview = Preview(display, fps=d.preview_fps, language="de", mirror=d.mirror, clock_synchronised=lambda: False)
    display.show(preview.compose(camera_frame, DeviceStatus(stage="display", battery_percent=BATTERY_PERCENT), 9.0))
    shown = ssd1351_frames(spi_transfers(bytes(serial.capture)))[-1].rgb
    found = match_preview(shown, renderer, range(400))
    assert (found.index, found.clock_synchronised, found.differing) == (321, False, 0)
    assert found.compared > 0.9 * d.width * d.height


@pytest.mark.parametrize("fault", ["mirrored", "colours swapped", "one pixel", "no overlay"])
def test_a_display_frame_that_is_not_the_previews_rendering_is_no_match(renderer, fault):
    shown = renderer.render(57, True).copy()
    if fault == "mirrored":
        shown = shown[:, ::-1]
    elif fault == "colours swapped":
        shown = shown[..., ::-1]
    elif fault == "one pixel":
        shown[64, 64] ^= 0x80
    else:
        shown = np.where(renderer.overlay(True)[..., None], 0, shown).astype(np.uint8)
    assert match_preview(shown, renderer, range(120)).differing > 0


def test_the_pulses_of_a_sampled_pwm_line_and_their_duty_cycle():
    rng = np.random.default_rng(5)
    times = np.sort(rng.uniform(0.0, 1.0, 20_000))  # sampled at irregular moments, as a busy machine does
    pwm = (times * 100) % 1.0 < 0.8  # 100 Hz at 80 %
    on = ((times >= 0.2) & (times < 0.35)) | ((times >= 0.45) & (times < 0.6))  # two pulses of 0.15 s
    pulses = pwm_pulses(times, (pwm & on).astype(np.uint8), gap_s=0.03)
    assert [round(p.start_s, 2) for p in pulses] == [0.2, 0.45]
    assert all(p.duration_s == pytest.approx(0.15, abs=0.011) for p in pulses)
    assert all(p.duty == pytest.approx(0.8, abs=0.03) for p in pulses)
    full = pwm_pulses(times, on.astype(np.uint8), gap_s=0.03)
    assert [p.duty for p in full] == [1.0, 1.0], "full power is no PWM"
    assert pwm_pulses(times, np.zeros(times.size, np.uint8), 0.03) == []
