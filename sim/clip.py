"""A short street-like video for ``--camera-source`` (``make clip.mp4``): moving shapes over a gradient,
so the README's example runs without a clip of one's own. ``python -m sim.clip OUT [SECONDS]``."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

WIDTH, HEIGHT, FPS = 640, 360, 25


def frame(index: int) -> np.ndarray:
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    image = np.empty((HEIGHT, WIDTH, 3), dtype=np.uint8)
    image[..., 0] = (x * 255 // WIDTH).astype(np.uint8)
    image[..., 1] = (y * 255 // HEIGHT).astype(np.uint8)
    image[..., 2] = 96
    left = (index * 8) % (WIDTH + 80) - 80  # a "person" walking through the picture
    image[120:330, max(left, 0):max(left + 60, 0)] = (230, 200, 40)
    return image


def make_clip(path: Path, seconds: float = 6.0) -> Path:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for index in range(round(seconds * FPS)):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame(index), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


if __name__ == "__main__":
    make_clip(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 6.0)
