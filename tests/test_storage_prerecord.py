"""The pre-record ring keeps whole GOPs for the configured seconds and bytes, in RAM only."""

from __future__ import annotations

from storage.prerecord import PrerecordRing
from storage.segment_format import Packet

FPS = 30


def feed(ring: PrerecordRing, seconds: float, gop: int = FPS, size: int = 100, audio: bool = False) -> None:
    for i in range(int(seconds * FPS)):
        pts = int(i * 1e6 / FPS)
        ring.add(Packet("video", i % gop == 0, pts, bytes(size)))
        if audio:
            ring.add(Packet("audio", False, pts + 1, b"a"))


def test_prerecord_starts_at_newest_keyframe_at_or_before_press_minus_seconds():
    ring = PrerecordRing(seconds=10, max_bytes=1 << 30, audio=False)
    feed(ring, 60)
    packets = ring.take(pressed_at_us=59_500_000)
    assert packets[0].keyframe and packets[0].pts_us == 49_000_000
    assert packets[-1].pts_us == int((60 * FPS - 1) * 1e6 / FPS)


def test_prerecord_keeps_no_more_than_the_seconds_it_needs():
    ring = PrerecordRing(seconds=10, max_bytes=1 << 30, audio=False)
    feed(ring, 120)
    assert 10_000_000 <= ring.span_us <= 11_000_000


def test_prerecord_byte_limit_drops_oldest_gops_but_keeps_the_current_one():
    ring = PrerecordRing(seconds=60, max_bytes=10 * FPS * 100, audio=False)
    feed(ring, 60)
    assert ring.bytes <= 10 * FPS * 100
    assert ring.span_us >= 8_000_000
    tiny = PrerecordRing(seconds=60, max_bytes=10, audio=False)
    feed(tiny, 3)
    assert tiny.take(3_000_000)[0].keyframe


def test_prerecord_zero_seconds_still_starts_at_a_keyframe():
    ring = PrerecordRing(seconds=0, max_bytes=1 << 30, audio=False)
    feed(ring, 5)
    packets = ring.take(pressed_at_us=4_500_000)
    assert packets[0].keyframe and packets[0].pts_us == 4_000_000


def test_prerecord_drops_packets_before_the_first_keyframe():
    ring = PrerecordRing(seconds=10, max_bytes=1 << 30, audio=False)
    ring.add(Packet("video", False, 0, b"x"))
    assert ring.bytes == 0 and ring.take(1) == []


def test_prerecord_audio_before_the_press_only_when_enabled():
    without = PrerecordRing(seconds=5, max_bytes=1 << 30, audio=False)
    feed(without, 10, audio=True)
    audio = [p for p in without.take(8_000_000) if p.stream == "audio"]
    assert audio and min(p.pts_us for p in audio) >= 8_000_000
    with_audio = PrerecordRing(seconds=5, max_bytes=1 << 30, audio=True)
    feed(with_audio, 10, audio=True)
    assert min(p.pts_us for p in with_audio.take(8_000_000) if p.stream == "audio") < 8_000_000


def test_prerecord_sound_that_arrived_late_begins_with_the_first_picture_not_before_it():
    """The HIL's microphone delivers its sound up to 0.7 s after the picture of the same moment: grouped by
    arrival, the first GOP held sound from before its keyframe, and the recording's sound began that much
    before its picture."""
    ring = PrerecordRing(seconds=2, max_bytes=1 << 30, audio=True)
    for i in range(10 * FPS):
        pts = int(i * 1e6 / FPS)
        ring.add(Packet("video", i % FPS == 0, pts, b"v"))
        if pts >= 700_000:
            ring.add(Packet("audio", False, pts - 700_000, b"a"))  # the sound of 0.7 s ago
    packets = ring.take(pressed_at_us=9_500_000)
    assert packets[0].keyframe and packets[0].pts_us == 7_000_000
    assert min(p.pts_us for p in packets if p.stream == "audio") == 7_000_000


def test_prerecord_take_empties_the_ring():
    ring = PrerecordRing(seconds=5, max_bytes=1 << 30, audio=False)
    feed(ring, 10)
    ring.take(9_000_000)
    assert ring.bytes == 0 and ring.take(9_000_000) == []
