"""The recorder on its own: chunk cadence, segment cuts, and a disk that fills up mid-write."""

from __future__ import annotations

import errno
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import pytest

from storage.export import ExportError, export_recording
from storage.keys import create_agency_keys, create_device_key, load_agency_private, load_device_keys
from storage.recorder import Recorder, RecorderSettings
from storage.segment_format import Packet
from storage.segment_reader import decrypt_segment, read_segment
from storage.verify import check_recording

FPS = 30
EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def make_keys(tmp_path: Path):
    keys = tmp_path / "keys"
    create_device_key(keys)
    create_agency_keys(tmp_path / "office")
    (keys / "agency.pub").write_bytes((tmp_path / "office" / "agency.pub").read_bytes())
    return load_device_keys(keys), load_agency_private(tmp_path / "office" / "agency.key")


def make_recorder(tmp_path: Path, errors: list[str], open_file=None, **settings) -> Recorder:
    keys, _ = make_keys(tmp_path)
    options = {"prerecord_s": 0.0, "segment_s": 60.0, "chunk_s": 1.0,
               "streams": {"video": {"codec": "h264", "width": 160, "height": 96, "fps": FPS}}, **settings}
    extra = {} if open_file is None else {"open_file": open_file}
    return Recorder(RecorderSettings(tmp_path / "recordings", "test-device", **options), keys,
                    to_utc=lambda t: EPOCH + timedelta(seconds=t), clock_synchronised=lambda: True,
                    on_error=errors.append, **extra)


def record(tmp_path: Path, seconds: float, stop_reason: str = "stop-hold", open_file=None,
           **settings) -> tuple[dict, list[str], Path]:
    """One recording from 0 s of ``seconds`` of video; returns its summary, the errors and its folder."""
    errors: list[str] = []
    recorder = make_recorder(tmp_path, errors, open_file, **settings)
    recorder.start("announced", 0.0)
    feed(recorder, 0, seconds)
    summary = recorder.stop(stop_reason)
    recorder.close()
    assert summary is not None, errors
    return summary, errors, tmp_path / "recordings" / str(summary["recording"])


def feed(recorder: Recorder, start_s: float, seconds: float, size: int = 2000) -> None:
    for i in range(int(seconds * FPS)):
        index = int(start_s * FPS) + i
        recorder.packet(bytes([index % 256]) * size, index % FPS == 0, int(index * 1e6 / FPS))


def test_recorder_seals_a_chunk_at_least_every_second(tmp_path):
    errors: list[str] = []
    recorder = make_recorder(tmp_path, errors)
    feed(recorder, 0, 1)
    recorder.start("announced", 1.0)
    feed(recorder, 1, 10)
    summary = recorder.stop("stop-hold")
    recorder.close()
    (segment_path,) = (tmp_path / "recordings" / str(summary["recording"])).glob("*.bcs")
    segment = read_segment(segment_path)
    assert segment.trailer is not None and segment.trailer["final"]
    assert 10 <= len(segment.chunks) <= 12, "one chunk per second of video (plus the pre-record chunk)"
    assert errors == []


def test_recorder_cuts_segments_at_keyframes_after_segment_length(tmp_path):
    _summary, _errors, directory = record(tmp_path, 10, segment_s=2.5)
    report = check_recording(directory, {})
    assert report.status == "ok" and len(report.segments) == 4
    agency = load_agency_private(tmp_path / "office/agency.key")
    for segment in report.segments:
        packets = decrypt_segment(segment, agency)
        assert packets[0].keyframe and int(packets[0].pts_us) % 1_000_000 == 0


class FillingDisk:
    """A file on a card with room for ``capacity`` bytes: writes beyond raise ENOSPC, truncating frees."""

    def __init__(self, path: Path, capacity: int) -> None:
        self._file = open(path, "xb", buffering=0)  # noqa: SIM115
        self._capacity = capacity

    def write(self, data) -> int:
        room = self._capacity - os.fstat(self._file.fileno()).st_size
        if room <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._file.write(bytes(data)[:room])

    def __getattr__(self, name: str):
        return getattr(self._file, name)


