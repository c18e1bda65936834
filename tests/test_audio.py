"""Sound: announcements and tones that never block the machine, and the microphone track in exports."""

from __future__ import annotations

import io
import json
import math
import threading
import time
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from firmware.announcements import BUNDLED, AnnouncementError, Announcements
from firmware.audio_player import PLAYBACK_GAIN, TAIL_S, AudioPlayer, Sound
from firmware.config import override
from hal.interfaces import HardwareError, SpeakerUnderrun
from office.cli import main
from sim.headless import run_scenario
from sim.scenario import parse
from states.actions import Announcement
from tests.conftest import small_config


class SlowSpeaker:
    """A speaker busy with each sound until the test releases it."""

    def __init__(self) -> None:
        self.played: list[str] = []
        self.busy = threading.Event()
        self.release = threading.Event()

    def write(self, samples: np.ndarray, rate: int, label: str) -> None:
        self.busy.set()
        assert self.release.wait(10)
        if self.played[-1:] != [label]:  # a sound's blocks and the silence after it count once
            self.played.append(label)

    def cut(self, rate: int) -> int:
        return 0  # a write returns once played: nothing waits


def sound(label: str, announcement: bool = False) -> Sound:
    return Sound(np.zeros(160, dtype=np.float32), 16_000, label, announcement)


def test_player_never_blocks_and_a_new_announcement_replaces_a_waiting_one():
    speaker = SlowSpeaker()
    player = AudioPlayer(speaker, threaded=True)
    player.play(sound("announce:display-on", announcement=True))  # starts playing, holds the speaker
    assert speaker.busy.wait(10)
    assert player.gain == PLAYBACK_GAIN
    player.play(sound("feedback:start"))  # each returns although the speaker is still busy
    player.play(sound("announce:recording-started", announcement=True))
    player.play(sound("announce:recording-stopped", announcement=True))  # replaces the one above
    assert speaker.played == []
    speaker.release.set()
    player.stop()
    assert speaker.played == ["announce:display-on", "feedback:start", "announce:recording-stopped"]
    assert player.gain == 1.0


@pytest.mark.parametrize("language", ["de", "en"])
def test_bundled_announcements_exist_as_16_khz_mono(language):
    for announcement in Announcement:
        with wave.open(str(BUNDLED / language / f"{announcement}.wav")) as wav:
            assert (wav.getnchannels(), wav.getframerate(), wav.getsampwidth()) == (1, 16_000, 2)
            assert wav.getnframes() > 16_000 // 2


