"""Wires config, hardware and the pure machine into a running firmware (device and simulator alike)."""

from __future__ import annotations

import hashlib
import socket
from datetime import UTC, datetime
from pathlib import Path

from firmware.announcements import Announcements
from firmware.audio_player import AudioPlayer
from firmware.config import Config
from firmware.control_room import Broker, ControlRoom
from firmware.executor import Executor
from firmware.hardware import Hardware
from firmware.health import INTERVAL_S as HEALTH_INTERVAL_S
from firmware.health import HealthReport
from firmware.inbox import Inbox
from firmware.log import JsonLog, Record
from firmware.loop import EventLoop, Poll
from firmware.preview import Preview
from firmware.sd_notify import Notifier
from firmware.wearer import WearerWatch
from hal.interfaces import HardwareError
from states import MachineConfig
from states.events import BatteryLevel, Event, OffloadOverdue, RecordingInterrupted, StorageLevel
from states.model import DeviceState
from storage.audit import AuditLog
from storage.keys import DeviceKeys, key_id
from storage.marker import clear_marker, read_marker
from storage.recorder import Recorder, RecorderSettings
from storage.recovery import finalise_interrupted
from storage.status import write_status
from storage.status_messages import CA, CERTIFICATE, KEY

AUDITED = frozenset({Record.START, Record.STOPPED, Record.TRANSITION, Record.RECORDING_STARTED, Record.RECORDING,
                     Record.MARKER, Record.AUDIT, Record.ANNOUNCE, Record.CONFIG, Record.STORAGE_ERROR,
                     Record.RECOVERY, Record.HARDWARE_FAULT, Record.SOUND_GAP, Record.ASSIGNED, Record.UNASSIGNED,
                     Record.ASSIGNMENT_REFUSED})
"""What the signed audit log keeps of the firmware's log; of the decisions, it keeps the button presses."""
BUTTON_EVENTS = {"button-down", "button-up"}
WEARER_POLL_S = 5.0
"""How soon a check-out at the dock reaches the audit log: a stat of one file this often."""
SOUND_GAP_INTERVAL_S = 1.0
"""How often the sound the microphone lost is logged: at most one signed line a second, however starved."""


def machine_config(config: Config) -> MachineConfig:
    b = config.buttons
    return MachineConfig(
        hold_start_s=b.hold_start_s,
        hold_stop_s=b.hold_stop_s,
        hold_tick_s=b.hold_tick_s,
        reminder_interval_s=config.recording.reminder_interval_s,
        display_idle_timeout_s=config.display.idle_timeout_s,
        display_dim_after_s=config.display.dim_after_s,
        camera_in_worn="worn" in config.prerecord.stages,
        camera_retry_s=config.camera.fault_retry_s,
        battery_warn_percent=tuple(config.battery.warn_percent),
        battery_critical_percent=config.battery.critical_percent,
        storage_reserve_bytes=config.storage.reserve_mb * 1024 * 1024,
        storage_warn_percent=config.storage.warn_percent,
        announce_display=config.audio.announce_display,
        announce_recording_start=config.audio.announce_recording_start,
        announce_recording_stop=config.audio.announce_recording_stop,
    )


SOUND_TAIL_S = 0.5
"""At a stop, the longest wait for sound heard before it (a capture period of 341 ms and the encoder's
queue): the stop's feedback follows it."""


def recorder_settings(config: Config, hardware: Hardware) -> RecorderSettings:
    p, r = config.prerecord, config.recording
    return RecorderSettings(
        recordings_dir=Path(config.storage.data_dir) / "recordings",
        device_id=config.device.id or socket.gethostname(),
        prerecord_s=p.seconds,
        prerecord_max_bytes=p.max_mb * 1024 * 1024,
        prerecord_audio=p.audio,
        segment_s=r.segment_s,
        chunk_s=r.chunk_s,
        cipher=r.cipher,
        streams={"video": hardware.video_format,
                 **({"audio": hardware.microphone.format} if hardware.microphone else {})},
        boot_id=hardware.boot_id,
        sound_tail_s=SOUND_TAIL_S if hardware.realtime and hardware.microphone else 0.0,
    )