def test_recorder_full_disk_stops_cleanly_and_the_last_segment_verifies(tmp_path):
    summary, errors, directory = record(tmp_path, 5, "storage-full", open_file=lambda path: FillingDisk(path, 150_000))
    assert errors == ["storage-full"] and summary["failed"] == "storage-full"
    report = check_recording(directory, {})
    assert report.problems == []
    segment = report.segments[-1]
    assert segment.trailer is not None and segment.trailer["stop_reason"] == "storage-full"
    assert segment.chunk_count >= 1


class FailingCard:
    """A card that fails every write to segment files from ``sequence`` on (full, or worn out)."""

    def __init__(self, sequence: int, error: int) -> None:
        self._sequence, self._error = sequence, error

    def open(self, path: Path):
        file = open(path, "xb", buffering=0)  # noqa: SIM115
        return FailingFile(file, self._error) if int(path.stem.split("-")[1]) >= self._sequence else file


class FailingFile:
    def __init__(self, file, error: int) -> None:
        self._file, self._error = file, error

    def write(self, data) -> int:
        raise OSError(self._error, os.strerror(self._error))

    def __getattr__(self, name: str):
        return getattr(self._file, name)


@pytest.mark.parametrize(("error", "failed"), [(errno.ENOSPC, "storage-full"),
                                                (errno.EIO, "write-error: Input/output error")])
def test_recorder_failing_at_a_segment_roll_leaves_no_partial_segment_and_verifies(tmp_path, error, failed):
    summary, errors, directory = record(tmp_path, 5, open_file=FailingCard(1, error).open, segment_s=2.0)
    assert errors == [failed] and summary["failed"] == failed and summary["segments"] == 1
    assert [p.name for p in directory.iterdir()] == ["seg-000000.bcs"]
    report = check_recording(directory, {})
    assert report.problems == [] and report.notes == []
    assert report.segments[-1].trailer["final"] and report.segments[-1].trailer["stop_reason"] == failed


def test_recorder_names_in_each_header_the_hash_its_predecessor_got(tmp_path):
    _summary, errors, directory = record(tmp_path, 4, segment_s=1.0)
    report = check_recording(directory, {})
    assert report.status == "ok" and len(report.segments) == 4 and errors == []


def test_each_trailer_counts_its_packets_and_names_their_first_and_last_time(tmp_path):
    _summary, _errors, directory = record(tmp_path, 5, segment_s=2.0)
    report = check_recording(directory, {})
    agency = load_agency_private(tmp_path / "office/agency.key")
    for segment in report.segments:
        packets = decrypt_segment(segment, agency)
        assert segment.trailer["packets"] == len(packets)
        assert (segment.trailer["first_pts_us"], segment.trailer["last_pts_us"]) == (packets[0].pts_us,
                                                                                   packets[-1].pts_us)
        assert segment.header["start_pts_us"] == packets[0].pts_us


class BreakingFile:
    """An unbuffered file whose ``fail_at``-th write (counting from 1) fails with EIO."""

    def __init__(self, path: Path, fail_at: int) -> None:
        self._file = open(path, "xb", buffering=0)  # noqa: SIM115
        self._writes, self._fail_at = 0, fail_at

    def write(self, data) -> int:
        self._writes += 1
        if self._writes == self._fail_at:
            raise OSError(errno.EIO, "Input/output error")
        return self._file.write(data)

    def __getattr__(self, name: str):
        return getattr(self._file, name)


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4, 5, 6, 7])
def test_a_failed_write_leaves_the_segment_exactly_at_its_last_complete_frame(tmp_path, fail_at):
    from storage.segment_writer import SegmentWriteError, SegmentWriter

    keys, _ = make_keys(tmp_path)
    path = tmp_path / "seg-000000.bcs"
    file = BreakingFile(path, fail_at)
    header = {"recording_id": "r", "sequence": 0, "device_key_id": "k"}
    complete = 0
    with pytest.raises(SegmentWriteError):
        writer = SegmentWriter(file, header, keys.signing, keys.agency, "chacha20-poly1305")
        complete = writer.bytes_written  # magic, head, header, signature: writes 1-4
        writer.add(Packet("video", True, 0, b"\x00" * 100))
        writer.seal()  # head, payload, signature: writes 5-7
        pytest.fail("every write succeeded")
    assert path.stat().st_size == complete


