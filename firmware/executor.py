"""The imperative shell: carries out the machine's actions on the hardware, in order."""

from __future__ import annotations

import queue
from typing import assert_never

from firmware import texts
from firmware.announcements import AnnouncementError, Announcements
from firmware.audio_player import AudioPlayer, Sound
from firmware.feedback import ANNOUNCEMENT_CHIME, PATTERNS, SAMPLE_RATE, synthesize
from firmware.hardware import Hardware
from firmware.inbox import Inbox
from firmware.log import JsonLog, Record
from firmware.preview import DeviceStatus, Preview
from hal.interfaces import CameraSink, EncodedPacket, HardwareError, SoundGap
from states.actions import (
    Action,
    AddMarker,
    Announce,
    Announcement,
    Audit,
    CancelTimer,
    Led,
    PlayFeedback,
    PowerOff,
    RetryCamera,
    SetCamera,
    SetDimmed,
    SetDisplay,
    SetLeds,
    SetTimer,
    ShowMessage,
    StartRecording,
    StopRecording,
)
from states.events import CameraFault, CameraRecovered
from states.model import DeviceState
from storage.recorder import Recorder

LED_FOR = {Led.READY: "ready", Led.DISPLAY: "green", Led.RECORDING: "red"}


class FirmwareSink(CameraSink):
    """Camera output: packets to the recorder, frames to the preview, faults back into the inbox."""

    def __init__(self, recorder: Recorder, preview: Preview, inbox: Inbox, hardware: Hardware) -> None:
        self._recorder = recorder
        self._preview = preview
        self._inbox = inbox
        self._clock = hardware.clock

    def packet(self, packet: EncodedPacket) -> None:
        self._recorder.packet(packet.data, packet.keyframe, packet.pts_us, packet.stream)

    def preview(self, frame, t: float) -> None:
        self._preview.frame(frame, t)

    def fault(self, detail: str) -> None:
        self._inbox.put(CameraFault(self._clock.now(), detail))


