"""Export a verified recording to MP4: decrypt, check, remux (no re-encoding) with PyAV."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import x25519

from bodycam.errors import BodycamError
from storage.identifiers import pts_utc
from storage.report import RecordingReport
from storage.segment_format import Packet
from storage.segment_reader import decrypted

MICROSECONDS = Fraction(1, 1_000_000)


class ExportError(BodycamError, ValueError):
    pass


@dataclass(frozen=True)
class ExportResult:
    path: Path
    video_packets: int
    audio_packets: int
    duration_s: float
    partial: bool
    intact_until_utc: str
    """The time of the last packet exported: after a power cut, everything later is lost."""


def in_progress(out: Path) -> Path:
    """Where an export to ``out`` writes until it is complete (then renamed to ``out``)."""
    return out.with_name(f".{out.name}.partial")


def exportable(report: RecordingReport, allow_partial: bool = False) -> None:
    """Raises ``ExportError`` for a recording that does not verify (unless a part is asked for) or has no
    readable segment: what an export checks before it writes a byte."""
    if report.problems and not allow_partial:
        raise ExportError(f"recording {report.id} does not verify ({len(report.problems)} problem(s)); "
                          f"first: {report.problems[0]}. Use --allow-partial to export what verifies.")
    if not report.segments:
        raise ExportError(f"recording {report.id}: no readable segments")


def export_recording(report: RecordingReport, agency_key: x25519.X25519PrivateKey, out: Path,
                     allow_partial: bool = False, fragmented: bool = False) -> ExportResult:
    """Decrypts and remuxes chunk by chunk: memory holds one chunk's packets (and the MP4 muxer's index),
    whatever the recording's length. A segment is read again for this and must be the file that was
    verified. ``fragmented``: an MP4 a player can start while it is still being written (``in_progress``);
    else the index goes first, for a file that is handed over whole."""
    exportable(report, allow_partial)
    partial = bool(report.problems or report.notes)
    temporary = in_progress(out)
    try:
        counts = _mux(report, agency_key, temporary, partial, fragmented)
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return ExportResult(out, counts.video, counts.audio, (counts.last_video_us - counts.first_video_us) / 1e6,
                        partial, pts_utc(report.segments[-1].header, counts.last_us) or "?")


@dataclass
class _Counts:
    video: int = 0
    audio: int = 0
    first_video_us: int = 0
    last_video_us: int = 0
    last_us: int = 0


LOOKAHEAD_US = 2_000_000
"""How far past the first picture the export looks for sound dated before it: such sound is in the
recording's first chunk, and a chunk holds at most a second."""


def _packets(report: RecordingReport, agency_key: x25519.X25519PrivateKey) -> Iterator[Packet]:
    """Every packet in the files' order, one chunk in memory at a time: each stream is in time order there,
    and the muxer interleaves the two."""
    for segment in report.segments:
        yield from decrypted(segment, agency_key)


def _opening(packets: Iterator[Packet], sound: bool) -> list[Packet]:
    """The packets up to the first picture and, with sound, the first sound or the look-ahead's end."""
    opening: list[Packet] = []
    first_picture: int | None = None
    heard = False
    for packet in packets:
        opening.append(packet)
        heard = heard or packet.stream == "audio"
        if packet.stream == "video" and first_picture is None:
            first_picture = packet.pts_us
        if first_picture is not None and (not sound or heard or packet.pts_us - first_picture > LOOKAHEAD_US):
            break
    return opening


def _mux(report: RecordingReport, agency_key: x25519.X25519PrivateKey, path: Path, partial: bool,
         fragmented: bool) -> _Counts:
    import av

    first = report.segments[0].header
    streams = first.get("streams", {})
    spec = streams.get("video", {})
    sound = streams.get("audio")
    packets = _packets(report, agency_key)
    opening = _opening(packets, bool(sound))
    # Sound dated before the first picture is kept: a recording started with the camera still closed (a hold
    # in stage worn) has sound from before its first picture, and it is evidence like the rest.
    start_us = min((p.pts_us for p in opening if p.stream == "video" or sound), default=int(first["start_pts_us"]))
    markers = [
        {"t": round((int(m["pts_us"]) - start_us) / 1e6, 3), "utc": m["utc"]} for m in report.markers()
    ]
    description = {
        "recording": report.id,
        "device": first.get("device_id"),
        "reason": first.get("reason"),
        "started_utc": first.get("started_utc"),
        "pressed_at_utc": first.get("pressed_at_utc"),
        "clock_synchronised": first.get("clock_synchronised"),
        "markers": markers,
        "verification": "partial" if partial else "verified",
    }
    counts = _Counts()
    # faststart: the index goes first, so a browser starts playing before the whole file has arrived;
    # fragments (one from each keyframe, each written out at once, the index empty at the start): a player
    # starts while the file is still being written
    options = {"movflags": "frag_keyframe+empty_moov+default_base_moof", "flush_packets": "1"} if fragmented \
        else {"movflags": "faststart"}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        container.metadata["creation_time"] = str(first["started_utc"]).replace("Z", "000Z")
        container.metadata["title"] = f"Bodycam {report.id}"
        container.metadata["comment"] = json.dumps(description, ensure_ascii=False)
        stream = container.add_stream("h264", rate=int(spec.get("fps", 30)))
        stream.width = int(spec.get("width", 0))
        stream.height = int(spec.get("height", 0))
        stream.time_base = MICROSECONDS
        targets: dict[str, av.stream.Stream] = {"video": stream}
        if sound:
            aac = container.add_stream("aac", rate=int(sound["sample_rate"]))
            aac.codec_context.layout = "mono"
            aac.codec_context.extradata = base64.b64decode(sound["extradata"])
            aac.time_base = MICROSECONDS
            targets["audio"] = aac
        last: dict[str, int] = {}
        for packet in chain(opening, packets):
            if packet.stream not in targets:
                continue
            if packet.pts_us <= last.get(packet.stream, packet.pts_us - 1):
                raise ExportError(f"recording {report.id}: a {packet.stream} packet at device time {packet.pts_us} µs "
                                  f"comes after one at {last[packet.stream]} µs: the camera wrote them out of "
                                  "order, so they cannot be put in an MP4 as they are")
            last[packet.stream] = packet.pts_us
            _write(container, targets[packet.stream], packet, start_us, counts)
    if not counts.video:
        raise ExportError(f"recording {report.id}: no video packets")
    return counts


def _write(container: Any, stream: Any, packet: Packet, start_us: int, counts: _Counts) -> None:
    import av

    out = av.Packet(packet.data)
    out.pts = out.dts = packet.pts_us - start_us
    out.time_base = MICROSECONDS
    out.is_keyframe = packet.keyframe
    out.stream = stream
    container.mux(out)
    if packet.stream == "video":
        counts.first_video_us = packet.pts_us if not counts.video else counts.first_video_us
        counts.video += 1
        counts.last_video_us = packet.pts_us
    else:
        counts.audio += 1
    counts.last_us = max(counts.last_us, packet.pts_us)
