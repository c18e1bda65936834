"""luma's SPI interface with the pixel data sent by py-spidev's ``writebytes2``.

luma's ``spi.data`` cuts a frame into 4 KiB slices and hands each to ``writebytes``, which turns it into a
Python list and holds the GIL while the bus transfers: at 25 fps about 40 % of every second in which the
camera, AAC and event-loop threads cannot run. ``writebytes2`` takes the frame's buffer as it is, splits
it by the kernel's ``bufsiz`` itself and releases the GIL around each transfer. Commands (a few bytes)
keep luma's path. Imported only where luma is (the display adapter).
"""

from __future__ import annotations

from luma.core.interface.serial import spi


class FrameSpi(spi):
    def data(self, data: bytes | bytearray | memoryview | list[int]) -> None:
        if self._DC:
            self._gpio.output(self._DC, self._data_mode)
        self._spi.writebytes2(data)