class Firmware:
    def __init__(self, config: Config, hardware: Hardware, inbox: Inbox, log: JsonLog, keys: DeviceKeys,
                 config_text: str = "", notifier: Notifier | None = None, health: HealthReport | None = None) -> None:
        self.hardware = hardware
        self.inbox = inbox
        clock = hardware.clock
        data_dir = self._data_dir = Path(config.storage.data_dir)
        self.audit = AuditLog(data_dir / "audit", keys.signing, lambda: _iso(clock.utc()))
        log.add_sink(self._audit)
        self.log = log
        self.recorder = Recorder(
            recorder_settings(config, hardware),
            keys,
            to_utc=clock.utc_at,
            clock_synchronised=clock.synchronised,
            on_error=self._storage_error,
        )
        d = config.display
        self.preview = Preview(hardware.display, fps=d.preview_fps, language=config.device.language, mirror=d.mirror,
                               clock_synchronised=clock.synchronised, threaded=hardware.realtime, now=clock.now)
        hardware.display.brightness(d.brightness)
        self.player = AudioPlayer(hardware.audio, threaded=hardware.realtime,
                                  on_start=lambda sound: log.write(Record.SOUND, label=sound.label),
                                  on_error=lambda sound, detail: log.write(Record.AUDIO_PROBLEM, sound=sound.label,
                                                                           detail=detail))
        self.executor = Executor(hardware, inbox, log, self.preview, self.recorder, self.player,
                                 Announcements(config.device.language, config.audio.announcements_dir),
                                 config.device.language, brightness=(d.brightness, d.dim_brightness))
        self.notifier = notifier or Notifier({})
        self._retention_s = config.storage.retention_days * 86400
        self.health = health or HealthReport(None)
        self.wearer = WearerWatch(data_dir, key_id(keys.signing.public_key()), log)
        self.control_room = self._control_room(config, log)
        polls = [Poll("wearer", WEARER_POLL_S, self._check_wearer),
                 Poll("health", HEALTH_INTERVAL_S, self._report_health),
                 Poll("storage", config.storage.poll_s, self._read_storage),
                 Poll("offload", 3600.0, self._check_offload),
                 Poll("sound-gaps", SOUND_GAP_INTERVAL_S, self._log_lost_sound)]
        if self.notifier.watchdog_interval is not None:
            # Pinged from the loop's own thread: a loop that hangs stops pinging and systemd restarts it.
            polls.append(Poll("watchdog", self.notifier.watchdog_interval, self._ping_watchdog))
        if hardware.gauge is not None:
            polls.append(Poll("battery", config.battery.poll_s, self._read_battery))
        self.loop = EventLoop(machine_config(config), clock, inbox, self.executor, log, polls,
                              on_stage=self.notifier.status)
        log.write(Record.CONFIG, sha256=hashlib.sha256(config_text.encode()).hexdigest(),
                  device_key_id=key_id(keys.signing.public_key()), agency_key_id=key_id(keys.agency))
        self._recover(data_dir, keys)
        for part, detail in hardware.faults:
            self.executor.report_fault(part, detail, clock.now())
        self.executor.prepare_camera(clock.now())
        hardware.buttons.listen(self.loop.button_edge)

    def _control_room(self, config: Config, log: JsonLog) -> ControlRoom | None:
        """The control room's publisher when the configuration asks for it; without its certificate the
        camera says so and records as ever."""
        settings = config.control_room
        if not settings.enabled:
            return None
        keys = self._data_dir / "keys"
        broker = Broker(settings.host, settings.port, keys / CA, keys / CERTIFICATE, keys / KEY)
        try:
            room = ControlRoom(broker, self._data_dir / "control-room.sqlite", settings.queue_max,
                               self.hardware.clock.utc, lambda: self.wearer.pseudonym,
                               lambda problem: log.write(Record.CONTROL_ROOM, problem=problem))
        except (OSError, ValueError, IndexError) as exc:
            log.write(Record.CONTROL_ROOM, problem=f"{broker.certificate}: {exc}: no messages to the control room")
            return None
        log.add_sink(room.sink)
        return room

    def _recover(self, data_dir: Path, keys: DeviceKeys) -> None:
        """Close what a crash or power cut left open; resume recording after a crash in this boot."""
        interrupted = read_marker(data_dir)
        recovery = finalise_interrupted(data_dir / "recordings", keys.signing)
        clear_marker(data_dir)
        same_boot = interrupted is not None and interrupted.boot_id == self.hardware.boot_id != ""
        if interrupted is not None or recovery.finalised or recovery.removed:
            self.log.write(Record.RECOVERY, recording=interrupted.recording if interrupted else None,
                           finalised=[f"{p.parent.name}/{p.name}" for p in recovery.finalised],
                           removed=[f"{p.parent.name}/{p.name}" for p in recovery.removed], resume=same_boot)
        if same_boot:
            self.inbox.put(RecordingInterrupted(self.hardware.clock.now()))

    def run(self) -> DeviceState:
        """Run until shutdown; stops the camera and, when the machine asked for it, powers off."""
        self.notifier.ready(str(self.loop.state.stage))
        if self.control_room is not None:
            self.control_room.start()
        try:
            return self.loop.run()
        finally:
            self.notifier.stopping()
            self.hardware.camera.stop()
            if self.hardware.microphone is not None:
                self.hardware.microphone.stop()
            self.preview.stop()
            self.player.stop()
            self.recorder.close()
            self.hardware.close()
            self.audit.close()
            if self.control_room is not None:  # last: the recording is closed whatever the network does
                self.control_room.stop()
            if self.executor.power_off_requested:
                self.hardware.power_off()

    def _audit(self, kind: Record, record: dict[str, object]) -> None:
        if kind in AUDITED or (kind is Record.DECISION and record.get("event") in BUTTON_EVENTS):
            self.audit.append(record)

    def _report_health(self, t: float) -> Event | None:
        state = self.loop.state
        try:
            self.health.write(str(state.stage), state.camera_fault, self.executor.faults,
                              _iso(self.hardware.clock.utc()))
        except OSError as exc:  # said once: deploy then sees no report and keeps the previous release
            self.log.write(Record.SENSOR_ERROR, t, sensor="health", detail=str(exc))
            self.health = HealthReport(None)
        return None

    def _check_wearer(self, t: float) -> Event | None:
        self.wearer.check(t)
        return None

    def _log_lost_sound(self, t: float) -> Event | None:
        self.executor.log_lost_sound(t)
        return None

    def _ping_watchdog(self, t: float) -> Event | None:
        self.notifier.watchdog()
        return None

    def _check_offload(self, t: float) -> Event | None:
        """Recording ids begin with their UTC start: the oldest on the card tells whether offload is late."""
        recordings = Path(self.recorder.recordings_dir)
        names = sorted(p.name for p in recordings.iterdir() if p.is_dir()) if recordings.is_dir() else []
        if not names:
            return OffloadOverdue(t, False)
        try:
            oldest = datetime.strptime(names[0][:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return None
        age = (self.hardware.clock.utc() - oldest).total_seconds()
        return OffloadOverdue(t, age > self._retention_s)

    def _storage_error(self, detail: str) -> None:
        """The recorder could not write (recorder thread): stop recording as if the card were full."""
        t = self.hardware.clock.now()
        self.log.write(Record.STORAGE_ERROR, t, detail=detail)
        _, total = self.hardware.storage.usage()
        self.inbox.put(StorageLevel(t, 0, total))

    def _read_battery(self, t: float) -> Event | None:
        assert self.hardware.gauge is not None
        try:
            reading = self.hardware.gauge.read()
        except HardwareError as exc:
            self.log.write(Record.SENSOR_ERROR, t, sensor="battery", detail=str(exc))
            return None
        self.log.write(Record.BATTERY, t, percent=round(reading.percent, 1), charging=reading.charging,
                       minutes_left=None if reading.minutes_left is None else round(reading.minutes_left))
        try:
            write_status(self._data_dir, battery_percent=round(reading.percent, 1), charging=reading.charging,
                         utc=_iso(self.hardware.clock.utc()))
        except OSError as exc:  # the storage guard reports a failing card; the battery reading still counts
            self.log.write(Record.SENSOR_ERROR, t, sensor="status", detail=str(exc))
        return BatteryLevel(t, reading.percent, reading.charging)

    def _read_storage(self, t: float) -> Event | None:
        try:
            free, total = self.hardware.storage.usage()
        except OSError as exc:
            self.log.write(Record.SENSOR_ERROR, t, sensor="storage", detail=str(exc))
            return None
        return StorageLevel(t, free, total)


def _iso(moment: object) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")  # type: ignore[attr-defined]