def test_sound_lost_to_an_overrun_is_in_the_signed_trailer_the_summary_and_verify(tmp_path):
    """0.8 s of sound lost at 3 s, and a gap before the press that is not this recording's business:
    the segment that was open says when and how long, the summary counts it, verify notes it and the
    recording still verifies whole."""
    errors: list[str] = []
    recorder = make_recorder(tmp_path, errors, segment_s=2.5)
    recorder.start("announced", 0.0)
    recorder.sound_gap(-5.0, 1.0)  # over before the press
    feed(recorder, 0, 4)
    recorder.sound_gap(3.0, 0.8)  # reported once the sound came back, in the segment begun at 3 s
    feed(recorder, 4, 2)
    summary = recorder.stop("stop-hold")
    recorder.close()
    assert summary is not None and errors == []
    assert summary["sound_gaps"] == 1 and summary["sound_missing_s"] == 0.8
    report = check_recording(tmp_path / "recordings" / str(summary["recording"]), {})
    trailers = [s.trailer for s in report.segments]
    assert [t.get("sound_gaps") for t in trailers] == [None, [{"pts_us": 3_000_000, "s": 0.8,
                                                               "utc": "2026-01-05T08:00:03.000Z"}]]
    assert report.status == "ok" and report.notes == []
    assert report.sound_gaps == [f"{summary['recording']}/seg-000001.bcs: sound missing for 0.8 s from "
                                 "2026-01-05T08:00:03.000Z (the microphone lost it; the picture is whole)"]


AUDIO_US = 21_333  # one AAC frame at 48 kHz
WITH_SOUND = {"video": {"codec": "h264", "width": 160, "height": 96, "fps": FPS},
              "audio": {"codec": "aac", "sample_rate": 48_000, "channels": 1, "extradata": ""}}


def feed_sound(recorder: Recorder, from_us: int, to_us: int) -> None:
    for pts in range(from_us, to_us, AUDIO_US):
        recorder.packet(b"s" * 40, False, pts, "audio")


def sound_times(tmp_path: Path, directory: Path) -> list[int]:
    agency = load_agency_private(tmp_path / "office/agency.key")
    report = check_recording(directory, {})
    return [p.pts_us for s in report.segments for p in decrypt_segment(s, agency) if p.stream == "audio"]


def test_a_stop_waits_for_the_sound_heard_until_the_end_of_the_last_picture(tmp_path):
    """A microphone delivers a capture period (and the encoder's queue) late: without the wait, the
    recording's sound ended that much before its picture, and nothing said so. The last picture stands
    for a frame's time (a third of a second at the HIL's 3 frames a second): its sound is kept too."""
    errors: list[str] = []
    recorder = make_recorder(tmp_path, errors, streams=WITH_SOUND, sound_tail_s=10.0)
    recorder.start("announced", 0.0)
    feed(recorder, 0, 3)  # the last picture at 2.967 s
    feed_sound(recorder, 0, 2_500_000)
    late = threading.Timer(0.05, feed_sound, (recorder, 2_500_000 - (2_500_000 % AUDIO_US) + AUDIO_US, 3_500_000))
    late.start()
    summary = recorder.stop("stop-hold")
    late.join()
    recorder.close()
    times = sound_times(tmp_path, tmp_path / "recordings" / str(summary["recording"]))
    pictures_end = int(90 * 1e6 / FPS)
    assert pictures_end - AUDIO_US <= times[-1] < pictures_end, "the sound up to the last picture's end, none after"
    assert summary["sound_s"] == round((times[-1] - times[0]) / 1e6, 3) and errors == []


