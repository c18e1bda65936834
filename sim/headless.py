"""Run a scenario without any window, in virtual time (or real time), printing the JSON-lines log."""

from __future__ import annotations

import dataclasses
import functools
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from PIL import Image

from firmware.app import Firmware
from firmware.config import Config
from firmware.inbox import Inbox, ThreadedInbox
from firmware.log import JsonLog, Record
from firmware.sd_notify import Notifier
from sim.clock import SIM_EPOCH, RealtimeClock, VirtualClock
from sim.hardware import SimControls, build_sim_hardware, sim_keys
from sim.inbox import VirtualInbox
from sim.scenario import Step
from states.events import BatteryLevel, ShutdownRequested, StorageLevel
from states.model import DeviceState


def schedule(steps: list[Step], clock: VirtualClock | RealtimeClock, inbox: Inbox, controls: SimControls) -> None:
    """Put every scenario step on the clock as the hardware change it stands for (times from now)."""
    origin = clock.now()
    steps = [dataclasses.replace(s, t=origin + s.t) for s in steps]
    for s in steps:
        match s.kind:
            case "press" | "hold":
                assert s.button is not None
                clock.call_at(s.t, functools.partial(controls.set_button, s.button, True))
                clock.call_at(s.t + s.seconds, functools.partial(controls.set_button, s.button, False))
            case "battery":
                # The gauge's alert line reports a sudden change at once, not at the next poll.
                def battery(p: float = s.percent) -> None:
                    controls.battery.set_percent(p)
                    inbox.put(BatteryLevel(clock.now(), p))

                clock.call_at(s.t, battery)
            case "storage-full":
                # A write failing with ENOSPC is noticed at once, not at the next free-space poll.
                def storage_full() -> None:
                    controls.storage.fill()
                    inbox.put(StorageLevel(clock.now(), *controls.storage.usage()))

                clock.call_at(s.t, storage_full)
            case "camera-fault":
                clock.call_at(s.t, lambda: controls.camera.fail("injected fault: no frames from sensor"))
            case "camera-ok":
                clock.call_at(s.t, controls.camera.recover)
            case "end":
                clock.call_at(s.t, lambda: inbox.put(ShutdownRequested(clock.now(), "scenario-end")))


class DisplayCapture:
    """PNGs of the front display, as the panel received it, at each transition and every few seconds."""

    SETTLE_S = 0.2  # a transition's first frames reach the panel within this

    def __init__(self, directory: Path, clock: VirtualClock | RealtimeClock, firmware: Firmware,
                 controls: SimControls, every_s: float) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._directory, self._clock, self._firmware, self._controls = directory, clock, firmware, controls
        firmware.log.add_sink(self._on_record)
        if every_s > 0:
            clock.call_every(every_s, self.capture)

    def _on_record(self, kind: Record, record: dict[str, object]) -> None:
        if kind is Record.TRANSITION:
            self._clock.call_later(self.SETTLE_S, self.capture)

    def capture(self) -> Path:
        controls = self._controls
        width, height = controls.display.size
        pixels = controls.panel.image() if controls.display.on else None
        image = Image.fromarray(pixels) if pixels is not None else Image.new("RGB", (width, height))
        path = self._directory / f"{self._clock.now():08.2f}-{self._firmware.loop.state.stage}.png"
        image.save(path)
        return path


def run_scenario(
    steps: list[Step],
    config: Config,
    out: TextIO = sys.stdout,
    camera_source: Path | None = None,
    realtime: bool = False,
    capture_dir: Path | None = None,
    capture_every_s: float = 10.0,
    microphone_source: Path | None = None,
    epoch: datetime | None = None,
) -> tuple[DeviceState, Firmware, SimControls]:
    """Run ``steps`` in virtual time (from ``epoch``, by default a fixed Monday morning), or in real
    time (for power-cut tests and latency benchmarks)."""
    clock: VirtualClock | RealtimeClock = RealtimeClock() if realtime else VirtualClock(epoch or SIM_EPOCH)
    inbox: Inbox = ThreadedInbox(clock) if realtime else VirtualInbox(clock)  # type: ignore[arg-type]
    hardware, controls = build_sim_hardware(config, clock, camera_source, microphone_source)
    # In real time the simulator talks to systemd like the device does (tests use this); never in virtual time.
    notifier = Notifier() if realtime else None
    firmware = Firmware(config, hardware, inbox, JsonLog(out, clock), sim_keys(config), notifier=notifier)
    controls.is_recording = lambda: firmware.recorder.active
    if capture_dir is not None:
        DisplayCapture(capture_dir, clock, firmware, controls, capture_every_s)
    schedule(steps, clock, inbox, controls)
    return firmware.run(), firmware, controls
