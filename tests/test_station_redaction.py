"""Redaction's engine on a real model and real video: the test pictures' faces found and followed, made
unrecognisable in the derivative while the rest stays as it was, a face left visible on request, a box
drawn by the reviewer following its range, and muted sound silent with the rest unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from station.redaction.analyse import Analysis, analyse
from station.redaction.boxes import Box
from station.redaction.detector import FaceDetector
from station.redaction.plan import ManualBox, Plan, Span
from station.redaction.render import render
from station.redaction.scene import SAMPLE_RATE, Scene, make_scene


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> tuple[Scene, Analysis]:
    made = make_scene(tmp_path_factory.mktemp("scene") / "scene.mp4")
    return made, analyse(made.path, FaceDetector())


def luma(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="gray") for frame in container.decode(video=0)]


def sound(path: Path) -> np.ndarray:
    import av

    with av.open(str(path)) as container:
        return np.concatenate([frame.to_ndarray()[0] for frame in container.decode(audio=0)])


def sharpness(picture: np.ndarray, box: Box) -> float:
    """The variance of the Laplacian inside ``box``: high where there are edges, such as a face's."""
    import cv2

    x0, y0, x1, y1 = box.pixels(picture.shape[1], picture.shape[0])
    return float(cv2.Laplacian(picture[y0:y1, x0:x1].astype(np.float64), cv2.CV_64F).var())


def inside(face: Box, boxes: list[Box]) -> bool:
    return any(b.x0 <= face.x0 + 1 and b.y0 <= face.y0 + 1 and b.x1 >= face.x1 - 1 and b.y1 >= face.y1 - 1
               for b in boxes)


def test_every_face_is_covered_in_at_least_99_percent_of_frames_and_loses_90_percent_of_its_sharpness(
        scene, tmp_path):
    made, analysis = scene
    assert len(analysis.tracks) == 2, [(t.number, t.first, t.last) for t in analysis.tracks]
    plan = Plan()
    fps = made.fps
    covered = [inside(face(i), plan.covers(analysis.tracks, i, i / fps))
               for i in range(made.frames) for face in (made.astronaut, made.cameraman)]
    assert sum(covered) / len(covered) >= 0.99
    result = render(made.path, analysis.tracks, plan, tmp_path / "redacted.mp4")
    assert result.frames == made.frames and result.covered_frames == made.frames
    before, after = luma(made.path), luma(result.path)
    for face in (made.astronaut, made.cameraman):
        ratios = [sharpness(after[i], face(i)) / sharpness(before[i], face(i)) for i in range(made.frames)]
        assert sum(r <= 0.1 for r in ratios) / len(ratios) >= 0.99, max(ratios)


def test_outside_the_boxes_the_picture_stays_within_the_codecs_noise(scene, tmp_path):
    made, analysis = scene
    plan = Plan()
    result = render(made.path, analysis.tracks, plan, tmp_path / "redacted.mp4")
    before, after = luma(made.path), luma(result.path)
    for i in range(0, made.frames, 10):
        outside = np.ones(before[i].shape, bool)
        for box in plan.covers(analysis.tracks, i, i / made.fps):
            x0, y0, x1, y1 = box.grown(0.1).pixels(outside.shape[1], outside.shape[0])
            outside[y0:y1, x0:x1] = False
        error = np.abs(before[i].astype(int) - after[i].astype(int))[outside]
        assert error.mean() < 1.5 and np.percentile(error, 99) <= 8, (i, error.mean())


def test_a_track_switched_off_stays_sharp_and_the_other_face_is_still_covered(scene, tmp_path):
    made, analysis = scene
    her = next(t.number for t in analysis.tracks if t.boxes[0].x0 < made.width / 2)
    result = render(made.path, analysis.tracks, Plan(visible_tracks=frozenset({her})), tmp_path / "her.mp4")
    before, after = luma(made.path), luma(result.path)
    middle = made.frames // 2
    assert sharpness(after[middle], made.astronaut(middle)) / sharpness(before[middle], made.astronaut(middle)) > 0.8
    assert sharpness(after[middle], made.cameraman(middle)) / sharpness(before[middle], made.cameraman(middle)) < 0.1


def test_a_box_drawn_by_the_reviewer_moves_over_its_range_and_covers_nothing_outside_it(scene, tmp_path):
    made, analysis = scene
    drawn = ManualBox(Span(1.0, 2.0), Box(300, 250, 380, 300), Box(400, 250, 480, 300))
    plan = Plan(visible_tracks=frozenset(t.number for t in analysis.tracks), manual=(drawn,))
    result = render(made.path, analysis.tracks, plan, tmp_path / "drawn.mp4")
    before, after = luma(made.path), luma(result.path)
    halfway = round(1.5 * made.fps)
    moved, left = Box(352, 252, 428, 298), Box(300, 252, 340, 298)
    assert sharpness(after[halfway], moved) < 0.1 * sharpness(before[halfway], moved)
    assert sharpness(after[halfway], left) > 0.8 * sharpness(before[halfway], left), "moved on from where it started"
    early = round(0.5 * made.fps)
    assert sharpness(after[early], Box(300, 250, 380, 300)) > 0.8 * sharpness(before[early], Box(300, 250, 380, 300))
    assert result.covered_frames == round(1.0 * made.fps) + 1