class Executor:
    def __init__(
        self,
        hardware: Hardware,
        inbox: Inbox,
        log: JsonLog,
        preview: Preview,
        recorder: Recorder,
        player: AudioPlayer,
        announcements: Announcements,
        language: str,
        brightness: tuple[float, float] = (1.0, 0.3),
    ) -> None:
        self._hw = hardware
        self._inbox = inbox
        self._log = log
        self._preview = preview
        self._recorder = recorder
        self._language = language
        self.faults: dict[str, str] = {}
        """Parts that failed since start (part → detail), for the health report."""
        self._player = player
        self._announcements = announcements
        self._brightness, self._dim_brightness = brightness
        self._sink = FirmwareSink(recorder, preview, inbox, hardware)
        self._camera_running = False
        self._camera_wanted = False
        self._lost_sound: queue.SimpleQueue[SoundGap] = queue.SimpleQueue()
        self.power_off_requested = False

    def run(self, action: Action, t: float) -> None:
        match action:
            case SetCamera(on=on):
                self._set_camera(on, t)
            case SetDisplay(on=on):
                self._hw.display.power(on)
            case SetDimmed(dimmed=dimmed):
                self._hw.display.brightness(self._dim_brightness if dimmed else self._brightness)
            case SetLeds(led=led, fault=fault):
                for name in ("ready", "green", "red"):
                    self._hw.indicators.set_led(name, "on" if LED_FOR.get(led) == name else "off")
                if fault:  # the ready LED blinks beside the stage LED: the stage stays visible
                    self._hw.indicators.set_led("ready", "blink")
            case PlayFeedback(pattern=pattern):
                spec = PATTERNS[pattern]
                if spec.tones:
                    self._player.play(Sound(synthesize(spec.tones), SAMPLE_RATE, f"feedback:{pattern}"))
                if spec.vibration:
                    self._hw.indicators.vibrate(*spec.vibration)
            case Announce(announcement=announcement):
                self._announce(announcement, t)
            case ShowMessage(message=message):
                self._preview.show_message(texts.text(texts.MESSAGES[message], self._language), t)
            case StartRecording(reason=reason, pressed_at=pressed_at):
                recording = self._recorder.start(reason, pressed_at)
                self._log.write(Record.RECORDING_STARTED, t, recording=recording, reason=reason)  # the audit's witness
            case StopRecording(reason=reason):
                summary = self._recorder.stop(reason)
                self.log_lost_sound(t)  # before the summary that counts it
                if summary is not None:
                    self._log.write(Record.RECORDING, t, **summary)
            case AddMarker(at=at):
                self._recorder.marker(at)
                self._preview.flash_marker(t)
                self._log.write(Record.MARKER, t, at=at)
            case RetryCamera():
                self._retry_camera(t)
            case PowerOff():
                self.power_off_requested = True
            case Audit(kind=kind, details=details):
                self._log.write(Record.AUDIT, t, kind=kind, **details)
            case SetTimer() | CancelTimer():
                raise ValueError("timers are the event loop's business")
            case _:
                assert_never(action)

    def show_state(self, state: DeviceState, t: float) -> None:
        """What the display shows of the state: stage, recording time, battery, storage, faults."""
        self._preview.set_status(DeviceStatus(
            stage=str(state.stage),
            recording_since=state.recording_started_at,
            battery_percent=state.battery_percent,
            battery_low=state.battery_warned_at is not None,
            storage_low=state.storage_low_warned,
            storage_full=state.storage_full,
            camera_fault=state.camera_fault,
        ), t)

    def _announce(self, announcement: Announcement, t: float) -> None:
        label = f"announce:{announcement}"
        try:
            clip = self._announcements.clip(announcement)
            sound = Sound(clip.samples, clip.rate, label, announcement=True)
        except AnnouncementError as exc:  # never fatal: a chime tells the officer something was meant
            self._log.write(Record.AUDIO_PROBLEM, t, announcement=str(announcement), detail=str(exc))
            sound = Sound(synthesize(ANNOUNCEMENT_CHIME), SAMPLE_RATE, label, announcement=True)
        self._player.play(sound)
        spoken = texts.text(texts.ANNOUNCEMENTS[announcement], self._language)
        self._log.write(Record.ANNOUNCE, t, announcement=str(announcement), text=spoken)

    def _set_camera(self, on: bool, t: float) -> None:
        """The microphone runs with the camera: pre-record and recording need both."""
        microphone = self._hw.microphone
        if microphone is not None:
            if on:
                try:
                    microphone.start(self._sink.packet, lambda: self._player.gain, self._sound_lost)
                except HardwareError as exc:  # the picture matters more: record without sound
                    self.report_fault("microphone", str(exc), t)
            else:
                microphone.stop()
        self._camera_wanted = on
        if on == self._camera_running:
            return
        if not on:
            self._camera_running = False
            self._hw.camera.stop()
            return
        try:
            self._hw.camera.start(self._sink)
            self._camera_running = True
        except HardwareError as exc:
            self._camera_running = False
            self._inbox.put(CameraFault(t, str(exc)))

    def _sound_lost(self, gap: SoundGap) -> None:
        """On the microphone's thread, which must read its next block within 21 ms: the gap goes to the
        recorder's queue (the segment's signed trailer) and waits for the loop to log it. A signed,
        fsynced log line written here held the thread up long enough to lose the next stretch, whose
        line lost the one after: under load the sound became a chain of gaps."""
        self._recorder.sound_gap(gap.t, gap.seconds)
        self._lost_sound.put(gap)

    def log_lost_sound(self, t: float) -> None:
        """On the loop's thread (a poll, and at the end of a recording): the gaps since the last call as
        one ``sound-gap`` line in the journal and the signed audit log, from the first gap's start to the
        last one's end, with their number and the seconds lost."""
        gaps: list[SoundGap] = []
        while True:
            try:
                gaps.append(self._lost_sound.get_nowait())
            except queue.Empty:
                break
        if not gaps:
            return
        utc = self._hw.clock.utc_at
        self._log.write(Record.SOUND_GAP, gaps[0].t, gaps=len(gaps),
                        seconds=round(sum(gap.seconds for gap in gaps), 3),
                        utc_from=utc(gaps[0].t).isoformat(timespec="milliseconds"),
                        utc_to=utc(gaps[-1].t + gaps[-1].seconds).isoformat(timespec="milliseconds"))

    def report_fault(self, part: str, detail: str, t: float) -> None:
        """A part the camera records without has failed: log and audit it, and show it."""
        self.faults[part] = detail
        self._log.write(Record.HARDWARE_FAULT, t, part=part, detail=detail)
        self._preview.show_message(texts.text(texts.PART_FAILED[part], self._language), t)

    def prepare_camera(self, t: float) -> None:
        """At start-up: the camera configured ahead, so the first start (perhaps a RECORD hold in stage
        worn) only starts it. A camera that is not there is a camera fault from the start, not at the
        first press."""
        try:
            self._hw.camera.prepare()
        except HardwareError as exc:
            self._inbox.put(CameraFault(t, str(exc)))

    def _retry_camera(self, t: float) -> None:
        """Open the faulty camera again: streaming where the stage wants pictures, else only prepared."""
        self._hw.camera.stop()
        try:
            if self._camera_wanted:
                self._hw.camera.start(self._sink)
            else:
                self._hw.camera.prepare()
        except HardwareError as exc:
            self._camera_running = False
            self._log.write(Record.CAMERA_RETRY_FAILED, t, detail=str(exc))
            return
        self._camera_running = self._camera_wanted
        self._inbox.put(CameraRecovered(self._hw.clock.now()))
