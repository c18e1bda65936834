"""The audio adapters on the real PyAudio 0.2.14 and PortAudio, over ALSA: two ALSA ``file`` devices on
the ``null`` plugin (defined in the test's ~/.asoundrc) stand in for the speaker and the microphone.
What the speaker is given lands in a file; what the microphone hears comes from a file.

Each check runs in its own Python process: ALSA reads its configuration once per process.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.aac import decode_aac

ROOT = Path(__file__).resolve().parent.parent
RATE = 48_000

ASOUNDRC = """
pcm.bodycam_speaker {{
    type linear
    slave {{ pcm "speaker_file" format S32_LE }}
    hint {{ show on description "speaker (a file, 32-bit integers as an I2S card takes them)" }}
}}
pcm.speaker_file {{
    type file
    slave.pcm "null"
    file "{out}"
    format "raw"
    truncate false  # each opening gets a file of its own (out.raw.0001, …): a cut does not erase what played
}}
pcm.bodycam_mic {{
    type linear
    slave {{ pcm "mic_file" format S32_LE }}
    hint {{ show on description "microphone (a file, 32-bit integers as an I2S card sends them)" }}
}}
pcm.mic_file {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{inp}"
    format "raw"
}}
"""
"""ALSA's ``linear`` plugin takes integer formats only and hands the file S32_LE: a stream opened as float
(PyAudio's ``get_format_from_width(4)`` is paFloat32) is converted by PortAudio and the bytes differ."""


def sine(hz: float, level: float, seconds: float = 2.0) -> np.ndarray:
    return level * np.sin(2 * np.pi * hz * np.arange(int(seconds * RATE)) / RATE)


@pytest.fixture
def alsa(tmp_path):
    """The microphone's file: an I2S microphone's 32-bit stereo slots, a 1 kHz tone at -20 dBFS in slot 0
    and a 3 kHz tone in slot 1."""
    slots = np.stack([sine(1000, 0.1), sine(3000, 0.5)], axis=1)
    (tmp_path / "in.raw").write_bytes((slots * 2**31).astype("<i4").tobytes())
    (tmp_path / ".asoundrc").write_text(ASOUNDRC.format(out=tmp_path / "out.raw", inp=tmp_path / "in.raw"))
    return tmp_path


def run(home: Path, code: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "HOME": str(home), "JACK_NO_START_SERVER": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_speaker_gets_the_sound_as_32_bit_pcm_at_its_rate_and_volume(alsa):
    done = run(alsa, """
import json, numpy as np
from hal.pyaudio_out import PyAudioOut
out = PyAudioOut("bodycam_speaker", volume=0.5)
tone = (0.8 * np.sin(2 * np.pi * 440 * np.arange(3200) / 16000)).astype(np.float32)
out.write(tone, 16000, "test")
out.write(tone, 16000, "test")  # the same stream: no gap, no second open
dropped = out.cut(16000)  # ALSA's null plugin takes everything at once: nothing waits
out.write(tone, 16000, "test")  # opened again
out.close()
print(json.dumps({"ok": True, "dropped": dropped}))
""")
    assert done["ok"] and done["dropped"] == 0
    from hal.pyaudio_out import resample

    opened = sorted(alsa.glob("out.raw*"))  # PortAudio's probing opens leave empty files
    written = np.frombuffer(b"".join(path.read_bytes() for path in opened), dtype="<i4")
    tone = resample((0.8 * np.sin(2 * np.pi * 440 * np.arange(3200) / 16000)).astype(np.float32), 16000, 48000)
    expected = (np.clip(tone.astype(np.float64) * 0.5, -1, 1) * (2**31 - 1)).astype("<i4")
    assert len(written) == 28800, "16 kHz played at the I2S rate, 48 kHz: one stream for every sound"
    assert all(np.array_equal(written[i : i + 9600], expected) for i in (0, 9600, 19200))


def test_an_underrun_portaudio_reports_is_a_speaker_gap_naming_the_wait_and_the_stream_plays_on(alsa):
    """ALSA's null device never runs dry: PortAudio's report is injected as PyAudio raises it, after the real
    stream took the block (``exception_on_underflow``), closing that stream. The block plays again on a new
    one."""
    done = run(alsa, """
import json, time, numpy as np, pyaudio
from hal.interfaces import SpeakerUnderrun
from hal.pyaudio_out import PyAudioOut

class ReportingStream:
    writes = 0  # over every stream
    def __init__(self, stream):
        self.stream = stream
    def write(self, frames, exception_on_underflow=False):
        self.stream.write(frames)
        ReportingStream.writes += 1
        if ReportingStream.writes == 2 and exception_on_underflow:
            self.stream.close()  # as PyAudio does after any error, the underflow too
            raise OSError(-9980, "Output underflowed")
    def __getattr__(self, name):
        return getattr(self.stream, name)

class ReportingPyAudio(pyaudio.PyAudio):
    def open(self, *args, **kwargs):
        return ReportingStream(super().open(*args, **kwargs))

out = PyAudioOut("bodycam_speaker", open_pyaudio=ReportingPyAudio)
tone = np.full(1600, 0.5, dtype=np.float32)
out.write(tone, 16000, "test")
time.sleep(0.25)  # the thread away from the speaker
try:
    out.write(tone, 16000, "test")
    detail = None
except SpeakerUnderrun as exc:
    detail = str(exc)
out.write(tone, 16000, "test")  # plays on
out.close()
print(json.dumps({"detail": detail}))
""")
    detail = done["detail"]
    assert detail is not None and detail.startswith("audio: the speaker ran dry; the longest wait between two blocks")
    waited_ms = int(detail.split("before was ")[1].split(" ms")[0])
    assert 250 <= waited_ms < 5000 and detail.endswith("its buffer holds 683 ms")
    opened = sorted(path for path in alsa.glob("out.raw*") if path.stat().st_size)
    assert [path.stat().st_size for path in opened] == [2 * 4800 * 4, 2 * 4800 * 4], \
        "the block the closed stream dropped is played again on a new one, then the next"


def test_a_failed_write_is_a_hardware_error_and_the_next_sound_opens_the_speaker_again(alsa):
    """PyAudio closes the stream on any error: the adapter must not touch it again (it once died there)."""
    done = run(alsa, """
import json, numpy as np, pyaudio
from hal.interfaces import HardwareError
from hal.pyaudio_out import PyAudioOut

class FailingStream:
    failed = False
    def __init__(self, stream):
        self.stream = stream
    def write(self, frames, exception_on_underflow=False):
        if not FailingStream.failed:
            FailingStream.failed = True
            self.stream.close()
            raise OSError(-9999, "Unanticipated host error")
        self.stream.write(frames)
    def __getattr__(self, name):
        return getattr(self.stream, name)

class FailingPyAudio(pyaudio.PyAudio):
    def open(self, *args, **kwargs):
        return FailingStream(super().open(*args, **kwargs))

out = PyAudioOut("bodycam_speaker", open_pyaudio=FailingPyAudio)
tone = np.full(1600, 0.5, dtype=np.float32)
try:
    out.write(tone, 16000, "test")
    error = None
except HardwareError as exc:
    error = str(exc)
out.write(tone, 16000, "test")
out.close()
print(json.dumps({"error": error}))
""")
    assert done["error"] == "audio: playing failed: [Errno -9999] Unanticipated host error"
    opened = [path for path in alsa.glob("out.raw*") if path.stat().st_size]
    assert [path.stat().st_size for path in opened] == [4800 * 4]


def test_the_microphone_takes_its_slot_of_32_bit_stereo_with_its_gain_into_aac_on_the_monotonic_clock(alsa):
    result = run(alsa, """
import base64, json, threading, time
from hal.pyaudio_in import PyAudioIn
packets, enough = [], threading.Event()
def keep(packet):
    packets.append(packet)
    if len(packets) >= 20:
        enough.set()
mic = PyAudioIn(time.monotonic, "bodycam_mic", channels=2, slot=0, gain_db=12)
before = time.monotonic()
mic.start(keep, lambda: 1.0, lambda gap: None)
enough.wait(10)
mic.close()
print(json.dumps({"before": before, "fmt": mic.format, "packets": [
    {"pts": p.pts_us, "data": base64.b64encode(p.data).decode()} for p in packets[:20]]}))
""")
    assert len(result["packets"]) == 20
    from hal.pyaudio_in import HOST_BUFFER

    # ALSA's null plugin hands over a whole buffer at once (a card fills it in real time): the first read
    # takes a period and is dated back by it and what still waits behind it, at most the buffer's two periods
    assert result["packets"][0]["pts"] >= (result["before"] - 0.1 - 3 * HOST_BUFFER / RATE) * 1e6, \
        "stamped on the monotonic clock"
    samples = decode_aac(result["fmt"]["extradata"], (base64.b64decode(p["data"]) for p in result["packets"]))
    spectrum = np.abs(np.fft.rfft(samples[4096:4096 + 16384]))
    assert np.argmax(spectrum) * RATE / 16384 == pytest.approx(1000, abs=10), "the 1 kHz tone in slot 0"
    assert spectrum[round(3000 * 16384 / RATE)] < spectrum.max() / 100, "nothing of slot 1"
    peaks = np.abs(samples[4096 : 4096 + 2048 * 8]).reshape(8, 2048).max(axis=1)
    # the median block: the file-backed device (no real-time card) jumps at some period ends, and AAC rings on a jump
    assert float(np.median(peaks)) == pytest.approx(0.1 * 10 ** (12 / 20), rel=0.05), "-20 dBFS + 12 dB"


def test_a_device_name_portaudio_does_not_list_is_named_in_the_error(alsa):
    result = run(alsa, """
import json
from hal.interfaces import HardwareError
from pathlib import Path
from hal.pyaudio_out import PyAudioOut
try:
    PyAudioOut("I2S codec", asound=Path("/nonexistent"))
except HardwareError as exc:
    print(json.dumps({"error": str(exc)}))
""")
    assert result["error"].startswith("speaker: no output device 'I2S codec' (sound cards: none)")


OPEN_SPEAKER = """
import json
from hal.pyaudio_out import PyAudioOut
from hal.interfaces import HardwareError
try:
    PyAudioOut("MAX98357A")
except HardwareError as exc:
    print(json.dumps({"error": str(exc)}))
"""


def test_the_asound_conf_deploy_writes_is_one_alsa_and_portaudio_accept(tmp_path):
    """Every ALSA program reads /etc/asound.conf, the firmware's PortAudio too. A card id in
    ``defaults.pcm.card`` (which takes a number only) made ALSA refuse the whole configuration, and
    PortAudio could not start: the HIL machine's service restart-looped on it."""
    from fleet.device_install import alsa_config

    (tmp_path / ".asoundrc").write_text(alsa_config("MAX98357A"))
    result = run(tmp_path, OPEN_SPEAKER)
    assert result["error"].startswith("speaker: no output device 'MAX98357A'"), "PortAudio started; no such card here"
    (tmp_path / ".asoundrc").write_text("defaults.pcm.card MAX98357A\ndefaults.ctl.card MAX98357A\n")
    result = run(tmp_path, OPEN_SPEAKER)
    assert result["error"].startswith("speaker: PortAudio cannot start"), "a fault the camera records on, not a crash"
