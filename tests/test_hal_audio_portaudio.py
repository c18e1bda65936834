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
    type file
    slave.pcm "null"
    file "{out}"
    format "raw"
    hint {{ show on description "speaker (a file)" }}
}}
pcm.bodycam_mic {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{inp}"
    format "raw"
    hint {{ show on description "microphone (a file)" }}
}}
"""


@pytest.fixture
def alsa(tmp_path):
    tone = (0.5 * np.sin(2 * np.pi * 1000 * np.arange(2 * RATE) / RATE) * 32767).astype("<i2")
    (tmp_path / "in.raw").write_bytes(tone.tobytes())
    (tmp_path / ".asoundrc").write_text(ASOUNDRC.format(out=tmp_path / "out.raw", inp=tmp_path / "in.raw"))
    return tmp_path


def run(home: Path, code: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "HOME": str(home), "JACK_NO_START_SERVER": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_speaker_gets_the_sound_as_16_bit_pcm_at_its_rate_and_volume(alsa):
    done = run(alsa, """
import json, numpy as np
from hal.pyaudio_out import PyAudioOut
out = PyAudioOut("bodycam_speaker", volume=0.5)
tone = (0.8 * np.sin(2 * np.pi * 440 * np.arange(3200) / 16000)).astype(np.float32)
out.write(tone, 16000, "test")
out.write(tone, 16000, "test")  # the same stream: no gap, no second open
out.close()
print(json.dumps({"ok": True}))
""")
    assert done["ok"]
    written = np.frombuffer((alsa / "out.raw").read_bytes(), dtype="<i2")
    tone = (0.8 * np.sin(2 * np.pi * 440 * np.arange(3200) / 16000)).astype(np.float32)
    expected = (np.clip(tone * 0.5, -1, 1) * 32767).astype("<i2")
    assert len(written) == 6400, "16 kHz played at 16 kHz: the device takes it, nothing resampled"
    assert np.array_equal(written[:3200], expected) and np.array_equal(written[3200:], expected)


def test_the_microphone_turns_what_it_hears_into_aac_on_the_monotonic_clock(alsa):
    result = run(alsa, """
import base64, json, threading, time
from hal.pyaudio_in import PyAudioIn
packets, enough = [], threading.Event()
def keep(packet):
    packets.append(packet)
    if len(packets) >= 20:
        enough.set()
mic = PyAudioIn(time.monotonic, "bodycam_mic")
before = time.monotonic()
mic.start(keep, lambda: 1.0)
enough.wait(10)
mic.close()
print(json.dumps({"before": before, "fmt": mic.format, "packets": [
    {"pts": p.pts_us, "data": base64.b64encode(p.data).decode()} for p in packets[:20]]}))
""")
    assert len(result["packets"]) == 20
    assert result["packets"][0]["pts"] >= (result["before"] - 0.1) * 1e6, "stamped on the monotonic clock"
    samples = decode_aac(result["fmt"]["extradata"], (base64.b64decode(p["data"]) for p in result["packets"]))
    spectrum = np.abs(np.fft.rfft(samples[4096:4096 + 16384]))
    assert np.argmax(spectrum) * RATE / 16384 == pytest.approx(1000, abs=10), "the 1 kHz tone in the file"


def test_a_device_name_portaudio_does_not_list_is_named_in_the_error(alsa):
    result = run(alsa, """
import json
from hal.interfaces import HardwareError
from hal.pyaudio_out import PyAudioOut
try:
    PyAudioOut("I2S codec")
except HardwareError as exc:
    print(json.dumps({"error": str(exc)}))
""")
    assert result["error"] == "audio: no output device named 'I2S codec'"
