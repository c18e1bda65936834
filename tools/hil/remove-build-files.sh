#!/bin/sh
# Remove from the HIL root ($1) what customize.sh built there, and nothing else: mmdebstrap keeps its own
# apt configuration in the root's /tmp (mmdebstrap.apt.conf.*) until its clean-up, which without it runs
# apt-get update and clean against the HOST's configuration and empties the host's package lists.
set -eu
root="$1"
for made in lgpio wheel lgpio-deb picamera2-deb headers python3-lgpio.deb python3-picamera2.deb; do
    rm -rf "${root:?}/tmp/$made"
done
rm -f "${root:?}/var/cache/apt/archives/"*.deb
