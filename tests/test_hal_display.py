"""luma devices from config, driven through a recording serial interface."""

from __future__ import annotations

import pytest
from PIL import Image

from hal.luma_display import LumaDisplay, PanelSpec, open_luma_device
from tests.fakes import RecordingSerial

DISPLAY_OFF, DISPLAY_ON = 0xAE, 0xAF


def test_display_panel_sleeps_until_powered_and_after():
    serial = RecordingSerial()
    display = LumaDisplay(open_luma_device(PanelSpec("ssd1351", 128, 128), serial))
    assert serial.commands[-1] == (DISPLAY_OFF,)
    after_init = len(serial.data_bytes)
    display.show(Image.new("RGB", (128, 128), "red"))
    assert len(serial.data_bytes) == after_init, "nothing is sent to a sleeping panel"
    display.power(True)
    assert serial.commands[-1] == (DISPLAY_ON,)
    display.show(Image.new("RGB", (128, 128), "red"))
    sent = bytes(serial.data_bytes[after_init:])
    # Stock luma sends the frame in 4 windows, each after 4 bytes of column/row addresses.
    assert len(sent) == 128 * 128 * 2 + 4 * 4
    assert len(sent.replace(bytes([0xF8, 0x00]), b"")) == 4 * 4  # every pixel pure red in RGB565
    display.power(False)
    assert serial.commands[-1] == (DISPLAY_OFF,)


@pytest.mark.parametrize(("driver", "size"), [("st7789", (240, 240)), ("ili9341", (320, 240))])
def test_display_lcd_drivers_build_from_the_same_spec_and_switch_the_backlight(driver, size):
    backlight: list[bool] = []
    display = LumaDisplay(open_luma_device(PanelSpec(driver, *size), RecordingSerial(), backlight.append))
    assert display.size == size
    display.power(True)
    display.power(False)
    assert backlight[-3:] == [False, True, False]


def test_display_unknown_driver_is_rejected():
    with pytest.raises(ValueError, match="unknown display driver"):
        open_luma_device(PanelSpec("ssd1306", 128, 64), RecordingSerial())
