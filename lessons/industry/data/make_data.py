#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Makes the data of two lessons of the "AI in local industry" course.

    python3 lessons/industry/data/make_data.py

EVERYTHING THIS SCRIPT WRITES IS INVENTED. No sensor, camera, factory or
public-data portal was asked: the numbers and pictures come from the formulas
below and a fixed seed. The place names are real towns and districts of the
Pohang area, used so that the data feels local; the values are not theirs.
이 스크립트가 만드는 데이터는 모두 지어낸 가상의 데이터입니다. 실제 측정값도,
실제 공장의 사진도 아닙니다.

It writes, beside itself, once (the files are committed with the course and
travel with it; run the script again only to change them):

  pohang-air.csv       05-pohang-air-csv.toml: one month of hourly readings of
                       four air-quality stations, saved in CP949 with CRLF line
                       ends, the way Excel ("CSV (쉼표로 분리)") saves it on a
                       Korean Windows, with a few empty cells as real logs have.
  pipe-photos/CLASS/   06-pipe-photos.toml: photos of steel pipes on a conveyor,
                       sorted by an inspector into one folder per class
                       (정상-ok, 긁힘-scratch, 찍힘-dent, 녹-rust), JPEG (some
                       named .JPG as cameras do), PNG, BMP and GIF, in several
                       sizes so that the app's resizing is used.

