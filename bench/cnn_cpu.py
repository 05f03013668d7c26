"""The steel CNN on the CPU (issue 15): our two engines (the fast CNN path,
which "auto" picks, and libtorch) against the same network and loop in
PyTorch from Python, on data of the same shape, in one run.

    python3 bench/cnn_cpu.py [--epochs N] [--runs R]

Runs are interleaved (fast, torch, PyTorch, PyTorch default, then again) so
that a machine busy with something else slows every side alike; the ratios
are medians over the runs.

The network is the issue's: conv 8, pool, conv 16, pool, dense 32 (ReLU, 3x3
"same" kernels), batch 32, Adam, the steel-defects set (64x64 grey, 1,200
samples), train and test evaluated after every epoch. Both sides are timed
the same way: optimizer steps per second from the second epoch on (the first
warms up), evaluation included. The peer runs with as many threads as ours
(libtorch's default in Python on this machine is one), and once with its
default. Each side's minor page faults and system time come from
/usr/bin/time for a whole process.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
CLI = os.path.join(BUILD, "app", "aisandbox-cli")
BENCH = os.path.join(BUILD, "bench", "bench_train")
PY_TORCH = "/usr/bin/python3"  # Debian's python3-torch

LESSON = """format = 1
id = "steel-cnn-bench"
title.en = "Steel CNN (benchmark)"
title.ko = "강판 CNN (벤치마크)"
[dataset]
source = "steel-defects"
samples = 1200
noise = 0.2
test_fraction = 0.25
[model]
task = "classification"
inputs = []
layers = [
  { type = "conv2d", filters = 8, kernel = 3, padding = "same", activation = "relu" },
  { type = "maxpool2d", size = 2 },
  { type = "conv2d", filters = 16, kernel = 3, padding = "same", activation = "relu" },
  { type = "maxpool2d", size = 2 },
  { type = "flatten" },
  { type = "dense", units = 32, activation = "relu" },
]
[training]
optimizer = "adam"
learning_rate = 0.001
batch_size = 32
epochs = EPOCHS
"""

PEER = """
import runpy, sys, torch
if THREADS > 0:
    torch.set_num_threads(THREADS)
sys.argv = ["peer", JOB, DATA, "cpu", str(EPOCHS)]
runpy.run_path(SCRIPT, run_name="__main__")
"""


def timed(cmd):
    """Runs cmd under /usr/bin/time; its stdout, minor faults and system seconds."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        out = subprocess.run(["/usr/bin/time", "-o", t.name, "-f", "%R %S"] + cmd, check=True,
                             capture_output=True, text=True).stdout
        faults, sys_s = t.read().split()[-2:]
    return out, int(faults), float(sys_s)


def ours(lesson, engine):
    out, faults, sys_s = timed([CLI, "train", lesson, "--json", "--engine", engine, "--device", "cpu"])
    metrics = [e for e in map(json.loads, out.splitlines()) if e.get("type") == "metrics"]
    first, last = metrics[1], metrics[-1]  # metrics[0] is epoch 0, before training
    sps = (last["step"] - first["step"]) / (last["elapsed"] - first["elapsed"])
    return sps, faults, sys_s, last.get("test_accuracy")


def peer(job, data, epochs, threads):
    code = (PEER.replace("THREADS", str(threads)).replace("JOB", repr(job)).replace("DATA", repr(data))
            .replace("EPOCHS", str(epochs)).replace("SCRIPT", repr(os.path.join(ROOT, "bench", "peer_torch_job.py"))))
    out, faults, sys_s = timed([PY_TORCH, "-c", code])
    r = json.loads(out.strip().splitlines()[-1])
    return r["steps_per_second"], faults, sys_s, r["threads"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        lesson = os.path.join(tmp, "steel.toml")
        with open(lesson, "w") as f:
            f.write(LESSON.replace("EPOCHS", str(a.epochs)))
        job = os.path.join(tmp, "job.json")
        with open(job, "w") as f:
            f.write(subprocess.run([CLI, "job", lesson], check=True, capture_output=True, text=True).stdout)
        data = os.path.join(tmp, "raw")
        os.makedirs(data)
        subprocess.run([BENCH, "--job", job, "--dump-raw", data], check=True, capture_output=True)
        threads = os.cpu_count() or 1
        print(f"The steel CNN on the CPU ({a.epochs} epochs, {a.runs} runs each, {threads} cores):")
        print("steps per second from the second epoch on, evaluation every epoch included\n")
        rows = []
        for run in range(a.runs):
            f = ours(lesson, "fast")
            o = ours(lesson, "torch")
            p = peer(job, data, a.epochs, threads)
            d = peer(job, data, a.epochs, 0)
            rows.append((f, o, p, d))
            print(f"run {run + 1}: fast {f[0]:6.1f} ({f[0] / p[0]:.2f}x)   libtorch {o[0]:6.1f} ({o[0] / p[0]:.2f}x)"
                  f"   PyTorch {p[3]} threads {p[0]:6.1f}   PyTorch default ({d[3]} thread) {d[0]:6.1f}"
                  f"   test accuracy fast {f[3]:.3f} libtorch {o[3]:.3f}")
        med = lambda i: statistics.median(r[i][0] for r in rows)
        ratio = lambda i, j: statistics.median(r[i][0] / r[j][0] for r in rows)
        print(f"\nmedian steps/s: fast {med(0):.1f}, libtorch {med(1):.1f}, PyTorch {med(2):.1f} "
              f"({rows[0][2][3]} threads), PyTorch default {med(3):.1f}")
        print(f"median ratio to PyTorch, same threads: fast {ratio(0, 2):.2f}x, libtorch {ratio(1, 2):.2f}x "
              f"(goal >= 1.0x, aim 2x); fast to PyTorch default {ratio(0, 3):.2f}x")
        print("minor page faults / system seconds of the last run: "
              f"fast {rows[-1][0][1]:,} / {rows[-1][0][2]:.1f} s, libtorch {rows[-1][1][1]:,} / {rows[-1][1][2]:.1f} s, "
              f"PyTorch {rows[-1][2][1]:,} / {rows[-1][2][2]:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