def test_a_range_of_whole_frames_is_blurred_and_the_frames_around_it_are_not(scene, tmp_path):
    made, analysis = scene
    plan = Plan(visible_tracks=frozenset(t.number for t in analysis.tracks), whole_frames=(Span(1.0, 1.5),))
    result = render(made.path, analysis.tracks, plan, tmp_path / "whole.mp4")
    before, after = luma(made.path), luma(result.path)
    everything = Box(0, 0, made.width, made.height)
    inside_range = [sharpness(after[i], everything) / sharpness(before[i], everything) for i in range(30, 46)]
    assert max(inside_range) < 0.1 and result.covered_frames == 16
    for i in (28, 47):
        assert sharpness(after[i], everything) / sharpness(before[i], everything) > 0.8


def test_muted_sound_is_silent_and_the_rest_unchanged(scene, tmp_path):
    made, analysis = scene
    result = render(made.path, analysis.tracks, Plan(muted=(Span(1.0, 2.0),)), tmp_path / "muted.mp4")
    before, after = sound(made.path), sound(result.path)
    n = min(len(before), len(after))
    before, after = before[:n], after[:n]
    frame = 1024  # AAC's frame: the encoder's edges blur by about one
    silent = after[1 * SAMPLE_RATE + frame:2 * SAMPLE_RATE - frame]
    assert np.sqrt(np.mean(silent ** 2)) < 1e-3
    for heard in (slice(frame, SAMPLE_RATE - 2 * frame), slice(2 * SAMPLE_RATE + 2 * frame, n - frame)):
        assert np.corrcoef(after[heard], before[heard])[0, 1] > 0.99
        assert abs(np.std(after[heard]) / np.std(before[heard]) - 1) < 0.05


def test_all_sound_muted_is_silent_throughout(scene, tmp_path):
    made, analysis = scene
    result = render(made.path, analysis.tracks, Plan(mute_all=True), tmp_path / "silent.mp4")
    assert np.sqrt(np.mean(sound(result.path) ** 2)) < 1e-3 < np.sqrt(np.mean(sound(made.path) ** 2))


def test_without_muting_the_sound_is_copied_bit_for_bit(scene, tmp_path):
    import av

    made, analysis = scene
    result = render(made.path, analysis.tracks, Plan(), tmp_path / "copied.mp4")

    def packets(path: Path) -> list[bytes]:
        with av.open(str(path)) as container:
            return [bytes(p) for p in container.demux(audio=0) if p.size]

    assert packets(result.path) == packets(made.path)


def test_a_track_moves_between_sightings_and_beyond_its_last_covers_both_where_it_was_and_would_be():
    from station.redaction.tracks import HOLD_FRAMES, Track, Tracker

    tracker = Tracker()
    for frame in (0, 3, 6):
        tracker.add(frame, [Box(10 + 3 * frame, 0, 30 + 3 * frame, 20)])
    tracker.add(9, [Box(500, 0, 520, 20)])  # far away: another face
    face, other = tracker.tracks
    assert face.frames == [0, 3, 6] and other.frames == [9]
    assert face.at(4) == Box(22, 0, 42, 20), "a third of the way from the sighting at 3 to the one at 6"
    assert face.at(8) == Box(28, 0, 54, 20), "held at 6 (28–48) and moved on two frames (34–54)"
    assert face.at(-2) == Box(4, 0, 30, 20), "before its first sighting too"
    assert face.at(6 + HOLD_FRAMES) is not None and face.at(7 + HOLD_FRAMES) is None
    lost = Track(1, [0, 100], [Box(0, 0, 10, 10), Box(50, 0, 60, 10)])
    assert lost.at(50) is None, "nothing guessed across a long gap"
    assert lost.at(100 - HOLD_FRAMES) is not None and lost.at(HOLD_FRAMES) == Box(0, 0, 10, 10)
    assert lost.at(100) == Box(50, 0, 60, 10) and lost.at(0) == Box(0, 0, 10, 10), "at a sighting: its box"
    later = Track(1, [100, 140], [Box(0, 0, 10, 10), Box(40, 0, 50, 10)])
    assert later.at(110) == Box(0, 0, 10, 10), "a gap over twice the hold: each end held, nothing guessed"
    assert later.at(120) is None and later.at(130) == Box(40, 0, 50, 10)
    walking = Track(1, [0, 3, 100, 103], [Box(x, 0, x + 10, 10) for x in (0, 3, 100, 103)])
    assert walking.at(10) == Box(3, 0, 20, 10) and walking.at(90) == Box(90, 0, 110, 10), \
        "each end of a gap moved on as its own last two sightings went"
    short = Track(1, [100, 120], [Box(0, 0, 10, 10), Box(20, 0, 30, 10)])
    assert short.at(110) == Box(10, 0, 20, 10), "a gap under twice the hold: in between"
    assert short.at(125) == Box(20, 0, 35, 10), "two sightings are enough to move on"


def test_a_face_speeding_up_is_moved_on_from_its_last_two_sightings_and_detections_share_no_track():
    from station.redaction.tracks import Track, Tracker

    speeding = Track(1, [0, 3, 6], [Box(10, 0, 30, 20), Box(19, 0, 39, 20), Box(37, 0, 57, 20)])
    assert speeding.at(8) == Box(37, 0, 69, 20) and speeding.at(-2) == Box(4, 0, 30, 20)
    tracker = Tracker()
    tracker.add(0, [Box(0, 0, 20, 20)])
    tracker.add(1, [Box(1, 0, 21, 20), Box(2, 0, 22, 20)])  # both overlap the one face: one of them is new
    first, second = tracker.tracks
    assert (first.number, second.number) == (1, 2) and first.frames == [0, 1] and second.frames == [1]
    assert first.boxes[-1] == Box(1, 0, 21, 20), "the closer one joins"
