"""docs/station.md's control room in the demo, run as written: ``bodycam station demo`` in a fresh
process, ``make station`` serving it with the broker and its reader beside it, and the headless ``make sim
ARGS="--mqtt …"`` holding RECORD: the alert is in what the control room's page reads, and the camera is
offline once the simulator stops. What differs from a newcomer's run is the table ``sandbox``: the test's
own folders and free ports, so nothing is written into the checkout or the home folder."""

from __future__ import annotations

import http.cookiejar
import json
import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.sshd import free_port

ROOT = Path(__file__).resolve().parent.parent
SECTION = "**The control room's alert path in the demo.**"
SUBSCRIBED = "control room: subscribed to the cameras' messages"


def documented() -> list[str]:
    text = (ROOT / "docs/station.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return [line for block in re.findall(r"```sh\n(.*?)```", section, re.S) for line in block.splitlines()]


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str]:
    said: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            said.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return said


def _wait_for(said: queue.Queue[str], text: str, seconds: float) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while text not in seen:
        try:
            seen.append(said.get(timeout=max(0.1, deadline - time.monotonic())))
        except queue.Empty:
            raise AssertionError(f"no {text!r} within {seconds} s:\n" + "\n".join(seen[-30:])) from None
    return seen


class Dispatcher:
    """The control room's login and the page's state, as its script reads them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form = self.opener.open(f"{url}/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token, form[:500]
        login = urllib.parse.urlencode({"username": "leitstelle", "password": "demo-leitstelle-2026",
                                        "csrfmiddlewaretoken": token[1]}).encode()
        request = urllib.request.Request(f"{url}/login/", login, headers={"Referer": f"{url}/login/"})
        assert self.opener.open(request, timeout=10).url.endswith("/control-room/")

    def state(self) -> dict:
        return json.loads(self.opener.open(f"{self.url}/control-room/state/", timeout=10).read())


def test_the_demos_control_room_path_in_station_md_works_as_written(tmp_path):
    window, scenario, headless = documented()
    assert window == 'make sim ARGS="--mqtt station-demo/sim-camera"', "the window's run: by hand"
    home, demo, web_port, broker_port = tmp_path / "home", tmp_path / "station-demo", free_port(), free_port()
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    env.pop("XDG_RUNTIME_DIR", None)
    sandbox = [("station-demo/", f"{demo}/"), ("danger.txt", f"{tmp_path}/danger.txt"),
               ("--headless", f"--data-dir {tmp_path}/sim-data --headless")]
    made = subprocess.run([sys.executable, "-m", "office", "station", "demo", "--store", str(demo), "--broker-port",
                           str(broker_port)], capture_output=True, text=True, env=env, timeout=300)
    assert made.returncode == 0, made.stderr[-3000:]
    assert f'make sim ARGS="--mqtt {demo}/sim-camera"' in made.stdout
    server = subprocess.Popen(["make", "-s", "-C", str(ROOT), "station", f"STATION_DEMO={demo}",
                               f"ARGS=--bind 127.0.0.1:{web_port}"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        said = _lines(server)
        _wait_for(said, SUBSCRIBED, 120)
        subprocess.run(["bash", "-c", scenario], cwd=tmp_path, check=True)
        for old, new in sandbox:
            headless = headless.replace(old, new)
        make, target, args = shlex.split(headless)
        ran = subprocess.run([make, "-s", "-C", str(ROOT), target, args], env=env, capture_output=True, text=True,
                             timeout=180)
        assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-2000:]
        dispatcher = Dispatcher(f"http://127.0.0.1:{web_port}")
        deadline = time.monotonic() + 10
        while True:
            state = dispatcher.state()
            camera = next(c for c in state["cameras"] if c["camera"] == "cam-demo-01")
            if (state["alerts"] and not camera["online"]) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert [a["camera"] for a in state["alerts"]] == ["cam-demo-01"], state
        assert camera["online"] is False and camera["stage"] == "shutdown", "stopped: offline, switched off"
        other = next(c for c in state["cameras"] if c["camera"] == "cam-demo-02")
        assert other["warning"] == "battery-low" and other["battery"] == 19.0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    assert subprocess.run(["pgrep", "-f", str(demo / "broker")], capture_output=True).returncode == 1, \
        "the demo's broker ends with it"
    assert not (home / ".gunicorn").exists(), "nothing in the home folder"


def test_the_simulator_without_the_demos_broker_files_says_which_are_missing(tmp_path, capsys):
    from office.cli import main

    (tmp_path / "s.txt").write_text("1 end\n")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.toml").write_text("[control_room]\nenabled = false\n")
    argv = ["sim", "--headless", "--scenario", str(tmp_path / "s.txt"), "--data-dir", str(tmp_path / "d"), "--mqtt"]
    assert main([*argv, str(tmp_path / "nowhere")]) == 2
    assert "mqtt.pem, mqtt.key, mqtt-ca.pem, config.toml missing; the station writes the folder" in \
        capsys.readouterr().err
    for name in ("mqtt.pem", "mqtt.key", "mqtt-ca.pem"):
        (tmp_path / "half" / name).write_text("")
    assert main([*argv, str(tmp_path / "half")]) == 2
    assert "config.toml: control_room.enabled is not true" in capsys.readouterr().err
