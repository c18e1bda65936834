"""Regenerate the segment-format test vectors: ``python -m tests.vectors.make_vectors``.

Every key here is a TEST KEY, published on purpose and derived from a fixed seed; never use one for
anything real. Data keys and HPKE ephemeral keys come from fixed seeds too (``tests/vectors/hpke.py``),
and Ed25519 signatures are deterministic, so every run writes the same bytes. The one exception is
``agency.passphrase.test.key``, whose salt and IV are random by the key format's design: it is written
only when missing, and kept while it still opens to the test agency key.

Each case is a camera data dir (``cases/<name>/recordings/<id>/seg-*.bcs`` and ``cases/<name>/audit/``);
``expected.json`` lists, per case, the verdicts a conforming verifier gives and what decrypts.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from storage.audit import AuditLog
from storage.audit_schema import missing_members
from storage.canonical import canonical_json
from storage.keys import key_id
from storage.segment_format import (
    FORMAT_MINOR,
    FORMAT_VERSION,
    FRAME_HEAD,
    MAGIC,
    SIGNATURE_LEN,
    ZERO_HASH,
    Packet,
    b64,
)
from storage.segment_writer import SegmentWriter
from tests.vectors import hpke

if TYPE_CHECKING:
    from storage.segment_reader import Segment

HERE = Path(__file__).parent
PASSPHRASE = b"bodycam-test-vector"


def _seed(label: str) -> bytes:
    return hashlib.sha256(b"bodycam test vector: " + label.encode()).digest()


AGENCY = x25519.X25519PrivateKey.from_private_bytes(_seed("agency"))
DEVICE = ed25519.Ed25519PrivateKey.from_private_bytes(_seed("device"))
OTHER_DEVICE = ed25519.Ed25519PrivateKey.from_private_bytes(_seed("another device"))
DEVICE_ID = key_id(DEVICE.public_key())
RECORDING = f"20260105T080000Z-{DEVICE_ID[:8]}"
OTHER_RECORDING = f"20260105T090000Z-{DEVICE_ID[:8]}"
EPOCH_UTC = "2026-01-05T08:00:00.000Z"
START_US = 5_000_000
"""The device's monotonic clock at the press (µs): pts are on this clock, not on the wall clock."""
FPS, AUDIO_US = 10, 64_000
"""Ten frames a second and AAC frames of 1024 samples at 16 kHz: small files, every structure present."""
AUDIO = {"codec": "aac", "sample_rate": 16000, "channels": 1, "extradata": b64(bytes.fromhex("1408"))}
VIDEO = {"codec": "h264", "width": 32, "height": 16, "fps": FPS}


@dataclass(frozen=True)
class Recording:
    """What a case records: segment lengths in seconds, chunk length, cipher, markers (seconds)."""

    segments: tuple[float, ...] = (2.0, 2.0, 1.5)
    chunk_s: float = 1.0
    cipher: str = "chacha20-poly1305"
    markers: tuple[float, ...] = (0.5, 4.2)
    recording_id: str = RECORDING
    device: ed25519.Ed25519PrivateKey = DEVICE
    variant: str = ""
    """Makes a second, different recording under the same id (for the chain-broken case)."""
    last_time_named: bool = True
    """False: the final trailer says ``last_pts_us: null`` although it is no recovery trailer."""


def packets(recording: Recording) -> list[list[list[Packet]]]:
    """Per segment, per chunk, the packets in arrival order (video and audio interleaved by time)."""
    out, t0 = [], START_US
    for length in recording.segments:
        chunks, t = [], 0.0
        while t < length * 1e6:
            end = min(t + recording.chunk_s * 1e6, length * 1e6)
            chunk: list[Packet] = []
            frame_us = int(1e6 / FPS)
            times = sorted({*range(int(t), int(end), frame_us)} | {*range(_next(t, AUDIO_US), int(end), AUDIO_US)})
            for pts in times:
                if pts % frame_us == 0 and pts < end:
                    index = pts // frame_us
                    keyframe = pts == 0
                    nal = b"\x65" if keyframe else b"\x41"
                    prefix = b"\x00\x00\x00\x01\x67sps\x00\x00\x00\x01\x68pps" if keyframe else b""
                    body = f"{recording.variant}frame {index}".encode()
                    chunk.append(Packet("video", keyframe, t0 + pts, prefix + b"\x00\x00\x00\x01" + nal + body))
                if pts % AUDIO_US == 0:
                    chunk.append(Packet("audio", True, t0 + pts, b"\x21\x10" + f"aac {pts // AUDIO_US}".encode()))
            chunks.append(chunk)
            t = end
        out.append(chunks)
        t0 += int(length * 1e6)
    return out


