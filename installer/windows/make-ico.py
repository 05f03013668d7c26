#!/usr/bin/env python3
"""The Windows icon (.ico) from the app's PNG icons, standard library only:
an ICO file may hold PNG images as they are (Windows Vista and later).

    make-ico.py OUT.ico 16.png 24.png 32.png ... 256.png
"""
import struct
import sys


def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("make-ico: not a PNG")
    return struct.unpack(">II", data[16:24])


def main():
    out, pngs = sys.argv[1], [open(p, "rb").read() for p in sys.argv[2:]]
    if not pngs:
        raise SystemExit("make-ico: no PNG given")
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for data in pngs:
        w, h = png_size(data)
        if w > 256 or h > 256:
            raise SystemExit(f"make-ico: {w}x{h} is larger than an icon may be")
        # 0 stands for 256 in an entry's one-byte width and height.
        entries += struct.pack("<BBBBHHII", w % 256, h % 256, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    with open(out, "wb") as f:
        f.write(header + entries + blobs)


if __name__ == "__main__":
    main()
