"""A hand-over package on disk: one ZIP with the verified MP4s, their SHA-256 manifest (``SHA256SUMS``,
as ``sha256sum -c`` reads it), the verify report and the hand-over sheet.

MP4s are stored, not compressed (they do not compress). Each is exported, then copied into the ZIP while
its hash is taken, then removed: the disk holds the package and one MP4 at most, and memory one block.
The ZIP is written under a temporary name and renamed when whole; a failure leaves nothing decrypted.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from storage.export import export_recording, in_progress

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import x25519

    from storage.report import RecordingReport

BLOCK = 1 << 20
MANIFEST, REPORT, SHEET = "SHA256SUMS", "pruefbericht.txt", "uebergabeprotokoll.pdf"


@dataclass(frozen=True)
class Package:
    path: Path
    sha256: str
    size: int
    manifest: dict[str, str]
    """File name in the package → its SHA-256 (the manifest itself excepted)."""


Documents = Callable[[dict[str, str]], tuple[str, bytes]]
"""Given the MP4s' hashes, the verify report's text and the hand-over sheet's PDF."""


def build(out: Path, recordings: list[tuple[str, RecordingReport]], agency: x25519.X25519PrivateKey,
          documents: Documents) -> Package:
    """The package at ``out`` for ``recordings`` (file name in the package, verified report)."""
    partial = in_progress(out)
    export = out.with_name(f".{out.name}.mp4")
    try:
        hashes: dict[str, str] = {}
        with _private(partial).open("wb") as file, \
                zipfile.ZipFile(cast(IO[bytes], written := _Hashed(file)), "w", zipfile.ZIP_STORED,
                                allowZip64=True) as package:
            for name, report in recordings:
                export_recording(report, agency, export)
                hashes[name] = _copy_hashed(export, package, name)
                export.unlink()
            text, pdf = documents(hashes)
            for name, content in ((REPORT, text.encode()), (SHEET, pdf)):
                package.writestr(name, content)
                hashes[name] = hashlib.sha256(content).hexdigest()
            package.writestr(MANIFEST, "".join(f"{digest}  {name}\n" for name, digest in hashes.items()))
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        export.unlink(missing_ok=True)
        raise
    return Package(out, written.digest.hexdigest(), written.position, hashes)


class _Hashed:
    """The package's file, hashed as it is written (not read again after): it cannot seek, so the ZIP
    writes each entry's sizes after its bytes (a data descriptor, which every unzip reads)."""

    def __init__(self, file: BinaryIO) -> None:
        self.file, self.digest, self.position = file, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.file.write(data)
        self.digest.update(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        self.file.flush()


def _private(path: Path) -> Path:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    return path


def _copy_hashed(source: Path, package: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with source.open("rb") as f, package.open(name, "w", force_zip64=True) as entry:
        while block := f.read(BLOCK):
            digest.update(block)
            entry.write(block)
    return digest.hexdigest()


def remove(path: Path) -> None:
    """Remove a package and whatever a killed build left beside it."""
    for leftover in (path, in_progress(path), path.with_name(f".{path.name}.mp4")):
        leftover.unlink(missing_ok=True)
