"""Runs on the HIL machine (its own Python, nothing of ours): samples a gpio-sim line's value as often as
it can for a while, then writes (time, value) pairs, float64 seconds of CLOCK_MONOTONIC and one byte, to a
file that appears whole when done.

    python3 sample_line.py /sys/…/sim_gpio12/value SECONDS OUT
"""

import os
import struct
import sys
import time


def main() -> None:
    line, seconds, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    fd = os.open(line, os.O_RDONLY)
    samples = bytearray()
    end = time.monotonic() + seconds
    while (now := time.monotonic()) < end:
        samples += struct.pack("<dB", now, os.pread(fd, 1, 0) == b"1")
    with open(out + ".part", "wb") as file:
        file.write(samples)
    os.rename(out + ".part", out)


if __name__ == "__main__":
    main()
