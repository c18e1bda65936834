"""Buttons, LEDs and the vibration motor through gpiozero, with the pin factory injected.

``pin_factory`` is a gpiozero ``Factory``: ``LGPIOFactory`` on the device, ``MockFactory`` in tests and
the simulator. Nothing here chooses a backend itself.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Mapping

from hal.debounce import Debouncer
from hal.interfaces import ButtonEdge, LedMode

BLINK_S = 0.25


def pin_factory(name: str) -> object:
    """The gpiozero pin factory called ``name`` in the config (imported only when asked for)."""
    if name == "mock":
        from gpiozero.pins.mock import MockFactory, MockPWMPin

        return MockFactory(pin_class=MockPWMPin)
    if name == "lgpio":
        # Importing lgpio creates its notification FIFO in $LG_WD, else in the current directory: "/"
        # under the service, read-only there (ProtectSystem=strict). The temporary directory is writable
        # wherever the firmware runs (the service's is private).
        os.environ.setdefault("LG_WD", tempfile.gettempdir())
        from gpiozero.pins.lgpio import LGPIOFactory

        return LGPIOFactory()
    if name == "rpigpio":
        from gpiozero.pins.rpigpio import RPiGPIOFactory

        return RPiGPIOFactory()
    if name == "native":
        from gpiozero.pins.native import NativeFactory

        return NativeFactory()
    raise ValueError(f"unknown pin factory {name!r}")


def _call_later(delay: float, fn: Callable[[], None]) -> None:
    timer = threading.Timer(delay, fn)
    timer.daemon = True
    timer.start()


class GpioButtons:
    def __init__(
        self,
        pins: Mapping[str, int],
        *,
        pull_up: bool,
        debounce_s: float,
        now: Callable[[], float],
        factory: object,
        schedule: Callable[[float, Callable[[], None]], None] = _call_later,
    ) -> None:
        from gpiozero import Button

        # gpiozero's own bounce_time is not used: it drops the final edge of a short press.
        self._buttons = {
            name: Button(pin, pull_up=pull_up, bounce_time=None, pin_factory=factory) for name, pin in pins.items()
        }
        self._debounce_s = debounce_s
        self._now = now
        self._schedule = schedule

    def listen(self, on_edge: ButtonEdge) -> None:
        debouncer = Debouncer(
            self._debounce_s, self._now, lambda name: self._buttons[name].is_pressed, self._schedule, on_edge
        )
        for name, button in self._buttons.items():
            button.when_pressed = lambda _device, n=name: debouncer.edge(n, True)
            button.when_released = lambda _device, n=name: debouncer.edge(n, False)

    def close(self) -> None:
        for button in self._buttons.values():
            button.close()


class GpioIndicators:
    def __init__(self, led_pins: Mapping[str, int], vibration_pin: int, *, factory: object,
                 vibration_strength: float = 1.0, prioritise: Callable[[], str] | None = None) -> None:
        """``prioritise`` is asked by each pattern's thread: a pulse ends when that thread next runs, and on
        the emulated board, as the recording started, an ordinary thread made 150 ms into 270."""
        from gpiozero import LED, PWMOutputDevice

        self._leds = {name: LED(pin, pin_factory=factory) for name, pin in led_pins.items()}
        self._motor = PWMOutputDevice(vibration_pin, pin_factory=factory)
        self._strength = vibration_strength
        self._prioritise = prioritise
        self._pattern = threading.Event()  # set: the running pattern is to stop
        self._writing = threading.Lock()

    def set_led(self, name: str, mode: LedMode) -> None:
        led = self._leds[name]
        if mode == "blink":
            led.blink(on_time=BLINK_S, off_time=BLINK_S, background=True)
        elif mode == "on":
            led.on()
        else:
            led.off()

    def led_is_lit(self, name: str) -> bool:
        return bool(self._leds[name].is_lit)

    def vibrate(self, on_s: float, off_s: float, count: int) -> None:
        """``count`` pulses at the configured duty cycle on a thread of their own; a new pattern replaces one
        still running. gpiozero's own ``blink`` knows only full power, and stepping its ``source`` every
        10 ms made each step's write part of the pulse: on the emulated board 150 ms became 400 ms. Here
        the motor is written twice a pulse and the waits alone set the times."""
        with self._writing:
            self._pattern.set()
            self._pattern = stop = threading.Event()
        threading.Thread(target=self._pulses, args=(stop, on_s, off_s, count), name="vibration", daemon=True).start()

    def _pulses(self, stop: threading.Event, on_s: float, off_s: float, count: int) -> None:
        if self._prioritise is not None:
            self._prioritise()
        for _ in range(count):
            if not self._drive(stop, self._strength) or stop.wait(on_s):
                return
            if not self._drive(stop, 0.0) or stop.wait(off_s):
                return

    def _drive(self, stop: threading.Event, value: float) -> bool:
        """Sets the motor unless this pattern was replaced (a stopped one must not switch off the next)."""
        with self._writing:
            if stop.is_set():
                return False
            self._motor.value = value
            return True

    @property
    def vibrating(self) -> bool:
        return bool(self._motor.value)

    def close(self) -> None:
        for led in self._leds.values():
            led.close()
        with self._writing:
            self._pattern.set()
            self._motor.close()