Deterministic: the same script gives the same CSV bytes on every machine (only
Python's own `random` decides them); the pictures come from the same `random`
numbers too, though a different Pillow/libjpeg may compress them into slightly
different bytes. Needs Python 3.8+ and Pillow (Debian/Ubuntu: python3-pil).
"""

import math
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20241101


# --------------------------------------------------------------------------
# 1. pohang-air.csv: hourly air quality at four stations
# --------------------------------------------------------------------------

# Station, traffic at its busiest hour, how much of the steelworks' smoke
# reaches it when the wind blows from the works, and from which directions
# that is (the works lie on the coast south-east of the city).
STATIONS = [
    ("대송면", 700, 1.00, {"동", "남동", "남"}),
    ("해도동", 2200, 0.55, {"동", "남동"}),
    ("장량동", 1500, 0.30, {"남동", "남"}),
    ("구룡포읍", 450, 0.10, {"서", "북서"}),
]
DIRECTIONS = ["북", "북동", "동", "남동", "남", "남서", "서", "북서"]
DAYS = 30
START_WEEKDAY = 4  # 2024-11-01 was a Friday (Monday = 0)
EMPTY_CELLS = 14  # cells left empty on purpose (0: none)
COLUMNS = ["측정소", "시각", "기온", "습도", "풍속", "풍향", "강수량", "교통량", "제철소가동률", "PM2.5"]


def ar1(rng, n, mean, spread, keep):
    """A slowly wandering series: each hour keeps `keep` of the last one."""
    out, v = [], 0.0
    step = spread * math.sqrt(1 - keep * keep)
    for _ in range(n):
        v = keep * v + rng.gauss(0, step)
        out.append(mean + v)
    return out


def traffic_profile(hour, weekday):
    """Cars an hour, as a share of the busiest hour: two rush hours on work days."""
    base = 0.08 + 0.25 * math.exp(-((hour - 13) / 5.0) ** 2)
    if weekday < 5:
        base += 0.75 * math.exp(-((hour - 8) / 1.3) ** 2) + 0.7 * math.exp(-((hour - 18.5) / 1.6) ** 2)
        base += 0.15 * (7 <= hour <= 21)
    else:
        base = 0.1 + 0.55 * math.exp(-((hour - 14) / 4.0) ** 2)
    return base


def make_air(path):
    rng = random.Random(SEED)
    hours = DAYS * 24

    # Weather shared by the whole area.
    temp_drift = ar1(rng, hours, 0.0, 2.5, 0.97)
    wind_drift = ar1(rng, hours, 0.0, 1.0, 0.9)
    hum_drift = ar1(rng, hours, 0.0, 10.0, 0.95)
    background = ar1(rng, hours, 0.0, 0.35, 0.985)  # log of the dust that comes from far away

    # Rain: a few spells of some hours.
    rain = [0.0] * hours
    t = rng.randint(30, 80)
    while t < hours:
        length = rng.randint(3, 12)
        strength = rng.uniform(0.8, 5.0)
        for k in range(t, min(hours, t + length)):
            rain[k] = round(max(0.0, strength * rng.uniform(0.3, 1.4)), 1)
        t += length + rng.randint(50, 150)

    # Two haze episodes: dust blown in from the west for a day or two.
    haze = [0.0] * hours
    for start in (rng.randint(100, 250), rng.randint(450, 600)):
        length = rng.randint(24, 48)
        for k in range(start, min(hours, start + length)):
            x = (k - start) / length
            haze[k] = 1.1 * math.sin(math.pi * x)

    # Wind direction: a weather pattern that holds for hours, and a sea breeze
    # (from the east) on quiet afternoons.
    direction = []
    regime = rng.randrange(8)
    for k in range(hours):
        if rng.random() < 0.025:
            # November: mostly the winter monsoon from the north-west.
            regime = rng.choice([7, 7, 7, 6, 6, 0, 5, 2, 3, 1]) if haze[k] == 0 else rng.choice([5, 6, 7])
        hour = k % 24
        d = regime
        if 12 <= hour <= 17 and regime not in (6, 7) and rng.random() < 0.9:
            d = rng.choice([2, 3])  # sea breeze
        if rng.random() < 0.03:
            d = (d + rng.choice([-1, 1])) % 8
        direction.append(d)

    # The steelworks: near full, with maintenance stops.
    works = [rng.uniform(88, 99) for _ in range(hours)]
    for start in (rng.randint(60, 200), rng.randint(330, 420), rng.randint(560, 680)):
        length = rng.randint(10, 30)
        level = rng.uniform(35, 60)
        for k in range(start, min(hours, start + length)):
            works[k] = level + rng.uniform(-3, 3)

    rows = []
    state = {name: 15.0 for name, *_ in STATIONS}
    for k in range(hours):
        day, hour = divmod(k, 24)
        weekday = (START_WEEKDAY + day) % 7
        temp = 11.0 - 0.15 * day + 4.5 * math.sin(2 * math.pi * (hour - 9) / 24) + temp_drift[k]
        wind = max(0.3, 2.4 + 1.3 * math.sin(2 * math.pi * (hour - 10) / 24) + wind_drift[k] + (1.2 if direction[k] in (6, 7) else 0))
        humid = min(99, max(20, 60 - 1.5 * (temp - 10) + hum_drift[k] + (25 if rain[k] > 0 else 0)))
        d = DIRECTIONS[direction[k]]
        from_far = 14 * math.exp(background[k]) * (1 + (2.2 * haze[k] if d in ("서", "북서", "남서") else 0.6 * haze[k]))
        for name, peak, plume, plume_dirs in STATIONS:
            cars = max(0, round(peak * traffic_profile(hour, weekday) * rng.uniform(0.85, 1.15)))
            local_temp = temp + rng.gauss(0, 0.4) + (0.8 if name == "해도동" else 0)
            local_wind = max(0.2, wind * rng.uniform(0.8, 1.2) * (1.25 if name == "구룡포읍" else 1.0))
            dilution = 1.0 / (0.6 + 0.45 * local_wind)
            smoke = 0.0
            if d in plume_dirs:
                smoke = 30 * plume * (works[k] / 100.0) ** 2
            calm = 1.0 + (0.5 if local_wind < 1.2 and (hour < 7 or hour > 21) else 0)  # an inversion traps dust
            target = from_far * (0.6 + 0.4 * dilution) + (0.012 * cars + smoke) * dilution * calm
            if rain[k] > 0:
                target *= math.exp(-0.35 * rain[k])
            # The air changes over hours, not at once.
            state[name] += 0.4 * (target - state[name]) + rng.gauss(0, 0.8)
            pm = max(1, round(state[name] + rng.gauss(0, 1.0)))
            rows.append([
                name,
                "2024-11-%02d %02d:00" % (day + 1, hour),
                "%.1f" % local_temp,
                "%d" % round(humid + rng.gauss(0, 2)),
                "%.1f" % local_wind,
                d,
                "%.1f" % rain[k],
                "%d" % cars,
                "%.1f" % works[k],
                "%d" % pm,
            ])

    # A few cells that the log lost (a sensor restarting, a network hiccup),
    # so that `missing` has something to do (and the checker to report).
    for _ in range(EMPTY_CELLS):
        r = rng.randrange(len(rows))
        c = rng.choice([2, 3, 4, 7, 9])
        rows[r][c] = ""

    lines = [",".join(COLUMNS)] + [",".join(r) for r in rows]
    data = ("\r\n".join(lines) + "\r\n").encode("cp949")
    with open(path, "wb") as f:
        f.write(data)
    print("wrote %s: %d rows, %d bytes (CP949, CRLF)" % (os.path.relpath(path), len(rows), len(data)))


# --------------------------------------------------------------------------
# 2. pipe-photos/: steel pipes on a conveyor, sorted OK / defect kinds
# --------------------------------------------------------------------------

CLASSES = [("정상-ok", 160), ("긁힘-scratch", 150), ("찍힘-dent", 150), ("녹-rust", 150)]


def make_photos(folder):
    from PIL import Image, ImageDraw, ImageFilter  # Pillow; only the photos need it

    rng = random.Random(SEED + 1)
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    total = 0
    count = 0
    for cls, n in CLASSES:
        os.makedirs(os.path.join(folder, cls))
        for i in range(n):
            img = pipe_photo(rng, cls, Image, ImageDraw, ImageFilter)
            # How the photo was saved: mostly the line camera's JPEG, some
            # from a phone, a few PNG/BMP/GIF from other tools.
            kind = rng.random()
            if kind < 0.55:
                size, ext, fmt = (96, 72), ".jpg", "JPEG"
                name = "cam1_%04d" % (count + 1)
            elif kind < 0.75:
                size, ext, fmt = (128, 96), ".JPG", "JPEG"
                name = "IMG_%04d" % (2000 + count)
            elif kind < 0.92:
                size, ext, fmt = (72, 54), ".png", "PNG"
                name = "scan_%03d" % (count + 1)
            elif kind < 0.97:
                size, ext, fmt = (48, 36), ".bmp", "BMP"
                name = "old_%03d" % (count + 1)
            else:
                size, ext, fmt = (64, 48), ".gif", "GIF"
                name = "clip_%03d" % (count + 1)
            count += 1
            out = img.resize(size, Image.BILINEAR)
            path = os.path.join(folder, cls, name + ext)
            if fmt == "JPEG":
                out.save(path, fmt, quality=80, optimize=True)
            elif fmt == "GIF":
                out.convert("P", palette=Image.ADAPTIVE, colors=64).save(path, fmt)
            else:
                out.save(path, fmt)
            total += os.path.getsize(path)
    print("wrote %s: %d photos in %d classes, %d bytes" % (os.path.relpath(folder), count, len(CLASSES), total))


def pipe_photo(rng, cls, Image, ImageDraw, ImageFilter):
    """One 128x96 RGB photo of a pipe lying across the picture."""
    W, H = 128, 96
    # The conveyor behind, the pipe's place and size, the light.
    belt = rng.uniform(25, 55)
    cy = rng.uniform(36, 60)
    radius = rng.uniform(20, 30)
    tilt = rng.uniform(-0.1, 0.1)
    tint = (rng.uniform(0.88, 1.05), rng.uniform(0.95, 1.05), rng.uniform(1.0, 1.15))
    light = rng.uniform(0.65, 1.2)           # the hall's brightness
    gx = rng.uniform(-0.4, 0.4)              # light stronger on one side
    shine = rng.uniform(-0.5, 0.1)           # where the bright band sits (-1 top .. 1 bottom)
    grain = rng.uniform(2, 7)                # the camera's noise

    def centre(x):
        return cy + tilt * (x - W / 2)

    # Brightness of the bare pipe and belt, as floats, so that defects can
    # shade it before it becomes pixels.
    grey = [[0.0] * W for _ in range(H)]
    on = [[False] * W for _ in range(H)]
    for y in range(H):
        for x in range(W):
            v = (y - centre(x)) / radius
            if abs(v) < 1:
                # A lit cylinder: dark edges, a bright band.
                g = 120 + 70 * math.sqrt(1 - v * v) + 60 * math.exp(-((v - shine) / 0.18) ** 2)
                grey[y][x] = g * light * (1 + gx * (x - W / 2) / W)
                on[y][x] = True
            else:
                grey[y][x] = belt * light + 6 * math.sin(x * 0.7)  # a ribbed belt
    colour = {}  # (x, y) -> (r, g, b, opacity) painted over the steel

    def spot_on_pipe(margin):
        x = rng.uniform(14, W - 14)
        return x, centre(x) + rng.uniform(-margin, margin) * radius

    def blob(x0, y0, rx, ry, paint):
        """Calls paint(x, y, d) for pixels of an ellipse, d = 0 at its middle .. 1 at its edge."""
        for y in range(max(0, int(y0 - ry - 1)), min(H, int(y0 + ry + 2))):
            for x in range(max(0, int(x0 - rx - 1)), min(W, int(x0 + rx + 2))):
                d = ((x - x0) / rx) ** 2 + ((y - y0) / ry) ** 2
                if d < 1 and on[y][x]:
                    paint(x, y, d)

    # Things any pipe may have: the weld seam along it, specks of dust, and
    # (on good pipes too) a harmless grey smudge of oil or water.
    seam = rng.uniform(-0.5, 0.5) * radius if rng.random() < 0.5 else None
    for _ in range(rng.randint(0, 3)):
        x, y = spot_on_pipe(0.9)
        s = rng.uniform(0.6, 1.2)
        blob(x, y, s, s, lambda px, py, d: grey[py].__setitem__(px, grey[py][px] * 0.6))
    if rng.random() < 0.3:
        x, y = spot_on_pipe(0.6)
        rx, ry, k = rng.uniform(5, 12), rng.uniform(4, 8), rng.uniform(0.1, 0.25)
        blob(x, y, rx, ry, lambda px, py, d: grey[py].__setitem__(px, grey[py][px] * (1 - k * (1 - d))))

    scratches = []
    if cls.startswith("긁힘"):
        for _ in range(rng.randint(2, 3)):
            x, y = spot_on_pipe(0.6)
            length = rng.uniform(40, 90)
            angle = rng.uniform(-0.7, 0.7) + (math.pi / 2 if rng.random() < 0.2 else 0)
            dx, dy = math.cos(angle) * length / 2, math.sin(angle) * length / 2
            g = rng.uniform(20, 60) if rng.random() < 0.7 else rng.uniform(235, 255)
            scratches.append(([(x - dx, y - dy), (x + dx, y + dy)], g, rng.choice([4, 4, 5])))
    elif cls.startswith("찍힘"):
        for _ in range(rng.randint(1, 3)):
            x, y = spot_on_pipe(0.5)
            rx, ry = rng.uniform(8, 14), rng.uniform(7, 11)
            depth = rng.uniform(0.55, 0.85)
            lx, ly = rng.choice([(-0.7, -0.7), (0.7, -0.7), (0, -1)])  # where the light comes from

            def dent(px, py, d, x=x, y=y, rx=rx, ry=ry, depth=depth, lx=lx, ly=ly):
                # A hollow: the wall facing the light is bright, the other dark.
                u, w = (px - x) / rx, (py - y) / ry
                slope = -(u * lx + w * ly)
                grey[py][px] *= max(0.15, 1 - depth * (0.55 * (1 - d) + 1.1 * slope))

            blob(x, y, rx, ry, dent)
    elif cls.startswith("녹"):
        for _ in range(rng.randint(1, 5)):
            x, y = spot_on_pipe(0.8)
            r = rng.uniform(3.5, 9)
            red = rng.uniform(110, 200)
            rust = (red, red * rng.uniform(0.35, 0.55), red * rng.uniform(0.1, 0.25))
            strength = rng.uniform(0.55, 1.0)
            for _ in range(rng.randint(2, 6)):  # a blotch is a few overlapping spots
                ox, oy = rng.uniform(-r, r), rng.uniform(-r, r) * 0.7
                s = rng.uniform(0.4, 0.8) * r
                blob(x + ox, y + oy, s, s, lambda px, py, d: colour.__setitem__((px, py), rust + (strength,)))

    # Scratches, drawn as a mask so that they stay on the steel.
    marks = Image.new("L", (W, H), 0)
    marks_draw = ImageDraw.Draw(marks)
    for line, g, width in scratches:
        marks_draw.line(line, fill=max(1, int(g)), width=width)
    mark = marks.load()

    img = Image.new("RGB", (W, H))
    pixels = img.load()
    for y in range(H):
        for x in range(W):
            g = grey[y][x] + rng.gauss(0, grain)
            if on[y][x] and mark[x, y]:
                g = mark[x, y] * (0.7 + 0.3 * light) + rng.gauss(0, grain)
            if on[y][x]:
                rgb = [g * tint[0], g * tint[1], g * tint[2]]
            else:
                rgb = [g, g, g * 1.05]
            paint = colour.get((x, y))
            if paint:
                shade = g / 180.0
                rgb = [(1 - paint[3]) * rgb[i] + paint[3] * paint[i] * shade for i in range(3)]
            pixels[x, y] = tuple(max(0, min(255, int(c))) for c in rgb)
    draw = ImageDraw.Draw(img)
    if seam is not None:
        g = int(min(255, 150 * light))
        draw.line([(0, cy + seam - tilt * W / 2), (W, cy + seam + tilt * W / 2)], fill=(g, g, g), width=1)

    # The camera: a little blur, sometimes more.
    return img.filter(ImageFilter.GaussianBlur(rng.choice([0.5, 0.7, 1.0, 1.3])))


def main():
    only = sys.argv[1:] or ["csv", "photos"]
    if "csv" in only:
        make_air(os.path.join(HERE, "pohang-air.csv"))
    if "photos" in only:
        make_photos(os.path.join(HERE, "pipe-photos"))


if __name__ == "__main__":
    main()