def _next(t: float, step: int) -> int:
    return int(-(-t // step) * step)


def write_recording(recording: Recording, recordings_dir: Path) -> list[Path]:
    """The recording's segments as the camera writes them; returns their paths."""
    directory = recordings_dir / recording.recording_id
    directory.mkdir(parents=True)
    paths, prev = [], ZERO_HASH
    all_packets = packets(recording)
    for sequence, chunks in enumerate(all_packets):
        first = chunks[0][0].pts_us
        header = {
            "format": FORMAT_VERSION, "format_minor": FORMAT_MINOR, "device_id": "vector-camera",
            "device_key": b64(recording.device.public_key().public_bytes_raw()),
            "device_key_id": key_id(recording.device.public_key()), "agency_key_id": key_id(AGENCY.public_key()),
            "recording_id": recording.recording_id, "sequence": sequence, "reason": "announced",
            "pressed_at_utc": EPOCH_UTC, "started_utc": _utc(first), "start_pts_us": first,
            "clock_synchronised": True, "prev_segment_hash": prev, "streams": {"audio": AUDIO, "video": VIDEO},
        }
        label = f"{recording.recording_id}/{sequence}/{recording.cipher}/{recording.variant}"
        ephemeral = x25519.X25519PrivateKey.from_private_bytes(_seed("ephemeral " + label))
        path = directory / f"seg-{sequence:06d}.bcs"
        writer = SegmentWriter(open(path, "xb", buffering=0), header, recording.device,  # noqa: SIM115
                               AGENCY.public_key(), recording.cipher, data_key=_seed("data key " + label),
                               wrap_key=functools.partial(hpke.seal, ephemeral=ephemeral))
        for chunk in chunks:
            for packet in chunk:
                writer.add(packet)
            writer.seal()
        last = sequence == len(all_packets) - 1
        end = chunks[-1][-1].pts_us
        markers = [{"pts_us": START_US + int(m * 1e6), "utc": _utc(START_US + int(m * 1e6))}
                   for m in recording.markers if first <= START_US + m * 1e6 <= end]
        named = end if recording.last_time_named or not last else None
        prev = writer.close({"final": last, "stop_reason": "stop-hold" if last else None, "first_pts_us": first,
                             "last_pts_us": named, "markers": markers})
        paths.append(path)
    return paths


def _utc(pts_us: int) -> str:
    millis = (pts_us - START_US) // 1000
    return f"2026-01-05T08:00:{millis // 1000:02d}.{millis % 1000:03d}Z"


def write_audit(data_dir: Path, recording: Recording, stop: bool = True, recovery: str | None = None) -> Path:
    """The camera's signed audit log of the recording, its records as the firmware writes them
    (storage/audit_schema.py): start, the press, markers, the stop (or not), a recovery at a restart."""
    seconds = iter(range(1000))
    audit = AuditLog(data_dir / "audit", DEVICE, lambda: f"2026-01-05T07:59:{50 + min(next(seconds), 9):02d}.000Z")
    press = START_US / 1e6

    def append(log: AuditLog, kind: str, t: float, **members: object) -> None:
        entry = {"t": round(t, 3), "type": kind, **members}
        assert not missing_members(entry), (kind, missing_members(entry))
        log.append(entry)

    append(audit, "start", press - 60, stage="worn")
    append(audit, "announce", press - 5, text="Achtung – die Aufzeichnung läuft ✓ 🎥")  # non-ASCII, outside the BMP
    append(audit, "recording-started", press, recording=recording.recording_id, reason="announced")
    for at in recording.markers:
        append(audit, "marker", press + at, at=round(press + at, 3))
    if stop:
        end = press + sum(recording.segments)
        append(audit, "transition", end, **{"from": "recording", "to": "display", "reason": "stop-hold"})
        append(audit, "recording", end, recording=recording.recording_id, segments=len(recording.segments),
               video_s=round(sum(recording.segments) - 1 / FPS, 3), failed=None, stop_reason="stop-hold")
    audit.close()
    if recovery is not None:
        restart = AuditLog(data_dir / "audit", DEVICE, lambda: "2026-01-05T08:05:00.000Z")
        append(restart, "start", 3.0, stage="worn")
        append(restart, "recovery", 3.1, recording=recording.recording_id, finalised=[recovery], removed=[],
               resume=False)
        restart.close()
    return data_dir / "audit"


# --- what cases do to a recording --------------------------------------------------------------------------


def frame_spans(data: bytes) -> list[tuple[int, int]]:
    """``(start, end)`` of each frame of a segment's bytes, after the magic (read by their heads, unchecked)."""
    spans, offset = [], len(MAGIC)
    while offset < len(data):
        length = FRAME_HEAD.unpack_from(data, offset)[1]
        spans.append((offset, offset + FRAME_HEAD.size + length + SIGNATURE_LEN))
        offset = spans[-1][1]
    return spans


def frames(path: Path) -> list[tuple[int, int]]:
    return frame_spans(path.read_bytes())


def cut(path: Path, size: int, fill: bytes = b"") -> None:
    """Keep ``size`` bytes; ``fill`` stands where the rest of the last write never landed."""
    path.write_bytes(path.read_bytes()[:size] + fill)


def flip(path: Path, offset: int, mask: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= mask
    path.write_bytes(bytes(data))


def interrupt(path: Path) -> None:
    """What the camera's start-up recovery does to a segment a power cut left open."""
    from storage.recovery import finalise_interrupted

    finalise_interrupted(path.parent.parent, DEVICE)


@dataclass
class Case:
    description: str
    recording: Recording = field(default_factory=Recording)
    damage: Callable[[list[Path], Path], object] | None = None
    """Changes the written segments ``(paths, data_dir)``."""
    audit: str = "stopped"
    """``stopped`` (clean stop logged), ``cut`` (the power cut took the stop too), ``recovered``, ``none``."""


def _last_chunk_cut(paths: list[Path], _: Path) -> None:
    start, end = frames(paths[-1])[-2]
    cut(paths[-1], (start + end) // 2)


def _cut_and_recovered(paths: list[Path], data: Path) -> None:
    """A cut inside the last chunk, then the camera's recovery closing the segment."""
    _last_chunk_cut(paths, data)
    interrupt(paths[-1])


def _roll_cut(fill_next: bytes | None, keep_next_header: bool = False) -> Callable[[list[Path], Path], None]:
    """A power cut at the roll from segment 1 to 2: segment 1 without its trailer, segment 2 as given."""
    def damage(paths: list[Path], _: Path) -> None:
        cut(paths[1], frames(paths[1])[-1][0])
        if keep_next_header:
            cut(paths[2], frames(paths[2])[0][1])
        elif fill_next is None:
            paths[2].unlink()
        else:
            paths[2].write_bytes(fill_next)
    return damage


def _segment_from(recording: Recording, sequence: int, target: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        target.write_bytes(write_recording(recording, Path(scratch))[sequence].read_bytes())


CASES_BY_NAME: dict[str, Case] = {
    "complete": Case("three segments with audio and two markers, ChaCha20-Poly1305; the audit log has non-ASCII "
                     "text outside the BMP"),
    "complete-aes": Case("two segments, AES-256-GCM", Recording(segments=(2.0, 1.0), cipher="aes-256-gcm")),
    "cut-in-chunk": Case("power cut inside the last segment's last chunk", damage=_last_chunk_cut, audit="cut"),
    "cut-after-chunk": Case("power cut after a chunk, before the trailer of the last segment",
                            damage=lambda p, _: cut(p[-1], frames(p[-1])[-1][0]), audit="cut"),
    "cut-zero-tail": Case("the last chunk's size reached the disk, its data did not: zeros after the last frame",
                          damage=lambda p, _: cut(p[-1], frames(p[-1])[-2][0] + 10,
                                                  bytes(frames(p[-1])[-1][1] - frames(p[-1])[-2][0] - 10)),
                          audit="cut"),
    "cut-roll-next-empty": Case("power cut at a roll: the next segment file is listed but empty",
                                damage=_roll_cut(b""), audit="cut"),
    "cut-roll-half-header": Case("power cut at a roll: the next segment's header is half written",
                                 damage=lambda p, d: (_roll_cut(p[2].read_bytes()[:200])(p, d)), audit="cut"),
    "cut-roll-header-only": Case("power cut at a roll: the next header is durable, this segment's trailer is not",
                                 damage=_roll_cut(None, keep_next_header=True), audit="cut"),
    "cut-roll-unlisted": Case("power cut at a roll (1.0 writer order): segment 1 complete but not final, "
                              "segment 2 never listed", damage=lambda p, _: p[2].unlink(), audit="cut"),
    "interrupted": Case("cut-in-chunk after the camera restarted: the recovery closed the segment",
                        damage=_cut_and_recovered, audit="recovered"),
    "changed-chunk": Case("one byte of a chunk in the middle segment changed", damage=lambda p, _: flip(
        p[1], frames(p[1])[1][0] + 40, 0x01)),
    "changed-length-field": Case("one bit of a frame's length field in the last segment flipped",
                                 damage=lambda p, _: flip(p[-1], frames(p[-1])[1][0] + 2, 0x10)),
    "changed-header": Case("the middle segment's header changed (reason)", damage=lambda p, _: p[1].write_bytes(
        p[1].read_bytes().replace(b'"reason":"announced"', b'"reason":"annoynced"'))),
    "missing-segment": Case("the middle segment removed", damage=lambda p, _: p[1].unlink()),
    "reordered": Case("segments 0 and 1 swapped by name", damage=lambda p, _: _swap(p[0], p[1])),
    "duplicated": Case("segment 1 copied as segment 3", damage=lambda p, _: (p[0].parent / "seg-000003.bcs")
                       .write_bytes(p[1].read_bytes())),
    "foreign-key": Case("segment 1 replaced by one signed with another device key", damage=lambda p, _: _segment_from(
        Recording(device=OTHER_DEVICE), 1, p[1])),
    "foreign-recording": Case("segment 1 replaced by segment 1 of another recording", damage=lambda p, _: (
        _segment_from(Recording(recording_id=OTHER_RECORDING), 1, p[1]))),
    "chain-broken": Case("segment 1 replaced by a different segment 1 of the same recording, signed by the same key",
                         damage=lambda p, _: _segment_from(Recording(variant="other "), 1, p[1])),
    "truncated-middle": Case("the middle segment cut inside a chunk", damage=lambda p, _: cut(
        p[1], frames(p[1])[1][0] + 100)),
    "extra-after-final": Case("an empty segment file after the final segment", damage=lambda p, _: (
        p[0].parent / "seg-000003.bcs").write_bytes(b"")),
    "tail-cut-at-frame": Case("the final segment's trailer cut off at a frame boundary: only the audit log tells",
                              damage=lambda p, _: cut(p[-1], frames(p[-1])[-1][0])),
    "tail-segment-deleted": Case("the final segment deleted: only the audit log tells",
                                 damage=lambda p, _: p[-1].unlink()),
    "cut-header-middle": Case("the middle segment cut inside its header", damage=lambda p, _: cut(
        p[1], len(MAGIC) + 200)),
    "last-frame-signature": Case("the final segment's trailer frame whole, one bit of its signature flipped",
                                 damage=lambda p, _: flip(p[-1], frames(p[-1])[-1][1] - 1, 0x01)),
    "final-without-last-time": Case("the final trailer names no last packet (last_pts_us null) yet is no recovery "
                                    "trailer: the span ends at the last segment's start",
                                    Recording(last_time_named=False)),
    "all-foreign": Case("every segment signed by a device key that is not registered",
                        Recording(device=OTHER_DEVICE)),
    "extra-files": Case("a file that is not a segment (notes.txt) and segment 1 copied as copy.bcs",
                        damage=lambda p, _: ((p[0].parent / "notes.txt").write_text("hello\n"),
                                             (p[0].parent / "copy.bcs").write_bytes(p[1].read_bytes()))),
    "audit-missing": Case("the audit log removed", audit="none"),
    "audit-line-changed": Case("the non-ASCII audit line changed", damage=lambda _, d: _change_audit(d)),
}


def _swap(a: Path, b: Path) -> None:
    data = a.read_bytes()
    a.write_bytes(b.read_bytes())
    b.write_bytes(data)


def _change_audit(data_dir: Path) -> None:
    (path,) = (data_dir / "audit").glob("*.jsonl")
    path.write_bytes(path.read_bytes().replace("läuft".encode(), b"lief"))


def decrypted(report_segments: list[Segment]) -> dict[str, object]:
    """What the expected list says about the decrypted content: counts and a hash over every packet."""
    from storage.segment_reader import decrypt_segment

    digest, counts = hashlib.sha256(), {"video": 0, "audio": 0}
    for segment in report_segments:
        for packet in decrypt_segment(segment, AGENCY):
            digest.update(canonical_json({"stream": packet.stream, "keyframe": packet.keyframe,
                                          "pts_us": packet.pts_us, "data": b64(packet.data)}))
            counts[packet.stream] += 1
    return {"video_packets": counts["video"], "audio_packets": counts["audio"], "packets_sha256": digest.hexdigest()}


def verdict(severity: str, line: str) -> dict[str, str]:
    """``<where>: <kind>: <detail>`` as the spec's normative (severity, where, kind)."""
    where, _, rest = line.partition(": ")
    return {"severity": severity, "where": where, "kind": rest.split(": ")[0]}


def write_keys(out: Path) -> None:
    pem = serialization.Encoding.PEM
    (out / "agency.test.key").write_bytes(AGENCY.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                                serialization.NoEncryption()))
    (out / "agency.test.pub").write_bytes(AGENCY.public_key().public_bytes(
        pem, serialization.PublicFormat.SubjectPublicKeyInfo))
    (out / "device.test.pub").write_bytes(DEVICE.public_key().public_bytes(
        pem, serialization.PublicFormat.SubjectPublicKeyInfo))
    locked = out / "agency.passphrase.test.key"
    try:
        from storage.keys import load_agency_private

        keeps = key_id(load_agency_private(locked, PASSPHRASE).public_key()) == key_id(AGENCY.public_key())
    except Exception:  # missing, or locked to another key or passphrase: write it anew
        keeps = False
    if not keeps:
        locked.write_bytes(AGENCY.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                serialization.BestAvailableEncryption(PASSPHRASE)))


def main(out: Path = HERE) -> None:
    """Writes the keys, ``cases/`` and ``expected.json`` into ``out`` (the test compares a fresh run)."""
    from storage.verify import trusted_device_keys, verify_tree

    out.mkdir(parents=True, exist_ok=True)
    write_keys(out)
    shutil.rmtree(out / "cases", ignore_errors=True)
    expected: dict[str, object] = {}
    trusted = trusted_device_keys([out / "device.test.pub"])
    for name, case in CASES_BY_NAME.items():
        data = out / "cases" / name
        paths = write_recording(case.recording, data / "recordings")
        if case.audit != "none":
            finalised = f"{case.recording.recording_id}/{paths[-1].name}" if case.audit == "recovered" else None
            write_audit(data, case.recording, stop=case.audit == "stopped", recovery=finalised)
        if case.damage is not None:
            case.damage(paths, data)
        tree = verify_tree(data, trusted)
        expected[name] = {
            "description": case.description,
            "verdicts": [verdict("PROBLEM", p) for p in tree.problems] + [verdict("NOTE", n) for n in tree.notes],
            "decrypts": decrypted(tree.recordings[0].segments) if tree.recordings else None,
        }
    (out / "expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
