"""The tail rule on the published vector files, byte by byte: what a power cut can leave is a NOTE with
what remains intact, anything else is a change. Fast (no simulator), so mutation testing runs it."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from storage.segment_format import FRAME_HEAD, MAGIC
from storage.segment_reader import (
    TAIL_PARTIAL,
    TAIL_UNREADABLE,
    TAIL_ZEROS,
    SegmentCut,
    SegmentError,
    read_segment,
)
from tests.vectors.make_vectors import frame_spans

VECTOR = next((Path(__file__).parent / "vectors" / "cases" / "complete" / "recordings").iterdir())


@pytest.fixture
def segment(tmp_path) -> Path:
    """A complete middle segment: header, two chunks, trailer."""
    path = tmp_path / "seg-000001.bcs"
    shutil.copy(VECTOR / "seg-000001.bcs", path)
    return path


def rewrite(path: Path, data: bytes | bytearray) -> Path:
    path.write_bytes(bytes(data))
    return path


def test_a_complete_segment_has_no_tail(segment):
    read = read_segment(segment)
    assert read.damage is None and read.truncated_at is None and read.tail is None and read.trailer is not None
    assert read.chunk_count == 2 and len(read.chunks) == 2


@pytest.mark.parametrize(("fill", "kind"), [("none", TAIL_PARTIAL), ("zeros", TAIL_ZEROS),
                                            ("garbage", TAIL_UNREADABLE)])
def test_a_cut_inside_the_last_chunk_keeps_what_came_before(segment, fill, kind):
    data = segment.read_bytes()
    start, end = frame_spans(data)[2]  # the second chunk
    kept = data[: start + (20 if fill == "none" else 0)]
    rest = {"none": b"", "zeros": bytes(end - len(kept)),
            "garbage": random.Random(1).randbytes(end - len(kept))}[fill]
    read = read_segment(rewrite(segment, kept + rest))
    assert read.damage is None and read.trailer is None
    assert (read.truncated_at, read.tail, read.chunk_count) == (start, kind, 1)


def test_a_cut_exactly_after_a_frame_is_no_tail_but_no_trailer_either(segment):
    data = segment.read_bytes()
    read = read_segment(rewrite(segment, data[: frame_spans(data)[2][0]]))
    assert read.damage is None and read.truncated_at is None and read.trailer is None and read.chunk_count == 1


@pytest.mark.parametrize("bit", range(32))
def test_a_flipped_length_bit_is_proven_a_change(segment, bit):
    data = bytearray(segment.read_bytes())
    start = frame_spans(bytes(data))[1][0]
    value = int.from_bytes(data[start + 1 : start + 5], "big") ^ (1 << bit)
    data[start + 1 : start + 5] = value.to_bytes(4, "big")
    read = read_segment(rewrite(segment, data))
    assert read.damage is not None and "altered" in read.damage, read.damage


def test_a_changed_kind_byte_is_a_change(segment):
    data = bytearray(segment.read_bytes())
    data[frame_spans(bytes(data))[1][0]] = 0x00
    read = read_segment(rewrite(segment, data))
    assert read.damage is not None and "altered" in read.damage


def test_a_changed_payload_byte_with_intact_frames_after_it_is_a_change(segment):
    data = bytearray(segment.read_bytes())
    data[frame_spans(bytes(data))[1][0] + 40] ^= 0x01
    read = read_segment(rewrite(segment, data))
    assert read.damage is not None and "intact frames follow" in read.damage


def test_zeros_over_a_frame_with_intact_frames_after_them_are_a_change(segment):
    data = bytearray(segment.read_bytes())
    start, end = frame_spans(bytes(data))[1]
    data[start:end] = bytes(end - start)
    read = read_segment(rewrite(segment, data))
    assert read.damage is not None


def test_bytes_after_the_trailer_are_a_change(segment):
    read = read_segment(rewrite(segment, segment.read_bytes() + bytes(10)))
    assert read.damage is not None and "after the trailer" in read.damage


def test_a_second_header_is_a_change(tmp_path, segment):
    data = segment.read_bytes()
    header_start, header_end = frame_spans(data)[0]
    read = read_segment(rewrite(segment, data + data[header_start:header_end]))
    assert read.damage is not None


@pytest.mark.parametrize("content", [b"", MAGIC[:3], MAGIC, MAGIC + bytes(50), bytes(500)])
def test_a_file_cut_before_its_header_was_complete_is_a_cut_not_a_change(segment, content):
    with pytest.raises(SegmentCut):
        read_segment(rewrite(segment, content))


def test_a_half_written_header_is_a_cut_and_a_header_with_data_behind_it_is_not(segment):
    data = segment.read_bytes()
    header_end = frame_spans(data)[0][1]
    with pytest.raises(SegmentCut):
        read_segment(rewrite(segment, data[: header_end - 100]))
    broken = bytearray(data)
    broken[len(MAGIC) + FRAME_HEAD.size + 10] ^= 0x20  # the header's JSON no longer parses or verifies
    read_or_error = None
    try:
        read_or_error = read_segment(rewrite(segment, broken))
    except SegmentCut:
        pytest.fail("a changed header followed by chunks is not a power cut")
    except SegmentError as exc:
        read_or_error = exc
    assert isinstance(read_or_error, SegmentError) or read_or_error.damage is not None


def test_a_file_that_is_not_a_segment_is_a_change(segment):
    with pytest.raises(SegmentError) as raised:
        read_segment(rewrite(segment, b"\x89PNG" + bytes(100) + b"x"))
    assert raised.value.kind == "changed" and not isinstance(raised.value, SegmentCut)


def test_the_hash_of_a_truncated_segment_covers_the_whole_file(segment):
    import hashlib

    data = segment.read_bytes()
    cut = data[: frame_spans(data)[2][0] + 30]
    assert read_segment(rewrite(segment, cut)).hash == hashlib.blake2b(cut, digest_size=32).hexdigest()


@pytest.mark.parametrize("bit", [0, 9, 20, 31])
def test_a_flipped_length_bit_of_the_frame_before_the_trailer_is_proven_a_change(segment, bit):
    data = bytearray(segment.read_bytes())
    start = frame_spans(bytes(data))[-2][0]  # the last chunk: what follows it is the trailer, ending the file
    value = int.from_bytes(data[start + 1 : start + 5], "big") ^ (1 << bit)
    data[start + 1 : start + 5] = value.to_bytes(4, "big")
    read = read_segment(rewrite(segment, data))
    assert read.damage is not None and "altered" in read.damage, read.damage


def test_a_header_whose_key_id_is_not_its_keys_is_foreign(tmp_path):
    from storage.segment_reader import verify_device_key
    from storage.segment_writer import SegmentWriter
    from tests.vectors import make_vectors

    path = tmp_path / "seg-000000.bcs"
    header = {"recording_id": "r", "sequence": 0, "device_key_id": "0" * 16,
              "device_key": make_vectors.b64(make_vectors.DEVICE.public_key().public_bytes_raw())}
    writer = SegmentWriter(open(path, "xb", buffering=0), header, make_vectors.DEVICE,  # noqa: SIM115
                           make_vectors.AGENCY.public_key(), "chacha20-poly1305")
    writer.close({"final": True})
    assert verify_device_key(read_segment(path), {}) == "header key id does not match its key"


def signed_frame(data: bytes, kind: int, payload: bytes) -> bytes:
    """A frame as the device key signs it after ``data``: what a thief holding a camera's key could append."""
    from storage.segment_format import file_hasher
    from tests.vectors.make_vectors import DEVICE

    frame = FRAME_HEAD.pack(kind, len(payload)) + payload
    running = file_hasher()
    running.update(data + frame)
    return frame + DEVICE.sign(running.digest())


