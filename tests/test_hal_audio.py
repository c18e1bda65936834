"""The pyaudio adapters against a fake ``pyaudio`` module that records what is written and read."""

from __future__ import annotations

import itertools
import sys
import threading
import time

import numpy as np
import pytest

from hal.aac import FRAME, SAMPLE_RATE
from hal.interfaces import HardwareError
from hal.pyaudio_in import PyAudioIn
from hal.pyaudio_out import PyAudioOut
from tests.aac import decode_aac
from tests.fakes import module

PA_INT16, PA_INT32, PA_FLOAT32 = 8, 2, 1


def tone(seconds: float, hz: float = 1000.0, level: float = 0.5) -> np.ndarray:
    return (level * np.sin(2 * np.pi * hz * np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE)).astype(np.float32)


class FakeStream:
    def __init__(self, owner: FakePyAudio, **kwargs: object) -> None:
        self.kwargs = kwargs
        self.owner = owner
        self.closed = False

    def write(self, data: bytes, exception_on_underflow: bool = False) -> None:
        self.owner.written.append((self.kwargs, data))

    def read(self, frames: int, exception_on_overflow: bool = True) -> bytes:
        """Like a real input stream of an I2S microphone: blocks for the time the frames take to arrive;
        32-bit slots, the microphone's sound in slot 0, a 3 kHz tone in slot 1 (another part on the bus)."""
        time.sleep(frames / SAMPLE_RATE / 20)  # 20× faster than real time
        start = self.owner.read_position
        self.owner.read_position += frames
        pcm = np.take(self.owner.microphone, range(start, start + frames), mode="wrap")
        other = tone(frames / SAMPLE_RATE, 3000.0)
        slots = np.stack([pcm, other][: int(self.kwargs["channels"])], axis=1)  # type: ignore[call-overload]
        return (slots.astype(np.float64) * 2**31).astype("<i4").tobytes()

    def get_read_available(self) -> int:
        return 0

    def get_write_available(self) -> int:
        """The buffer's room: all of it at first, then what ``owner.waiting`` frames leave."""
        return 2 * 16384 - (self.owner.waiting if self.owner.written else 0)

    def stop_stream(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True
        self.owner.closed_streams += 1


class FakePyAudio:
    """PyAudio 0.2.14's device queries as the adapters use them; ``is_format_supported`` raises
    ValueError for a rate the device does not take, as PyAudio does (paInvalidSampleRate, -9997)."""

    devices = ({"index": 0, "name": "vc4-hdmi: MAI PCM i2s-hifi-0 (hw:0,0)", "maxOutputChannels": 2,
                "maxInputChannels": 0,
                "defaultSampleRate": 44100.0, "rates": (16_000, 44_100, 48_000)},
               {"index": 1, "name": "USB Audio Device", "maxOutputChannels": 1, "maxInputChannels": 1,
                "defaultSampleRate": 48000.0, "rates": (16_000, 48_000)},
               {"index": 2, "name": "snd_rpi_hifiberry_dac: HiFiBerry DAC HiFi pcm5102a-hifi-0 (hw:1,0)",
                "maxOutputChannels": 2, "maxInputChannels": 0, "defaultSampleRate": 48000.0, "rates": (48_000,)},
               {"index": 3, "name": "snd_rpi_googlevoicehat_soundcard: Google voiceHAT SoundCard HiFi "
                "voicehat-hifi-0 (hw:2,0)", "maxOutputChannels": 2, "maxInputChannels": 2,
                "defaultSampleRate": 48000.0, "rates": (48_000,)})

    def __init__(self) -> None:
        self.written: list[tuple[dict[str, object], bytes]] = []
        self.microphone = tone(1.0)
        self.read_position = 0
        self.closed_streams = 0
        self.terminated = False
        self.opened: list[FakeStream] = []
        self.waiting = 0

    def get_device_count(self) -> int:
        return len(self.devices)

    def get_device_info_by_index(self, index: int) -> dict[str, object]:
        return self.devices[index]

    def get_default_output_device_info(self) -> dict[str, object]:
        return self.devices[0]

    def is_format_supported(self, rate: float, output_device: int, output_channels: int,
                            output_format: int) -> bool:
        if int(rate) not in self.devices[output_device]["rates"]:  # type: ignore[operator]
            raise ValueError("Invalid sample rate", -9997)
        return True

    def get_format_from_width(self, width: int) -> int:
        return {2: PA_INT16, 4: PA_FLOAT32}[width]  # PyAudio's own table: 4 bytes are a float

    def open(self, **kwargs: object) -> FakeStream:
        self.opened.append(FakeStream(self, **kwargs))
        return self.opened[-1]

    def terminate(self) -> None:
        self.terminated = True


@pytest.fixture
def fake_pyaudio(monkeypatch):
    instances: list[FakePyAudio] = []

    def factory() -> FakePyAudio:
        instances.append(FakePyAudio())
        return instances[-1]

    monkeypatch.setitem(sys.modules, "pyaudio", module("pyaudio", PyAudio=factory, paInt16=PA_INT16,
                                                       paInt32=PA_INT32, paFloat32=PA_FLOAT32))
    return instances


def test_audio_out_plays_32_bit_at_48_khz_on_the_named_device(fake_pyaudio):
    out = PyAudioOut("USB Audio", volume=0.5)
    out.write(np.array([1.0, -1.0, 0.5], dtype=np.float32), 48_000, "test")
    kwargs, data = fake_pyaudio[0].written[0]
    assert kwargs["output_device_index"] == 1 and kwargs["rate"] == 48_000 and kwargs["format"] == PA_INT32
    assert kwargs["frames_per_buffer"] == 16384, "8.7 ms (PortAudio's own), 43 and 171 ms ran dry under load"
    assert np.frombuffer(data, "<i4").tolist() == [1073741823, -1073741823, 536870911]
    out.close()
    assert fake_pyaudio[0].terminated


def test_audio_out_cut_drops_what_waits_counts_it_at_the_sounds_rate_and_the_next_sound_opens_again(fake_pyaudio):
    out = PyAudioOut("USB Audio")
    assert out.cut(16_000) == 0, "nothing open, nothing to drop"
    out.write(np.zeros(16_000, dtype=np.float32), 16_000, "announce:display-on")
    fake_pyaudio[0].waiting = 3000  # frames at 48 kHz not yet played
    assert out.cut(16_000) == 1000
    assert fake_pyaudio[0].closed_streams == 1, "closed: PortAudio discards what waits"
    out.write(np.zeros(160, dtype=np.float32), 16_000, "feedback:start")
    assert len(fake_pyaudio[0].opened) == 2
    out.close()


@pytest.fixture
def asound(tmp_path):
    """/proc/asound of a Pi with the Voice HAT overlay: HDMI first, the I2S card second, a USB card third."""
    (tmp_path / "cards").write_text(" 0 [vc4hdmi        ]: vc4-hdmi - vc4-hdmi\n                      vc4-hdmi\n"
                                    " 1 [Device         ]: USB-Audio - USB Audio Device\n"
                                    " 2 [sndrpigooglevoi]: RPi-simple - snd_rpi_googlevoicehat_soundcard\n")
    for number, card in enumerate(("vc4hdmi", "Device", "sndrpigooglevoi")):
        (tmp_path / f"card{number}").mkdir()
        (tmp_path / card).symlink_to(f"card{number}")
    return tmp_path


def test_audio_cards_are_chosen_by_their_alsa_id_not_by_their_place_in_the_list(fake_pyaudio, asound):
    out = PyAudioOut("sndrpigooglevoi", channels=2, asound=asound)
    out.write(np.array([0.5, -0.25], dtype=np.float32), 48_000, "test")
    kwargs, data = fake_pyaudio[0].written[0]
    assert kwargs["output_device_index"] == 3 and kwargs["channels"] == 2
    assert np.frombuffer(data, "<i4").tolist() == [1073741823, 1073741823, -536870911, -536870911], \
        "the same sound in both I2S slots"
    microphone = PyAudioIn(time.monotonic, "sndrpigooglevoi", channels=2, asound=asound)
    assert microphone._device_index == 3


def test_audio_unknown_card_is_a_clear_error_naming_the_cards_there(fake_pyaudio, asound):
    with pytest.raises(HardwareError, match=r"speaker: no output device 'Bluetooth' \(sound cards: 0 vc4hdmi, "
                                            r"1 Device, 2 sndrpigooglevoi\); is its overlay in the boot config"):
        PyAudioOut("Bluetooth", asound=asound)
    with pytest.raises(HardwareError, match=r"microphone: no input device 'vc4hdmi'.*audio\.input_device"):
        PyAudioIn(time.monotonic, "vc4hdmi", asound=asound)
    assert all(pa.terminated for pa in fake_pyaudio), "PortAudio let go of"


def decode(packets, microphone: PyAudioIn) -> np.ndarray:
    return decode_aac(str(microphone.format["extradata"]), (p.data for p in packets))


def test_microphone_packets_are_aac_of_what_it_hears_on_the_monotonic_clock(fake_pyaudio):
    packets = []
    arrived = threading.Event()

    def on_packet(packet) -> None:
        packets.append(packet)
        if len(packets) >= 60:
            arrived.set()

    microphone = PyAudioIn(time.monotonic, "USB")
    started = time.monotonic()
    microphone.start(on_packet, lambda: 1.0, lambda gap: pytest.fail(f"a gap: {gap}"))
    assert arrived.wait(10)
    microphone.stop()
    assert fake_pyaudio[0].closed_streams == 1
    assert all(p.stream == "audio" for p in packets)
    pts = [p.pts_us for p in packets]
    assert pts == sorted(pts) and all(b - a == round(FRAME * 1e6 / SAMPLE_RATE) or b - a in (21333, 21334)
                                      for a, b in itertools.pairwise(pts))
    assert abs(pts[1] / 1e6 - started) < 1.0
    samples = decode(packets, microphone)
    spectrum = np.abs(np.fft.rfft(samples[4096:4096 + SAMPLE_RATE // 2]))
    assert np.argmax(spectrum) * 2 == pytest.approx(1000, abs=4)


def test_microphone_gain_attenuates_while_the_speaker_plays(fake_pyaudio):
    levels = {}
    for gain in (1.0, 0.1):
        packets: list = []
        microphone = PyAudioIn(time.monotonic)
        microphone.start(packets.append, lambda g=gain: g, lambda gap: None)
        deadline = time.monotonic() + 10
        while len(packets) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        microphone.stop()
        levels[gain] = np.abs(decode(packets, microphone)[4096:]).max()
    assert levels[0.1] == pytest.approx(levels[1.0] * 0.1, rel=0.2)


def test_audio_out_keeps_one_stream_open_so_blocks_and_sounds_of_any_rate_play_without_gaps(fake_pyaudio):
    out = PyAudioOut()
    for _ in range(3):
        out.write(np.zeros(640, dtype=np.float32), 16_000, "announce:display-on")
    out.write(np.zeros(441, dtype=np.float32), 44_100, "announce:operator-recording")  # resampled, not reopened
    assert fake_pyaudio[0].closed_streams == 0 and len(fake_pyaudio[0].written) == 4
    assert {kwargs["rate"] for kwargs, _ in fake_pyaudio[0].written} == {48_000}
    assert len(fake_pyaudio[0].written[-1][1]) == 480 * 4, "10 ms at 48 kHz, 32-bit"
    out.close()
    assert fake_pyaudio[0].closed_streams == 1 and fake_pyaudio[0].terminated


def test_aac_time_follows_the_microphone_across_a_restart_and_an_overrun():
    """Stopped at 10.5 s and started again at 70 s (camera off and on), then 0.5 s of samples lost to an
    overrun: each packet's time is when its samples were heard, not a count from the first start."""
    from hal.aac import AacEncoder

    encoder = AacEncoder()
    block = np.zeros(FRAME * 8, dtype=np.float32)  # 0.17 s
    seconds = len(block) / SAMPLE_RATE
    heard = [10.0 + i * seconds for i in range(3)]
    heard += [70.0 + i * seconds for i in range(3)]
    heard += [heard[-1] + seconds + 0.5 + i * seconds for i in range(3)]
    packets = []
    for i, t in enumerate(heard):
        if i == 3:
            encoder.restart()  # the camera was off: no sound was lost
        packets += encoder.encode(block, t)
    (gap,) = encoder.take_gaps()
    assert gap.t == pytest.approx(heard[5] + seconds) and gap.seconds == pytest.approx(0.5), "the overrun only"
    assert encoder.take_gaps() == []
    pts = [p.pts_us / 1e6 for p in packets]
    assert pts == sorted(pts)
    assert pts[0] == pytest.approx(10.0, abs=0.05)
    assert any(70.0 <= t < 70.2 for t in pts), "the restart is not 60 s of audio earlier"
    assert pts[-1] == pytest.approx(heard[-1] + seconds, abs=0.1), "the overrun's gap is kept"


def test_audio_out_plays_16_khz_sounds_on_a_codec_that_takes_only_48_khz(fake_pyaudio):
    out = PyAudioOut("HiFiBerry")
    ramp = np.linspace(-0.5, 0.5, 160, dtype=np.float32)  # 10 ms at 16 kHz
    out.write(ramp, 16_000, "announce:display-on")
    kwargs, data = fake_pyaudio[0].written[0]
    assert kwargs["output_device_index"] == 2 and kwargs["rate"] == 48_000
    played = np.frombuffer(data, "<i4") / (2**31 - 1)
    assert len(played) == 480 and played[0] == pytest.approx(-0.5, abs=1e-3)
    assert played[240] == pytest.approx(ramp[80], abs=2e-3), "the same sound, three times the samples"


def capture(microphone: PyAudioIn, blocks: int, gaps: list | None = None) -> list:
    packets: list = []
    microphone.start(packets.append, lambda: 1.0, (gaps if gaps is not None else []).append)
    deadline = time.monotonic() + 10
    while len(packets) < blocks and time.monotonic() < deadline:
        time.sleep(0.01)
    microphone.stop()
    return packets


def test_i2s_microphone_records_its_own_slot_of_32_bit_stereo_at_the_configured_gain(fake_pyaudio, asound):
    """Speech near -40 dBFS in slot 0, another part's 3 kHz in slot 1: slot 0 is taken whole (not averaged
    with slot 1 at -6 dB, as ALSA's plug would), and 20 dB of gain bring it to -20 dBFS."""
    microphone = PyAudioIn(time.monotonic, "sndrpigooglevoi", channels=2, slot=0, gain_db=20, asound=asound)
    fake_pyaudio[0].microphone = tone(1.0, level=0.01)
    samples = decode(capture(microphone, 40), microphone)[4096:]
    spectrum = np.abs(np.fft.rfft(samples[:16384]))
    assert np.argmax(spectrum) * SAMPLE_RATE / 16384 == pytest.approx(1000, abs=10)
    assert spectrum[round(3000 * 16384 / SAMPLE_RATE)] < spectrum.max() / 100, "nothing of the other slot"
    assert np.abs(samples).max() == pytest.approx(0.1, rel=0.1)
    rms, peak = microphone.level(0.2)
    assert rms == pytest.approx(20 * np.log10(0.1 / np.sqrt(2)), abs=0.5) and peak == pytest.approx(-20, abs=0.5)
    other = PyAudioIn(time.monotonic, "sndrpigooglevoi", channels=2, slot=1, asound=asound)
    heard = decode(capture(other, 40), other)[4096:4096 + 16384]
    assert np.argmax(np.abs(np.fft.rfft(heard))) * SAMPLE_RATE / 16384 == pytest.approx(3000, abs=10)


def test_microphone_reports_sound_lost_to_an_overrun_with_its_time(fake_pyaudio):
    """The tenth block arrives 0.5 s later than the samples so far account for: the samples of that half
    second were dropped (an overrun); the gap is reported from where the sound stopped."""
    block_s = FRAME / SAMPLE_RATE
    times = itertools.chain((100.0 + i * block_s for i in range(1, 10)),
                            (100.5 + i * block_s for i in itertools.count(10)))
    microphone = PyAudioIn(lambda: next(times))
    gaps: list = []
    capture(microphone, 30, gaps)
    assert len(gaps) == 1
    assert gaps[0].t == pytest.approx(100.0 + 9 * block_s) and gaps[0].seconds == pytest.approx(0.5)


def test_microphone_reads_what_waits_at_once_and_dates_it_by_when_it_was_heard(fake_pyaudio):
    """A late thread finds three blocks waiting and one more arriving while it reads: it takes the three
    in one read, dated back by themselves and the one behind them, so a busy moment is not lost sound."""
    microphone = PyAudioIn(lambda: 100.0)
    stream = FakeStream(fake_pyaudio[0], channels=1)
    waiting = iter([3 * FRAME, FRAME])
    stream.get_read_available = lambda: next(waiting)
    slot, first_sample_t = microphone._read(stream)
    assert len(slot) == 3 * FRAME
    assert first_sample_t == pytest.approx(100.0 - 4 * FRAME / SAMPLE_RATE)


def test_microphone_keeps_reading_while_the_encoder_is_held_up_and_loses_nothing(fake_pyaudio):
    """The encoder's thread stalls for a while (a busy CPU): the capture thread reads on into its queue,
    and once the encoder runs again every block is encoded, in order, without a gap."""
    release = threading.Event()
    packets: list = []
    gaps: list = []

    def slow_packet(packet) -> None:
        release.wait(10)
        packets.append(packet)

    microphone = PyAudioIn(time.monotonic)
    microphone.start(slow_packet, lambda: 1.0, gaps.append)
    deadline = time.monotonic() + 10
    while fake_pyaudio[0].read_position < 20 * FRAME and time.monotonic() < deadline:
        time.sleep(0.005)
    assert fake_pyaudio[0].read_position >= 20 * FRAME, "reading went on while the encoder waited"
    release.set()
    microphone.stop()
    read_blocks = fake_pyaudio[0].read_position // FRAME
    assert gaps == []
    assert len(packets) >= read_blocks - 2  # the encoder holds back a frame or two of delay
    pts = [p.pts_us for p in packets]
    assert pts == sorted(pts)


def test_the_thread_that_plays_and_the_one_that_captures_each_ask_for_real_time_once(fake_pyaudio):
    asked: list[str] = []

    def prioritise() -> str:
        asked.append(threading.current_thread().name)
        return "real-time (round-robin, priority 10)"

    out = PyAudioOut("USB Audio", prioritise=prioritise)
    out.write(np.zeros(16, dtype=np.float32), 48_000, "a")
    out.write(np.zeros(16, dtype=np.float32), 48_000, "b")
    player = threading.Thread(target=out.write, args=(np.zeros(16, dtype=np.float32), 48_000, "c"), name="audio-out")
    player.start()
    player.join()
    assert asked == ["MainThread", "audio-out"] and out.scheduling.startswith("real-time")
    out.close()
    microphone = PyAudioIn(time.monotonic, "USB", prioritise=prioritise)
    capture(microphone, 2)
    assert asked[2:] == ["microphone"], "the capture thread, not the encoder's"
    microphone.close()
