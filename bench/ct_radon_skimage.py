#!/usr/bin/python3
"""Reference timings for `genlab-cli ct radon-bench`: scikit-image's radon and
iradon on the same input (a raw float32 size x size file written by
`genlab-cli ct radon-bench --dump-input FILE`), after a warm-up: best of N wall
times (the run least disturbed on a shared machine), the median, and the mean
process CPU time per call, exactly as genlab-cli reports its own.

radon uses circle=False so that, like GenLab's default detector, the whole
square is projected (ceil(size*sqrt 2) bins). iradon is timed without a filter
(filter_name=None: a pure linear-interpolating backprojection, the analogue of
the adjoint) and, for reference, with the ramp filter (FBP).
Run with Debian's interpreter: /usr/bin/python3 (python3-skimage)."""
import argparse
import json
import time

import numpy as np
from skimage.transform import iradon, radon


def timings(fn, repeats):
    """Best and median wall time and mean process CPU time per call, in ms."""
    fn()  # warm-up
    wall, cpu = [], 0.0
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu += (time.process_time() - c0) * 1000
    return float(np.min(wall)), float(np.median(wall)), cpu / repeats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--angles", type=int, default=180)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    image = np.fromfile(a.input, dtype=np.float32).reshape(a.size, a.size).astype(np.float64)
    theta = np.arange(a.angles) * 180.0 / a.angles
    sino = radon(image, theta, circle=False)
    fw = timings(lambda: radon(image, theta, circle=False), a.repeats)
    bw = timings(lambda: iradon(sino, theta, output_size=a.size, circle=False, filter_name=None),
                 a.repeats)
    fbp = timings(lambda: iradon(sino, theta, output_size=a.size, circle=False,
                                 filter_name="ramp"), a.repeats)
    result = {
        "event": "result",
        "tool": "scikit-image",
        "radon_ms": fw[0], "iradon_ms": bw[0], "iradon_ramp_ms": fbp[0],
        "radon_median_ms": fw[1], "iradon_median_ms": bw[1],
        "radon_cpu_ms": fw[2], "iradon_cpu_ms": bw[2],
        "size": a.size,
        "angles": a.angles,
        "detectors": int(sino.shape[0]),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