@pytest.mark.parametrize("kept", [1, 2, 3, 4])
def test_a_cut_inside_a_frame_head_keeps_every_frame_before_it(segment, kept):
    data = segment.read_bytes()
    start = frame_spans(data)[2][0]
    read = read_segment(rewrite(segment, data[: start + kept]))
    assert read.damage is None and (read.truncated_at, read.tail, read.chunk_count) == (start, TAIL_PARTIAL, 1)


def test_a_validly_signed_frame_after_the_trailer_is_still_a_change(segment):
    from storage.segment_format import KIND_CHUNK

    data = segment.read_bytes()
    read = read_segment(rewrite(segment, data + signed_frame(data, KIND_CHUNK, b"appended later")))
    assert read.damage == f"data after the trailer at byte {len(data)}"


def test_a_validly_signed_second_header_is_a_change(segment):
    from storage.segment_format import KIND_HEADER

    data = segment.read_bytes()
    start = frame_spans(data)[2][0]  # after the first chunk, where the next chunk would be
    kept = data[:start]
    second = kept + signed_frame(kept, KIND_HEADER, b'{"sequence":7}')
    read = read_segment(rewrite(segment, second + data[start : start + 3]))  # and a cut frame behind it
    assert read.damage == f"second header at byte {start}"


def test_a_changed_segment_is_not_described_as_cut_as_well(segment):
    data = bytearray(segment.read_bytes())
    start = frame_spans(bytes(data))[1][0]
    data[start + 40] ^= 0x01
    read = read_segment(rewrite(segment, data))
    assert read.damage is not None and (read.truncated_at, read.tail) == (None, None)


def test_a_changed_payload_names_the_failing_frame_and_where_intact_frames_resume(segment):
    data = bytearray(segment.read_bytes())
    spans = frame_spans(bytes(data))
    data[spans[1][0] + 40] ^= 0x01
    read = read_segment(rewrite(segment, data))
    assert read.damage == (f"signature mismatch at byte {spans[1][0]}, and intact frames follow from byte "
                           f"{spans[2][0]}: changed after recording")


@pytest.mark.parametrize("slipped", [1, 60])  # fewer bytes than a frame head and its signature: no head to alter
def test_bytes_slipped_in_before_the_trailer_are_a_change_not_a_power_cut(segment, slipped):
    data = segment.read_bytes()
    trailer = frame_spans(data)[-1][0]
    read = read_segment(rewrite(segment, data[:trailer] + bytes([7] * slipped) + data[trailer:]))
    assert read.damage == (f"signature mismatch at byte {trailer}, and intact frames follow from byte "
                           f"{trailer + slipped}: changed after recording")


@pytest.mark.parametrize("head", [b"\xff\x00\x00\x00\x10", b"C\x7f\xff\xff\xff"], ids=["bad-kind", "too-long"])
def test_a_tail_that_cannot_start_a_frame_is_unreadable_not_partial(segment, head):
    data = segment.read_bytes()
    start = frame_spans(data)[2][0]
    read = read_segment(rewrite(segment, data[:start] + head + bytes(3) + b"x"))
    assert read.damage is None and (read.truncated_at, read.tail) == (start, TAIL_UNREADABLE)
