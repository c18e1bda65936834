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
        self.buffers: list[int] = []
        """The length of each ``writebytes2`` call."""
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

    def writebytes2(self, values) -> None:
        """A buffer as it is, or a sequence of ints, written in bufsiz blocks (SpiDev_writebytes2)."""
        data = bytes(values) if isinstance(values, list | tuple) else memoryview(values).tobytes()
        self.written += [data[start:start + BUFSIZ] for start in range(0, len(data), BUFSIZ)]
        self.buffers.append(len(data))

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
    assert bus.buffers[-1] == 128 * 128 * 2, "the whole frame in one writebytes2 call: no list, GIL released"
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


def test_a_frame_goes_through_the_real_py_spidevs_writebytes2_byte_for_byte(tmp_path):
    """The real py-spidev writes the frame: its SpiDev opens a FIFO (open_path keeps the file descriptor
    although a FIFO refuses the SPI ioctls that follow), and ``cat`` on the other end receives what the
    bus would. writebytes2 takes the frame's buffer and releases the GIL around each block it writes."""
    import contextlib
    import os
    import subprocess

    real = pytest.importorskip("spidev", reason="py-spidev builds on Linux (the dev extra); the device: apt")
    fifo, received = tmp_path / "spidev0.0", tmp_path / "received"
    os.mkfifo(fifo)

    class SpiDevOnAFifo(real.SpiDev):
        def open(self, port: int, device: int) -> None:
            with contextlib.suppress(OSError):
                self.open_path(str(fifo))

        max_speed_hz = property(lambda self: 0, lambda self, value: None)  # an ioctl a FIFO refuses

    with received.open("wb") as out:
        reader = subprocess.Popen(["cat", str(fifo)], stdout=out)
    from hal.frame_spi import FrameSpi

    factory = MockFactory()
    spec = PanelSpec("st7789", 240, 240)
    bus = SpiDevOnAFifo()
    serial = FrameSpi(spi=bus, gpio=LumaGpio(factory), gpio_DC=spec.gpio_dc, gpio_RST=spec.gpio_rst)
    display = LumaDisplay(open_luma_device(spec, serial=serial, gpio=LumaGpio(factory)), "st7789")
    display.power(True)
    frame = np.random.default_rng(1).integers(0, 256, (240, 240, 3), dtype=np.uint8)
    display.show(frame)  # 172,800 bytes: more than a pipe holds, so writes block until cat reads
    bus.close()
    assert reader.wait(timeout=30) == 0
    assert received.read_bytes().endswith(frame.tobytes()), "the frame as sent, after the panel's commands"
