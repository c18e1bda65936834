"""Power cuts at every kind of moment verify with a NOTE and export what is intact; cuts of a tail made
on purpose verify with a PROBLEM.

A recording made by the simulator is replayed as the writer wrote it (one write per frame, each made
durable before the next; at a segment roll the next header before the current trailer), and the card
is cut inside each write: at many byte offsets of the last two segments, with the unwritten rest of
the write absent, zeros (the size reached the disk, the data did not) or garbage.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from storage.export import export_recording
from storage.keys import key_id, load_agency_private, load_device_keys, load_device_public
from storage.recovery import finalise_interrupted
from storage.segment_format import MAGIC, SIGNATURE_LEN
from storage.segment_reader import Segment, decrypt_segment, read_segment
from storage.verify import check_recording, verify_tree
from tests.recordings import SEGMENTS
from tests.vectors.make_vectors import frame_spans

MAX_LOSS_US = 1_500_000


@dataclass(frozen=True)
class Write:
    file: str
    start: int
    end: int
    moment_us: int
    """The device time of the write: the newest packet it carries, or the packet that caused it."""


def frames(data: bytes) -> list[tuple[int, int]]:
    """``(start, end)`` of each frame; the magic goes with the header, as one durable write."""
    return [(0 if start == len(MAGIC) else start, end) for start, end in frame_spans(data)]


def timeline(recording: Path, agency) -> list[Write]:
    """The writes of the whole recording in the order the writer made them durable."""
    files = sorted(recording.glob("*.bcs"))
    per_file = []
    for path in files:
        segment = read_segment(path)
        chunk_moments = [max(p.pts_us for p in decrypt_segment(replace(segment, chunks=segment.chunks[: i + 1]),
                                                                 agency))
                         for i in range(segment.chunk_count)]
        per_file.append((path.name, frames(path.read_bytes()), chunk_moments))
    writes: list[Write] = []
    for index, (name, spans, moments) in enumerate(per_file):
        header, *chunks, trailer = spans
        if index == 0:
            writes.append(Write(name, *header, moments[0]))
        writes.extend(Write(name, *span, moment) for span, moment in zip(chunks, moments, strict=True))
        if index + 1 < len(per_file):
            next_name, next_spans, next_moments = per_file[index + 1]
            writes.append(Write(next_name, *next_spans[0], next_moments[0]))
        writes.append(Write(name, *trailer, moments[-1] if index + 1 == len(per_file) else per_file[index + 1][2][0]))
    return writes


def cut_state(recording: Path, writes: list[Write], at: int, prefix: int, fill: str) -> dict[str, bytes | None]:
    """The content of each segment file after a cut inside write ``at`` (None: the file is not listed)."""
    full = {p.name: p.read_bytes() for p in recording.glob("*.bcs")}
    length: dict[str, int] = {}
    for write in writes[:at]:
        length[write.file] = write.end
    cut = writes[at]
    rest = cut.end - cut.start - prefix
    content: dict[str, bytes | None] = {name: full[name][:n] for name, n in length.items()}
    written = full[cut.file][: cut.start + prefix]
    if fill == "zeros":
        written += bytes(rest)
    elif fill == "garbage":
        written += hashlib.shake_256(written).digest(rest)
    content[cut.file] = None if fill == "unlisted" else written
    return content


def changes_nothing(recording: Path, write: Write, prefix: int, fill: str) -> bool:
    """A fill that happens to equal what the write would have written (zeros where the signature had
    zeros): the file is whole, nothing was cut."""
    if fill not in ("zeros", "garbage"):
        return False
    full = (recording / write.file).read_bytes()
    rest = write.end - write.start - prefix
    kept = full[: write.start + prefix]
    filled = bytes(rest) if fill == "zeros" else hashlib.shake_256(kept).digest(rest)
    return filled == full[write.start + prefix : write.end]


def materialise(content: dict[str, bytes | None], target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name, data in content.items():
        if data is not None:
            (target / name).write_bytes(data)
    return target


class CachingReader:
    """Reads each distinct file content once: the sweep rewrites only the last segments."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, bytes], Segment] = {}

    def __call__(self, path: Path) -> Segment:
        data = path.read_bytes()
        key = (path.name, hashlib.blake2b(data).digest())
        if key not in self._seen:
            self._seen[key] = read_segment(path)
        return self._seen[key]