def test_a_stop_waits_no_longer_than_its_bound_for_sound_that_does_not_come(tmp_path):
    errors: list[str] = []
    recorder = make_recorder(tmp_path, errors, streams=WITH_SOUND, sound_tail_s=0.2)
    recorder.start("announced", 0.0)
    feed(recorder, 0, 3)
    feed_sound(recorder, 0, 2_000_000)
    asked = time.monotonic()
    summary = recorder.stop("stop-hold")
    waited = time.monotonic() - asked
    recorder.close()
    assert summary is not None and summary["stop_reason"] == "stop-hold" and errors == []
    assert 0.2 <= waited < 5, "it waited, and not for ever"
    folder = tmp_path / "recordings" / str(summary["recording"])
    heard_until = max(sound_times(tmp_path, folder)) + AUDIO_US
    assert heard_until <= 2_000_000 + AUDIO_US
    assert summary["sound_gaps"] == 1, "the sound that did not come is said, not left out silently"
    assert summary["sound_missing_s"] == pytest.approx((3_000_000 - heard_until) / 1e6, abs=0.001)
    assert "sound missing for 1.0 s" in " ".join(check_recording(folder, {}).sound_gaps)


def test_export_keeps_the_sound_from_before_the_first_picture(tmp_path):
    """A hold in stage worn starts the recording while the camera is still closed: the microphone's sound
    comes first, the picture later. The export dropped every sound packet before the first picture."""
    errors: list[str] = []
    recorder = make_recorder(tmp_path, errors, streams=WITH_SOUND)
    recorder.start("imminent-danger", 0.0)
    feed_sound(recorder, 0, 600_000)
    feed(recorder, 0.5, 2)
    feed_sound(recorder, 600_000 - (600_000 % AUDIO_US) + AUDIO_US, 2_500_000)
    summary = recorder.stop("stop-hold")
    recorder.close()
    report = check_recording(tmp_path / "recordings" / str(summary["recording"]), {})
    out = tmp_path / "out.mp4"
    export_recording(report, load_agency_private(tmp_path / "office/agency.key"), out)
    with av.open(str(out)) as container:
        starts = (container.streams.audio[0].start_time, container.streams.video[0].start_time)
        exported = sum(1 for packet in container.demux(audio=0) if packet.size)
    assert exported == len(sound_times(tmp_path, tmp_path / "recordings" / str(summary["recording"])))
    assert starts[0] == 0 < starts[1], "the picture starts after the sound"


def test_a_final_trailer_without_a_last_time_verifies_exports_and_counts_no_time(tmp_path, monkeypatch):
    """A camera signs what it likes: a final trailer with ``last_pts_us: null`` and no recovery flag made
    verify, export and the station's offload crash with a TypeError."""
    made = Recorder._trailer
    monkeypatch.setattr(Recorder, "_trailer", staticmethod(lambda *args, **kwargs: {**made(*args, **kwargs),
                                                                                   "last_pts_us": None}))
    _, errors, directory = record(tmp_path, 2)
    report = check_recording(directory, {})
    assert errors == [] and report.problems == []
    assert report.duration_s() == 0.0
    result = export_recording(report, load_agency_private(tmp_path / "office/agency.key"), tmp_path / "out.mp4")
    assert result.video_packets == 2 * FPS


def test_a_recording_whose_camera_wrote_pictures_out_of_order_fails_export_with_one_line_and_no_file(tmp_path):
    """Export muxes in the files' order (one chunk in memory): a camera that signed a picture before an
    earlier one gets a clear refusal, not a muxer's traceback or a half-written MP4."""
    errors: list[str] = []
    recorder = make_recorder(tmp_path, errors)
    recording = recorder.start("announced", 0.0)
    for index in (0, 1, 3, 2, 4):
        recorder.packet(bytes(500), index == 0, int(index * 1e6 / FPS))
    recorder.stop("stop-hold")
    recorder.close()
    report = check_recording(tmp_path / "recordings" / recording, {})
    out = tmp_path / "out.mp4"
    with pytest.raises(ExportError, match="a video packet at device time 66666 µs comes after one at 100000 µs"):
        export_recording(report, load_agency_private(tmp_path / "office/agency.key"), out)
    assert not out.exists() and not list(tmp_path.glob(".out.mp4*"))
