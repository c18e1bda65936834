"""gpiozero adapters on MockFactory pins: debounced buttons, LEDs, vibration motor."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from firmware.config import Config, override
from firmware.hardware import build_gpio
from hal.debounce import Debouncer
from hal.gpio import GpioButtons, GpioIndicators, pin_factory

ROOT = Path(__file__).resolve().parent.parent


class ManualTime:
    def __init__(self) -> None:
        self.t = 0.0
        self.pending: list[tuple[float, Callable[[], None]]] = []

    def now(self) -> float:
        return self.t

    def schedule(self, delay: float, fn) -> None:
        self.pending.append((self.t + delay, fn))

    def advance(self, seconds: float) -> None:
        end = self.t + seconds
        while due_now := sorted((p for p in self.pending if p[0] <= end), key=lambda p: p[0]):
            due, fn = due_now[0]
            self.pending.remove((due, fn))
            self.t = due
            fn()
        self.t = end


@pytest.fixture
def rig():
    factory = pin_factory("mock")
    clock = ManualTime()
    edges: list[tuple[str, bool, float]] = []
    buttons = GpioButtons({"display": 17, "record": 27}, pull_up=True, debounce_s=0.03, now=clock.now,
                          factory=factory, schedule=clock.schedule)
    buttons.listen(lambda name, pressed, t: edges.append((name, pressed, t)))
    yield factory, clock, edges
    buttons.close()


def test_gpio_button_press_and_release_are_reported_with_time(rig):
    factory, clock, edges = rig
    clock.advance(1.0)
    factory.pin(27).drive_low()
    clock.advance(0.5)
    factory.pin(27).drive_high()
    assert edges == [("record", True, 1.0), ("record", False, 1.5)]


def test_gpio_button_contact_bounce_is_one_press(rig):
    factory, clock, edges = rig
    pin = factory.pin(17)
    for _ in range(4):  # bouncing contact within 8 ms
        pin.drive_low()
        clock.advance(0.001)
        pin.drive_high()
        clock.advance(0.001)
    pin.drive_low()
    clock.advance(0.2)
    assert edges == [("display", True, 0.0)]


def test_gpio_button_press_shorter_than_debounce_window_still_releases(rig):
    factory, clock, edges = rig
    pin = factory.pin(27)
    pin.drive_low()
    clock.advance(0.01)
    pin.drive_high()  # inside the window: ignored at first...
    clock.advance(0.05)  # ...but the settle check reads the pin and reports the release
    assert edges == [("record", True, 0.0), ("record", False, pytest.approx(0.03))]


def test_debouncer_settle_check_reports_nothing_when_state_returned():
    clock = ManualTime()
    edges = []
    state = {"b": True}
    debouncer = Debouncer(0.03, clock.now, lambda name: state[name], clock.schedule, lambda *e: edges.append(e))
    debouncer.edge("b", True)
    clock.advance(0.005)
    debouncer.edge("b", False)
    clock.advance(0.005)
    debouncer.edge("b", True)
    clock.advance(0.1)
    assert edges == [("b", True, 0.0)]


def test_gpio_pull_down_buttons_are_active_high():
    factory = pin_factory("mock")
    edges = []
    buttons = GpioButtons({"record": 27}, pull_up=False, debounce_s=0.0, now=lambda: 0.0, factory=factory)
    buttons.listen(lambda *edge: edges.append(edge))
    factory.pin(27).drive_high()
    assert edges == [("record", True, 0.0)]
    buttons.close()


def test_gpio_leds_follow_modes():
    factory = pin_factory("mock")
    indicators = GpioIndicators({"ready": 5, "red": 13}, 12, factory=factory)
    indicators.set_led("red", "on")
    assert factory.pin(13).state and indicators.led_is_lit("red")
    indicators.set_led("red", "off")
    assert not factory.pin(13).state
    indicators.set_led("ready", "blink")
    deadline = time.monotonic() + 2
    while len(factory.pin(5).states) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [s.state for s in factory.pin(5).states[:3]] == [False, True, False]
    indicators.close()


@pytest.mark.parametrize("strength", [0.4, 1.0])
def test_gpio_vibration_pulses_count_times_at_the_configured_duty_cycle(strength):
    """indicators.vibration_strength is the PWM duty of every pulse: a gentler motor, never full power
    unless configured."""
    factory = pin_factory("mock")
    indicators = GpioIndicators({}, 12, factory=factory, vibration_strength=strength)
    indicators.vibrate(0.03, 0.03, 2)
    pin = factory.pin(12)
    deadline = time.monotonic() + 2
    while len(pin.states) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert [s.state for s in pin.states] == [0, strength, 0, strength, 0]
    assert not indicators.vibrating
    indicators.close()


class SlowPWMPin(MockPWMPin):
    """A pin whose every write takes 20 ms, as lgpio's on the emulated board's CPU."""

    def _set_state(self, value: float) -> None:
        time.sleep(0.02)
        super()._set_state(value)


def test_vibration_pulses_last_their_time_however_slow_each_write_to_the_pin_is():
    factory = MockFactory(pin_class=SlowPWMPin)
    indicators = GpioIndicators({}, 12, factory=factory, vibration_strength=0.8)
    indicators.vibrate(0.15, 0.1, 2)
    pin = factory.pin(12)
    deadline = time.monotonic() + 5
    while len(pin.states) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    lasted = [s.timestamp for s in pin.states[2:5]]  # each state's time is how long the one before it lasted
    assert lasted == pytest.approx([0.15, 0.1, 0.15], abs=0.06), "stepping every 10 ms made them 0.45 s"
    indicators.close()


def test_the_thread_that_times_the_vibration_asks_for_priority_before_its_first_pulse():
    factory = pin_factory("mock")
    asked: list[tuple[str, int]] = []
    indicators = GpioIndicators({}, 12, factory=factory, vibration_strength=0.8,
                                prioritise=lambda: asked.append((threading.current_thread().name,
                                                                 len(factory.pin(12).states))) or "real-time")
    indicators.vibrate(0.02, 0.02, 1)
    deadline = time.monotonic() + 2
    while len(factory.pin(12).states) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert asked == [("vibration", 1)], "on the pulse's own thread, before the motor starts"
    indicators.close()


def test_a_new_vibration_pattern_replaces_a_running_one_and_the_old_one_never_switches_it_off():
    factory = pin_factory("mock")
    indicators = GpioIndicators({}, 12, factory=factory, vibration_strength=0.5)
    indicators.vibrate(1.0, 0.0, 1)
    time.sleep(0.1)
    indicators.vibrate(0.3, 0.0, 1)
    time.sleep(0.15)
    assert indicators.vibrating
    time.sleep(0.3)
    assert not indicators.vibrating, "the new pattern's end, although the old one would still be on"
    time.sleep(0.8)
    assert [s.state for s in factory.pin(12).states] == [0, 0.5, 0], "the old one came back to nothing"
    indicators.close()


def test_pin_factory_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown pin factory"):
        pin_factory("gpiod")


def test_the_lgpio_factory_starts_in_a_read_only_directory_as_the_service_does():
    """The real lgpio wheel creates a FIFO in the current directory at import; the service's is "/",
    read-only under ProtectSystem=strict. /proc stands in for it: read-only even for root."""
    lgpio = pytest.importorskip("lgpio", reason="the lgpio wheel exists for x86_64 and the device's apt")
    environment = {k: v for k, v in os.environ.items() if k != "LG_WD"}
    plain = subprocess.run([sys.executable, "-c", "import lgpio"], cwd="/proc", env=environment,
                           capture_output=True, text=True, timeout=60)
    assert plain.returncode != 0 and ".lgd-nfy" in plain.stderr, f"lgpio {lgpio.LGPIO_PY_VERSION:x} changed"
    ours = subprocess.run([sys.executable, "-c", "from hal.gpio import pin_factory; pin_factory('lgpio')"],
                          cwd="/proc", env={**environment, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=60)
    assert ".lgd-nfy" not in ours.stderr, ours.stderr
    assert "PinUnknownPi" in ours.stderr or ours.returncode == 0, ours.stderr  # past the import: no Pi here


def test_the_configured_vibration_strength_reaches_the_motor():
    factory = pin_factory("mock")
    config = override(Config(), indicators={"vibration_strength": 0.3})
    buttons, indicators = build_gpio(config, factory, time.monotonic)
    indicators.vibrate(0.02, 0.02, 1)
    pin = factory.pin(config.indicators.vibration_pin)
    deadline = time.monotonic() + 2
    while len(pin.states) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert max(s.state for s in pin.states) == 0.3
    indicators.close()
    buttons.close()
