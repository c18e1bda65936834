"""The HIL machine's image: Debian bookworm arm64 with Debian's own kernel, built once and cached.

Debian's arm64 kernel lacks the simulated hardware the firmware is tested against (gpio-sim, i2c-stub, an SPI
controller), so those modules are cross-compiled from Debian's ``linux-source`` against the image's own
``linux-headers``; the kernel version comes from the image's apt, never from this file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bodycam.errors import BodycamError

HERE = Path(__file__).resolve().parent
MIRRORS = [
    "deb http://deb.debian.org/debian bookworm main",
    "deb http://deb.debian.org/debian bookworm-updates main",
    "deb http://deb.debian.org/debian-security bookworm-security main",
]
PACKAGES = [
    # boot, login, network
    "linux-image-arm64", "systemd-sysv", "udev", "kmod", "initramfs-tools", "openssh-server", "iproute2", "dbus",
    # what bodycam deploy and its installer use on a camera
    "python3", "python3-venv", "rsync", "openssl", "sudo",
    # Raspberry Pi OS packages the release takes from apt (as far as Debian has them)
    "python3-numpy", "python3-pyaudio", "python3-spidev", "polkitd",  # the machine has no network for apt
    # the checks' own tools on the machine
    "alsa-utils", "i2c-tools", "gpiod",
    # building lgpio in the root (removed again by customize.sh)
    "gcc", "python3-dev", "swig", "python3-pip", "python3-wheel", "python3-setuptools",
]
INITRAMFS_MODULES = ["virtio_pci", "virtio_blk", "ext4"]
"""MODULES=list: just what mounts the root (``most`` takes minutes under emulation)."""
LOADED_MODULES = ["gpio-sim", "hil-hdmi-audio"]
"""At every boot, as a Pi has its GPIO and its HDMI sound card (card 0); what config.txt switches on is
loaded by hil-boot-config (boot-config.sh). spidev is built in."""
MODULE_SOURCES = {  # from linux-source: what Debian's arm64 config leaves out
    # gpio-sim with the interrupt simulator it selects (a built-in option Debian's kernel does not have)
    "gpio-sim": ["drivers/gpio/gpio-sim.c", "drivers/gpio/gpiolib.h", "kernel/irq/irq_sim.c"],
    "i2c-stub": ["drivers/i2c/i2c-stub.c"],
}
PATCHES = {  # built as a module, irq_sim may use only exported symbols: the same call, through the export
    "irq_sim.c": [("handle_simple_irq(irq_to_desc(irqnum));", "generic_handle_irq(irqnum);")],
}
MEMORY_MB, CPUS = 512, 2
"""A Zero 2 W's RAM (of which the Pi gives 256 MB to the GPU and camera as CMA; the HIL keeps all 512)."""
MACHINE = ["-M", "virt", "-cpu", "cortex-a53", "-smp", str(CPUS), "-m", str(MEMORY_MB)]
PI_MODEL = "Raspberry Pi Zero 2 W Rev 1.0"
PI_COMPATIBLE = '"raspberrypi,model-zero-2-w", "brcm,bcm2837"'
PI_REVISION = 0x902120
"""The board revision gpiozero reads from ``/proc/device-tree/system/linux,revision`` (a Zero 2 W)."""


class ImageError(BodycamError, RuntimeError):
    pass


@dataclass(frozen=True)
class Image:
    folder: Path

    @property
    def kernel(self) -> Path:
        return self.folder / "vmlinuz"

    @property
    def initrd(self) -> Path:
        return self.folder / "initrd.img"

    @property
    def disk(self) -> Path:
        return self.folder / "rootfs.img"

    @property
    def dtb(self) -> Path:
        return self.folder / "raspberrypi.dtb"

    @property
    def ssh_key(self) -> Path:
        return self.folder / "id_ed25519"

    @property
    def host_key_pub(self) -> Path:
        return self.folder / "ssh_host_ed25519_key.pub"


