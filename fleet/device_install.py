"""The camera's side of ``bodycam deploy``: install a signed release beside the running one, switch, and
switch back when the new one does not report healthy.

Runs with the device's own ``python3`` and the standard library only (it runs before any venv exists).
Layout under the prefix: ``/opt/bodycam/releases/<version>/`` (release files and its venv), the link
``/opt/bodycam/current`` that the unit starts, ``/etc/bodycam/`` (config, trusted release key) and
``/var/lib/bodycam`` (data, keys). The last two releases are kept. Prints one JSON line: what changed, the
health the service reported, and on failure the service's own error; exits 3 after a rollback.

A change to the boot config (buses, sound overlays) takes effect only at boot: the installer then enables
the service, notes the deploy in ``/opt/bodycam/pending-reboot.json`` and answers ``reboot``; the fleet
tool runs it with ``--reboot-now``, and once the camera is back (a new boot id) with ``--resume``, which
judges the service's health as a deploy without reboot does (and rolls back the same way).

In a ``--sandbox`` (a prefix on a test machine, no systemd) the service is the firmware on simulated
hardware, started and stopped by this script; everything else is the same.
"""

from __future__ import annotations

import argparse
import filecmp
import getpass
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import tomllib
import uuid
from pathlib import Path

EXIT_ROLLED_BACK = 3
POLL_S = 0.2
POWER_OFF_RULE = "50-bodycam-power-off.rules"
"""The polkit rule a release brings that lets the service power the camera off (critical battery)."""
HARDWARE_GROUPS = ("video", "gpio", "spi", "i2c", "audio")
BOOT_LINES = ("dtparam=spi=on", "dtparam=i2c_arm=on")
DEFAULT_OVERLAYS = ("googlevoicehat-soundcard",)
"""What the firmware's ``audio.overlays`` defaults to (firmware/config.py; this file imports nothing of ours)."""
DEFAULT_SPEAKER = "sndrpigooglevoi"
ASSIGNMENT_FOLDER = "assignment"
"""storage/assignment.py's folder in the data dir: the group's to write, for the offload user's assignment
session."""
BROKER_FILES = {"mqtt.pem": 0o644, "mqtt-ca.pem": 0o644, "mqtt.key": 0o600}
"""The control room's broker files (storage/status_messages.py's names), staged by ``deploy --control-room``
in ``control-room/``: the camera's certificate, the station's CA and the key, the service's alone."""
CARD_ID = re.compile(r"[A-Za-z0-9_]{1,15}")
BEATS_NEEDED = 2  # the loop wrote the report twice after we first read it: it is alive, not just started
PENDING = "pending-reboot.json"
OFFLOAD_USER = "bodycam-offload"
"""The station logs in as this user, never as root: a member of the service's group (it reads the
recordings and deletes the receipted ones, not the device key), whose only key runs the offload gate
(firmware/offload_gate.py)."""
OFFLOAD_HOME = f"var/lib/{OFFLOAD_USER}"
"""Its home, below the root: only sshd's ``.ssh/authorized_keys`` (root's) is in it."""
STATION_SSH_KEY = re.compile(r"(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) [A-Za-z0-9+/]{40,1000}={0,2}( [!-~]{1,64})?")
"""Under /opt/bodycam: a deploy that waits for the camera's reboot before its health is judged."""


def boot_lines(config: dict[str, object]) -> list[str]:
    """The boot-config lines this camera's config needs: the buses, and the sound parts' overlays."""
    audio = config.get("audio")
    overlays = audio.get("overlays", DEFAULT_OVERLAYS) if isinstance(audio, dict) else DEFAULT_OVERLAYS
    return [*BOOT_LINES, *(f"dtoverlay={overlay}" for overlay in overlays)]


def missing_boot_lines(config_txt: str, wanted: list[str] | tuple[str, ...] = BOOT_LINES) -> list[str]:
    """Those of ``wanted`` that ``config_txt`` does not have in effect (a commented-out line does not count)."""
    active = {line.split("#")[0].strip() for line in config_txt.splitlines()}
    return [line for line in wanted if line not in active]


