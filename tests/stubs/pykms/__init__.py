"""kms++'s Python bindings (Raspberry Pi OS's python3-kms++; not on PyPI, and the PyPI package named
``kms`` is something else entirely): picamera2 0.3.38 imports them for its DRM preview window, which the
camera never opens. Its class body names these pixel formats (kms++'s ``PixelFormat`` enum); nothing
that draws is here."""

import enum


class PixelFormat(enum.Enum):
    RGB888 = "RG24"
    BGR888 = "BG24"
    XRGB8888 = "XR24"
    XBGR8888 = "XB24"
    ABGR8888 = "AB24"
    YUV420 = "YU12"
    YVU420 = "YV12"
    NV12 = "NV12"
