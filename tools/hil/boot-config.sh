#!/bin/sh
# HIL machine: what a Raspberry Pi's firmware does with config.txt before Linux starts, done early at boot
# and only then, so a change takes effect after a reboot as on a Pi. Commented-out lines do not count.
#   dtparam=spi=on      the SPI controller: /dev/spidev0.0 and 0.1 (hil-spi-loopback)
#   dtparam=i2c_arm=on  the I2C bus with the fuel gauge at 0x36 (i2c-stub; i2c-dev, as raspi-config loads it)
#   dtoverlay=max98357a, adau7002-simple, googlevoicehat-soundcard
#                       the sound parts' cards, each a snd-aloop card with the id the overlay's card has
#                       on the HIL machine, after card 0 (HDMI, always there)
set -eu
config=${HIL_BOOT_CONFIG:-/boot/firmware/config.txt}
active=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' "$config" 2>/dev/null || true)
has() { printf '%s\n' "$active" | grep -qx "$1"; }

if has 'dtparam=spi=on'; then
    modprobe hil-spi-loopback
fi
if has 'dtparam=i2c_arm=on'; then
    modprobe i2c-stub chip_addr=0x36
    modprobe i2c-dev
    # the gauge's cell as a battery would read: 75.5 % (SOC 0x04, 1/256 %), not charging (CRATE 0x16)
    for adapter in /sys/bus/i2c/devices/i2c-*; do
        if grep -qs "SMBus stub driver" "$adapter/name"; then
            bus=${adapter##*/i2c-}
            i2cset -y "$bus" 0x36 0x04 0x4b && i2cset -y "$bus" 0x36 0x05 0x80
            i2cset -y "$bus" 0x36 0x16 0x00 && i2cset -y "$bus" 0x36 0x17 0x00
        fi
    done
fi
cards=""
for overlay in $(printf '%s\n' "$active" | sed -n 's/^dtoverlay=\([^,]*\).*/\1/p'); do
    case "$overlay" in
        max98357a) cards="$cards MAX98357A" ;;
        adau7002-simple) cards="$cards adau7002" ;;
        googlevoicehat-soundcard) cards="$cards sndrpigooglevoi" ;;
    esac
done
index="" ids="" ones=""
number=1
for card in $cards; do
    index="$index${index:+,}$number" ids="$ids${ids:+,}$card" ones="$ones${ones:+,}1"
    number=$((number + 1))
done
if [ -n "$ids" ]; then
    modprobe snd-aloop index="$index" id="$ids" enable="$ones" pcm_substreams="$ones"
fi
