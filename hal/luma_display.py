"""The front display through luma: SSD1351 (luma.oled), ST7789 or ILI9341 (luma.lcd), same API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from hal.pixels import PixelFormat, pack_rgb565


@dataclass(frozen=True)
class PanelSpec:
    driver: str
    width: int
    height: int
    rotate: int = 0
    spi_port: int = 0
    spi_device: int = 0
    spi_speed_hz: int = 16_000_000
    gpio_dc: int = 24
    gpio_rst: int = 25
    h_offset: int = 0
    v_offset: int = 0
    gpio_backlight: int = 18


def open_luma_device(spec: PanelSpec, serial: object | None = None, backlight: object | None = None,
                     gpio: object | None = None) -> object:
    """Build the luma device for ``spec``.

    ``serial`` defaults to the SPI bus (spidev) and the LCDs' ``backlight`` to luma's GPIO backlight on
    ``spec.gpio_backlight``; both drive their lines through ``gpio`` (a ``LumaGpio`` on the device).
    The simulator and tests pass recording stand-ins.
    """
    if serial is None:
        from hal.frame_spi import FrameSpi

        serial = FrameSpi(
            gpio=gpio,
            port=spec.spi_port,
            device=spec.spi_device,
            gpio_DC=spec.gpio_dc,
            gpio_RST=spec.gpio_rst,
            bus_speed_hz=spec.spi_speed_hz,
        )
    common = {"width": spec.width, "height": spec.height, "rotate": spec.rotate}
    if spec.driver == "ssd1351":
        from luma.oled.device import ssd1351

        return ssd1351(serial, h_offset=spec.h_offset, v_offset=spec.v_offset, **common)
    lcd = {"gpio": gpio, "gpio_LIGHT": spec.gpio_backlight, "backlight": backlight}
    if spec.driver == "st7789":
        from luma.lcd.device import st7789

        return st7789(serial, **lcd, **common)
    if spec.driver == "ili9341":
        from luma.lcd.device import ili9341

        return ili9341(serial, h_offset=spec.h_offset, v_offset=spec.v_offset, **lcd, **common)
    raise ValueError(f"unknown display driver {spec.driver!r}")


PIXEL_FORMATS: dict[str, PixelFormat] = {"ssd1351": "rgb565", "st7789": "rgb888", "ili9341": "rgb888"}


class LumaDisplay:
    """The luma device does init, power and commands; the per-frame pixel path is ours.

    ``show`` packs a whole frame with NumPy and sends it in one full-frame window: no per-pixel Python
    and no frame diffing, which for a live picture finds nearly every pixel changed anyway.
    """

    def __init__(self, device: Any, driver: str, h_offset: int = 0, v_offset: int = 0) -> None:
        self.device = device
        self.driver = driver
        self.pixel_format = PIXEL_FORMATS[driver]
        self._offset = (h_offset, v_offset) if driver != "st7789" else (0, 0)
        self.on = True
        self.power(False)

    @property
    def size(self) -> tuple[int, int]:
        """Width and height as the picture is composed (after rotation)."""
        return self.device.size

    def power(self, on: bool) -> None:
        if on == self.on:
            return
        if on:
            self.device.show()
        else:
            self.device.hide()
        if hasattr(self.device, "backlight"):  # LCDs: the backlight is most of the panel's power
            self.device.backlight(on)
        self.on = on

    def brightness(self, level: float) -> None:
        """0.0–1.0; OLEDs dim through their contrast current (LCDs ignore it: backlight only)."""
        self.device.contrast(round(max(0.0, min(1.0, level)) * 255))

    def show(self, frame: np.ndarray) -> None:
        """Send an RGB frame (height × width × 3, uint8) of ``size``; nothing while the panel sleeps."""
        if not self.on:
            return
        rotate = self.device.rotate
        physical = np.rot90(frame, k=-rotate) if rotate else frame  # luma rotates clockwise
        height, width = physical.shape[:2]
        left, top = self._offset
        right, bottom = left + width, top + height
        device = self.device
        if self.pixel_format == "rgb565":  # SSD1351: column and row address, then write RAM
            device.command(0x15, left, right - 1)
            device.command(0x75, top, bottom - 1)
            device.command(0x5C)
            device.data(pack_rgb565(physical))
        else:  # MIPI DCS (ST7789, ILI9341): CASET, RASET, RAMWR
            device.command(0x2A, left >> 8, left & 0xFF, (right - 1) >> 8, (right - 1) & 0xFF)
            device.command(0x2B, top >> 8, top & 0xFF, (bottom - 1) >> 8, (bottom - 1) & 0xFF)
            device.command(0x2C)
            device.data(np.ascontiguousarray(physical).tobytes())
