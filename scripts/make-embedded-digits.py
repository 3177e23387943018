#!/usr/bin/python3
"""Builds resources/embedded/digits-{images-idx3,labels-idx1}-ubyte.gz.

Source: scikit-learn's copy of the UCI optdigits test set (1797 8x8 digits,
values 0..16, BSD-3), as Debian's python3-sklearn ships it. Writing it in the
MNIST IDX format lets the app read it with the same parser as real MNIST.

Run with Debian's interpreter, which has the data file:
    /usr/bin/python3 scripts/make-embedded-digits.py
The output is deterministic (gzip mtime 0, no file name), so rerunning it
leaves git clean.
"""
import gzip
import io
import os
import struct
import sys

SOURCE = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "resources", "embedded")
ROWS = COLS = 8
EXPECTED = 1797


def gzip_bytes(data):
    # GzipFile with mtime=0 and an empty name keeps the output byte-identical
    # between runs.
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    images = bytearray()
    labels = bytearray()
    with gzip.open(src, "rt") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            values = [float(v) for v in line.split(",")]
            if len(values) != ROWS * COLS + 1:
                sys.exit(f"{src}:{lineno}: expected {ROWS * COLS + 1} values, got {len(values)}")
            for v in values[:-1]:
                if not 0 <= v <= 16:
                    sys.exit(f"{src}:{lineno}: pixel {v} outside 0..16")
                # round(v*255/16): 16 -> 255 so the digits use the full 8-bit range like MNIST.
                images.append(int(round(v * 255 / 16)))
            label = int(values[-1])
            if not 0 <= label <= 9:
                sys.exit(f"{src}:{lineno}: label {label} outside 0..9")
            labels.append(label)
    n = len(labels)
    if n != EXPECTED:
        sys.exit(f"{src}: expected {EXPECTED} rows, got {n}")
    # IDX: big-endian magic 0x00000803 (uint8, 3 dims) / 0x00000801 (uint8, 1 dim).
    idx_images = struct.pack(">IIII", 0x803, n, ROWS, COLS) + bytes(images)
    idx_labels = struct.pack(">II", 0x801, n) + bytes(labels)
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, data in (("digits-images-idx3-ubyte.gz", idx_images),
                       ("digits-labels-idx1-ubyte.gz", idx_labels)):
        path = os.path.join(OUT_DIR, name)
        with open(path, "wb") as f:
            f.write(gzip_bytes(data))
        print(f"wrote {os.path.normpath(path)} ({n} items)")


if __name__ == "__main__":
    main()
