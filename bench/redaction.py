"""Redaction of a 720p 30 fps video (the astronaut and the cameraman walking across a photograph): finding
the faces and rendering the redacted copy, on one core (``taskset``), against decoding and encoding the
same video alone, in paired rounds; the face detector's share; and the job's peak memory for a two-minute
video against a half-minute one (it must not grow with the length). Each measurement runs in a process of
its own, which reports its time and its own peak resident memory."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.table import Paired, Row

ROUNDS = 3
SECONDS = 10
LONG_S, SHORT_S = 120, 30
WIDTH, HEIGHT, SIZE = 1280, 720, 400


def run() -> list[Row]:
    from station.redaction.scene import make_scene

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        video = make_scene(folder / "scene.mp4", SECONDS, width=WIDTH, height=HEIGHT, size=SIZE).path
        job, detector = Paired([], []), Paired([], [])
        for _ in range(ROUNDS):  # ours, baseline, ours, …
            found = _child("job", video, folder, one_core=True)
            plain = _child("transcode", video, folder, one_core=True)
            decoding = _child("decode", video, folder, one_core=True)
            job.ours.append(found["frames"] / found["seconds"])
            job.baseline.append(plain["frames"] / plain["seconds"])
            detector.ours.append(1000 * (found["find_s"] - decoding["seconds"]) / found["frames"])
            detector.baseline.append(1000 * plain["seconds"] / plain["frames"])
        memory = Paired([], [])
        for seconds, side in ((LONG_S, memory.ours), (SHORT_S, memory.baseline)):
            long_video = make_scene(folder / f"scene-{seconds}.mp4", seconds, width=WIDTH, height=HEIGHT,
                                    size=SIZE).path
            side.append(_child("job", long_video, folder, one_core=False)["peak_mb"])
    return [
        Row.paired("redaction, finding faces and rendering the copy, 720p30, frames per second on one core", "/s",
                   job, "decoding and encoding the same video alone", higher_is_better=True),
        Row.paired("face detector per frame (finding faces minus decoding), one core", "ms", detector,
                   "decoding and encoding per frame"),
        Row.paired(f"redaction job's peak memory, {LONG_S // 60}-minute 720p video", "MB", memory,
                   f"the same for a {SHORT_S}-second video"),
    ]


def _child(mode: str, video: Path, folder: Path, one_core: bool) -> dict[str, float]:
    pin = ["taskset", "-c", "0"] if one_core and shutil.which("taskset") else []
    done = subprocess.run([*pin, sys.executable, "-m", "bench.redaction", mode, str(video), str(folder)],
                          capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _measure(mode: str, video: Path, folder: Path) -> dict[str, float]:
    import resource

    import av

    from station.redaction.analyse import analyse
    from station.redaction.detector import FaceDetector
    from station.redaction.plan import Plan
    from station.redaction.render import render

    started = time.perf_counter()
    result: dict[str, float] = {}
    if mode == "decode":
        with av.open(str(video)) as container:
            result["frames"] = sum(1 for _ in container.decode(video=0))
    elif mode == "transcode":
        result["frames"] = render(video, [], Plan(), folder / "plain.mp4").frames
    else:
        found = analyse(video, FaceDetector())
        result["find_s"] = time.perf_counter() - started
        result["frames"] = render(video, found.tracks, Plan(), folder / "redacted.mp4").frames
    result["seconds"] = time.perf_counter() - started
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


if __name__ == "__main__":
    print(json.dumps(_measure(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
