"""The front display through luma: SSD1351 (luma.oled), ST7789 or ILI9341 (luma.lcd), same API."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image


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


def open_luma_device(spec: PanelSpec, serial: object | None = None, backlight: object | None = None) -> object:
    """Build the luma device for ``spec``.

    ``serial`` defaults to the SPI bus and the LCDs' ``backlight`` to luma's GPIO backlight on
    ``spec.gpio_backlight`` (both Pi only); tests pass recording stand-ins.
    """
    if serial is None:
        from luma.core.interface.serial import spi

        serial = spi(
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
    lcd = {"gpio_LIGHT": spec.gpio_backlight, "backlight": backlight}
    if spec.driver == "st7789":
        from luma.lcd.device import st7789

        return st7789(serial, **lcd, **common)
    if spec.driver == "ili9341":
        from luma.lcd.device import ili9341

        return ili9341(serial, h_offset=spec.h_offset, v_offset=spec.v_offset, **lcd, **common)
    raise ValueError(f"unknown display driver {spec.driver!r}")


class LumaDisplay:
    """Keeps the luma device for init and power; frames go through ``show``."""

    def __init__(self, device: object) -> None:
        self.device = device
        self.on = True
        self.power(False)

    @property
    def size(self) -> tuple[int, int]:
        return self.device.size  # type: ignore[attr-defined,no-any-return]

    def power(self, on: bool) -> None:
        if on == self.on:
            return
        if on:
            self.device.show()  # type: ignore[attr-defined]
        else:
            self.device.hide()  # type: ignore[attr-defined]
        if hasattr(self.device, "backlight"):  # LCDs: the backlight is most of the panel's power
            self.device.backlight(on)
        self.on = on

    def show(self, image: Image.Image) -> None:
        if self.on:
            self.device.display(image)  # type: ignore[attr-defined]
