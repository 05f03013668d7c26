#!/usr/bin/env python3
"""A stand-in for aisandbox-worker that the center benchmark starts through
`aisandbox-center serve --worker`: it writes a job folder's events.jsonl at a
steady rate, each event stamped with the wall time it was written ("t"), so
that clients can measure the delay from a worker's write to their read.
Ten metrics events a second and two snapshots of 20 kB, for
AISB_BENCH_SECONDS (default 60), then `done`: about 40 kB/s per job, near
the 48 kB/s budget of a real worker.
"""
import json
import os
import signal
import sys
import time

job = sys.argv[sys.argv.index("--job") + 1]
seconds = float(os.environ.get("AISB_BENCH_SECONDS", "60"))
stop = False


def on_signal(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGUSR1, on_signal)
path = os.path.join(job, "events.jsonl")
seq = 0
if os.path.exists(path):
    with open(path) as f:
        seq = sum(1 for _ in f)
out = open(path, "a")


def write(event, raw=""):
    """`raw`: JSON members spliced in as they are (the snapshot's weights, made once)."""
    global seq
    seq += 1
    event["seq"] = seq
    text = json.dumps(event, separators=(",", ":"))[:-1]
    out.write(text + raw + ',"t":' + repr(time.time()) + "}\n")
    out.flush()


write({"type": "started", "device": "center:bench", "parameters": 1, "steps_per_epoch": 1})
weights = ',"weights":' + json.dumps([{"name": "w", "shape": [1000], "data": [0.123456789] * 1000}])  # ~20 kB
t0 = time.time()
epoch = 0
while not stop and time.time() - t0 < seconds:
    epoch += 1
    write({"type": "metrics", "epoch": epoch, "step": epoch, "train_loss": 0.5, "test_loss": 0.5,
           "elapsed": time.time() - t0, "steps_per_second": 1.0})
    if epoch % 5 == 0:
        write({"type": "snapshot", "step": epoch}, weights)
    time.sleep(0.1)
write({"type": "done", "reason": "cancelled" if stop else "completed", "steps": epoch, "seconds": time.time() - t0,
       "steps_per_second": 1.0})
