"""The recording pipeline: pre-record ring → segments (encrypted, signed, hash-chained) on disk.

All of it runs on one writer thread fed by a queue, so the camera's thread only enqueues and never
waits for encryption or the SD card. ``stop`` waits until the last segment is finalised, and first, at
most ``sound_tail_s``, for the sound heard before the stop that is still on its way from the microphone.
"""

from __future__ import annotations

import contextlib
import errno
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from storage.durable import fsync_dir, remove
from storage.keys import DeviceKeys, key_id
from storage.marker import clear_marker, write_marker
from storage.prerecord import PrerecordRing
from storage.segment_format import FORMAT_MINOR, FORMAT_VERSION, ZERO_HASH, Packet, b64
from storage.segment_writer import SegmentWriteError, SegmentWriter

AAC_FRAME = 1024
"""Samples in one sound packet (an AAC frame): the recorder sees packets, not samples."""


@dataclass(frozen=True)
class RecorderSettings:
    recordings_dir: Path
    device_id: str
    prerecord_s: float = 30.0
    prerecord_max_bytes: int = 64 * 1024 * 1024
    prerecord_audio: bool = False
    segment_s: float = 60.0
    chunk_s: float = 1.0
    cipher: str = "chacha20-poly1305"
    streams: dict[str, dict[str, Any]] = field(default_factory=dict)
    boot_id: str = ""
    """Written beside a running recording, so a restart in the same boot knows to resume."""
    sound_tail_s: float = 0.0
    """How long a stop waits for sound up to the last picture (0: not at all, as in simulated time, where
    the microphone delivers on the waiting thread)."""


@dataclass
class _Recording:
    id: str
    reason: str
    pressed_at_us: int
    directory: Path
    sequence: int = 0
    prev_hash: str = ZERO_HASH
    writer: SegmentWriter | None = None
    segment_start_us: int = 0
    chunk_start_us: int | None = None
    markers: list[dict[str, Any]] = field(default_factory=list)
    """Markers of the open segment; they go into its trailer."""
    marker_count: int = 0
    sound_gaps: list[dict[str, Any]] = field(default_factory=list)
    """Sound the microphone lost while the open segment was written; they go into its trailer."""
    sound_gap_count: int = 0
    sound_missing_s: float = 0.0
    segments: int = 0
    packets: int = 0
    keyframes: int = 0
    bytes: int = 0
    first_pts_us: int | None = None
    last_pts_us: int | None = None
    sound_pts_us: tuple[int, int] | None = None
    """The first and the last sound packet's time."""
    picture_pts_us: int | None = None
    picture_interval_us: int = 0
    """The last picture's time, and how long it stands (the distance from the one before): the stop waits
    for the sound up to its end."""
    failed: str | None = None