def alsa_config(card: str) -> str:
    """/etc/asound.conf making ``card`` ALSA's default (through ``plug``, so a 16-bit WAV plays on a
    32-bit I2S card). Every ALSA program reads it, the firmware's PortAudio too: ``defaults.pcm.card``
    takes a number only, and a card id there makes ALSA refuse the whole configuration."""
    return (f"# bodycam: the default sound card is the camera's speaker (audio.output_device), not HDMI\n"
            f"pcm.!default {{\n    type plug\n    slave.pcm \"hw:{card}\"\n}}\n"
            f"ctl.!default {{\n    type hw\n    card {card}\n}}\n")


def speaker_card(config: dict[str, object]) -> str:
    """The speaker's ALSA card id, when ``audio.output_device`` names one ("" otherwise)."""
    audio = config.get("audio")
    name = audio.get("output_device", DEFAULT_SPEAKER) if isinstance(audio, dict) else DEFAULT_SPEAKER
    return name if isinstance(name, str) and CARD_ID.fullmatch(name) else ""


class InstallError(RuntimeError):
    pass


def run(command: list[str], what: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise InstallError(f"{what}: {(result.stderr or result.stdout).strip()[-1500:]}")
    return result.stdout


class Device:
    def __init__(self, prefix: str, sandbox: bool) -> None:
        self.root = Path(prefix or "/")
        self.sandbox = sandbox
        self.opt = self.root / "opt/bodycam"
        self.releases = self.opt / "releases"
        self.current = self.opt / "current"
        self.etc = self.root / "etc/bodycam"
        self.data = self.root / "var/lib/bodycam"
        self.run_dir = self.root / "run/bodycam" if sandbox else Path("/run/bodycam")
        self.unit = self.root / "etc/systemd/system/bodycam.service"
        self.power_off_rule = self.root / "etc/polkit-1/rules.d" / POWER_OFF_RULE
        self.changed: list[str] = []

    # -- the release --------------------------------------------------------------------------------------

    def trust(self, stage: Path) -> Path:
        """The release key this camera trusts: installed at first contact, never silently replaced."""
        trusted, offered = self.etc / "release.pub", stage / "release.pub"
        if not trusted.exists():
            if not offered.exists():
                raise InstallError("this camera trusts no release key yet: give --release-pub on the first deploy")
            self.etc.mkdir(parents=True, exist_ok=True)
            shutil.copy(offered, trusted)
            os.chmod(trusted, 0o644)
            self.changed.append("release-key")
        elif offered.exists() and offered.read_bytes() != trusted.read_bytes():
            raise InstallError(f"{trusted} is a different release key than --release-pub: this camera refuses "
                               "releases of another key (remove the file on the camera to change keys)")
        return trusted

    def verify(self, release: Path, trusted: Path) -> dict[str, object]:
        """The manifest, once the trusted key's signature and every file's SHA-256 are checked."""
        manifest_path, signature = release / "release.json", release / "release.sig"
        if not manifest_path.exists() or not signature.exists():
            raise InstallError("unsigned release: release.json or release.sig missing")
        check = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(trusted), "-rawin",
                                "-in", str(manifest_path), "-sigfile", str(signature)], capture_output=True, text=True)
        if check.returncode != 0:
            raise InstallError("release.sig is not a signature of the release key this camera trusts: "
                               "a foreign or altered release")
        manifest = json.loads(manifest_path.read_text())
        files = manifest.get("files")
        if manifest.get("format") != "bodycam-release/1" or not isinstance(files, dict):
            raise InstallError("release.json: not a bodycam release manifest")
        for name, digest in files.items():
            path = (release / name).resolve()
            if release.resolve() not in path.parents:
                raise InstallError(f"release.json names {name!r}, outside the release")
            if not path.is_file() or sha256_file(path) != digest:
                raise InstallError(f"{name}: missing or altered since the release was signed")
        return manifest

    def check_platform(self, manifest: dict[str, object], python: str) -> None:
        wanted_machine, wanted_python = str(manifest["platform"]), str(manifest["python"])
        have_python = run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], python).strip()
        machine = platform.machine()
        if wanted_machine != machine or have_python != wanted_python:
            raise InstallError(f"the release is for {wanted_machine} with Python {wanted_python}; this camera is "
                               f"{machine} with Python {have_python}")

    def apt(self, packages: list[str]) -> None:
        """Raspberry Pi OS's packages the release takes from apt (picamera2, lgpio, …), when missing. The
        package lists are brought up to date first: a card's lists are as old as its image, and the mirror
        no longer has the versions they name."""
        if self.sandbox or not packages:
            return
        missing = [p for p in packages if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode != 0]
        if missing:
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            run(["apt-get", "update", "-q"], "apt-get update (does the camera reach its package mirror?)", env)
            run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
                f"apt-get install {' '.join(missing)} (does the camera reach its package mirror?)", env)
            self.changed.append("apt:" + ",".join(missing))

    def install(self, release: Path, manifest: dict[str, object], python: str) -> Path:
        """The release's own folder and venv; an intact earlier install of the same version is kept."""
        target = self.releases / str(manifest["version"])
        done = target / ".installed"
        if done.exists() and (target / "release.json").read_bytes() == (release / "release.json").read_bytes():
            return target
        if target.exists():
            shutil.rmtree(target)  # a half-finished install: start over
        target.mkdir(parents=True)
        for name in ("release.json", "release.sig", *manifest["files"]):  # type: ignore[misc]
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(release / name, target / name)
        venv = target / "venv"
        # System site packages: picamera2, lgpio, spidev, PyAudio and numpy come from Raspberry Pi OS.
        run([python, "-m", "venv", "--system-site-packages", str(venv)], "creating the venv")
        wheels = sorted(str(p) for p in (target / "wheelhouse").glob("*.whl")) + \
            sorted(str(p) for p in target.glob("bodycam-*.whl"))
        run([str(venv / "bin/python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--no-index", "--no-deps", *wheels], "installing the release's wheels")
        done.write_text(str(manifest["version"]) + "\n")
        self.changed.append("firmware")
        return target

    def buses(self, config: dict[str, object]) -> bool:
        """SPI (display), I2C (fuel gauge) and the sound parts' overlays switched on in the Pi's boot
        config, as raspi-config does; True when the camera must reboot for them (the firmware applies
        config.txt at boot only). No boot config (not a Pi): nothing to do."""
        boot = next((p for p in (self.root / "boot/firmware/config.txt", self.root / "boot/config.txt")
                     if p.is_file()), None)
        if boot is None:
            return False
        text = boot.read_text()
        missing = missing_boot_lines(text, boot_lines(config))
        if missing:
            ending = "" if text.endswith("\n") or not text else "\n"
            partial = boot.with_name(f".{boot.name}.new")
            partial.write_text(text + ending + "# bodycam: display (SPI), fuel gauge (I2C), speaker and microphone\n"
                               + "".join(f"{line}\n" for line in missing))
            os.replace(partial, boot)
            self.changed.append("boot-config")
        modules = self.root / "etc/modules-load.d/bodycam.conf"
        if not modules.exists():  # /dev/i2c-1 needs i2c-dev, which raspi-config loads the same way
            modules.parent.mkdir(parents=True, exist_ok=True)
            modules.write_text("i2c-dev\n")
            self.changed.append("modules")
        return bool(missing)

    def alsa(self, config: dict[str, object]) -> None:
        """ALSA's default card is the speaker's, not HDMI (card 0 on a fresh card): ``aplay`` and
        ``speaker-test`` of a technician reach the amp. The firmware itself opens its cards by id."""
        card = speaker_card(config)
        if not card:
            return
        text = alsa_config(card)
        target = self.root / "etc/asound.conf"
        if target.exists() and target.read_text(errors="replace") == text:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(".asound.conf.new")
        partial.write_text(text)
        os.chmod(partial, 0o644)
        os.replace(partial, target)
        self.changed.append("alsa-config")

    # -- what stays across releases -------------------------------------------------------------------------

    def place(self, source: Path, target: Path, mode: int, name: str) -> bool:
        if not source.exists() or (target.exists() and filecmp.cmp(source, target, shallow=False)):
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.copy2(target, target.with_name(target.name + ".previous"))
        partial = target.with_name(f".{target.name}.new")
        shutil.copy(source, partial)
        os.chmod(partial, mode)
        os.replace(partial, target)
        if name not in self.changed:  # several files of one part: named once
            self.changed.append(name)
        return True

    def restore(self, target: Path) -> None:
        previous = target.with_name(target.name + ".previous")
        if previous.exists():
            os.replace(previous, target)

    def user(self) -> None:
        """The service user, in those of its hardware groups the image has (a group appearing later, e.g.
        with a package, is added on the next deploy); the unit names none, so a missing one cannot stop it."""
        groups = [g for g in HARDWARE_GROUPS
                  if subprocess.run(["getent", "group", g], capture_output=True).returncode == 0]
        if subprocess.run(["id", "bodycam"], capture_output=True).returncode != 0:
            run(["useradd", "--system", "--home-dir", "/var/lib/bodycam", "--shell", "/usr/sbin/nologin",
                 *(["--groups", ",".join(groups)] if groups else []), "bodycam"], "creating the user bodycam")
            self.changed.append("user")
            return
        member = run(["id", "-nG", "bodycam"], "id").split()
        if missing := [g for g in groups if g not in member]:
            run(["usermod", "--append", "--groups", ",".join(missing), "bodycam"], "usermod")
            self.changed.append("groups:" + ",".join(missing))

    def offload_user(self) -> None:
        """The station's login: a system user in the service's group, with a shell (sshd runs the forced
        command through it) and no password to lock it with ("*": key login only)."""
        if subprocess.run(["id", OFFLOAD_USER], capture_output=True).returncode == 0:
            return
        run(["useradd", "--system", "--user-group", "--groups", "bodycam", "--home-dir", f"/{OFFLOAD_HOME}",
             "--no-create-home", "--shell", "/bin/sh", "--password", "*", OFFLOAD_USER],
            f"creating the user {OFFLOAD_USER}")
        self.changed.append("offload-user")

    def offload_key(self, stage: Path) -> str | None:
        """The station's SSH key, allowed to run the offload gate only (``restrict``: no shell, no
        forwarding, no terminal); the user the station enrols the camera with. Without a staged key (a
        deploy without ``--store``) the key installed before stays."""
        offered = stage / "station-ssh.pub"
        if not offered.exists():
            return None
        key = offered.read_text(errors="replace").strip()
        if not STATION_SSH_KEY.fullmatch(key):
            raise InstallError(f"{offered.name}: not one SSH public key line (ssh-ed25519 AAAA… comment)")
        gate = f"{self.current}/venv/bin/bodycam offload-gate --data-dir {self.data}"
        line = f'restrict,command="{gate}" {key}\n'
        ssh_dir = self.root / OFFLOAD_HOME / ".ssh"
        target = ssh_dir / "authorized_keys"
        if not (target.exists() and target.read_text(errors="replace") == line):
            ssh_dir.mkdir(parents=True, exist_ok=True)
            for folder in (ssh_dir.parent, ssh_dir):  # root's, so sshd's StrictModes accepts them
                os.chmod(folder, 0o755)
            partial = target.with_name(".authorized_keys.new")
            partial.write_text(line)
            os.chmod(partial, 0o644)
            os.replace(partial, target)
            self.changed.append("offload-key")
        return getpass.getuser() if self.sandbox else OFFLOAD_USER

    def data_dir(self, stage: Path, bodycam: Path) -> None:
        if not self.sandbox:
            self.user()
            self.offload_user()
        keys = self.data / "keys"
        if not keys.is_dir():
            keys.mkdir(parents=True)
            self.changed.append("data-dir")
        os.chmod(self.data, 0o750)
        os.chmod(keys, 0o700)
        self.place(stage / "agency.pub", keys / "agency.pub", 0o644, "agency-key")
        self.place(stage / "station.pub", keys / "station.pub", 0o644, "station-key")
        for name, mode in BROKER_FILES.items():
            self.place(stage / "control-room" / name, keys / name, mode, "control-room-certificate")
        for stale in ("agency.pub", "station.pub", *BROKER_FILES):
            (keys / f"{stale}.previous").unlink(missing_ok=True)  # keys/ holds keys only
        if not (keys / "device.key").exists():
            run([str(bodycam), "keys", "device", "--data-dir", str(self.data)], "creating the device key")
            self.changed.append("device-key")
        assignment = self.data / ASSIGNMENT_FOLDER
        if not assignment.is_dir():  # where the station's assignment session (the offload user) writes
            assignment.mkdir()
            os.chmod(assignment, 0o770)
            self.changed.append("assignment-dir")
        if not self.sandbox:
            # The service writes recordings and the audit log, which its group (the offload user) reads
            # and deletes once receipted; it cannot change a key (keys/ is root's and read-only in the
            # unit), and device.key is the service's alone: the station's login never reads it.
            run(["chown", "-R", "bodycam:bodycam", str(self.data)], "chown")
            share_with_group(self.data, skip=keys)
            run(["chown", "-R", "root:bodycam", str(keys)], "chown")
            for private in ("device.key", "mqtt.key"):
                if (keys / private).exists():
                    run(["chown", "bodycam:root", str(keys / private)], "chown")
                    os.chmod(keys / private, 0o400)
            os.chmod(keys, 0o750)

    # -- the switch -------------------------------------------------------------------------------------------

    def active(self) -> str | None:
        return os.readlink(self.current).rsplit("/", 1)[-1] if self.current.is_symlink() else None

    def point_to(self, version: str) -> None:
        """Atomically: the service never sees a missing or half-written link."""
        partial = self.opt / ".current.new"
        partial.unlink(missing_ok=True)
        os.symlink(f"releases/{version}", partial)
        os.replace(partial, self.current)

    def enable(self) -> None:
        """The unit starts at the next boot (the reboot a boot-config change needs)."""
        if not self.sandbox:
            run(["systemctl", "daemon-reload"], "systemctl daemon-reload")
            run(["systemctl", "enable", "bodycam.service"], "systemctl enable")

    def boot_id(self) -> str:
        """This boot's id: a reboot changes it. The sandbox keeps its own, changed by its reboot."""
        path = self.root / "run/boot_id" if self.sandbox else Path("/proc/sys/kernel/random/boot_id")
        if self.sandbox and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{uuid.uuid4()}\n")
        return path.read_text().strip()

    def reboot(self) -> None:
        """The camera reboots (the SSH connection ends with it). The sandbox does what a reboot does to
        the service: stops it, empties /run, and starts it as an enabled unit at boot."""
        if not self.sandbox:
            subprocess.Popen(["systemctl", "reboot"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
            return
        self._stop_sandbox()
        (self.root / "run/boot_id").write_text(f"{uuid.uuid4()}\n")
        self._start_sandbox()

    def restart(self) -> None:
        if self.sandbox:
            self._stop_sandbox()
            self._start_sandbox()
            return
        run(["systemctl", "daemon-reload"], "systemctl daemon-reload")
        run(["systemctl", "enable", "bodycam.service"], "systemctl enable")
        run(["systemctl", "reset-failed", "bodycam.service"], "systemctl reset-failed")
        run(["systemctl", "restart", "--no-block", "bodycam.service"], "systemctl restart")

    def service_pid(self) -> int | None:
        if self.sandbox:
            try:
                pid = int((self.root / "run/bodycam.pid").read_text())
            except (OSError, ValueError):
                return None
            return pid if _alive(pid) else None
        main = run(["systemctl", "show", "-p", "MainPID", "--value", "bodycam.service"], "systemctl show").strip()
        return int(main) if main.isdigit() and main != "0" else None

    def service_log(self) -> str:
        """The service's own last words, for the technician."""
        if self.sandbox:
            log = self.root / "var/log/bodycam.log"
            lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        else:
            lines = subprocess.run(["journalctl", "-u", "bodycam.service", "-n", "12", "-o", "cat", "--no-pager"],
                                   capture_output=True, text=True).stdout.splitlines()
        return "\n".join(lines[-12:])

    def _start_sandbox(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        log = self.root / "var/log/bodycam.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "RUNTIME_DIRECTORY": str(self.run_dir)}
        with log.open("wb") as out:
            process = subprocess.Popen([str(self.current / "venv/bin/bodycam"), "run", "--sim", "--config",
                                        str(self.etc / "config.toml"), "--data-dir", str(self.data)],
                                       stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env,
                                       cwd=self.data, start_new_session=True)
        (self.root / "run/bodycam.pid").write_text(f"{process.pid}\n")

    def _stop_sandbox(self) -> None:
        pid = self.service_pid()
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 20  # the unit's TimeoutStopSec
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.run_dir, ignore_errors=True)  # as systemd removes a stopped unit's RuntimeDirectory

    def wait_healthy(self, version: str, timeout_s: float) -> tuple[dict[str, object] | None, str]:
        """The service's report once it runs ``version`` with its loop beating; else (None, why)."""
        deadline = time.monotonic() + timeout_s
        first_beat: int | None = None
        why = "no health report from the service"
        while time.monotonic() < deadline:
            pid = self.service_pid()
            report = _read_json(self.run_dir / "health.json")
            if self.sandbox and pid is None:
                return None, "the service stopped"
            if report is not None and pid is not None and report.get("pid") == pid:
                if report.get("version") != version:
                    why = f"the service runs {report.get('version')}, not {version}"
                elif report.get("camera_fault"):
                    why = "the camera does not deliver pictures"
                else:
                    beat = int(report.get("beat", 0))  # type: ignore[call-overload]
                    first_beat = beat if first_beat is None else first_beat
                    if beat >= first_beat + BEATS_NEEDED:
                        return report, ""
                    why = "the service's event loop stopped beating"
            time.sleep(POLL_S)
        return None, f"{why} within {timeout_s:g} s"

    def prune(self, keep: list[str]) -> None:
        for folder in sorted(self.releases.iterdir()) if self.releases.is_dir() else []:
            if folder.name not in keep:
                shutil.rmtree(folder)


def share_with_group(data: Path, skip: Path) -> None:
    """The service's group (the offload user) reads what an earlier release wrote owner-only and may
    delete recordings, as it may what the service writes now (the unit's ``UMask=0007``); the data dir
    itself is not the group's to write."""
    for folder, subfolders, files in os.walk(data):
        here = Path(folder)
        if here == skip:
            subfolders.clear()
            continue
        os.chmod(here, 0o750 if here == data else stat.S_IMODE(os.stat(here).st_mode) | 0o070)
        for name in files:
            path = here / name
            if not path.is_symlink():
                os.chmod(path, stat.S_IMODE(os.stat(path).st_mode) | 0o040)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, as a release lists it (release.py builds with this one too)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().rsplit(")", 1)[-1].split()[0] == "Z")


def _read_json(path: Path) -> dict[str, object] | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def deploy(args: argparse.Namespace) -> dict[str, object]:
    device = Device(args.prefix, args.sandbox)
    stage = Path(args.stage)
    release = stage / "release"
    manifest = device.verify(release, device.trust(stage))
    device.check_platform(manifest, args.python)
    device.apt([str(p) for p in manifest.get("apt", [])])  # type: ignore[attr-defined]
    version = str(manifest["version"])
    previous = device.active()
    target = device.install(release, manifest, args.python)
    device.data_dir(stage, target / "venv/bin/bodycam")
    offload_user = device.offload_key(stage)
    staged = stage / "config.toml"  # checked by the fleet tool with the firmware's own validator
    config = tomllib.loads(staged.read_text(encoding="utf-8")) if staged.exists() else {}
    reboot = device.buses(config)
    device.alsa(config)
    config_changed = device.place(stage / "config.toml", device.etc / "config.toml", 0o644, "config")
    unit_changed = device.place(target / "bodycam.service", device.unit, 0o644, "unit")
    device.place(target / POWER_OFF_RULE, device.power_off_rule, 0o644, "power-off-rule")
    result: dict[str, object] = {"version": version, "previous": previous, "reboot_needed": reboot,
                                 "device_pub": (device.data / "keys/device.pub").read_text(),
                                 "offload_user": offload_user}
    if previous == version and not device.changed and device.service_pid() is not None:
        result.update(changed=[], status="ok")
        return result
    device.point_to(version)
    result["changed"] = device.changed
    if reboot and args.reboot:
        device.enable()
        pending = {"result": result, "config_changed": config_changed, "unit_changed": unit_changed,
                   "boot_id": device.boot_id()}
        write_json(device.opt / PENDING, pending)
        result.update(status="reboot", reboot_needed=False)
        return result
    device.restart()
    return judge(device, args, result, config_changed, unit_changed)


def resume(args: argparse.Namespace) -> dict[str, object]:
    """After the reboot a deploy asked for: the health of the release it installed, judged as ever."""
    device = Device(args.prefix, args.sandbox)
    pending = _read_json(device.opt / PENDING)
    if pending is None:
        raise InstallError(f"no deploy waits for a reboot here ({device.opt / PENDING} is missing)")
    if pending.get("boot_id") == device.boot_id():
        return {"status": "not-rebooted"}
    (device.opt / PENDING).unlink()
    result = dict(pending["result"])  # type: ignore[call-overload]
    result.update(rebooted=True, reboot_needed=False)
    return judge(device, args, result, bool(pending.get("config_changed")), bool(pending.get("unit_changed")))


def judge(device: Device, args: argparse.Namespace, result: dict[str, object], config_changed: bool,
          unit_changed: bool) -> dict[str, object]:
    """The service's own health report on the release just switched to; on failure, back to the one before."""
    version, previous = str(result["version"]), result["previous"]
    health, why = device.wait_healthy(version, args.health_timeout)
    if health is not None:
        device.prune([version, *([str(previous)] if previous and previous != version else [])])
        for backup in (device.etc / "config.toml.previous", device.unit.with_name("bodycam.service.previous")):
            backup.unlink(missing_ok=True)
        result.update(status="ok", health=health)
        return result
    error = device.service_log()
    result.update(status="failed", why=why, service_log=error)
    if previous is None or (previous == version and not (config_changed or unit_changed)):
        return result  # nothing earlier to go back to
    if config_changed:
        device.restore(device.etc / "config.toml")
    if unit_changed:
        device.restore(device.unit)
    device.point_to(str(previous))
    device.restart()
    back, back_why = device.wait_healthy(str(previous), args.health_timeout)
    result.update(status="rolled-back", rolled_back_to=previous, previous_health=back or back_why)
    return result


def write_json(path: Path, value: dict[str, object]) -> None:
    partial = path.with_name(f".{path.name}.new")
    partial.write_text(json.dumps(value))
    os.replace(partial, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, help="folder with release/, config.toml, keys sent by deploy")
    parser.add_argument("--prefix", default="", help="install under this root")
    parser.add_argument("--sandbox", action="store_true", help="no systemd: run the service on simulated hardware")
    parser.add_argument("--python", default="python3", help="the Python that creates the release's venv")
    parser.add_argument("--health-timeout", type=float, default=60.0)
    parser.add_argument("--no-reboot", dest="reboot", action="store_false",
                        help="a boot-config change waits for a reboot by hand; the service starts at once")
    step = parser.add_mutually_exclusive_group()
    step.add_argument("--reboot-now", action="store_true", help="reboot the camera for the deploy that waits for it")
    step.add_argument("--resume", action="store_true", help="after the reboot: judge the waiting deploy's health")
    args = parser.parse_args(argv)
    try:
        if args.reboot_now:
            Device(args.prefix, args.sandbox).reboot()
            result: dict[str, object] = {"status": "rebooting"}
        else:
            result = resume(args) if args.resume else deploy(args)
    except InstallError as exc:
        result = {"status": "error", "why": str(exc)}
    print(json.dumps(result))
    return {"ok": 0, "reboot": 0, "rebooting": 0, "not-rebooted": 0,
            "rolled-back": EXIT_ROLLED_BACK}.get(str(result["status"]), 1)


if __name__ == "__main__":
    sys.exit(main())
