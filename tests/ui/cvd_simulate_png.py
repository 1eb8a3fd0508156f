#!/usr/bin/env python3
"""Colour-vision-deficiency simulation of a screenshot, standard library only (zlib + PNG).

    cvd_simulate_png.py IN.png OUT_PREFIX [protanopia deuteranopia tritanopia]

Writes OUT_PREFIX-<vision>.png per vision: Machado, Oliveira & Fernandes (2009), severity
1.0, applied to linearised sRGB and clamped, the same matrices as tests/ui/colour_science.hpp.
For looking at the bridge as a colour-blind engineer would (docs/ui.md).
"""
import struct
import sys
import zlib

MACHADO = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def to_linear(c):
    c /= 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def to_srgb8(c):
    c = min(1.0, max(0.0, c))
    c = 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055
    return int(round(c * 255))


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour not in (2, 6) or body[12] != 0:
                sys.exit(f"{path}: only 8-bit RGB/RGBA non-interlaced PNGs")
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def write_png(path, w, h, rows):
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    src, prefix = sys.argv[1], sys.argv[2]
    visions = sys.argv[3:] or list(MACHADO)
    w, h, bpp, rows = read_png(src)
    lin = [to_linear(float(v)) for v in range(256)]
    for v in visions:
        m = MACHADO[v]
        cache, out = {}, []
        for r in rows:
            o = bytearray(w * 3)
            for x in range(w):
                px = bytes(r[x * bpp:x * bpp + 3])
                s = cache.get(px)
                if s is None:
                    l = (lin[px[0]], lin[px[1]], lin[px[2]])
                    s = bytes(to_srgb8(m[i][0] * l[0] + m[i][1] * l[1] + m[i][2] * l[2]) for i in range(3))
                    cache[px] = s
                o[x * 3:x * 3 + 3] = s
            out.append(o)
        path = f"{prefix}-{v}.png"
        write_png(path, w, h, out)
        print(path)


if __name__ == "__main__":
    main()
