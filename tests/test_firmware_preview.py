"""The front display: what each stage shows, pixel-checked in the bytes the panel receives."""

from __future__ import annotations

import threading
import time

import numpy as np
from PIL import ImageFont

from firmware.overlay import BLUE, RED, YELLOW, OverlayPainter, OverlayState
from firmware.preview import DeviceStatus, Preview
from hal.luma_display import LumaDisplay, PanelSpec, open_luma_device
from hal.pixels import PreviewFrame, pack_rgb565, unpack_rgb565
from sim.panel import PanelCapture

DISPLAY = DeviceStatus(stage="display")


def rgb565(colour: tuple[int, int, int]) -> list[int]:
    """A colour as the panel shows it (RGB565 keeps the top 5/6/5 bits)."""
    return unpack_rgb565(pack_rgb565(np.array([[colour]], dtype=np.uint8)), 1, 1)[0, 0].tolist()


def make(**options) -> tuple[Preview, PanelCapture, LumaDisplay]:
    panel = PanelCapture(128, 128, "rgb565")
    display = LumaDisplay(open_luma_device(PanelSpec("ssd1351", 128, 128), panel), "ssd1351")
    display.power(True)
    return Preview(display, fps=25, language="de", **options), panel, display


def halves(width: int = 320, height: int = 240) -> PreviewFrame:
    """Left half green, right half grey: tells mirrored from not."""
    pixels = np.full((height, width, 3), 128, dtype=np.uint8)
    pixels[:, : width // 2] = (0, 200, 0)
    return PreviewFrame(pixels, width, height)


def test_preview_display_stage_shows_mirrored_picture_video_badge_and_banner():
    preview, panel, _ = make()
    preview.set_status(DISPLAY, 0.0)
    preview.frame(halves(), 0.1)
    image = panel.image()
    assert image[64, 10].tolist() == rgb565((128, 128, 128)), "mirrored: the right half appears on the left"
    assert image[64, 120].tolist() == rgb565((0, 200, 0))
    assert image[2, 2].tolist() == rgb565(BLUE), "VIDEO badge"
    assert image[126, 64].tolist() == rgb565(BLUE), "banner"


def test_preview_mirror_can_be_switched_off():
    preview, panel, _ = make(mirror=False)
    preview.set_status(DISPLAY, 0.0)
    preview.frame(halves(), 0.1)
    assert panel.image()[64, 10].tolist() == rgb565((0, 200, 0))


def test_preview_recording_has_red_frame_and_a_timer_that_advances():
    preview, panel, _ = make()
    preview.set_status(DeviceStatus(stage="recording", recording_since=10.0), 10.0)
    preview.frame(halves(), 11.0)
    first = panel.image()
    assert first[64, 0].tolist() == rgb565(RED) and first[64, 127].tolist() == rgb565(RED)
    assert first[126, 64].tolist() != rgb565(BLUE), "no banner while recording"
    preview.frame(halves(), 75.0)
    assert not np.array_equal(first[:16], panel.image()[:16]), "REC 00:01 became REC 01:05"


def test_preview_marker_flashes_the_frame_yellow_for_a_second():
    preview, panel, _ = make()
    preview.set_status(DeviceStatus(stage="recording", recording_since=0.0), 0.0)
    preview.flash_marker(5.0)
    assert panel.image()[64, 0].tolist() == rgb565(YELLOW)
    preview.frame(halves(), 6.5)
    assert panel.image()[64, 0].tolist() == rgb565(RED)


def test_preview_battery_icon_and_warnings_appear_with_the_status():
    preview, panel, _ = make(clock_synchronised=lambda: False)
    preview.set_status(DeviceStatus(stage="display", battery_percent=15, battery_low=True, storage_low=True), 0.0)
    image = panel.image()
    top_right = image[2:14, 100:127].reshape(-1, 3).tolist()
    assert rgb565(RED) in top_right, "low battery icon in red"
    band = image[18:40].reshape(-1, 3).tolist()
    assert rgb565(YELLOW) in band, "warnings: battery, storage, clock"


def test_preview_transient_message_lasts_three_seconds_and_a_fault_until_cleared():
    preview, panel, _ = make()
    preview.set_status(DISPLAY, 0.0)
    preview.frame(halves(), 0.5)
    plain = panel.image().copy()
    preview.show_message("Speicher voll", 1.0)
    assert not np.array_equal(panel.image()[50:80], plain[50:80])
    preview.frame(halves(), 4.5)
    assert np.array_equal(panel.image(), plain)
    preview.set_status(DeviceStatus(stage="display", camera_fault=True), 5.0)
    assert panel.image()[110, 64].tolist() != rgb565((128, 128, 128)), "no stale picture while faulty"


def test_preview_drops_frames_above_the_fps_cap_in_virtual_time():
    preview, panel, _ = make()
    preview.set_status(DISPLAY, 0.0)
    before = panel.frames
    frame = halves()
    for i in range(100):
        preview.frame(frame, 1.0 + i * 0.001)  # 100 frames within 0.1 s
    assert panel.frames - before == 3, "at 1.00, 1.04 and 1.08 s: 25 frames per second at most"


class BusyDisplay:
    """A panel whose bus is busy until the test releases it, as a slow or stuck SPI bus would be."""

    size = (128, 128)

    def __init__(self) -> None:
        self.busy = threading.Event()
        self.release = threading.Event()

    def show(self, frame: np.ndarray) -> None:
        self.busy.set()
        assert self.release.wait(10)

    def power(self, on: bool) -> None:
        pass

    def brightness(self, level: float) -> None:
        pass


def test_preview_thread_never_blocks_the_camera_and_drops_rather_than_queues():
    display = BusyDisplay()
    preview = Preview(display, fps=25, language="de", threaded=True, now=time.monotonic)
    preview.set_status(DISPLAY, time.monotonic())
    assert display.busy.wait(10), "the status change is rendered at once"
    frame = halves()
    for _ in range(200):  # each returns although the panel is still busy with the first picture
        preview.frame(frame, time.monotonic())
    assert preview.frames_shown == 0
    display.release.set()
    deadline = time.monotonic() + 10
    while preview.frames_shown < 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    preview.stop()
    assert preview.frames_shown == 2, "the 200 frames became one picture (the newest), not a queue"


def test_preview_converts_yuv420_lores_frames():
    width, height = 64, 48
    yuv = np.empty((height * 3 // 2, width), dtype=np.uint8)
    yuv[:height] = 76  # Y of pure red (JFIF)
    yuv[height : height + height // 4] = 85  # U
    yuv[height + height // 4 :] = 255  # V
    preview, panel, _ = make()
    preview.set_status(DISPLAY, 0.0)
    preview.frame(PreviewFrame(yuv, width, height, "yuv420"), 0.1)
    r, g, b = panel.image()[64, 64].tolist()
    assert r > 240 and g < 16 and b < 16


def test_preview_worn_sends_nothing_and_forgets_the_last_picture():
    preview, panel, display = make()
    preview.set_status(DISPLAY, 0.0)
    preview.frame(halves(), 0.1)
    preview.set_status(DeviceStatus(stage="worn"), 5.0)
    display.power(False)
    frames = panel.frames
    preview.frame(halves(), 6.0)  # pre-record in worn: the camera runs, the panel sleeps
    assert panel.frames == frames
    display.power(True)
    preview.set_status(DISPLAY, 600.0)
    assert panel.image()[64, 64].tolist() == [0, 0, 0], "black until a new camera frame arrives"


def test_preview_shows_black_rather_than_a_frame_older_than_a_second():
    preview, panel, _ = make()
    preview.set_status(DISPLAY, 0.0)
    preview.frame(halves(), 1.0)
    preview.show_message("x", 3.0)  # a re-render two seconds after the camera stopped delivering
    assert panel.image()[90, 64].tolist() == [0, 0, 0]


def test_preview_font_has_the_german_characters():
    from PIL import ImageFont

    from firmware.overlay import FONT

    font = ImageFont.truetype(str(FONT), 12)
    tofu = list(font.getmask("\u4e00"))
    for char in "äöüÄÖÜß–":
        assert list(font.getmask(char)) != tofu, char


def test_preview_banner_is_localised():
    from firmware.overlay import OverlayPainter, OverlayState

    german = OverlayPainter((128, 128), "de").layer(OverlayState("display"))
    english = OverlayPainter((128, 128), "en").layer(OverlayState("display"))
    assert not np.array_equal(german.rgb, english.rgb)
    assert german.mask.shape == (128, 128, 3)


def test_yuv420_rows_padded_to_the_stride_libcamera_uses_show_the_same_picture():
    """libcamera pads each row (a 64-pixel-wide lores stream may come with 80-byte rows); picamera2's
    make_array keeps the padding. The padding must not skew the picture."""
    from hal.pixels import Sampler

    width, height, stride = 64, 48, 80
    rng = np.random.default_rng(3)
    y = rng.integers(0, 256, (height, width), dtype=np.uint8)
    u, v = (rng.integers(0, 256, (height // 2, width // 2), dtype=np.uint8) for _ in range(2))
    tight = np.concatenate([y.ravel(), u.ravel(), v.ravel()]).reshape(height * 3 // 2, width)

    def padded_plane(plane: np.ndarray, row: int) -> np.ndarray:
        out = np.full((plane.shape[0], row), 0xEE, dtype=np.uint8)  # what the padding happens to hold
        out[:, : plane.shape[1]] = plane
        return out.ravel()

    padded = np.concatenate([padded_plane(y, stride), padded_plane(u, stride // 2), padded_plane(v, stride // 2)])
    padded = padded.reshape(height * 3 // 2, stride)
    ours = Sampler((width, height), (32, 24), False, "yuv420", stride)(PreviewFrame(padded, width, height, "yuv420",
                                                                                  stride))
    expected = Sampler((width, height), (32, 24), False, "yuv420")(PreviewFrame(tight, width, height, "yuv420"))
    assert np.array_equal(ours, expected)


def test_the_overlay_is_the_same_with_or_without_the_systems_libraqm(monkeypatch):
    """Pillow lays text out with libraqm where the system has libfribidi: the HIL board (without it) drew
    the overlay's texts a pixel apart from a laptop (with it) until the layout was fixed."""
    state = OverlayState(stage="display", battery_percent=76, warnings=("Uhr nicht synchron",), message="Ä ö ü ß")
    layers = []
    for raqm in (True, False):
        monkeypatch.setattr(ImageFont.core, "HAVE_RAQM", raqm)
        layers.append(OverlayPainter((128, 128), "de").layer(state))
    assert np.array_equal(layers[0].rgb, layers[1].rgb) and np.array_equal(layers[0].mask, layers[1].mask)
