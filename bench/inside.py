"""What the inside views cost training (issue 15): each shipped lesson that
has them, trained with the app's snapshots (10 a second) with and without
the probes and test answers, runs interleaved, best of R each. Goal: at most
10% slower.

    python3 bench/inside.py [--runs R]
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
LESSONS = ["images/02-digits-cnn.toml", "images/03-steel-defects.toml", "industry/02-battery-lstm.toml",
           "industry/03-air-quality.toml"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    print(f"Training with the inside views against without ({a.runs} interleaved runs each, best of each):")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for rel in LESSONS:
            job = os.path.join(tmp, "job.json")
            with open(job, "w") as f:
                f.write(subprocess.run([CLI, "job", os.path.join(ROOT, "lessons", rel)], check=True,
                                       capture_output=True, text=True).stdout)
            out = subprocess.run([BENCH, "--job", job, "--inside", str(a.runs)], check=True, capture_output=True,
                                 text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            slower = 1.0 - r["with_steps_per_second"] / r["without_steps_per_second"]
            worst = max(worst, slower)
            print(f"  {rel:34s} without {r['without_steps_per_second']:8.1f} steps/s   "
                  f"with {r['with_steps_per_second']:8.1f}   ({slower * 100:+.1f}% slower)")
    print(f"\nworst: {worst * 100:.1f}% slower (goal <= 10%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
