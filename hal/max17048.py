"""MAX17048 fuel gauge over I2C (smbus2): state of charge and charge rate."""

from __future__ import annotations

from collections.abc import Callable

from hal.interfaces import BatteryReading, HardwareError

REG_SOC = 0x04
REG_VERSION = 0x08
REG_CRATE = 0x16
CRATE_PERCENT_PER_HOUR = 0.208


class Max17048Gauge:
    def __init__(self, bus: int, address: int = 0x36, open_bus: Callable[[int], object] | None = None) -> None:
        if open_bus is None:
            from smbus2 import SMBus

            open_bus = SMBus
        self._address = address
        try:
            self._bus = open_bus(bus)
        except OSError as exc:
            raise HardwareError(f"fuel gauge: cannot open I2C bus {bus}: {exc}") from exc

    def _register(self, register: int) -> int:
        try:
            msb, lsb = self._bus.read_i2c_block_data(self._address, register, 2)  # type: ignore[attr-defined]
        except OSError as exc:
            raise HardwareError(
                f"fuel gauge at 0x{self._address:02x} does not answer (register 0x{register:02x}): {exc}"
            ) from exc
        return (msb << 8) | lsb

    def read(self) -> BatteryReading:
        percent = min(100.0, self._register(REG_SOC) / 256.0)
        raw_rate = self._register(REG_CRATE)
        rate = (raw_rate - 0x10000 if raw_rate & 0x8000 else raw_rate) * CRATE_PERCENT_PER_HOUR
        charging = rate > 0
        minutes_left = percent / -rate * 60.0 if rate < 0 else None
        return BatteryReading(percent=percent, charging=charging, minutes_left=minutes_left)