def prefixes(length: int) -> list[int]:
    """Every frame-structure boundary, and a dense sample between them."""
    edges = {0, 1, 4, 5, 6, 8, 9, 13, 14, length - SIGNATURE_LEN - 1, length - SIGNATURE_LEN, length - 1}
    return sorted({p for p in edges | set(range(0, length, max(1, length // 40))) if 0 <= p < length})


def fills(write: Write, prefix: int) -> list[str]:
    """What can stand where the rest of the write never landed. Garbage (stale blocks) only after the
    magic: a file whose first bytes are not the magic is not a segment; an unlisted file only before
    anything of it was written (its directory entry is made durable with its header)."""
    new_file = write.start == 0
    return (["absent", "zeros"] + (["garbage"] if not new_file or prefix >= len(MAGIC) else [])
            + (["unlisted"] if new_file and prefix == 0 else []))


@pytest.fixture(scope="module")
def replay(recorded):
    recording = sorted((recorded / "recordings").iterdir())[-1]
    agency = load_agency_private(recorded / "keys" / "agency.key")
    writes = timeline(recording, agency)
    first = next(i for i, w in enumerate(writes) if w.file == f"seg-{SEGMENTS - 2:06d}.bcs")
    return recording, agency, device_keys(recorded), writes, first


def device_keys(data: Path) -> dict[str, object]:
    public = load_device_public(data / "keys" / "device.pub")
    return {key_id(public): public}


def last_intact_us(segments: list[Segment], agency) -> int:
    return max(p.pts_us for s in segments for p in decrypt_segment(s, agency))


def test_every_power_cut_in_the_last_two_segments_verifies_with_a_note_and_loses_at_most_one_chunk(replay, tmp_path):
    recording, agency, trusted, writes, first = replay
    reader, states = CachingReader(), 0
    for at in range(first, len(writes)):
        write = writes[at]
        for prefix in prefixes(write.end - write.start):
            for fill in fills(write, prefix):
                if changes_nothing(recording, write, prefix, fill):
                    continue
                directory = materialise(cut_state(recording, writes, at, prefix, fill), tmp_path / recording.name)
                report = check_recording(directory, trusted, reader)
                where = f"cut in {write.file} at byte {write.start + prefix} ({fill})"
                assert report.problems == [], where
                assert report.notes, where
                assert write.moment_us - last_intact_us(report.segments, agency) <= MAX_LOSS_US, where
                states += 1
    assert states > 500


def test_a_cut_recording_exports_what_is_intact_before_and_after_the_camera_restarts(replay, tmp_path):
    recording, agency, trusted, writes, first = replay
    signing = load_device_keys(recording.parent.parent / "keys").signing
    cuts = [(at, prefix, fill) for at in range(first, len(writes))
            for prefix in (0, len(MAGIC) + 1, (writes[at].end - writes[at].start) // 2)
            for fill in fills(writes[at], prefix) if not changes_nothing(recording, writes[at], prefix, fill)]
    for at, prefix, fill in cuts:
        write = writes[at]
        directory = materialise(cut_state(recording, writes, at, prefix, fill), tmp_path / "data/recordings" /
                                recording.name)
        where = f"cut in {write.file} at byte {write.start + prefix} ({fill})"
        before = check_recording(directory, trusted)
        result = export_recording(before, agency, tmp_path / "out.mp4")
        assert result.video_packets > 0 and before.problems == [], where
        intact_us = last_intact_us(before.segments, agency)  # verified without their bytes: read before the change
        finalise_interrupted(directory.parent, signing)
        after = check_recording(directory, trusted)
        assert after.problems == [], where
        assert last_intact_us(after.segments, agency) == intact_us, where
        assert export_recording(after, agency, tmp_path / "out.mp4").video_packets == result.video_packets


def test_a_power_cut_with_the_audit_log_cut_as_well_verifies_with_notes_only(replay, recorded, tmp_path):
    recording, _, trusted, writes, first = replay
    data = tmp_path / "data"
    shutil.copytree(recorded / "keys", data / "keys")
    (audit_file,) = (recorded / "audit").glob("*.jsonl")
    lines = audit_file.read_bytes().splitlines(keepends=True)
    end = next(i for i, line in enumerate(lines) if b'"from":"recording"' in line)
    (data / "audit").mkdir()
    (data / "audit" / audit_file.name).write_bytes(b"".join(lines[:end]) + lines[end][:40])
    for at in range(first, len(writes)):
        materialise(cut_state(recording, writes, at, 10, "zeros"), data / "recordings" / recording.name)
        tree = verify_tree(data, trusted)
        assert tree.problems == [], writes[at]
        assert any("truncated" in note or "power cut" in note for note in tree.notes)


# --- cuts made on purpose ----------------------------------------------------------------------------------


def last_segment(device: Path) -> Path:
    return sorted((device / "recordings").glob("*/seg-*.bcs"))[-1]


def chunk_heads(path: Path) -> list[int]:
    data = path.read_bytes()
    return [start for start, _ in frames(data)[1:-1]]


@pytest.mark.parametrize("bit", range(32))
def test_a_flipped_bit_in_a_frame_length_of_the_last_segment_is_a_problem(device, bit):
    path = sorted((device / "recordings").glob("*/seg-*.bcs"))[-2]
    data = bytearray(path.read_bytes())
    length_field = chunk_heads(path)[0] + 1
    value = int.from_bytes(data[length_field : length_field + 4], "big") ^ (1 << bit)
    data[length_field : length_field + 4] = value.to_bytes(4, "big")
    path.write_bytes(bytes(data))
    for later in sorted(path.parent.glob("*.bcs"))[-1:]:
        later.unlink()  # the segment is now the last: a power cut would be its only excuse
    report = check_recording(path.parent, {})
    assert any("changed" in p and "altered" in p for p in report.problems), report.notes


@pytest.mark.parametrize("change", ["kind", "zeros", "payload"])
def test_a_frame_changed_before_intact_frames_is_a_problem_not_a_power_cut(device, change):
    path = last_segment(device)
    data = bytearray(path.read_bytes())
    head = chunk_heads(path)[0]
    if change == "kind":
        data[head] = 0x00
    elif change == "zeros":
        data[head : head + 2000] = bytes(2000)
    else:
        data[head + 100] ^= 0x01
    path.write_bytes(bytes(data))
    report = check_recording(path.parent, {})
    assert [p for p in report.problems if "changed" in p], report.notes


@pytest.mark.parametrize("cut", ["frame boundary", "inside a chunk", "segments deleted and cut"])
def test_a_cut_of_a_finished_recording_is_a_problem_by_the_audit_log(device, cut):
    path = last_segment(device)
    spans = frames(path.read_bytes())
    if cut == "frame boundary":
        os.truncate(path, spans[-1][0])
    elif cut == "inside a chunk":
        os.truncate(path, spans[-2][0] + 200)
    else:
        for name in sorted(path.parent.glob("*.bcs"))[-3:]:
            name.unlink()
        previous = sorted(path.parent.glob("*.bcs"))[-1]
        os.truncate(previous, frames(previous.read_bytes())[-2][0] + 200)
    tree = verify_tree(device, device_keys(device))
    assert [p for p in tree.problems if ": cut:" in p], tree.notes
