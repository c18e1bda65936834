"""The part of libcamera's Python bindings (``libcamera/src/py/libcamera``, v0.5.x as Raspberry Pi OS
ships it with picamera2 0.3.38) that picamera2 touches at import time and on the recording path.

Only this layer is stubbed: libcamera talks to the kernel's camera stack and does not install off a Pi.
picamera2 itself, its encoders, ``CompletedRequest`` and ``MappedArray`` run as published on PyPI.
Anything else picamera2 asks for raises AttributeError, so a new dependency shows up as a failure.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from types import SimpleNamespace


class ControlType(enum.IntEnum):  # libcamera/controls.h
    None_ = 0
    Bool = 1
    Byte = 2
    Unsigned16 = 3
    Unsigned32 = 4
    Integer32 = 5
    Integer64 = 6
    Float = 7
    String = 8
    Rectangle = 9
    Size = 10
    Point = 11


@dataclass(frozen=True)
class ControlId:
    """A control's identity; metadata dicts are keyed by these (py_main.cpp: ``ControlId``)."""

    name: str
    id: int
    type: ControlType


class _Controls(SimpleNamespace):
    pass


controls = _Controls(
    SensorTimestamp=ControlId("SensorTimestamp", 0x14, ControlType.Integer64),
    ExposureTime=ControlId("ExposureTime", 0x03, ControlType.Integer32),
    ExposureTimeMode=ControlId("ExposureTimeMode", 0x2b, ControlType.Integer32),
    AnalogueGain=ControlId("AnalogueGain", 0x04, ControlType.Float),
    AnalogueGainMode=ControlId("AnalogueGainMode", 0x2c, ControlType.Integer32),
    FrameDuration=ControlId("FrameDuration", 0x15, ControlType.Integer64),
    draft=SimpleNamespace(NoiseReductionModeEnum=enum.IntEnum("NoiseReductionModeEnum",
                                                              "Off Fast HighQuality Minimal ZSL", start=0)),
)
properties = SimpleNamespace()


@dataclass
class Size:
    width: int = 0
    height: int = 0


@dataclass
class Rectangle:
    x: int = 0
    y: int = 0
    width: int = 0
    height: int = 0


@dataclass(eq=False)  # pybind11 objects hash by identity; picamera2 sets __eq__ itself
class Transform:
    hflip: bool = False
    vflip: bool = False
    transpose: bool = False


class Orientation(enum.IntEnum):  # libcamera/orientation.h (EXIF values)
    Rotate0 = 1
    Rotate0Mirror = 2
    Rotate180 = 3
    Rotate180Mirror = 4
    Rotate90Mirror = 5
    Rotate270 = 6
    Rotate90 = 7
    Rotate270Mirror = 8


@dataclass(eq=False)
class ColorSpace:
    primaries: int = 0
    transferFunction: int = 0
    ycbcrEncoding: int = 0
    range: int = 0

    @staticmethod
    def Sycc() -> ColorSpace:
        return ColorSpace(1, 1, 1, 1)

    @staticmethod
    def Rec709() -> ColorSpace:
        return ColorSpace(2, 2, 2, 0)

    @staticmethod
    def Smpte170m() -> ColorSpace:
        return ColorSpace(3, 3, 3, 0)


class StreamRole(enum.IntEnum):
    Raw = 0
    StillCapture = 1
    VideoRecording = 2
    Viewfinder = 3


class FrameMetadata:
    class Status(enum.IntEnum):
        Success = 0
        Error = 1
        Cancelled = 2

    def __init__(self, status: FrameMetadata.Status, sequence: int, timestamp: int) -> None:
        self.status, self.sequence, self.timestamp = status, sequence, timestamp


class Stream:
    """A configured stream (pybind11: hashed by identity; requests map streams to buffers)."""

    def __init__(self, configuration: object = None) -> None:
        self.configuration = configuration


@dataclass(frozen=True)
class Plane:
    fd: int
    offset: int
    length: int


@dataclass(eq=False)
class FrameBuffer:
    """A buffer of one stream: planes on a file descriptor (a dmabuf on a Pi), and its frame metadata."""

    planes: list[Plane]
    metadata: FrameMetadata = field(default_factory=lambda: FrameMetadata(FrameMetadata.Status.Success, 0, 0))


class Request:
    """A completed capture: one buffer per stream and the frame's metadata controls."""

    def __init__(self, buffers: dict[object, FrameBuffer], metadata: dict[ControlId, object], cookie: int = 0) -> None:
        self.buffers, self.metadata, self.cookie = buffers, metadata, cookie
        self.controls: dict[ControlId, object] = {}

    def reuse(self) -> None:
        self.controls = {}

    def set_control(self, control: ControlId, value: object) -> None:
        self.controls[control] = value


class _NoCamera:
    """Types picamera2 names in annotations; there is no camera stack off a Pi to build them from."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError(f"libcamera stub: no {type(self).__name__} off a Raspberry Pi")


class CameraManager(_NoCamera):
    pass


class Camera(_NoCamera):
    pass


class CameraConfiguration(_NoCamera):
    pass


class SensorConfiguration(_NoCamera):
    pass


class FrameBufferAllocator(_NoCamera):
    pass


class PixelFormat(_NoCamera):
    pass


_libcamera = SimpleNamespace(ColorSpace=ColorSpace, Transform=Transform)
