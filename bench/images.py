"""`make bench`: a class's photos decoded and resized, ours against PIL.

Makes 10,000 JPEG photos of 640x480 in two class folders once (cached in
/tmp/aisb_bench_photos), then times, in one run:
  - bench_images FOLDER 64 64 3 (every core, then one thread): list, decode
    with stb_image, resize, floats in [0, 1];
  - the same work in Python as a student would write it: one process,
    Image.open().convert("RGB").resize((64, 64), Image.BOX) into a float32
    numpy array (BOX: the same area average as ours).
Prints the seconds, the images per second and the ratios. Needs PIL and
numpy (Debian's python3-pil and python3-numpy, installer/deps.sh); when the
python3 on PATH lacks them, it runs again under /usr/bin/python3.
"""
import json
import os
import random
import subprocess
import sys
import time

try:
    import numpy as np
    from PIL import Image, ImageDraw
except ImportError:
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

BUILD = os.environ.get("BUILD", "build")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDER = os.environ.get("AISB_BENCH_PHOTOS", "/tmp/aisb_bench_photos")
CLASSES = ["normal", "defect"]
COUNT = 10000
SIZE = (640, 480)


def make_photo(index):
    """A photo-like JPEG: a smooth random colour field, shapes and sensor
    noise, so that it compresses like a real photo (about 50 KB)."""
    rng = random.Random(index)
    cls = CLASSES[index % len(CLASSES)]
    path = os.path.join(FOLDER, cls, f"img_{index:05d}.jpg")
    field = bytes(rng.randrange(256) for _ in range(16 * 12 * 3))
    im = Image.frombytes("RGB", (16, 12), field).resize(SIZE, Image.BICUBIC)
    noise = Image.effect_noise(SIZE, 40).convert("RGB")
    im = Image.blend(im, noise, 0.12)
    draw = ImageDraw.Draw(im)
    for _ in range(6):
        x, y, r = rng.randrange(SIZE[0]), rng.randrange(SIZE[1]), rng.randrange(20, 120)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    im.save(path, "JPEG", quality=85)


def ensure_photos():
    done = os.path.join(FOLDER, ".complete")
    if os.path.exists(done):
        return
    for cls in CLASSES:
        os.makedirs(os.path.join(FOLDER, cls), exist_ok=True)
    print(f"making {COUNT} photos in {FOLDER} (once)...", flush=True)
    from multiprocessing import Pool

    with Pool(os.cpu_count()) as pool:
        pool.map(make_photo, range(COUNT), chunksize=64)
    open(done, "w").close()


def ours(threads):
    exe = os.path.join(ROOT, BUILD, "bench", "bench_images")
    out = subprocess.run([exe, FOLDER, "64", "64", "3", str(threads)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def pil():
    start = time.perf_counter()
    arrays, labels = [], []
    for label, cls in enumerate(sorted(os.listdir(FOLDER))):
        folder = os.path.join(FOLDER, cls)
        if cls.startswith(".") or not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            im = Image.open(os.path.join(folder, name)).convert("RGB").resize((64, 64), Image.BOX)
            arrays.append(np.asarray(im, dtype=np.float32).transpose(2, 0, 1) / 255.0)
            labels.append(label)
    x = np.stack(arrays)
    return {"seconds": time.perf_counter() - start, "images": len(x)}


def main():
    ensure_photos()
    ours(0)  # warms the page cache for both
    every = ours(0)
    one = ours(1)
    py = pil()
    rate = lambda r: r["images"] / r["seconds"]
    print(f"photos: {py['images']} JPEGs of {SIZE[0]}x{SIZE[1]} to 64x64x3 floats")
    print(f"  ours, {every['threads']} threads: {every['seconds']:7.2f} s  {rate(every):8.0f} images/s")
    print(f"  ours, 1 thread:   {one['seconds']:7.2f} s  {rate(one):8.0f} images/s")
    print(f"  PIL + numpy:      {py['seconds']:7.2f} s  {rate(py):8.0f} images/s")
    print(f"  ratio PIL / ours (all cores): {py['seconds'] / every['seconds']:.2f}x;"
          f" PIL / ours (1 thread): {py['seconds'] / one['seconds']:.2f}x")


if __name__ == "__main__":
    main()
