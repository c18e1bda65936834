"""The preview path against stock luma for the same 640×480 camera frames, and what the SPI bus allows."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from luma.core.interface.serial import noop
from luma.oled.device import ssd1351
from PIL import Image

from bench.table import Row
from firmware.preview import DeviceStatus, Preview
from hal.luma_display import LumaDisplay, PanelSpec, open_luma_device
from hal.pixels import PreviewFrame

SOURCE = (640, 480)
PI_FACTOR = 10  # a Pi Zero 2 W core against this laptop for per-pixel NumPy/Python work (design notes)


def camera_frames(count: int = 2) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [rng.integers(0, 256, (SOURCE[1], SOURCE[0], 3), dtype=np.uint8) for _ in range(count)]


def yuv_frames(count: int = 2) -> list[np.ndarray]:
    rng = np.random.default_rng(4)
    return [rng.integers(0, 256, (SOURCE[1] * 3 // 2, SOURCE[0]), dtype=np.uint8) for _ in range(count)]


def per_frame_us(render: Callable[[np.ndarray], None], frames: list, repeats: int = 300) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for i in range(repeats):
            render(frames[i % len(frames)])
        best = min(best, (time.perf_counter() - start) / repeats)
    return best * 1e6


def stock_us(frames: list[np.ndarray]) -> float:
    device = ssd1351(noop(), width=128, height=128)  # default diff-to-previous framebuffer

    def render(frame: np.ndarray) -> None:
        device.display(Image.fromarray(frame).resize(device.size))

    return per_frame_us(render, frames, repeats=60)


def ours_us(frames: list[np.ndarray], size: tuple[int, int], driver: str, yuv: bool = False) -> float:
    display = LumaDisplay(open_luma_device(PanelSpec(driver, *size), noop(), backlight=lambda on: None), driver)
    display.power(True)
    preview = Preview(display, fps=1000, language="de")
    preview.set_status(DeviceStatus(stage="recording", recording_since=0.0, battery_percent=80), 0.0)
    width, height = SOURCE
    t = [0.0]

    def render(pixels: np.ndarray) -> None:
        t[0] += 0.04
        preview.frame(PreviewFrame(pixels, width, height, "yuv420" if yuv else "rgb"), t[0])

    return per_frame_us(render, frames)


def fps(cpu_us: float, frame_bytes: int, bus_hz: int) -> float:
    return 1.0 / (cpu_us / 1e6 + frame_bytes * 8 / bus_hz)


def run() -> list[Row]:
    frames = camera_frames()
    stock = stock_us(frames)
    ours = ours_us(frames, (128, 128), "ssd1351")
    ours_yuv = ours_us(yuv_frames(), (128, 128), "ssd1351", yuv=True)
    lcd = ours_us(frames, (320, 240), "ili9341")
    oled_bytes, lcd_bytes = 128 * 128 * 2, 320 * 240 * 3
    rows = [
        Row("preview 640×480 RGB → 128×128 SSD1351: µs per frame", ours, "µs", stock, "stock PIL resize + luma"),
        Row("  same from YUV420 (picamera2 lores)", ours_yuv, "µs"),
        Row("  320×240 ILI9341/ST7789 (RGB666 as 3 bytes)", lcd, "µs"),
    ]
    for bus in (16_000_000, 32_000_000):
        mhz = bus // 1_000_000
        rows += [
            Row(f"max fps 128×128 @ {mhz} MHz (SPI floor / with Pi CPU)", fps(ours * PI_FACTOR, oled_bytes, bus),
                "fps", fps(0, oled_bytes, bus), "SPI floor"),
            Row(f"max fps 320×240 @ {mhz} MHz (SPI floor / with Pi CPU)", fps(lcd * PI_FACTOR, lcd_bytes, bus),
                "fps", fps(0, lcd_bytes, bus), "SPI floor"),
        ]
    return rows
