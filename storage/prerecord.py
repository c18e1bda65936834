"""The pre-record ring: the last seconds of encoded packets, in RAM, as whole GOPs.

Nothing here touches the disk; when a recording starts, the ring hands over the packets from the
newest keyframe at or before ``press − seconds`` (sound from that keyframe's time on) and forgets them.
"""

from __future__ import annotations

from collections import deque

from storage.segment_format import Packet


class PrerecordRing:
    def __init__(self, seconds: float, max_bytes: int, audio: bool) -> None:
        self._span_us = int(seconds * 1e6)
        self._max_bytes = max_bytes
        self._audio = audio
        self._gops: deque[list[Packet]] = deque()
        self.bytes = 0

    def add(self, packet: Packet) -> None:
        if packet.stream == "video" and packet.keyframe:
            self._gops.append([])
        if not self._gops:
            return  # nothing before the first keyframe can be decoded
        self._gops[-1].append(packet)
        self.bytes += len(packet.data)
        self._trim(packet.pts_us)

    def _trim(self, newest_us: int) -> None:
        # Keep the GOP that straddles ``newest − span``: the recording must be able to start before it.
        while len(self._gops) > 1 and (
            self._gops[1][0].pts_us <= newest_us - self._span_us or self.bytes > self._max_bytes
        ):
            self.bytes -= sum(len(p.data) for p in self._gops.popleft())

    def take(self, pressed_at_us: int) -> list[Packet]:
        """Packets from the newest keyframe at or before ``pressed_at − seconds``; empties the ring."""
        since = pressed_at_us - self._span_us
        start = 0
        for index, gop in enumerate(self._gops):
            if gop[0].pts_us <= since:
                start = index
        packets = [p for gop in list(self._gops)[start:] for p in gop]
        if packets:
            # Sound arrives later than the picture (the card's period, the encoder's queue), so a GOP holds
            # sound from before its keyframe: the recording's sound begins with its first picture. Before
            # the press, only where the deployment allows it.
            sound_from = packets[0].pts_us if self._audio else max(packets[0].pts_us, pressed_at_us)
            packets = [p for p in packets if p.stream == "video" or p.pts_us >= sound_from]
        self._gops.clear()
        self.bytes = 0
        return packets

    @property
    def span_us(self) -> int:
        gops = self._gops
        return gops[-1][-1].pts_us - gops[0][0].pts_us if gops else 0
