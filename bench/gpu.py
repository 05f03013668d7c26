"""The lessons that need libtorch (CNNs, an LSTM), on this machine's CPU and,
when our build and the machine have CUDA, on its GPU: our engine against
PyTorch from Python on the same data, model and loop, in one run.

    BUILD=build-cuda python3 bench/gpu.py [--epochs-cpu N] [--epochs-gpu N]

steps/s leave out each run's first epoch (libtorch's and cuDNN's warm-up) and
count optimizer steps over wall seconds, train and test evaluation included.
The peer's Python is the first of $PEER_PYTHON, python3, /usr/bin/python3 that
imports torch.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
CLI = os.path.join(BUILD, "app", "aisandbox-cli")
BENCH = os.path.join(BUILD, "bench", "bench_train")
LESSONS = ["images/02-digits-cnn", "images/03-steel-defects", "industry/04-steel-at-the-center",
           "industry/02-battery-lstm"]


def peer_python():
    for py in (os.environ.get("PEER_PYTHON"), "python3", "/usr/bin/python3"):
        if py and subprocess.run([py, "-c", "import torch, numpy"], capture_output=True).returncode == 0:
            return py
    return None


def ours(lesson, device, epochs):
    cmd = [CLI, "train", lesson, "--json", "--device", device, "--engine", "torch", "--epochs", str(epochs)]
    events = [json.loads(l) for l in subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()]
    metrics = [e for e in events if e["type"] == "metrics" and e["epoch"] >= 1]
    done = events[-1]
    first, last = metrics[0], metrics[-1]
    return {"steps_per_second": (last["step"] - first["step"]) / (last["elapsed"] - first["elapsed"]),
            "test_accuracy": done.get("test_accuracy"), "test_loss": done["test_loss"],
            "device": events[0]["device"]}


def peer(py, job_file, data_dir, device, epochs):
    cmd = [py, os.path.join(ROOT, "bench", "peer_torch_job.py"), job_file, data_dir, device, str(epochs)]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1])


def quality(r):
    return f"acc {r['test_accuracy']:.3f}" if r.get("test_accuracy") is not None else f"mse {r['test_loss']:.4f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs-cpu", type=int, default=3)
    ap.add_argument("--epochs-gpu", type=int, default=8)
    args = ap.parse_args()
    version = subprocess.run([CLI, "--version"], capture_output=True, text=True).stdout.strip()
    has_cuda = "CUDA" in version
    py = peer_python()
    print(f"{version}\npeer: PyTorch from Python ({py or 'not found: peer skipped'})")
    devices = [("cpu", args.epochs_cpu)] + ([("cuda", args.epochs_gpu)] if has_cuda else [])
    if not has_cuda:
        print("this build's libtorch has no CUDA: CPU rows only (see README, 'Building for a GPU')")
    print(f"\n{'lesson':34} {'device':7} {'ours steps/s':>13} {'peer steps/s':>13} {'ours/peer':>10}  quality (ours | peer)")
    speed = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in LESSONS:
            lesson = os.path.join(ROOT, "lessons", name + ".toml")
            job_file = os.path.join(tmp, "job.json")
            with open(job_file, "w") as f:
                subprocess.run([CLI, "job", lesson], check=True, stdout=f)
            data_dir = os.path.join(tmp, name.replace("/", "_"))
            os.makedirs(data_dir)
            subprocess.run([BENCH, "--job", job_file, "--dump-raw", data_dir], check=True)
            for device, epochs in devices:
                a = ours(lesson, device, epochs)
                speed[(name, device)] = a["steps_per_second"]
                b = peer(py, job_file, data_dir, device, epochs) if py else None
                ratio = f"{a['steps_per_second'] / b['steps_per_second']:9.2f}x" if b else f"{'-':>10}"
                peer_sps = f"{b['steps_per_second']:13.0f}" if b else f"{'-':>13}"
                print(f"{name:34} {a['device']:7} {a['steps_per_second']:13.0f} {peer_sps} {ratio}  "
                      f"{quality(a)} | {quality(b) if b else '-'}" + (f"  [{b['gpu']}]" if b and "gpu" in b else ""),
                      flush=True)
    if has_cuda:
        print("\nGPU against this machine's CPU (ours):")
        for name in LESSONS:
            print(f"  {name:34} {speed[(name, 'cuda')] / speed[(name, 'cpu')]:6.2f}x")


if __name__ == "__main__":
    sys.exit(main())