def run(command: list[str], what: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise ImageError(f"{what} failed ({' '.join(command[:3])} …, exit {result.returncode}):\n"
                         + (result.stderr or result.stdout)[-3000:])
    return result


def recipe_digest() -> str:
    """The image is rebuilt when anything that goes into it changes (and only then)."""
    digest = hashlib.sha256()
    for path in [HERE / "image.py", HERE / "customize.sh", HERE / "remove-build-files.sh", HERE / "gpio-sim-setup.sh",
                 HERE / "boot-config.sh", *sorted((HERE / "modules").iterdir())]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def ensure(cache: Path, log: Callable[[str], None] = print) -> Image:
    """The cached image for this recipe, built when missing."""
    image = Image(cache / f"image-{recipe_digest()}")
    if (image.folder / ".done").exists():
        return image
    for old in cache.glob("image-*"):
        shutil.rmtree(old, ignore_errors=True)
    work = cache / "build"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    image.folder.mkdir(parents=True)
    enable_binfmt()
    files = work / "files"
    files.mkdir()
    log("HIL image: lgpio sdist")
    run([sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps", "-d", str(files),
         "lgpio==0.2.2.0"], "pip download lgpio")
    root = work / "root"
    log("HIL image: Debian bookworm arm64 root (mmdebstrap, several minutes under emulation)")
    mmdebstrap(root, files)
    abi = (files / "kernel-abi").read_text().strip()
    version = (files / "kernel-version").read_text().strip()
    log(f"HIL image: modules for linux {abi}-arm64 ({version}), cross-compiled")
    modules = build_modules(work, files, abi, version)
    with chroot_mounts(root):
        install_modules(root, modules, abi)
        configure(root, image)
    log("HIL image: boot files, device tree, disk")
    shutil.copy(root / "boot" / f"vmlinuz-{abi}-arm64", image.kernel)
    shutil.copy(root / "boot" / f"initrd.img-{abi}-arm64", image.initrd)
    run(["mkfs.ext4", "-q", "-L", "hilroot", "-d", str(root), str(image.disk), "3G"], "mkfs.ext4")
    make_dtb(work, image.dtb)
    (image.folder / "kernel").write_text(f"{abi}-arm64 {version}\n")
    shutil.rmtree(work)
    (image.folder / ".done").write_text("")
    return image


@contextlib.contextmanager
def chroot_mounts(root: Path) -> Iterator[None]:
    """The kernel file systems the root's programs expect (update-initramfs, depmod), as mmdebstrap gives."""
    mounted: list[Path] = []
    try:
        for name in ("proc", "sys", "dev"):
            run(["mount", "--bind", f"/{name}", str(root / name)], f"mounting /{name} in the root")
            mounted.append(root / name)
        yield
    finally:
        for point in reversed(mounted):
            subprocess.run(["umount", "--lazy", str(point)], check=False)


def enable_binfmt() -> None:
    """qemu-user runs the root's arm64 programs (mmdebstrap's package scripts, the lgpio build)."""
    binfmt = Path("/proc/sys/fs/binfmt_misc")
    if not (binfmt / "status").exists():
        run(["mount", "-t", "binfmt_misc", "binfmt_misc", str(binfmt)], "mounting binfmt_misc")
    if not (binfmt / "qemu-aarch64").exists():
        run(["update-binfmts", "--enable", "qemu-aarch64"], "update-binfmts --enable qemu-aarch64")


def mmdebstrap(root: Path, files: Path) -> None:
    conf = "echo MODULES=list > \"$1/etc/initramfs-tools/conf.d/hil\""
    command = [
        "mmdebstrap", "--mode=root", "--architectures=arm64", "--variant=important",
        "--include=" + ",".join(PACKAGES),
        "--setup-hook=mkdir -p \"$1/etc/initramfs-tools/conf.d\" && " + conf,
        "--customize-hook=" + str(HERE / "customize.sh") + " \"$1\"",
        "bookworm", str(root), *MIRRORS,
    ]
    run(command, "mmdebstrap", env={**os.environ, "HIL_FILES": str(files)})


def kbuild_tree(work: Path, files: Path, abi: str, version: str) -> Path:
    """The image's headers, runnable here: their kbuild programs from the host's own linux-kbuild package of
    the same version (Debian builds it for every architecture to cross-build modules)."""
    kbuild = f"linux-kbuild-{abi.split('.')[0]}.{abi.split('.')[1]}"
    run(["apt-get", "install", "-y", "-q", "--no-install-recommends", f"{kbuild}={version}"],
        f"apt-get install {kbuild}={version}", env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    tree = work / "headers"
    for deb in sorted(files.glob("linux-headers-*.deb")):
        run(["dpkg-deb", "-x", str(deb), str(tree)], f"unpacking {deb.name}")
    arm64 = tree / "usr" / "src" / f"linux-headers-{abi}-arm64"
    common = tree / "usr" / "src" / f"linux-headers-{abi}-common"
    for link in [p for p in tree.rglob("*") if p.is_symlink()]:
        target = os.readlink(link)
        if target.startswith(f"/usr/src/linux-headers-{abi}-common"):
            link.unlink()
            link.symlink_to(str(common) + target.removeprefix(f"/usr/src/linux-headers-{abi}-common"))
        elif "lib/linux-kbuild-" in target:
            link.unlink()
            link.symlink_to("/usr/lib/linux-kbuild-" + target.split("lib/linux-kbuild-", 1)[1])
    makefile = arm64 / "Makefile"
    makefile.write_text(makefile.read_text().replace(f"/usr/src/linux-headers-{abi}-common", str(common)))
    return arm64


def build_modules(work: Path, files: Path, abi: str, version: str) -> list[Path]:
    headers = kbuild_tree(work, files, abi, version)
    source_package = f"linux-source-{abi.split('.')[0]}.{abi.split('.')[1]}"
    run(["apt-get", "install", "-y", "-q", "--no-install-recommends", f"{source_package}={version}"],
        f"apt-get install {source_package}={version}", env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    tarball = Path("/usr/src") / f"{source_package}.tar.xz"
    out = work / "modules"
    out.mkdir()
    wanted = {f"{source_package}/{path}": out / local_name(module, path)
              for module, paths in MODULE_SOURCES.items() for path in paths}
    with tarfile.open(tarball) as tar:
        for member in tar:
            if member.name in wanted:
                wanted[member.name].write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
                del wanted[member.name]
            if not wanted:
                break
    if wanted:
        raise ImageError(f"{tarball} lacks {', '.join(wanted)}")
    for name, changes in PATCHES.items():
        text = (out / name).read_text()
        for old, new in changes:
            if text.count(old) != 1:
                raise ImageError(f"{name} from {source_package} no longer has {old!r} once: review PATCHES")
            text = text.replace(old, new)
        (out / name).write_text(text)
    for source in (HERE / "modules").iterdir():
        shutil.copy(source, out / source.name)
    (out / "Kbuild").write_text(kbuild())
    run(["make", "-C", str(headers), f"M={out}", "ARCH=arm64", "CROSS_COMPILE=aarch64-linux-gnu-",
         f"-j{os.cpu_count() or 1}", "modules"], "building the modules")
    return sorted(out.glob("*.ko"))


def local_name(module: str, path: str) -> str:
    """A module built from several files cannot have a source file of its own name."""
    name = Path(path).name
    return f"{module}-main.c" if name == f"{module}.c" and len(sources(module)) > 1 else name


def sources(module: str) -> list[str]:
    return [p for p in MODULE_SOURCES[module] if p.endswith(".c")]


def kbuild() -> str:
    lines = [f"obj-m += {source.stem}.o" for source in sorted((HERE / "modules").glob("*.c"))]
    for module in MODULE_SOURCES:
        lines.append(f"obj-m += {module}.o")
        if len(sources(module)) > 1:
            parts = " ".join(local_name(module, p).removesuffix(".c") + ".o" for p in sources(module))
            lines.append(f"{module}-y := {parts}")
    return "\n".join(lines) + "\n"


def install_modules(root: Path, modules: list[Path], abi: str) -> None:
    target = root / "lib" / "modules" / f"{abi}-arm64" / "updates" / "hil"
    target.mkdir(parents=True, exist_ok=True)
    for module in modules:
        shutil.copy(module, target / module.name)
    run(["chroot", str(root), "depmod", "-a", f"{abi}-arm64"], "depmod")


def configure(root: Path, image: Image) -> None:
    """Login by key, DHCP on the emulated network, the simulated hardware set up at boot."""
    etc = root / "etc"
    (etc / "hostname").write_text("hil-cam\n")
    (etc / "fstab").write_text("LABEL=hilroot / ext4 rw,noatime 0 1\n")
    (etc / "systemd" / "network" / "10-hil.network").write_text("[Match]\nName=e*\n\n[Network]\nDHCP=yes\n")
    run(["chroot", str(root), "systemctl", "enable", "systemd-networkd", "ssh"], "enabling network and ssh")
    (etc / "modules-load.d" / "hil.conf").write_text("\n".join(LOADED_MODULES) + "\n")
    # card 0 is HDMI, as on a Pi: the sound parts' cards come after it
    (etc / "modprobe.d" / "hil.conf").write_text("options hil-hdmi-audio index=0\n")
    # Raspberry Pi OS's hardware groups and device permissions (raspberrypi-sys-mods, 99-com.rules)
    for group in ("gpio", "spi", "i2c"):
        run(["chroot", str(root), "sh", "-c", f"getent group {group} || groupadd --system {group}"], "groupadd")
    (etc / "udev" / "rules.d" / "99-com.rules").write_text(
        'SUBSYSTEM=="i2c-dev", GROUP="i2c", MODE="0660"\n'
        'SUBSYSTEM=="spidev", GROUP="spi", MODE="0660"\n'
        'SUBSYSTEM=="gpio", KERNEL=="gpiochip*", GROUP="gpio", MODE="0660"\n')
    # a fresh card's boot config: SPI and I2C off until deploy switches them on
    firmware = root / "boot" / "firmware"
    firmware.mkdir(parents=True, exist_ok=True)
    (firmware / "config.txt").write_text("# Raspberry Pi OS (HIL machine: applied at boot by hil-boot-config)\n"
                                         "#dtparam=i2c_arm=on\n#dtparam=spi=on\ndtparam=audio=on\n"
                                         "dtoverlay=vc4-kms-v3d\n")
    shutil.copy(HERE / "gpio-sim-setup.sh", root / "usr" / "local" / "sbin" / "hil-gpio-sim")
    shutil.copy(HERE / "boot-config.sh", root / "usr" / "local" / "sbin" / "hil-boot-config")
    (etc / "systemd" / "system" / "hil-boot-config.service").write_text(
        "[Unit]\nDescription=HIL: the buses and sound cards config.txt switches on, as a Pi's firmware does\n"
        "DefaultDependencies=no\nAfter=systemd-modules-load.service\nBefore=sysinit.target bodycam.service\n\n"
        "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/usr/local/sbin/hil-boot-config\n\n"
        "[Install]\nWantedBy=sysinit.target\n")
    run(["chroot", str(root), "systemctl", "enable", "hil-boot-config"], "enabling hil-boot-config")
    (etc / "systemd" / "system" / "hil-gpio-sim.service").write_text(
        "[Unit]\nDescription=HIL: a gpio-sim chip in place of the Pi's GPIO header\n"
        "After=systemd-modules-load.service\nBefore=bodycam.service\n\n"
        "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/usr/local/sbin/hil-gpio-sim\n\n"
        "[Install]\nWantedBy=multi-user.target\n")
    run(["chroot", str(root), "systemctl", "enable", "hil-gpio-sim"], "enabling hil-gpio-sim")
    with (etc / "initramfs-tools" / "modules").open("a") as f:
        f.write("\n".join(INITRAMFS_MODULES) + "\n")
    run(["chroot", str(root), "update-initramfs", "-u", "-k", "all"], "update-initramfs")
    ssh = root / "root" / ".ssh"
    ssh.mkdir(mode=0o700, exist_ok=True)
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hil", "-f", str(image.ssh_key)], "ssh-keygen")
    shutil.copy(image.ssh_key.with_suffix(".pub"), ssh / "authorized_keys")
    for old in (etc / "ssh").glob("ssh_host_*"):
        old.unlink()
    host_key = etc / "ssh" / "ssh_host_ed25519_key"
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hil-cam", "-f", str(host_key)], "host key")
    shutil.copy(host_key.with_suffix(".pub"), image.host_key_pub)


def make_dtb(work: Path, dtb: Path) -> None:
    """qemu's own device tree for this machine, renamed to a Raspberry Pi, without its PL061 GPIO controller:
    gpiozero reads the board from it, and the gpio-sim chip becomes ``gpiochip0`` as the Pi's header is."""
    generated = work / "virt.dtb"
    # no network card: its option ROM (ipxe-qemu) is not needed to write the tree, and a PCI card is not in it
    run(["qemu-system-aarch64", *MACHINE, "-nic", "none", "-machine", f"dumpdtb={generated}", "-nographic"],
        "qemu dumpdtb")
    source = run(["dtc", "-q", "-I", "dtb", "-O", "dts", str(generated)], "dtc").stdout
    (work / "raspberrypi.dts").write_text(as_raspberry_pi(source))
    run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(dtb), str(work / "raspberrypi.dts")], "dtc")


def as_raspberry_pi(dts: str) -> str:
    """``dts`` (qemu's virt machine) naming a Raspberry Pi, with no GPIO controller of its own."""
    dts = re.sub(r'(\n\tmodel = )"[^"]*";', rf'\1"{PI_MODEL}";', dts, count=1)
    dts = re.sub(r'(\n\tcompatible = )"[^"]*";', rf"\1{PI_COMPATIBLE};", dts, count=1)
    for node in ("pl061@", "gpio-keys"):
        dts = remove_node(dts, node)
    system = f"\n\tsystem {{\n\t\tlinux,revision = <{PI_REVISION:#x}>;\n\t}};\n"
    closing = dts.rindex("};")
    return dts[:closing] + system + dts[closing:]


def remove_node(dts: str, name: str) -> str:
    """Drops every top-level node whose name starts with ``name`` (with its body) from a decompiled tree."""
    lines = dts.split("\n")
    kept: list[str] = []
    skipping = False
    for line in lines:
        if not skipping and line.startswith("\t" + name) and line.endswith("{"):
            skipping = True
            continue
        if skipping:
            if line == "\t};":
                skipping = False
            continue
        kept.append(line)
    return "\n".join(kept)
