#!/bin/sh
# HIL machine: a gpio-sim chip in place of the Raspberry Pi's GPIO header, built through configfs at boot.
# 54 lines like the BCM2837's chip, named GPIO0…GPIO53; the lines' pulls (sysfs sim_gpioN/pull) are the
# buttons, their values (sim_gpioN/value) what the LEDs and the display's data/command line are driven to.
set -eu
config=/sys/kernel/config
mountpoint -q "$config" || mount -t configfs none "$config"
chip="$config/gpio-sim/pi"
[ -d "$chip" ] && exit 0
mkdir -p "$chip/bank0"
echo pinctrl-bcm2835 > "$chip/bank0/label"
echo 54 > "$chip/bank0/num_lines"
line=0
while [ "$line" -lt 54 ]; do
    mkdir "$chip/bank0/line$line"
    echo "GPIO$line" > "$chip/bank0/line$line/name"
    line=$((line + 1))
done
echo 1 > "$chip/live"
