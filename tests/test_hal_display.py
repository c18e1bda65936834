"""Our panel path against stock luma, byte for byte, on recording serial interfaces."""

from __future__ import annotations

import numpy as np
import pytest
from luma.core.framebuffer import full_frame
from PIL import Image

from hal.luma_display import LumaDisplay, PanelSpec, open_luma_device
from hal.pixels import pack_rgb565, unpack_rgb565
from tests.fakes import RecordingSerial

DISPLAY_OFF, DISPLAY_ON = 0xAE, 0xAF


def random_frame(width: int, height: int, seed: int = 7) -> np.ndarray:
    frame = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    frame[:4, :4] = 0  # luma skips pure black pixels in its loop: they must come out the same
    return frame


def stock_frame_write(frame: np.ndarray, **kwargs: int) -> tuple[list, bytes]:
    """What stock luma.oled sends for one full-frame display() of ``frame``: commands and data bytes."""
    from luma.oled.device import ssd1351

    serial = RecordingSerial()
    height, width = frame.shape[:2]
    device = ssd1351(serial, width=width, height=height, framebuffer=full_frame(), **kwargs)
    commands, data = len(serial.commands), len(serial.data_bytes)
    device.display(Image.fromarray(frame))
    return serial.commands[commands:], bytes(serial.data_bytes[data:])


def our_frame_write(display: LumaDisplay, serial: RecordingSerial, frame: np.ndarray) -> tuple[list, bytes]:
    commands, data = len(serial.commands), len(serial.data_bytes)
    display.show(frame)
    return serial.commands[commands:], bytes(serial.data_bytes[data:])


def test_display_ssd1351_frame_bytes_equal_stock_luma():
    frame = random_frame(128, 128)
    stock = stock_frame_write(frame)
    serial = RecordingSerial()
    display = LumaDisplay(open_luma_device(PanelSpec("ssd1351", 128, 128), serial), "ssd1351")
    display.power(True)
    assert our_frame_write(display, serial, frame) == stock
    assert len(stock[1]) == 4 + 128 * 128 * 2  # column and row addresses, then the pixels


@pytest.mark.parametrize(("rotate", "offsets"), [(1, (0, 0)), (2, (0, 0)), (0, (0, 32))])
def test_display_ssd1351_rotation_and_offsets_equal_stock_luma(rotate, offsets):
    frame = random_frame(128, 96 if offsets[1] else 128, seed=rotate)
    logical = np.ascontiguousarray(frame)
    h_offset, v_offset = offsets
    height = 96 if v_offset else 128
    stock = stock_frame_write(logical, rotate=rotate, h_offset=h_offset, v_offset=v_offset)
    serial = RecordingSerial()
    device = open_luma_device(PanelSpec("ssd1351", 128, height, rotate, h_offset=h_offset, v_offset=v_offset),
                              serial)
    display = LumaDisplay(device, "ssd1351", h_offset, v_offset)
    display.power(True)
    assert our_frame_write(display, serial, logical) == stock


@pytest.mark.parametrize(("driver", "size"), [("st7789", (240, 240)), ("ili9341", (320, 240))])
def test_display_lcd_frame_bytes_equal_stock_luma(driver, size):
    frame = random_frame(*size)
    serial_stock = RecordingSerial()
    stock_device = open_luma_device(PanelSpec(driver, *size), serial_stock, backlight=lambda on: None)
    if driver == "ili9341":
        stock_device.framebuffer = full_frame()
    commands, data = len(serial_stock.commands), len(serial_stock.data_bytes)
    stock_device.display(Image.fromarray(frame))
    stock = (serial_stock.commands[commands:], bytes(serial_stock.data_bytes[data:]))
    serial = RecordingSerial()
    display = LumaDisplay(open_luma_device(PanelSpec(driver, *size), serial, backlight=lambda on: None), driver)
    display.power(True)
    ours = our_frame_write(display, serial, frame)
    assert ours[1] == stock[1]  # CASET/RASET arguments travel as data on these panels
    assert [c[0] for c in ours[0]] == [c[0] for c in stock[0]]


def test_display_panel_sleeps_and_receives_nothing_while_off():
    serial = RecordingSerial()
    display = LumaDisplay(open_luma_device(PanelSpec("ssd1351", 128, 128), serial), "ssd1351")
    assert serial.commands[-1] == (DISPLAY_OFF,)
    sent = len(serial.data_bytes)
    display.show(random_frame(128, 128))
    assert len(serial.data_bytes) == sent, "nothing is sent to a sleeping panel"
    display.power(True)
    assert serial.commands[-1] == (DISPLAY_ON,)
    display.power(False)
    assert serial.commands[-1] == (DISPLAY_OFF,)


def test_display_lcd_backlight_follows_power():
    backlight: list[bool] = []
    display = LumaDisplay(open_luma_device(PanelSpec("st7789", 240, 240), RecordingSerial(), backlight.append),
                          "st7789")
    display.power(True)
    display.power(False)
    assert backlight[-3:] == [False, True, False]


def test_display_brightness_sets_the_oled_contrast():
    serial = RecordingSerial()
    display = LumaDisplay(open_luma_device(PanelSpec("ssd1351", 128, 128), serial), "ssd1351")
    display.brightness(0.5)
    assert serial.commands[-1] == (0xC1,) and serial.data_bytes[-3:] == bytes([128, 128, 128])


def test_rgb565_round_trip_keeps_the_top_bits():
    frame = random_frame(16, 8)
    back = unpack_rgb565(pack_rgb565(frame), 16, 8)
    assert np.all(np.abs(back.astype(int) - frame.astype(int)) <= np.array([8, 4, 8]))


def test_display_unknown_driver_is_rejected():
    with pytest.raises(ValueError, match="unknown display driver"):
        open_luma_device(PanelSpec("ssd1306", 128, 64), RecordingSerial())
