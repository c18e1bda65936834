"""Battery model: drains a cell according to what is switched on. Assumptions in docs/simulator.md."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hal.interfaces import BatteryReading, Clock


@dataclass(frozen=True)
class PowerBudget:
    """Average electrical power of each part, in watts, at the 5 V rail (Pi Zero 2 W build)."""

    base_w: float = 0.60
    """Pi Zero 2 W idle: Wi-Fi and HDMI off, firmware waiting for events."""
    camera_w: float = 0.90
    """Camera Module 3 streaming through the ISP (preview and pre-record)."""
    recording_w: float = 0.40
    """Hardware H.264 encoder at 1080p30, encryption and SD-card writes, on top of the camera."""
    display_w: float = 0.15
    """SSD1351 128×128 OLED showing a live picture at typical brightness."""
    cell_mah: float = 5000.0
    cell_v: float = 3.7
    converter_efficiency: float = 0.90
    """Boost converter from the Li-ion cell to 5 V."""

    @property
    def usable_wh(self) -> float:
        return self.cell_mah / 1000.0 * self.cell_v * self.converter_efficiency


class SimBattery:
    """A fuel gauge over the model: integrates the draw of the parts that are on, once a second."""

    def __init__(
        self,
        clock: Clock,
        loads: Mapping[str, Callable[[], bool]],
        *,
        percent: float = 100.0,
        budget: PowerBudget = PowerBudget(),
    ) -> None:
        self._clock = clock
        self._loads = loads
        self._budget = budget
        self._energy_wh = budget.usable_wh * percent / 100.0
        self._last = clock.now()

    def draw_w(self) -> float:
        b = self._budget
        watts = {"camera": b.camera_w, "recording": b.recording_w, "display": b.display_w}
        return b.base_w + sum(w for name, w in watts.items() if self._loads[name]())

    def update(self) -> None:
        now = self._clock.now()
        self._energy_wh = max(0.0, self._energy_wh - self.draw_w() * (now - self._last) / 3600.0)
        self._last = now

    def set_percent(self, percent: float) -> None:
        """Fault injection: the cell is suddenly at ``percent``."""
        self.update()
        self._energy_wh = self._budget.usable_wh * percent / 100.0

    @property
    def percent(self) -> float:
        return 100.0 * self._energy_wh / self._budget.usable_wh

    def read(self) -> BatteryReading:
        self.update()
        minutes = self._energy_wh / self.draw_w() * 60.0
        return BatteryReading(percent=self.percent, charging=False, minutes_left=minutes)


class SimStorage:
    """A card of ``total_bytes``; fault injection can fill it."""

    def __init__(self, total_bytes: int, free_bytes: int | None = None) -> None:
        self.total_bytes = total_bytes
        self.free_bytes = total_bytes if free_bytes is None else free_bytes

    def usage(self) -> tuple[int, int]:
        return self.free_bytes, self.total_bytes

    def fill(self) -> None:
        self.free_bytes = 0
