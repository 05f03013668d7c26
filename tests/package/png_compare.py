#!/usr/bin/env python3
"""Two screenshots of the app held to each other, with Python's standard
library only (the package test runs before any image package is installed):

    png_compare.py A.png B.png WIDTH HEIGHT [MAX_DIFFERENT_FRACTION]

Both must be WIDTH x HEIGHT, not blank (many colours, no colour over 95% of
the picture), and differ in at most MAX_DIFFERENT_FRACTION (default 0.01) of
their pixels (a channel off by more than 40)."""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise SystemExit(f"{path}: only 8-bit RGB(A), not interlaced (depth {depth}, colour {colour})")
            bpp = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    out = bytearray(stride * height)
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out[y * stride:(y + 1) * stride] = line
        prev = line
    pixels = [bytes(out[i:i + 3]) for i in range(0, len(out), bpp)]
    return width, height, pixels


def main():
    a_path, b_path, w, h = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    limit = float(sys.argv[5]) if len(sys.argv) > 5 else 0.01
    shots = []
    for path in (a_path, b_path):
        width, height, px = read_png(path)
        if (width, height) != (w, h):
            raise SystemExit(f"{path}: {width}x{height}, not {w}x{h}")
        counts = {}
        for p in px:
            counts[p] = counts.get(p, 0) + 1
        top = max(counts.values()) / len(px)
        if len(counts) < 50 or top > 0.95:
            raise SystemExit(f"{path}: blank ({len(counts)} colours, the commonest on {top:.0%} of the picture)")
        shots.append(px)
    differ = sum(1 for p, q in zip(*shots) if max(abs(p[i] - q[i]) for i in range(3)) > 40)
    fraction = differ / len(shots[0])
    print(f"png_compare: {fraction:.4%} of the pixels differ (at most {limit:.2%})")
    if fraction > limit:
        raise SystemExit(f"png_compare: {a_path} and {b_path} differ in {fraction:.2%} of their pixels")


if __name__ == "__main__":
    main()
