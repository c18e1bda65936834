"""The display's SPI path as on the device: luma's real ``spi()`` and panel drivers, our gpiozero lines
(MockFactory pins) and a spidev stand-in that accepts what the real module accepts."""

from __future__ import annotations

import sys
from typing import ClassVar

import numpy as np
import pytest
from gpiozero.pins.mock import MockFactory

from hal.luma_display import LumaDisplay, PanelSpec, open_luma_device
from hal.luma_gpio import LumaGpio
from tests.fakes import module

BUFSIZ = 4096  # /sys/module/spidev/parameters/bufsiz, the kernel's default


class SpiDev:
    """spidev 3.7's ``SpiDev`` (spidev_module.c) as luma uses it: ``open``, ``max_speed_hz``, ``mode``,
    ``writebytes`` and ``close``. ``writebytes`` refuses what the C code refuses: an empty sequence
    (TypeError), more than bufsiz items (OverflowError), an item that is not an int (TypeError)."""

    opened: ClassVar[list[SpiDev]] = []

    def __init__(self) -> None:
        self.port: int | None = None
        self.device: int | None = None
        self.max_speed_hz = 0
        self.mode = 0
        self.written: list[bytes] = []
        SpiDev.opened.append(self)

    def open(self, port: int, device: int) -> None:
        self.port, self.device = port, device

    def writebytes(self, values) -> None:
        items = list(values)  # PySequence_Fast: a list, or any sequence turned into one
        if not items:
            raise TypeError("Empty argument list.")
        if len(items) > BUFSIZ:
            raise OverflowError(f"Argument list size exceeds {BUFSIZ} bytes.")
        if not all(isinstance(v, int) for v in items):
            raise TypeError("Non-Int/Long value in arguments")
        self.written.append(bytes(v & 0xFF for v in items))  # (__u8)PyLong_AS_LONG(val)

    def close(self) -> None:
        pass


@pytest.fixture
def spidev(monkeypatch) -> type[SpiDev]:
    SpiDev.opened = []
    monkeypatch.setitem(sys.modules, "spidev", module("spidev", SpiDev=SpiDev))
    monkeypatch.delitem(sys.modules, "RPi", raising=False)
    monkeypatch.delitem(sys.modules, "RPi.GPIO", raising=False)
    return SpiDev


def levels(factory: MockFactory, pin: int) -> list[bool]:
    return [bool(state.state) for state in factory.pin(pin).states]


def test_the_oled_starts_on_lumas_real_spi_with_gpiozero_lines_and_no_rpi_gpio(spidev):
    factory = MockFactory()
    spec = PanelSpec("ssd1351", 128, 128, spi_speed_hz=16_000_000)
    display = LumaDisplay(open_luma_device(spec, gpio=LumaGpio(factory)), "ssd1351")
    (bus,) = spidev.opened
    assert (bus.port, bus.device, bus.max_speed_hz) == (0, 0, 16_000_000)
    assert levels(factory, spec.gpio_rst)[-2:] == [False, True], "reset pulsed, then held high"
    assert bus.written, "the panel's init commands went over SPI"
    bus.written.clear()
    display.power(True)
    display.show(np.full((128, 128, 3), 255, dtype=np.uint8))
    frame = b"".join(bus.written[-8:])  # 128 × 128 × 2 bytes in bufsiz chunks
    assert len(frame) == 128 * 128 * 2 and set(frame) == {0xFF}
    assert all(len(chunk) <= BUFSIZ for chunk in bus.written)
    assert levels(factory, spec.gpio_dc)[-1] is True, "data mode for the pixels"


def test_the_lcds_backlight_is_a_gpiozero_line_too(spidev):
    factory = MockFactory()
    spec = PanelSpec("st7789", 240, 240)
    device = open_luma_device(spec, gpio=LumaGpio(factory))
    assert levels(factory, spec.gpio_backlight)[-1] is True, "luma switches it on at start"
    display = LumaDisplay(device, "st7789")  # starts with the panel off
    assert levels(factory, spec.gpio_backlight)[-1] is False, "off with the panel: most of its power"
    display.power(True)
    assert levels(factory, spec.gpio_backlight)[-1] is True


def test_a_line_used_before_it_was_set_up_is_an_error_as_with_rpi_gpio():
    gpio = LumaGpio(MockFactory())
    with pytest.raises(RuntimeError, match="GPIO24 has not been set up"):
        gpio.output(24, gpio.HIGH)
    gpio.setup(24, gpio.OUT)
    gpio.output(24, gpio.HIGH)
    gpio.cleanup()
    with pytest.raises(RuntimeError):
        gpio.output(24, gpio.LOW)
