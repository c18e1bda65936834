"""The display's GPIO lines (data/command, reset, an LCD's backlight) through gpiozero, for luma.

luma's ``spi()`` and its LCD backlight drive these lines through a ``gpio`` object with RPi.GPIO's
interface, and import RPi.GPIO when given none. RPi.GPIO needs ``/dev/gpiomem``, which the service's
device allow-list does not grant, and the device does not install it: the buttons and LEDs already run
on gpiozero (lgpio), so the panel's lines do too. This is the part of RPi.GPIO that luma.core 2.6
(``interface/serial.py``: bitbang/spi) and luma.lcd 2.13 (``device.py``: GPIOBacklight) call.
"""

from __future__ import annotations

from typing import Any


class LumaGpio:
    OUT = 0
    LOW, HIGH = 0, 1

    def __init__(self, factory: Any) -> None:
        self._factory = factory
        self._lines: dict[int, Any] = {}

    def setup(self, pin: int, direction: int) -> None:
        if direction != self.OUT:
            raise ValueError(f"GPIO{pin}: luma drives its lines as outputs only")
        if pin not in self._lines:
            from gpiozero import DigitalOutputDevice

            self._lines[pin] = DigitalOutputDevice(pin, pin_factory=self._factory)

    def output(self, pin: int, value: int) -> None:
        try:
            line = self._lines[pin]
        except KeyError:
            raise RuntimeError(f"GPIO{pin} has not been set up as an output") from None  # as RPi.GPIO says
        line.value = bool(value)

    def cleanup(self, pin: int | None = None) -> None:
        for number in [pin] if pin is not None else list(self._lines):
            line = self._lines.pop(number, None)
            if line is not None:
                line.close()
