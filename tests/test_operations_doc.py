"""docs/operations.md's path from a fresh card to the first offload, run as written: every ``bodycam``
command of that section in order, against a sandboxed camera behind a real sshd on 127.0.0.1, and the
output lines the docs show (where they show no placeholder) printed as shown. The differences between a
Pi and this test are the table ``sandbox`` below and nothing else, so the docs cannot drift from the code."""

from __future__ import annotations

import getpass
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from office.cli import main
from tests.releases import stop_sandbox_service
from tests.sshd import start_sshd
from tools.checkout import source_copy

ROOT = Path(__file__).resolve().parent.parent
SECTION = "### From a fresh card to a healthy camera"
PLACEHOLDERS = ("…", "1a2b3c4d5e6f", "25a58ab0d8979dc9")
"""Documented output with these stands for a value of its own run: not compared."""


def documented_steps() -> list[tuple[str, list[str]]]:
    """Each command of the section (continuation lines joined) with the output lines shown under it."""
    text = (ROOT / "docs/operations.md").read_text()
    section = text.split(SECTION, 1)[1].split("\n### ", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = " ".join(line.split())
            if line.startswith("bodycam "):
                steps.append((line, []))
            elif line.startswith("# ") and steps:
                steps[-1][1].append(line[2:])
    return steps


def test_the_technicians_path_in_operations_md_works_as_written(tmp_path, monkeypatch, capsys):
    prefix = tmp_path / "camera"
    offload_keys = prefix / "var/lib/bodycam-offload/.ssh/authorized_keys"  # the camera's offload user's
    sshd, server = start_sshd(tmp_path / "sshd", also_authorized=offload_keys)
    boot = prefix / "boot/firmware/config.txt"
    boot.parent.mkdir(parents=True)
    boot.write_text("[all]\ndtparam=audio=on\n")  # a fresh card's: SPI and I2C off
    (tmp_path / "secure/technik").mkdir(parents=True)
    shutil.copy(sshd.identity, tmp_path / "secure/technik/id_ed25519")  # the technician's key on the card
    fingerprint = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "sshd/host_ed25519.pub")], check=True,
                                 capture_output=True, text=True).stdout.split()[1]
    shutil.copy(ROOT / "docs/fleet.example.toml", tmp_path / "fleet.toml")  # step 5, by hand
    source = source_copy(tmp_path / "source")
    monkeypatch.chdir(tmp_path)
    camera = f"127.0.0.1 --port {sshd.port}"
    sandbox = [  # what differs from a Pi: the table the module docstring names
        ("/secure/", f"{tmp_path}/secure/"),
        ("/var/lib/bodycam-station", f"{tmp_path}/station"),
        ("bodycam enrol cam-017", f"bodycam enrol {camera}"),
        ("bodycam deploy cam-017", f"bodycam deploy {camera}"),
        ("--fingerprint SHA256:…", f"--fingerprint {fingerprint}"),
        ("--user root", f"--user {getpass.getuser()}"),
        ("--out releases", f"--out releases --platform host --extras staging --from-apt '' --source {source}"),
        ("--store", f"--data-dir {prefix}/var/lib/bodycam "
                    f"--remote-bodycam {prefix}/opt/bodycam/current/venv/bin/bodycam --store"),
    ]
    steps = documented_steps()
    assert [command.split()[1] for command, _ in steps] == [
        "enrol", "release", "keys", "station", "release", "release", "deploy", "offload"], steps
    try:
        for command, shown in steps:
            for old, new in sandbox:
                if old == "--store" and not command.startswith("bodycam offload"):
                    continue
                command = command.replace(old, new)
            if command.startswith(("bodycam release verify", "bodycam deploy")):  # the release built above
                (release,) = (tmp_path / "releases").iterdir()
                command = re.sub(r"releases/bodycam-\S+", f"releases/{release.name}", command)
            if command.startswith("bodycam deploy"):
                command += f" --prefix {prefix} --sandbox --python {sys.executable}"
            code = main(shlex.split(command)[1:])
            out = capsys.readouterr()
            assert code == 0, f"{command}\n{out.out}\n{out.err}"
            host = "127.0.0.1" if command.split()[1] in ("enrol", "deploy") else "cam-017"
            for line in shown:
                if not any(mark in line for mark in PLACEHOLDERS):
                    expected = line.replace("cam-017:", f"{host}:").replace("/secure/", f"{tmp_path}/secure/")
                    assert expected in out.out, f"{command}: the docs show {line!r}; it printed:\n{out.out}"
    finally:
        stop_sandbox_service(prefix)
        server.terminate()
        server.wait(timeout=10)
