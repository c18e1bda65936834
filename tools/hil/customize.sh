#!/bin/sh
# mmdebstrap customize hook for the HIL machine's root ($1): what Debian's packages leave to the image.
# Runs on the host; commands inside the root run under qemu-user (arm64). Inputs in $HIL_FILES.
set -eu
root="$1"
files="$HIL_FILES"

# lgpio: PyPI's aarch64 "wheel" is an empty placeholder and Debian bookworm has no python3-lgpio, so it is
# built here from its sdist, statically linked as on PyPI's x86_64 wheel, and packaged as Raspberry Pi OS
# names it (the release's apt list says python3-lgpio).
mkdir -p "$root/tmp/lgpio"
tar -xzf "$files"/lgpio-*.tar.gz -C "$root/tmp/lgpio" --strip-components=1
chroot "$root" sh -c 'cd /tmp/lgpio && PYPI=1 python3 -m pip wheel -q --no-build-isolation --no-deps -w /tmp/wheel .'
mkdir -p "$root/tmp/lgpio-deb/DEBIAN" "$root/tmp/lgpio-deb/usr/lib/python3/dist-packages"
chroot "$root" sh -c 'python3 -m pip install -q --no-deps --no-index \
    --target /tmp/lgpio-deb/usr/lib/python3/dist-packages /tmp/wheel/lgpio-*.whl'
version=$(ls "$root"/tmp/wheel/ | sed -n 's/^lgpio-\([^-]*\)-.*/\1/p')
cat > "$root/tmp/lgpio-deb/DEBIAN/control" <<CONTROL
Package: python3-lgpio
Version: $version-0hil1
Architecture: arm64
Maintainer: bodycam HIL <hil@localhost>
Depends: python3
Description: lgpio built from its sdist for the HIL machine
CONTROL
dpkg-deb --root-owner-group -b "$root/tmp/lgpio-deb" "$root/tmp/python3-lgpio.deb" >/dev/null

# picamera2 needs Raspberry Pi OS's libcamera, which Debian does not have: the machine has no camera module
# and records the firmware's test pattern (camera.source). An empty package stands for the one the release's
# apt list names, so the installer finds it installed; it is marked as such.
mkdir -p "$root/tmp/picamera2-deb/DEBIAN"
cat > "$root/tmp/picamera2-deb/DEBIAN/control" <<CONTROL
Package: python3-picamera2
Version: 0~hil-placeholder
Architecture: all
Maintainer: bodycam HIL <hil@localhost>
Description: EMPTY placeholder on the HIL machine (no libcamera in Debian; the camera is the test pattern)
CONTROL
dpkg-deb --root-owner-group -b "$root/tmp/picamera2-deb" "$root/tmp/python3-picamera2.deb" >/dev/null
chroot "$root" dpkg -i /tmp/python3-lgpio.deb /tmp/python3-picamera2.deb >/dev/null

# The kernel's headers, for building the modules Debian's kernel lacks (on the host, cross-compiled).
abi=$(chroot "$root" dpkg-query -W -f '${Depends}' linux-image-arm64 | sed -n 's/.*linux-image-\([0-9.]*-[0-9]*\)-arm64.*/\1/p')
mkdir -p "$root/tmp/headers"
chroot "$root" sh -c "cd /tmp/headers && apt-get download -q linux-headers-$abi-arm64 linux-headers-$abi-common" >/dev/null
chroot "$root" dpkg-query -W -f '${Version}' "linux-image-$abi-arm64" > "$files/kernel-version"
echo "$abi" > "$files/kernel-abi"
cp "$root"/tmp/headers/*.deb "$files/"
cp "$root/tmp/python3-lgpio.deb" "$files/"

chroot "$root" apt-get purge -y -q --autoremove gcc python3-dev swig python3-pip python3-wheel python3-setuptools >/dev/null
"$(dirname "$0")/remove-build-files.sh" "$root"
