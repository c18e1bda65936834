"""The export's baseline, first half: decrypt a recording's video to a raw H.264 stream, segment by
segment, for ``ffmpeg -c copy`` to remux (``python -m bench.raw_stream RECORDING AGENCY_KEY OUT``)."""

from __future__ import annotations

import sys
from pathlib import Path

from storage.keys import load_agency_private
from storage.segment_reader import decrypt_segment, read_segment


def main(recording: Path, agency_key: Path, out: Path) -> None:
    agency = load_agency_private(agency_key)
    with open(out, "wb") as stream:
        for path in sorted(recording.glob("seg-*.bcs")):
            for packet in decrypt_segment(read_segment(path), agency):
                if packet.stream == "video":
                    stream.write(packet.data)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