class Recorder:
    def __init__(
        self,
        settings: RecorderSettings,
        keys: DeviceKeys,
        to_utc: Callable[[float], datetime],
        clock_synchronised: Callable[[], bool],
        on_error: Callable[[str], None],
        open_file: Callable[[Path], object] = lambda path: open(path, "xb", buffering=0),  # noqa: SIM115
    ) -> None:
        self._settings = settings
        self._keys = keys
        self._to_utc = to_utc
        self._synchronised = clock_synchronised
        self._on_error = on_error
        self._issued: str | None = None
        self._open_file = open_file
        self._ring = PrerecordRing(settings.prerecord_s, settings.prerecord_max_bytes, settings.prerecord_audio)
        self._queue: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._deferred: deque[tuple[Any, ...]] = deque()
        """Commands that came while a stop waited for the sound: taken before the queue."""
        self._recording: _Recording | None = None
        self._device_key = keys.signing.public_key()
        self.active = False
        self.recordings_dir = settings.recordings_dir
        self._thread = threading.Thread(target=self._run, name="recorder", daemon=True)
        self._thread.start()

    # --- called from other threads -------------------------------------------------------------------

    def packet(self, data: bytes, keyframe: bool, pts_us: int, stream: str = "video") -> None:
        self._queue.put(("packet", Packet(stream, keyframe, pts_us, data)))

    def start(self, reason: str, pressed_at: float) -> str:
        """Returns the new recording's id at once (for the audit log); the writer thread creates it."""
        self.active = True
        pressed_at_us = int(pressed_at * 1e6)
        recordings = self._settings.recordings_dir
        started = self._to_utc(pressed_at_us / 1e6).strftime("%Y%m%dT%H%M%SZ")
        base = f"{started}-{key_id(self._device_key)[:8]}"  # unique per device and second, sorts by time
        rec_id, n = base, 1
        while (recordings / rec_id).exists() or rec_id == self._issued:
            rec_id, n = f"{base}-{n}", n + 1
        self._issued = rec_id
        self._queue.put(("start", reason, pressed_at_us, rec_id))
        return rec_id

    def marker(self, at: float) -> None:
        self._queue.put(("marker", int(at * 1e6)))

    def sound_gap(self, at: float, seconds: float) -> None:
        """The microphone lost ``seconds`` of sound from ``at``: said in the segment's signed trailer."""
        self._queue.put(("sound-gap", int(at * 1e6), seconds))

    def stop(self, reason: str) -> dict[str, Any] | None:
        """Finalise the recording; returns its summary once the last segment is on disk."""
        done: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self._queue.put(("stop", reason, done))
        self.active = False
        return done.get()

    def close(self) -> None:
        self._queue.put(("close",))
        self._thread.join()

    # --- the writer thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            command = self._deferred.popleft() if self._deferred else self._queue.get()
            try:
                match command:
                    case ("packet", packet):
                        self._packet(packet)
                    case ("start", reason, pressed_at_us, rec_id):
                        self._start(reason, pressed_at_us, rec_id)
                    case ("marker", at_us):
                        self._marker(at_us)
                    case ("sound-gap", at_us, seconds):
                        self._sound_gap(at_us, seconds)
                    case ("stop", reason, done):
                        done.put(self._stop(reason))
                    case ("close",):
                        return
            except Exception as exc:  # the thread must survive, or stop() would wait forever
                self._on_error(f"recorder-error: {type(exc).__name__}: {exc}")
                if command[0] == "stop":
                    command[2].put(None)

    def _marker(self, at_us: int) -> None:
        rec = self._recording
        if rec is not None:
            rec.markers.append({"pts_us": at_us, "utc": self._utc(at_us)})
            rec.marker_count += 1

    def _sound_gap(self, at_us: int, seconds: float) -> None:
        rec = self._recording
        if rec is not None and at_us + seconds * 1e6 > rec.pressed_at_us:
            rec.sound_gaps.append({"pts_us": at_us, "utc": self._utc(at_us), "s": round(seconds, 3)})
            rec.sound_gap_count += 1
            rec.sound_missing_s += seconds

    def _utc(self, pts_us: int) -> str:
        return self._to_utc(pts_us / 1e6).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _packet(self, packet: Packet) -> None:
        rec = self._recording
        if rec is None:
            self._ring.add(packet)
            return
        if rec.failed:
            return
        if packet.stream == "audio" and packet.pts_us < rec.pressed_at_us and not self._settings.prerecord_audio:
            return  # encoder latency delivers the last pre-press audio after the press: still not allowed
        if rec.writer is None and not (packet.stream == "video" and packet.keyframe):
            return  # a recording starts at a keyframe, so each segment decodes on its own
        try:
            self._write(rec, packet)
        except SegmentWriteError as exc:
            rec.failed = "storage-full" if exc.errno == errno.ENOSPC else f"write-error: {exc.strerror}"
            self._finalise_after_failure(rec)
            self._on_error(rec.failed)

    def _finalise_after_failure(self, rec: _Recording) -> None:
        """The writer cut the file back to its last frame; a trailer is small and may still fit."""
        writer, rec.writer = rec.writer, None
        if writer is None:
            return
        try:
            writer.close(self._trailer(rec, writer, final=True, stop_reason=rec.failed))
        except SegmentWriteError:
            writer.abandon()  # reads as truncated at its last complete frame: nothing before is lost

    def _start(self, reason: str, pressed_at_us: int, rec_id: str) -> None:
        recordings = self._settings.recordings_dir
        recordings.mkdir(parents=True, exist_ok=True)
        directory = recordings / rec_id
        directory.mkdir()
        fsync_dir(recordings)
        self._recording = rec = _Recording(rec_id, reason, pressed_at_us, directory)
        write_marker(recordings.parent, rec_id, self._settings.boot_id)
        for packet in self._ring.take(pressed_at_us):
            self._packet(packet)
        if rec.writer is not None and not rec.failed:
            self._seal(rec)  # the pre-record is on disk at once, not a second later

    def _write(self, rec: _Recording, packet: Packet) -> None:
        is_key = packet.stream == "video" and packet.keyframe
        if rec.writer is None or (is_key and packet.pts_us - rec.segment_start_us >= self._settings.segment_s * 1e6):
            self._roll(rec, packet.pts_us)
        assert rec.writer is not None
        if rec.chunk_start_us is not None and packet.pts_us - rec.chunk_start_us >= self._settings.chunk_s * 1e6:
            self._seal(rec)
        rec.writer.add(packet)
        rec.chunk_start_us = packet.pts_us if rec.chunk_start_us is None else rec.chunk_start_us
        rec.packets += 1
        rec.keyframes += is_key
        rec.bytes += len(packet.data)
        rec.first_pts_us = packet.pts_us if rec.first_pts_us is None else rec.first_pts_us
        rec.last_pts_us = packet.pts_us
        if packet.stream == "audio":
            rec.sound_pts_us = (packet.pts_us if rec.sound_pts_us is None else rec.sound_pts_us[0], packet.pts_us)
        else:
            if rec.picture_pts_us is not None:
                rec.picture_interval_us = packet.pts_us - rec.picture_pts_us
            rec.picture_pts_us = packet.pts_us

    def _seal(self, rec: _Recording) -> None:
        assert rec.writer is not None
        rec.writer.seal()
        rec.chunk_start_us = None

    def _roll(self, rec: _Recording, start_us: int) -> None:
        """Begin the next segment. Its header is durable, and listed in its folder, before the current
        segment gets its trailer: a power cut at any moment leaves either the current segment
        unfinished and last, or the next one begun (spec: "Segment roll")."""
        current = rec.writer
        trailer = None if current is None else self._trailer(rec, current, final=False, stop_reason=None)
        if current is None or trailer is None:
            sequence, prev_hash = rec.sequence, rec.prev_hash
        else:
            sequence, prev_hash = rec.sequence + 1, current.hash_after(trailer)
        path = rec.directory / f"seg-{sequence:06d}.bcs"
        following = self._begin_segment(path, self._header(rec, sequence, start_us, prev_hash))
        if current is not None and trailer is not None:
            try:
                current.close(trailer)
            except SegmentWriteError:
                following.abandon()
                _remove(path)
                raise  # the caller finalises or abandons the current segment
            rec.sequence, rec.prev_hash, rec.markers, rec.sound_gaps = sequence, prev_hash, [], []
        rec.writer = following
        rec.segments += 1
        rec.segment_start_us = start_us
        rec.chunk_start_us = None

    def _header(self, rec: _Recording, sequence: int, start_us: int, prev_hash: str) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "format_minor": FORMAT_MINOR,
            "device_id": self._settings.device_id,
            "device_key": b64(self._device_key.public_bytes_raw()),
            "device_key_id": key_id(self._device_key),
            "agency_key_id": key_id(self._keys.agency),
            "recording_id": rec.id,
            "sequence": sequence,
            "reason": rec.reason,
            "pressed_at_utc": self._utc(rec.pressed_at_us),
            "started_utc": self._utc(start_us),
            "start_pts_us": start_us,
            "clock_synchronised": self._synchronised(),
            "prev_segment_hash": prev_hash,
            "streams": self._settings.streams,
        }

    def _begin_segment(self, path: Path, header: dict[str, Any]) -> SegmentWriter:
        """Create the file, write its header durably and make its directory entry durable; on failure
        nothing of it is left behind (a half-written header would only say less than no file)."""
        try:
            file = self._open_file(path)
        except OSError as exc:
            raise SegmentWriteError(exc.errno, f"cannot create {path.name}: {exc.strerror}") from exc
        try:
            writer = SegmentWriter(file, header, self._keys.signing, self._keys.agency,  # type: ignore[arg-type]
                                   self._settings.cipher)
            fsync_dir(path.parent)
        except OSError as exc:
            file.close()  # type: ignore[attr-defined]
            _remove(path)
            raise exc if isinstance(exc, SegmentWriteError) else SegmentWriteError(
                exc.errno, f"cannot create {path.name}: {exc.strerror}") from exc
        return writer

    @staticmethod
    def _trailer(rec: _Recording, writer: SegmentWriter, final: bool, stop_reason: str | None) -> dict[str, Any]:
        return {
            "final": final,
            "stop_reason": stop_reason,
            "first_pts_us": writer.first_pts_us,
            "last_pts_us": writer.last_pts_us,
            "markers": rec.markers,
            **({"sound_gaps": rec.sound_gaps} if rec.sound_gaps else {}),
        }

    def _catch_up_sound(self, rec: _Recording) -> None:
        """Sound heard before the stop is still on its way when the stop comes (the card's period, the
        encoder's queue): wait for it, at most ``sound_tail_s``, so that the recording's sound ends with
        its picture (the end of the last one), not that much earlier. Later pictures and sound go to the
        pre-record ring; other commands wait until the recording is finalised. Sound that does not come in
        time is a gap in the trailer, like any the microphone reports."""
        until = None if rec.picture_pts_us is None else rec.picture_pts_us + rec.picture_interval_us
        deadline = time.monotonic() + self._settings.sound_tail_s
        while (rec.sound_pts_us is not None and until is not None and rec.sound_pts_us[1] < until
               and not rec.failed and (left := deadline - time.monotonic()) > 0):
            try:
                command = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if command[0] != "packet":
                self._deferred.append(command)
            elif command[1].stream == "audio" and command[1].pts_us < until:
                self._packet(command[1])
            else:
                self._ring.add(command[1])
                if command[1].stream == "audio":
                    return  # sound from after the last picture: all before it has come
        if rec.sound_pts_us is not None and until is not None:
            heard_until = rec.sound_pts_us[1] + self._sound_frame_us()
            if until - heard_until > self._sound_frame_us() // 2:
                self._sound_gap(heard_until, (until - heard_until) / 1e6)

    def _sound_frame_us(self) -> int:
        """How long one sound packet lasts: an AAC frame of 1024 samples at the stream's rate."""
        rate = int(self._settings.streams.get("audio", {}).get("sample_rate", 48_000))
        return AAC_FRAME * 1_000_000 // rate

    def _stop(self, reason: str) -> dict[str, Any] | None:
        rec = self._recording
        if rec is None:
            return None
        if self._settings.sound_tail_s:
            self._catch_up_sound(rec)
        self._recording = None
        clear_marker(self._settings.recordings_dir.parent)
        if rec.writer is not None:
            try:
                rec.writer.close(self._trailer(rec, rec.writer, final=True, stop_reason=reason))
            except SegmentWriteError as exc:
                rec.failed = rec.failed or f"write-error: {exc.strerror}"
                rec.writer.abandon()
        span = 0.0 if rec.first_pts_us is None else (rec.last_pts_us - rec.first_pts_us) / 1e6  # type: ignore[operator]
        return {
            "recording": rec.id,
            "reason": rec.reason,
            "stop_reason": reason,
            "segments": rec.segments,
            "markers": rec.marker_count,
            "packets": rec.packets,
            "keyframes": rec.keyframes,
            "bytes": rec.bytes,
            "video_s": round(span, 3),
            "sound_s": 0.0 if rec.sound_pts_us is None else round((rec.sound_pts_us[1] - rec.sound_pts_us[0]) / 1e6, 3),
            "sound_gaps": rec.sound_gap_count,
            "sound_missing_s": round(rec.sound_missing_s, 3),
            "failed": rec.failed,
        }


def _remove(path: Path) -> None:
    # If even this fails the device is gone; verify reads a file cut before its header as a cut at a roll.
    with contextlib.suppress(OSError):
        remove(path)
