"""`make bench`: our engine against the peers named in the issues, in one run.

Prints steps/s and the ratios, the cost of snapshots, and the time from
`aisandbox-cli train` start to its first metrics event.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("BUILD", "build")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY_TORCH = "/usr/bin/python3"  # Debian's python3-torch lives here, not in a pyenv


def run_json(cmd, **kw):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout
    return json.loads(out.strip().splitlines()[-1])


def first_metrics_seconds(cli, lesson, engine, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen([cli, "train", lesson, "--json", "--epochs", "1", "--engine", engine],
                                stdout=subprocess.PIPE, text=True)
        for line in proc.stdout:
            if json.loads(line).get("type") == "metrics":
                times.append(time.perf_counter() - start)
                break
        proc.wait()
    return statistics.median(times)


def main():
    bench = os.path.join(ROOT, BUILD, "bench", "bench_train")
    cli = os.path.join(ROOT, BUILD, "app", "aisandbox-cli")
    lesson = os.path.join(ROOT, "lessons", "basics", "02-xor-hidden-layer.toml")
    print("AI Sandbox benchmark: the playground network (xor, 2-8-8 tanh, SGD, batch 10,")
    print("train + test evaluation after every epoch), one CPU thread of this machine\n")

    ours = run_json([bench, "--epochs", "2000", "--repeat", "3"])
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "xor.json")
        subprocess.run([bench, "--dump-data", data], check=True)
        peer_py = run_json([PY_TORCH, os.path.join(ROOT, "bench", "peer_pytorch.py"), data, "100", "3"])
        peer_js = {"skipped": "node not found"}
        if subprocess.run(["sh", "-c", "command -v node"], capture_output=True).returncode == 0:
            peer_js = run_json(["node", os.path.join(ROOT, "bench", "peer_playground.js"), data, "400", "3"])

    fast, torch_path, py = ours["fast_steps_per_second"], ours["torch_steps_per_second"], peer_py["steps_per_second"]
    rows = [
        ("AI Sandbox, fast path (default)", fast, ours["fast_test_accuracy"]),
        ("AI Sandbox, libtorch path", torch_path, ours["torch_test_accuracy"]),
        (f"PyTorch {ours['torch_version']} from Python", py, peer_py["test_accuracy"]),
    ]
    if "steps_per_second" in peer_js:
        rows.append(("TensorFlow Playground engine, Node.js", peer_js["steps_per_second"], peer_js["test_accuracy"]))
    print(f"{'':40} {'steps/s':>10} {'vs PyTorch':>11} {'test acc':>9}")
    for name, sps, acc in rows:
        print(f"{name:40} {sps:10.0f} {sps / py:10.1f}x {acc:9.3f}")
    if "skipped" in peer_js:
        print(f"{'TensorFlow Playground engine, Node.js':40} {'skipped':>10}  ({peer_js['skipped']})")

    print()
    goal = fast / py
    print(f"goal: fast path >= 8x PyTorch-from-Python: {goal:.1f}x -> {'met' if goal >= 8 else 'NOT MET'}")
    if "steps_per_second" in peer_js:
        pg = fast / peer_js["steps_per_second"]
        print(f"      fast path vs the Playground's engine: {pg:.2f}x (ahead: {'yes' if pg > 1 else 'no'}; aim 3x)")
    snap = ours["fast_snapshots10_steps_per_second"] / fast
    print(f"snapshots at 10/s: {ours['fast_snapshots10_count']} snapshots, throughput {100 * snap:.1f}% of none"
          f" (cost {100 * (1 - snap):.1f}%, limit 10%)")
    print("aisandbox-cli train -> first metrics event (median of 5, process start included):")
    print(f"      fast path: {1000 * first_metrics_seconds(cli, lesson, 'auto'):.0f} ms (never loads libtorch);"
          f" libtorch path: {1000 * first_metrics_seconds(cli, lesson, 'torch'):.0f} ms (loads it)")


if __name__ == "__main__":
    sys.exit(main())
