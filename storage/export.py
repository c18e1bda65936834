"""Export a verified recording to MP4: decrypt, check, remux (no re-encoding) with PyAV."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import x25519

from bodycam.errors import BodycamError
from storage.identifiers import pts_utc
from storage.report import RecordingReport
from storage.segment_format import Packet
from storage.segment_reader import decrypt_segment

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


def export_recording(report: RecordingReport, agency_key: x25519.X25519PrivateKey, out: Path,
                     allow_partial: bool = False) -> ExportResult:
    if report.problems and not allow_partial:
        raise ExportError(f"recording {report.id} does not verify ({len(report.problems)} problem(s)); "
                          f"first: {report.problems[0]}. Use --allow-partial to export what verifies.")
    if not report.segments:
        raise ExportError(f"recording {report.id}: no readable segments")
    packets: list[Packet] = []
    for segment in report.segments:
        packets.extend(decrypt_segment(segment, agency_key))
    video = [p for p in packets if p.stream == "video"]
    if not video:
        raise ExportError(f"recording {report.id}: no video packets")
    # Sound dated before the first picture is kept: a recording started with the camera still closed (a hold
    # in stage worn) has sound from before its first picture, and it is evidence like the rest.
    audio = [p for p in packets if p.stream == "audio"]
    partial = bool(report.problems or report.notes)
    temporary = out.with_name(f".{out.name}.partial")
    try:
        _mux(report, video, audio, temporary, partial)
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    last = max(video[-1].pts_us, audio[-1].pts_us if audio else 0)
    return ExportResult(out, len(video), len(audio), (video[-1].pts_us - video[0].pts_us) / 1e6, partial,
                        pts_utc(report.segments[-1].header, last) or "?")


def _mux(report: RecordingReport, video: list[Packet], audio: list[Packet], path: Path, partial: bool) -> None:
    import av

    first = report.segments[0].header
    streams = first.get("streams", {})
    spec = streams.get("video", {})
    sound = streams.get("audio")
    audio = audio if sound else []
    start_us = min(video[0].pts_us, audio[0].pts_us) if audio else video[0].pts_us
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
    # faststart: the index goes first, so a browser starts playing before the whole file has arrived
    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as container:
        container.metadata["creation_time"] = str(first["started_utc"]).replace("Z", "000Z")
        container.metadata["title"] = f"Bodycam {report.id}"
        container.metadata["comment"] = json.dumps(description, ensure_ascii=False)
        stream = container.add_stream("h264", rate=int(spec.get("fps", 30)))
        stream.width = int(spec.get("width", 0))
        stream.height = int(spec.get("height", 0))
        stream.time_base = MICROSECONDS
        targets: dict[str, av.stream.Stream] = {"video": stream}
        if audio:
            aac = container.add_stream("aac", rate=int(sound["sample_rate"]))
            aac.codec_context.layout = "mono"
            aac.codec_context.extradata = base64.b64decode(sound["extradata"])
            aac.time_base = MICROSECONDS
            targets["audio"] = aac
        for packet in sorted(video + audio if "audio" in targets else video, key=lambda p: p.pts_us):
            out = av.Packet(packet.data)
            out.pts = out.dts = packet.pts_us - start_us
            out.time_base = MICROSECONDS
            out.is_keyframe = packet.keyframe
            out.stream = targets[packet.stream]
            container.mux(out)
