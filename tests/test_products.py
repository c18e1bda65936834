"""The two products' boundaries that import-linter cannot see: the root error, and what each command imports."""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

from bodycam.camera import run_command
from bodycam.errors import EXIT_USAGE, BodycamError
from station.database import setup_django
from storage.keys import create_device_key
from tools.checkout import ROOT

PACKAGES = ["bodycam", "office", "fleet", "firmware", "hal", "states", "storage", "sim", "station", "tools"]
STANDALONE = {"fleet.device_install.InstallError"}
"""The camera's installer is copied to the camera as one file and runs on the system Python before any of
the project is installed there: it can import nothing of ours (fleet/device_install.py)."""
HEAVY = {"numpy", "django", "cryptography", "av", "PIL", "pygame", "gpiozero", "luma"}


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        root = importlib.import_module(package)
        names.append(package)
        names += [m.name for m in pkgutil.walk_packages(root.__path__, f"{package}.")
                  if not m.name.endswith("__main__") and ".assets." not in m.name]
    return names


def test_every_error_the_project_defines_derives_from_the_root_error():
    setup_django()
    errors = {}
    for name in _modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == name:
                errors[f"{name}.{cls.__qualname__}"] = cls
    assert len(errors) >= 25, sorted(errors)
    strays = sorted(n for n, cls in errors.items() if not issubclass(cls, BodycamError) and n not in STANDALONE)
    assert not strays, f"derive these from bodycam.errors.BodycamError: {strays}"


class _NewKindOfError(BodycamError, ValueError):
    exit_code = EXIT_USAGE
    prefix = "somewhere: "


def test_an_error_nobody_listed_reaches_the_command_line_as_one_line_with_its_exit_code(capsys):
    """The command line catches the root once: a new error class needs no entry in a list to be reported."""
    def failing(args: argparse.Namespace) -> int:
        raise _NewKindOfError("what went wrong; what to do")

    def parser() -> argparse.ArgumentParser:
        built = argparse.ArgumentParser(prog="bodycam")
        built.set_defaults(handler=failing)
        return built

    assert run_command(parser, []) == EXIT_USAGE
    assert capsys.readouterr().err == "bodycam: somewhere: what went wrong; what to do\n"


def _imported(code: str) -> tuple[set[str], set[str]]:
    """(heavy third-party packages, our modules) that ``code`` imports in a fresh interpreter."""
    probe = (f"import sys\n{code}\n"
             "print(' '.join(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    modules = set(result.stdout.split())
    return {m.split(".")[0] for m in modules} & HEAVY, {m for m in modules if m.split(".")[0] in PACKAGES}


@pytest.mark.parametrize("command", ["office.cli", "bodycam.camera"])
def test_the_command_line_shows_its_help_without_importing_what_the_commands_use(command):
    heavy, _ = _imported(f"from {command} import build_parser\nbuild_parser()")
    assert not heavy, f"bodycam --help imports {sorted(heavy)}"


def test_the_cameras_offload_session_imports_neither_numpy_nor_the_station_nor_the_fleet_tools(tmp_path):
    """The camera's side of every docking (a Pi Zero 2 W pays about ten times a laptop's start-up): a whole
    session that offers nothing and gets no receipt."""
    create_device_key(tmp_path / "keys")
    heavy, ours = _imported("from bodycam.camera import main\n"
                            f"assert main(['offload-session', '--data-dir', {str(tmp_path)!r}]) == 0")
    assert "storage.release" in ours, "the session ran"
    assert heavy <= {"cryptography"}, sorted(heavy)
    assert not {m for m in ours if m.split(".")[0] in {"station", "fleet", "office", "sim", "hal"}}, sorted(ours)


def test_the_camera_says_what_it_holds_before_it_loads_cryptography(tmp_path, device):
    """The manifest is the first line the station waits for at every docking: it needs the standard
    library only, and names the same key id as cryptography reads from the key file."""
    from storage.keys import key_id, load_device_public

    heavy, ours = _imported(f"from pathlib import Path\nfrom storage.manifest import manifest\n"
                            f"print(manifest(Path({str(device)!r}))['device_key_id'])")
    assert heavy == set() and "storage.keys" not in ours, sorted(heavy | ours)
    from storage.manifest import manifest

    assert manifest(device)["device_key_id"] == key_id(load_device_public(device / "keys" / "device.pub"))


def test_a_key_file_of_another_form_is_still_read_for_the_manifest(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from storage.keys import key_id
    from storage.manifest import public_key_id

    key = ed25519.Ed25519PrivateKey.generate().public_key()
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "crlf.pub").write_bytes(pem.replace(b"\n", b"\r\n") + b"\n\n")  # as a Windows editor saves it
    assert public_key_id(tmp_path / "crlf.pub") == key_id(key)
