"""MAX17048 fuel gauge over a fake I2C bus."""

from __future__ import annotations

import sys

import pytest

from hal.interfaces import HardwareError
from hal.max17048 import REG_CRATE, REG_SOC, Max17048Gauge
from tests.fakes import FakeSMBus, module


def test_battery_gauge_reads_charge_and_discharge_rate():
    bus = FakeSMBus(1, {REG_SOC: 0x5A80, REG_CRATE: 0xFFEC})  # 90.5 %, -20 × 0.208 %/h
    reading = Max17048Gauge(1, open_bus=lambda n: bus).read()
    assert reading.percent == pytest.approx(90.5)
    assert not reading.charging
    assert reading.minutes_left == pytest.approx(90.5 / 4.16 * 60)
    assert bus.reads == [(0x36, REG_SOC), (0x36, REG_CRATE)]


def test_battery_gauge_charging_has_no_minutes_left():
    bus = FakeSMBus(1, {REG_SOC: 0x3200, REG_CRATE: 0x0030})
    reading = Max17048Gauge(1, open_bus=lambda n: bus).read()
    assert reading.charging and reading.minutes_left is None and reading.percent == 50.0


def test_battery_gauge_silent_chip_is_a_clear_error():
    gauge = Max17048Gauge(1, open_bus=lambda n: FakeSMBus(n, fail=True))
    with pytest.raises(HardwareError, match="fuel gauge at 0x36 does not answer"):
        gauge.read()


def test_battery_gauge_opens_the_configured_smbus2_bus(monkeypatch):
    opened = []

    def smbus(n: int) -> FakeSMBus:
        opened.append(n)
        return FakeSMBus(n, {REG_SOC: 0x6400, REG_CRATE: 0})

    monkeypatch.setitem(sys.modules, "smbus2", module("smbus2", SMBus=smbus))
    assert Max17048Gauge(3, 0x36).read().percent == 100.0
    assert opened == [3]
