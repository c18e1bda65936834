"""The camera's platform as a release targets it: Raspberry Pi OS bookworm, 64-bit, and the Python packages
it provides itself (apt) instead of the release's wheelhouse."""

from __future__ import annotations

APT_PACKAGES = {
    "picamera2": "python3-picamera2",  # built against Raspberry Pi OS's libcamera
    "lgpio": "python3-lgpio",  # PyPI's aarch64 "wheel" is an empty placeholder
    "spidev": "python3-spidev",  # no aarch64 wheel on PyPI
    "pyaudio": "python3-pyaudio",  # built against Debian's PortAudio
    "numpy": "python3-numpy",  # picamera2's compiled helpers (simplejpeg) are built against Debian's numpy
    "rpi-gpio": "python3-rpi-lgpio",  # only for gpio.pin_factory = "rpigpio"
}
"""Python packages a camera takes from Raspberry Pi OS (apt) instead of the wheelhouse, and their packages."""

SYSTEM_PACKAGES = ("polkitd",)
"""What the service needs of the system besides Python: polkitd evaluates the release's power-off rule
(without it logind refuses an unprivileged power-off, and a critical battery cannot end in a clean
shutdown: found by the HIL machine, whose Debian image lacked it)."""

DEVICE_PLATFORM, DEVICE_PYTHON = "aarch64", "3.11"  # Raspberry Pi OS bookworm, 64-bit
GLIBC_MINOR = 36  # bookworm's glibc: wheels for manylinux_2_17 … 2_36 run on it