def test_operator_recordings_replace_the_bundled_announcements(tmp_path):
    (tmp_path / "de").mkdir()
    with wave.open(str(tmp_path / "de" / "display-on.wav"), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(44_100)
        wav.writeframes(np.full(44_100, 1000, dtype="<i2").tobytes())
    announcements = Announcements("de", str(tmp_path))
    assert announcements.clip(Announcement.DISPLAY_ON).rate == 44_100
    assert announcements.clip(Announcement.RECORDING_STARTED).rate == 16_000  # bundled where none given


def test_unreadable_announcement_is_reported_and_a_chime_plays_instead(tmp_path):
    (tmp_path / "voice" / "de").mkdir(parents=True)
    (tmp_path / "voice" / "de" / "display-on.wav").write_bytes(b"RIFF garbage")
    with pytest.raises(AnnouncementError, match="not a readable WAV file"):
        Announcements("de", str(tmp_path / "voice")).clip(Announcement.DISPLAY_ON)
    config = small_config(str(tmp_path / "data"), audio={"announcements_dir": str(tmp_path / "voice")})
    out = io.StringIO()
    _state, _, controls = run_scenario(parse("0 press display\n5 end\n"), config, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    problem = next(r for r in records if r["type"] == "audio-problem")
    assert "display-on.wav: not a readable WAV file" in problem["detail"]
    assert any(r["type"] == "transition" and r["to"] == "display" for r in records)
    assert controls.audio.played[0].label == "announce:display-on"
    assert controls.audio.played[0].seconds == pytest.approx(0.55)  # the chime


def export(tmp_path: Path, config, microphone_source: Path | None = None) -> av.container.InputContainer:
    data = tmp_path / "data"
    config = override(config, storage={"data_dir": str(data)})
    run_scenario(parse("0 press display\n6 press record\n20 hold record 3\n25 end\n"), config, io.StringIO(),
                 microphone_source=microphone_source)
    out = tmp_path / "out.mp4"
    assert main(["evidence", "export", str(data),
                 "--device-key", str(data / "keys/device.pub"),
                 "--key", str(data / "keys/agency.key"), "--out", str(out)]) == 0
    return av.open(str(out))


def peak_hz(samples: np.ndarray, rate: int = 48_000) -> float:
    window = samples[rate : 2 * rate]
    return float(np.argmax(np.abs(np.fft.rfft(window))) * rate / len(window))


def test_export_holds_an_audio_track_as_long_as_the_video_with_the_microphone_signal(tmp_path):
    config = small_config(prerecord={"seconds": 3.0, "audio": True})
    with export(tmp_path, config) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        video_s = float(video.duration * video.time_base)
        audio_s = float(audio.duration * audio.time_base)
        samples = np.concatenate([f.to_ndarray().ravel() for f in container.decode(audio=0)])
    assert abs(video_s - audio_s) <= 0.1
    assert peak_hz(samples) == pytest.approx(1000, abs=2)


def test_export_audio_starts_at_the_press_when_prerecord_audio_is_off(tmp_path):
    config = small_config(prerecord={"seconds": 3.0, "audio": False})
    with export(tmp_path, config) as container:
        audio = container.streams.audio[0]
        first = next(container.demux(audio))
        # video from the newest keyframe at or before 3 s (press 6 s − 3 s), at 2.033 s; sound from the
        # first audio frame that starts at or after the press at 6 s
        assert 6.0 - 2.033 <= float(first.pts * first.time_base) <= 6.0 - 2.033 + 0.025


def test_export_carries_what_a_wav_microphone_source_plays(tmp_path):
    source = tmp_path / "voice.wav"
    with wave.open(str(source), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16_000)
        wav.writeframes((8000 * np.sin(2 * np.pi * 440 * np.arange(16_000) / 16_000)).astype("<i2").tobytes())
    with export(tmp_path, small_config(prerecord={"seconds": 3.0, "audio": True}), source) as container:
        samples = np.concatenate([f.to_ndarray().ravel() for f in container.decode(audio=0)])
    assert peak_hz(samples) == pytest.approx(440, abs=2)


def test_simulator_writes_what_it_played_to_a_wav_log(tmp_path):
    config = small_config(str(tmp_path / "data"))
    _, _, controls = run_scenario(parse("0 press display\n3 press record\n9 hold record 3\n15 end\n"), config,
                                  io.StringIO())
    with wave.open(str(tmp_path / "data" / "audio-out.wav")) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert seconds == pytest.approx(sum(p.seconds for p in controls.audio.played), abs=0.01)
    labels = [p.label for p in controls.audio.played]
    assert labels[:3] == ["announce:display-on", "feedback:start", "announce:recording-started"]


class ClockedSpeaker:
    """A speaker on a virtual clock: each write takes as long as its samples. While the block playing at
    ``decide_at`` sounds, the state machine decides to give feedback (the player is told at once)."""

    def __init__(self, decide_at: float, feedback: Sound) -> None:
        self.now = 0.0
        self.decide_at, self.feedback = decide_at, feedback
        self.player: AudioPlayer | None = None
        self.writes: list[tuple[float, str, np.ndarray]] = []  # when each write starts sounding
        self.done = threading.Event()

    def write(self, samples: np.ndarray, rate: int, label: str) -> None:
        self.writes.append((self.now, label, samples))
        self.now += len(samples) / rate
        self.decide()
        if label == self.feedback.label:
            self.done.set()

    def decide(self) -> None:
        if self.player is not None and self.decide_at < self.now:
            self.player.play(self.feedback)
            self.player = None

    def cut(self, rate: int) -> int:
        return 0  # a write returns once played: nothing waits


def tone_sound(label: str, seconds: float, announcement: bool = False) -> Sound:
    """A ramp, never zero: which samples sounded, and in which order, can be told apart."""
    return Sound(np.linspace(0.1, 0.9, int(seconds * 16_000), dtype=np.float32), 16_000, label, announcement)


def sounded(writes: list[tuple[float, str, np.ndarray]], label: str) -> np.ndarray:
    """What sounded of one sound, in order, without the silence after it."""
    played = np.concatenate([samples for _, name, samples in writes if name == label])
    return played[played != 0]


@pytest.mark.parametrize("decide_at", [0.0, 0.013, 1.234, 2.95, 3.1])
def test_feedback_starts_within_100_ms_of_the_decision_over_an_announcement_which_then_goes_on(decide_at):
    speaker = ClockedSpeaker(decide_at, tone_sound("feedback:start", 0.32))
    first, announcement = feedback_over_an_announcement(speaker)
    assert first - decide_at <= 0.1
    assert np.array_equal(sounded(speaker.writes, "announce:display-on"), announcement.samples), \
        "the announcement is not cut short, it goes on after the tones"


def feedback_over_an_announcement(speaker: ClockedSpeaker) -> tuple[float, Sound]:
    """Plays a 3 s announcement, during which the speaker asks for its feedback: when that sounded first."""
    player = AudioPlayer(speaker, threaded=True)
    speaker.player = player
    announcement = tone_sound("announce:display-on", 3.0, announcement=True)
    player.play(announcement)
    assert speaker.done.wait(5)
    player.stop()
    return next(t for t, label, _ in speaker.writes if label == speaker.feedback.label), announcement


class BufferedSpeaker(ClockedSpeaker):
    """A speaker with a buffer of ``buffer_s`` on a virtual clock, as PortAudio's: a write returns once
    its samples fit; ``cut`` drops what has not sounded. ``writes`` holds what sounded, when."""

    def __init__(self, decide_at: float, feedback: Sound, buffer_s: float) -> None:
        super().__init__(decide_at, feedback)
        self.capacity = round(buffer_s * 16_000)
        self.buffer: list[tuple[str, np.ndarray]] = []

    def write(self, samples: np.ndarray, rate: int, label: str) -> None:
        self.buffer.append((label, samples))
        while (waiting := sum(len(s) for _, s in self.buffer)) > self.capacity:  # waits until the rest fits
            name, head = self.buffer[0]
            take = min(len(head), waiting - self.capacity)
            self.writes.append((self.now, name, head[:take]))
            self.now += take / rate
            self.buffer[0] = (name, head[take:])
            if take == len(head):
                self.buffer.pop(0)
            if name == self.feedback.label:
                self.done.set()
            self.decide()

    def cut(self, rate: int) -> int:
        dropped = sum(len(s) for _, s in self.buffer)
        self.buffer = []
        return dropped


@pytest.mark.parametrize("decide_at", [0.013, 1.234, 2.95, 3.0])
def test_feedback_does_not_wait_behind_the_speakers_buffer_and_the_announcement_loses_nothing(decide_at):
    speaker = BufferedSpeaker(decide_at, tone_sound("feedback:start", 0.32), buffer_s=0.683)
    first, announcement = feedback_over_an_announcement(speaker)
    assert first - decide_at <= 0.1, "not behind 683 ms of announcement"
    assert np.array_equal(sounded(speaker.writes, "announce:display-on"), announcement.samples), \
        "every sample sounds once, in order"


def test_feedback_after_a_quiet_moment_does_not_wait_behind_the_silence_still_in_the_speakers_buffer():
    start = tone_sound("feedback:start", 0.32)
    speaker = BufferedSpeaker(math.inf, start, buffer_s=0.683)
    player = AudioPlayer(speaker, threaded=True)
    player.play(tone_sound("feedback:stop", 0.1))
    deadline = time.monotonic() + 5
    while player.gain != 1.0 or not speaker.buffer:  # the tone and its silence written, the player idle
        assert time.monotonic() < deadline
        time.sleep(0.001)
    asked_at = speaker.now
    player.play(start)
    assert speaker.done.wait(5)
    player.stop()
    assert next(t for t, label, _ in speaker.writes if label == "feedback:start") == asked_at


def test_the_silence_after_a_sound_is_longer_than_the_speakers_buffer():
    from hal.pyaudio_out import PERIOD_FRAMES, PLAY_RATE

    assert 2 * PERIOD_FRAMES / PLAY_RATE <= TAIL_S


def test_newer_feedback_cuts_an_older_tone_short():
    start = tone_sound("feedback:start", 0.32)
    speaker = ClockedSpeaker(0.2, start)
    player = AudioPlayer(speaker, threaded=True)
    speaker.player = player
    player.play(tone_sound("feedback:stop", 0.7))
    assert speaker.done.wait(5)
    player.stop()
    first = next(t for t, label, _ in speaker.writes if label == "feedback:start")
    assert first - 0.2 <= 0.1
    assert sounded(speaker.writes, "feedback:stop").size < 0.7 * 16_000


class RefusingSpeaker:
    """Refuses its first sound as a raw ALSA device refuses a rate it cannot play, then plays on."""

    def __init__(self) -> None:
        self.played: list[str] = []
        self.refused = threading.Event()
        self.done = threading.Event()

    def write(self, samples: np.ndarray, rate: int, label: str) -> None:
        if label == "feedback:start":
            self.refused.set()
            raise HardwareError("audio: playing failed: [Errno -9997] Invalid sample rate")
        if self.played[-1:] != [label]:  # a sound's blocks and the silence after it count once
            self.played.append(label)
        self.done.set()

    def cut(self, rate: int) -> int:
        return 0


def test_a_sound_the_speaker_refuses_is_reported_and_the_next_one_still_plays():
    speaker = RefusingSpeaker()
    problems: list[tuple[str, str]] = []
    player = AudioPlayer(speaker, threaded=True, on_error=lambda s, detail: problems.append((s.label, detail)))
    player.play(sound("feedback:start"))
    assert speaker.refused.wait(10)
    player.play(sound("feedback:stop"))
    assert speaker.done.wait(10), "the player thread survived the refusal"
    player.stop()
    assert speaker.played == ["feedback:stop"]
    assert problems == [("feedback:start", "audio: playing failed: [Errno -9997] Invalid sample rate")]


class DryingSpeaker:
    """Reports, at its third block, that it ran dry before it (as PortAudio does), having played the block."""

    def __init__(self) -> None:
        self.blocks: list[np.ndarray] = []

    def write(self, samples: np.ndarray, rate: int, label: str) -> None:
        self.blocks.append(samples)
        if len(self.blocks) == 3:
            raise SpeakerUnderrun("audio: the speaker ran dry; the longest wait between two blocks before was "
                                  "512 ms, its buffer holds 683 ms")

    def cut(self, rate: int) -> int:
        return 0


def test_a_gap_the_speaker_reports_is_logged_and_the_announcement_plays_to_its_end():
    speaker = DryingSpeaker()
    problems: list[tuple[str, str]] = []
    player = AudioPlayer(speaker, threaded=True, on_error=lambda s, detail: problems.append((s.label, detail)))
    announcement = tone_sound("announce:display-on", 0.5, announcement=True)
    player.play(announcement)
    player.stop()  # once all is played
    assert np.array_equal(np.concatenate(speaker.blocks)[: announcement.samples.size], announcement.samples)
    assert problems == [("announce:display-on", "audio: the speaker ran dry; the longest wait between two blocks "
                                                "before was 512 ms, its buffer holds 683 ms")]
