"""Frame times while every shipped lesson trains in the app (issue 15), with
each view its steps open (the inside of a CNN: filters, maps, saliency, the
mistakes; a sequence's predictions),
and the six-layer playground: 1600x1000 under Xvfb (Mesa's software
renderer), full speed, 600 frames each. Goal: p99 at most 16 ms.

    python3 bench/app_lessons.py [--frames N] [--match TEXT]
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import app as app_bench  # noqa: E402  (Xvfb and a run with --stats, as bench/app.py does them)

ROOT = app_bench.ROOT
DEEP = """format = 1
id = "bench-deep-playground"
title.en = "Six layers"
[dataset]
source = "spiral"
samples = 500
noise = 0.1
test_fraction = 0.5
[model]
task = "classification"
inputs = ["x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2"]
layers = [
  { type = "dense", units = 8, activation = "tanh" },
  { type = "dense", units = 8, activation = "tanh" },
  { type = "dense", units = 8, activation = "tanh" },
  { type = "dense", units = 8, activation = "tanh" },
  { type = "dense", units = 8, activation = "tanh" },
  { type = "dense", units = 8, activation = "tanh" },
]
[training]
optimizer = "sgd"
learning_rate = 0.03
batch_size = 10
epochs = 100000
"""


def steps_with_views(path):
    """The first step (1-based) that opens each view the lesson opens, else
    [(1, "")]: every inside view is measured while it trains."""
    with open(path, "rb") as f:
        steps = tomllib.load(f).get("steps", [])
    seen, out = set(), []
    for i, s in enumerate(steps, 1):
        v = s.get("view")
        if v and v not in seen:
            seen.add(v)
            out.append((i, v))
    return out or [(1, "")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=600)
    ap.add_argument("--match", default="", help="only the lessons whose path holds this")
    a = ap.parse_args()
    xvfb, display = app_bench.start_x()
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, DISPLAY=display, XDG_STATE_HOME=tmp)
    worst = (0.0, "")
    try:
        deep = os.path.join(tmp, "deep.toml")
        with open(deep, "w") as f:
            f.write(DEEP)
        lessons = sorted(p for p in glob.glob(os.path.join(ROOT, "lessons", "*", "*.toml"))
                         if not p.endswith("course.toml"))
        runs = [(deep, 1, "")] + [(p, step, view) for p in lessons for step, view in steps_with_views(p)]
        print(f"Frame times while training, 1600x1000 under Xvfb, {os.cpu_count()} cores, {a.frames} frames each\n")
        print("| lesson | step (view) | frame p50 ms | frame p99 ms | steps/s |")
        print("| --- | --- | ---: | ---: | ---: |")
        for path, step, view in runs:
            if a.match and a.match not in path and not (path == deep and a.match in "six-layer playground"):
                continue
            r = app_bench.app_run(env, ["--lesson", path, "--step", str(step), "--autoplay", "--speed", "max",
                                        "--frames", str(a.frames)], tmp)
            name = os.path.relpath(path, ROOT) if path != deep else "six-layer playground"
            print(f"| {name} | {step} ({view or 'none'}) | {r['frame_ms_p50']:.1f} | {r['frame_ms_p99']:.1f} |"
                  f" {r['steps_per_second']:,.0f} |", flush=True)
            worst = max(worst, (r["frame_ms_p99"], name))
        print(f"\nworst p99: {worst[0]:.1f} ms ({worst[1]}); goal at most 16 ms")
    finally:
        xvfb.terminate()
        xvfb.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
