#!/usr/bin/env python3
"""Draw the photos of the bundled sample issue ``sources/2024-07/`` (Pillow only).

Every photo is a drawn scene (sky gradients, a pump jack, an arch bridge, rows of
trees, runners, market stalls, a clay teapot) finished with a slight blur, a
vignette and mild film grain so that it behaves like a real photograph in the
pipeline (JPEG size, resampling, colour).

Reproducible: each scene draws with its own ``random.Random(<fixed seed>)`` and
nothing else (no clock, no OS randomness); files are written as baseline JPEG,
quality 85, ``optimize=True``, 4:2:0, without EXIF timestamps, so running the
script twice gives byte-identical files (with the same Pillow/libjpeg build).

Orientation test photo: ``river-bridge.jpg`` is stored rotated 90° counter-
clockwise (1600 × 2400 pixels as stored) and carries EXIF Orientation = 6.
Applying the tag (rotate 90° clockwise) shows it upright, 2400 × 1600, with the
evening sky and sun on top and the river with the bridge's reflection below.
A pipeline that ignores the tag shows the scene lying on its side (sky on the
left).  ``service-centre.jpg`` is the portrait photo (1600 × 2000, no tag).

Usage: ``python tools/make_sample_photos.py [OUTPUT_DIR]``
(default: ``sources/2024-07/photos/`` next to this script's parent folder).
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "sources" / "2024-07" / "photos"
JPEG_OPTIONS = {"quality": 85, "optimize": True, "subsampling": "4:2:0", "progressive": False}
EXIF_ORIENTATION = 0x0112

RGB = tuple[int, int, int]


# ---------------------------------------------------------------- helpers

def mix(a: RGB, b: RGB, t: float) -> RGB:
    t = min(max(t, 0.0), 1.0)
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))  # type: ignore[return-value]


def shade(c: RGB, f: float) -> RGB:
    return tuple(max(0, min(255, int(round(v * f)))) for v in c)  # type: ignore[return-value]


def gradient(size: tuple[int, int], stops: list[tuple[float, RGB]]) -> Image.Image:
    """A vertical gradient through ``stops`` = [(t, colour), …], t from 0 (top) to 1."""
    w, h = size
    column = []
    for y in range(h):
        t = y / max(h - 1, 1)
        colour = stops[-1][1]
        for (t0, c0), (t1, c1) in zip(stops, stops[1:]):
            if t <= t1:
                colour = mix(c0, c1, (t - t0) / (t1 - t0) if t1 > t0 else 1.0)
                break
        column.append(colour)
    strip = Image.new("RGB", (1, h))
    strip.putdata(column)
    return strip.resize((w, h), Image.Resampling.NEAREST)


def glow(img: Image.Image, box: tuple[int, int, int, int], colour: RGB, radius: float,
         strength: int = 255) -> None:
    """Blend a soft, blurred ellipse of ``colour`` into ``img``."""
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).ellipse(box, fill=strength)
    mask = mask.filter(ImageFilter.GaussianBlur(radius))
    img.paste(colour, (0, 0, *img.size), mask)


def clouds(img: Image.Image, rng: random.Random, count: int, y_range: tuple[int, int],
           colour: RGB = (250, 250, 252), strength: int = 200) -> None:
    w, _ = img.size
    mask = Image.new("L", img.size, 0)
    d = ImageDraw.Draw(mask)
    for _ in range(count):
        cx, cy = rng.randint(0, w), rng.randint(*y_range)
        for _ in range(rng.randint(4, 8)):
            rx, ry = rng.randint(60, 180), rng.randint(25, 60)
            ox, oy = rng.randint(-160, 160), rng.randint(-30, 20)
            d.ellipse([cx + ox - rx, cy + oy - ry, cx + ox + rx, cy + oy + ry], fill=strength)
    mask = mask.filter(ImageFilter.GaussianBlur(22))
    img.paste(colour, (0, 0, *img.size), mask)


def finish(img: Image.Image, rng: random.Random, grain: int = 7, blur: float = 0.9,
           vignette: float = 0.22) -> Image.Image:
    """Soften edges, darken the corners a little and add monochrome film grain."""
    img = img.filter(ImageFilter.GaussianBlur(blur))
    w, h = img.size
    ring = Image.radial_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
    ring = ring.point([int(round(255 - vignette * 255 * (v / 255) ** 2)) for v in range(256)])
    img = ImageChops.multiply(img, Image.merge("RGB", (ring, ring, ring)))
    gw, gh = (w + 1) // 2, (h + 1) // 2
    noise = Image.frombytes("L", (gw, gh), rng.randbytes(gw * gh))
    noise = noise.resize((w, h), Image.Resampling.BILINEAR)
    noise = noise.point([128 + int(round((v - 128) * grain / 128)) for v in range(256)])
    return ImageChops.add(img, Image.merge("RGB", (noise, noise, noise)), 1.0, -128)


# ---------------------------------------------------------------- figures

def pumpjack(d: ImageDraw.ImageDraw, x: int, yb: int, s: float, fill: RGB) -> None:
    """A beam pump (磕头机) silhouette standing on ground line ``yb``, horse head on the left."""
    def S(v: float) -> int:
        return int(round(v * s))

    def W(v: float) -> int:
        return max(1, S(v))

    d.rectangle([x - S(330), yb - S(24), x + S(360), yb], fill=fill)               # skid
    apex = (x, yb - S(390))
    for dx in (-S(95), S(95)):                                                      # samson post
        d.line([(x + dx, yb - S(24)), apex], fill=fill, width=W(22))
    d.line([(x - S(50), yb - S(190)), (x + S(50), yb - S(190))], fill=fill, width=W(12))
    left, right = (x - S(340), yb - S(420)), (x + S(280), yb - S(385))
    d.line([left, right], fill=fill, width=W(34))                                   # walking beam
    d.ellipse([apex[0] - S(26), apex[1] - S(40), apex[0] + S(26), apex[1] + S(12)], fill=fill)
    hx, hy = left                                                                    # horse head
    d.polygon([(hx + S(20), hy - S(45)), (hx - S(45), hy - S(40)), (hx - S(80), hy + S(10)),
               (hx - S(86), hy + S(80)), (hx - S(66), hy + S(140)), (hx + S(10), hy + S(30))],
              fill=fill)
    rx = hx - S(84)                                                                  # polished rod
    d.line([(rx, hy + S(100)), (rx, yb - S(70))], fill=fill, width=W(7))
    d.rectangle([rx - S(26), yb - S(80), rx + S(26), yb], fill=fill)                # wellhead
    d.rectangle([rx - S(40), yb - S(40), rx + S(40), yb - S(28)], fill=fill)
    gx = x + S(235)                                                                  # gearbox
    d.rectangle([gx - S(48), yb - S(175), gx + S(48), yb - S(24)], fill=fill)
    d.pieslice([gx - S(105), yb - S(270), gx + S(105), yb - S(60)], 35, 145, fill=fill)
    d.line([right, (gx + S(40), yb - S(170))], fill=fill, width=W(16))              # pitman arm
    d.rectangle([gx + S(70), yb - S(95), gx + S(135), yb - S(24)], fill=fill)       # motor


def tree(d: ImageDraw.ImageDraw, rng: random.Random, x: int, yb: int, h: int,
         greens: list[RGB], trunk: RGB = (92, 70, 50)) -> None:
    w = max(2, h // 12)
    d.line([(x, yb), (x, yb - int(h * 0.55))], fill=trunk, width=w)
    cy = yb - int(h * 0.68)
    for _ in range(9):
        r = int(h * rng.uniform(0.16, 0.27))
        ox, oy = int(h * rng.uniform(-0.22, 0.22)), int(h * rng.uniform(-0.22, 0.12))
        d.ellipse([x + ox - r, cy + oy - r, x + ox + r, cy + oy + r], fill=rng.choice(greens))


def person(d: ImageDraw.ImageDraw, x: int, yb: int, h: int, body: RGB, legs: RGB,
           skin: RGB = (198, 150, 118), hair: RGB = (35, 28, 25)) -> None:
    """A standing person, ``h`` pixels tall, feet on ``yb``."""
    head = h // 8
    hy = yb - h
    d.ellipse([x - head // 2, hy, x + head // 2, hy + head], fill=skin)
    d.chord([x - head // 2, hy - 2, x + head // 2, hy + head], 180, 360, fill=hair)
    sw = int(h * 0.13)
    d.rounded_rectangle([x - sw, hy + head + 2, x + sw, yb - int(h * 0.45)], radius=sw // 2, fill=body)
    lw = max(2, int(h * 0.07))
    d.line([(x - sw // 2, yb - int(h * 0.47)), (x - sw // 2, yb)], fill=legs, width=lw)
    d.line([(x + sw // 2, yb - int(h * 0.47)), (x + sw // 2, yb)], fill=legs, width=lw)


def runner(d: ImageDraw.ImageDraw, x: int, yb: int, h: int, phase: float, shirt: RGB,
           shorts: RGB = (30, 40, 70), skin: RGB = (190, 140, 105), bib: bool = True) -> None:
    """A runner in stride, facing right; ``phase`` in 0..1 swings arms and legs."""
    head = int(h * 0.13)
    hip = (x, yb - int(h * 0.48))
    neck = (x + int(h * 0.06), yb - int(h * 0.83))
    lw = max(3, int(h * 0.075))
    swing = math.sin(phase * 2 * math.pi)
    leg = h * 0.5
    for sgn, col in ((1, skin), (-1, shade(skin, 0.8))):
        a = sgn * 0.55 * swing
        knee = (hip[0] + int(leg * 0.5 * math.sin(a + 0.25)), hip[1] + int(leg * 0.5 * math.cos(a)))
        foot = (knee[0] + int(leg * 0.5 * math.sin(a - 0.6)), knee[1] + int(leg * 0.5 * math.cos(a - 0.35)))
        d.line([hip, knee, foot], fill=col, width=lw, joint="curve")
        d.line([foot, (foot[0] + lw * 2, foot[1])], fill=(245, 245, 245), width=lw)
    for sgn, col in ((-1, shade(skin, 0.8)), (1, skin)):
        a = sgn * 0.9 * swing
        elbow = (neck[0] + int(h * 0.16 * math.sin(a)), neck[1] + int(h * 0.16 * math.cos(a)))
        hand = (elbow[0] + int(h * 0.14), elbow[1] - int(h * 0.05 * sgn * swing))
        d.line([neck, elbow, hand], fill=col, width=max(2, lw - 1), joint="curve")
    d.polygon([(neck[0] - lw * 1.4, neck[1]), (neck[0] + lw * 1.4, neck[1]),
               (hip[0] + lw * 1.5, hip[1]), (hip[0] - lw * 1.5, hip[1])], fill=shirt)
    d.rectangle([hip[0] - lw * 1.5, hip[1] - lw // 2, hip[0] + lw * 1.6, hip[1] + lw * 1.6], fill=shorts)
    if bib:
        cx, cy = (neck[0] + hip[0]) // 2, (neck[1] + hip[1]) // 2
        d.rectangle([cx - lw, cy - lw // 2, cx + lw, cy + lw], fill=(248, 248, 244))
    d.ellipse([neck[0] - head // 2 + 2, neck[1] - head - 4, neck[0] + head // 2 + 2, neck[1] - 4], fill=skin)
    d.chord([neck[0] - head // 2 + 2, neck[1] - head - 6, neck[0] + head // 2 + 2, neck[1] - 4],
            150, 330, fill=(30, 25, 22))


def cylinder(d: ImageDraw.ImageDraw, x0: int, x1: int, top: int, bottom: int, colour: RGB) -> None:
    """A vertical cylinder lit from the upper left, with an elliptic top."""
    w = x1 - x0
    step = 6
    for sx in range(x0, x1, step):
        u = (sx - x0 + step / 2) / w * 2 - 1                 # -1..1 across the face
        light = 0.62 + 0.45 * math.cos((u + 0.35) * math.pi / 2.2)
        d.rectangle([sx, top, min(sx + step, x1), bottom], fill=shade(colour, light))
    cap = max(6, w // 8)
    d.ellipse([x0, top - cap, x1, top + cap], fill=shade(colour, 1.12))
    for band in range(top + (bottom - top) // 4, bottom, (bottom - top) // 4):
        d.line([(x0, band), (x1, band)], fill=shade(colour, 0.75), width=3)


# ---------------------------------------------------------------- scenes

def scene_pumpjack_dawn(rng: random.Random) -> Image.Image:
    W, H = 2400, 1600
    horizon = int(H * 0.64)
    img = gradient((W, H), [(0.0, (38, 52, 102)), (0.30, (112, 98, 140)), (0.52, (222, 134, 92)),
                            (0.64, (252, 202, 128)), (0.645, (150, 104, 70)), (1.0, (72, 50, 36))])
    glow(img, (1540, horizon - 380, 2060, horizon + 140), (255, 214, 150), 90, 190)
    glow(img, (1730, horizon - 190, 1870, horizon - 50), (255, 246, 214), 6)
    clouds(img, rng, 5, (200, 560), colour=(236, 150, 128), strength=120)
    d = ImageDraw.Draw(img)
    far = (112, 72, 64)
    d.polygon([(0, horizon)] + [(x, horizon - 16 - int(10 * math.sin(x / 170.0)) - rng.randint(0, 4))
                                for x in range(0, W + 60, 60)] + [(W, horizon)], fill=far)
    for fx, fs in ((260, 0.16), (520, 0.12), (1180, 0.14), (2150, 0.18), (1420, 0.10)):
        pumpjack(d, fx, horizon + 4, fs, shade(far, 0.85))
    for _ in range(140):                                    # scrub on the gravel plain
        x, y = rng.randint(0, W), rng.randint(horizon + 20, H)
        r = int(3 + (y - horizon) / 38)
        d.ellipse([x - r * 2, y - r, x + r * 2, y + r // 2], fill=shade((78, 60, 40), rng.uniform(0.6, 0.9)))
    d.line([(0, H - 230), (W, H - 300)], fill=(52, 40, 34), width=16)                  # flow line
    for px in range(80, W, 320):
        y = H - 230 - int(70 * px / W)
        d.rectangle([px - 5, y, px + 5, y + 40], fill=(44, 34, 30))
    pumpjack(d, 860, 1330, 1.55, (26, 20, 26))
    pumpjack(d, 1860, 1180, 0.62, (48, 34, 34))
    return finish(img, rng, grain=7)


def scene_ccus_station(rng: random.Random) -> Image.Image:
    W, H = 2400, 1600
    ground = int(H * 0.70)
    img = gradient((W, H), [(0.0, (62, 120, 196)), (0.55, (168, 204, 232)), (0.70, (214, 228, 236)),
                            (0.701, (176, 164, 142)), (1.0, (138, 124, 104))])
    clouds(img, rng, 7, (80, 520))
    d = ImageDraw.Draw(img)
    d.rectangle([0, ground - 40, W, ground], fill=(150, 156, 150))                     # far fence line
    d.rectangle([120, ground - 330, 1020, ground], fill=(206, 210, 212))               # plant building
    d.rectangle([120, ground - 350, 1020, ground - 320], fill=(42, 96, 160))
    for wx in range(170, 980, 110):
        for wy in (ground - 270, ground - 160):
            d.rectangle([wx, wy, wx + 60, wy + 70], fill=(92, 132, 168))
            d.line([(wx, wy + 8), (wx + 60, wy + 8)], fill=(170, 200, 220), width=4)
    d.rectangle([860, ground - 150, 960, ground], fill=(120, 126, 130))                # roller door
    towers = [(1120, 1260, 260, (220, 222, 224)), (1320, 1420, 420, (200, 204, 210)),
              (1480, 1640, 330, (226, 226, 226)), (1700, 1780, 470, (196, 200, 206))]
    for x0, x1, top, col in towers:
        cylinder(d, x0, x1, top, ground, col)
        d.line([(x1 + 10, top + 20), (x1 + 10, ground)], fill=(90, 90, 96), width=6)   # ladder rail
        for ry in range(top + 40, ground, 36):
            d.line([(x1 + 4, ry), (x1 + 26, ry)], fill=(90, 90, 96), width=3)
    for x0, x1, top, col in ((1880, 2140, 760, (232, 232, 230)), (2180, 2380, 800, (224, 226, 228))):
        cylinder(d, x0, x1, top, ground, col)                                          # storage tanks
    for i, py in enumerate((ground - 120, ground - 90, ground - 60)):                 # pipe rack
        col = ((190, 170, 60), (200, 200, 204), (70, 120, 170))[i]
        d.rectangle([1020, py, W, py + 18], fill=col)
        d.line([(1020, py + 4), (W, py + 4)], fill=shade(col, 1.18), width=3)
    for sx in range(1060, W, 140):
        d.rectangle([sx, ground - 130, sx + 12, ground], fill=(110, 110, 116))
    d.rectangle([0, ground + 180, W, ground + 260], fill=(120, 118, 112))              # service road
    for lx in range(0, W, 240):
        d.rectangle([lx, ground + 216, lx + 120, ground + 224], fill=(230, 226, 200))
    for _ in range(900):                                                               # gravel
        x, y = rng.randint(0, W), rng.randint(ground + 10, H)
        c = shade((150, 136, 112), rng.uniform(0.75, 1.2))
        d.ellipse([x, y, x + rng.randint(3, 9), y + rng.randint(2, 5)], fill=c)
    for wx, hh in ((1320, 230), (1430, 215)):                                           # inspectors
        person(d, wx, ground + 150, hh, (236, 110, 40), (40, 52, 80), hair=(250, 250, 250))
    return finish(img, rng, grain=6)


def scene_service_centre(rng: random.Random) -> Image.Image:
    W, H = 1600, 2000
    img = gradient((W, H), [(0.0, (70, 132, 204)), (0.42, (182, 212, 236)), (0.72, (220, 228, 232)),
                            (0.721, (196, 190, 180)), (1.0, (160, 154, 146))])
    clouds(img, rng, 4, (60, 380))
    d = ImageDraw.Draw(img)
    base = int(H * 0.72)
    d.rectangle([150, 420, 1450, base], fill=(226, 214, 190))                         # facade
    d.rectangle([130, 392, 1470, 432], fill=(196, 184, 160))                          # cornice
    for row in range(5):
        y = 480 + row * 150
        for col in range(7):
            x = 210 + col * 175
            d.rectangle([x, y, x + 110, y + 100], fill=(104, 146, 178))
            d.polygon([(x, y), (x + 60, y), (x, y + 55)], fill=(160, 196, 218))        # sky reflection
            d.rectangle([x - 6, y + 100, x + 116, y + 110], fill=(204, 192, 168))
    d.rectangle([150, base - 330, 1450, base - 250], fill=(184, 36, 38))              # sign band
    for k in range(8):
        cx = 430 + k * 95
        d.rectangle([cx, base - 312, cx + 70, base - 268], fill=(250, 226, 160))
    d.rectangle([560, base - 240, 1040, base], fill=(86, 120, 140))                   # glass doors
    for dx in (680, 800, 920):
        d.line([(dx, base - 240), (dx, base)], fill=(200, 206, 210), width=8)
    d.rectangle([0, base, W, base + 30], fill=(150, 146, 140))                        # kerb
    greens = [(58, 118, 60), (76, 140, 70), (44, 98, 52), (96, 152, 80)]
    for tx in (70, 1530):
        tree(d, rng, tx, base + 110, 560, greens)
    d.rectangle([660, base + 100, 940, base + 130], fill=(140, 96, 60))               # bench
    d.rectangle([680, base + 130, 700, base + 180], fill=(70, 60, 50))
    d.rectangle([900, base + 130, 920, base + 180], fill=(70, 60, 50))
    for k in range(11):
        px = 140 + k * 128 + rng.randint(-30, 30)
        py = base + 150 + rng.randint(0, 300)
        h = int(190 + (py - base) * 0.45)
        body = rng.choice([(200, 60, 60), (60, 90, 160), (230, 200, 80), (90, 140, 110),
                           (240, 240, 236), (150, 90, 140)])
        person(d, px, py, h, body, rng.choice([(40, 46, 70), (70, 60, 50), (30, 30, 34)]))
    return finish(img, rng, grain=7)


def scene_river_run(rng: random.Random) -> Image.Image:
    W, H = 2400, 1600
    img = gradient((W, H), [(0.0, (118, 170, 222)), (0.40, (236, 226, 204)), (0.46, (96, 136, 150)),
                            (0.66, (60, 104, 130)), (0.661, (196, 182, 160)), (1.0, (170, 156, 134))])
    clouds(img, rng, 5, (60, 420), strength=150)
    d = ImageDraw.Draw(img)
    bank = int(H * 0.455)
    for x in range(-40, W + 40, 26):                                                   # far bank trees
        r = rng.randint(30, 62)
        d.ellipse([x - r, bank - r * 2, x + r, bank + 6], fill=rng.choice([(60, 104, 66), (74, 118, 72), (52, 90, 60)]))
    for bx, bw, bh in ((300, 120, 210), (460, 90, 280), (1640, 140, 240), (1820, 100, 320)):
        d.rectangle([bx, bank - bh, bx + bw, bank - 40], fill=(206, 206, 214))         # town beyond
        for wy in range(bank - bh + 20, bank - 60, 34):
            d.line([(bx + 12, wy), (bx + bw - 12, wy)], fill=(150, 168, 190), width=8)
    d.rectangle([0, bank, W, bank + 10], fill=(150, 150, 140))
    water_top, water_bottom = bank + 10, int(H * 0.66)
    for _ in range(420):                                                               # ripples
        y = rng.randint(water_top + 4, water_bottom - 4)
        x = rng.randint(-100, W)
        ln = rng.randint(40, 220)
        d.line([(x, y), (x + ln, y)], fill=mix((60, 104, 130), (210, 226, 232), rng.uniform(0.2, 0.55)), width=2)
    d.rectangle([0, water_bottom, W, water_bottom + 22], fill=(150, 146, 138))         # embankment
    for px in range(40, W, 110):
        d.line([(px, water_bottom - 60), (px, water_bottom)], fill=(90, 88, 84), width=6)
    d.line([(0, water_bottom - 56), (W, water_bottom - 56)], fill=(90, 88, 84), width=6)
    path_top = water_bottom + 22
    for k in range(0, W, 180):                                                         # paving joints
        d.line([(k, path_top), (k - 120, H)], fill=(180, 166, 146), width=3)
    for k, x in enumerate(range(120, W, 540)):                                         # flag poles
        d.line([(x, path_top), (x, path_top - 300)], fill=(120, 120, 120), width=6)
        d.polygon([(x, path_top - 300), (x + 90, path_top - 270), (x, path_top - 240)],
                  fill=((210, 50, 50), (240, 190, 40), (40, 110, 190), (60, 160, 90))[k % 4])
    shirts = [(220, 60, 50), (250, 190, 40), (40, 120, 200), (240, 240, 240), (70, 170, 100), (230, 110, 160)]
    runners = [(rng.randint(0, W - 200), rng.randint(path_top + 60, H - 40)) for _ in range(14)]
    for x, y in sorted(runners, key=lambda p: p[1]):
        h = int(150 + (y - path_top) * 0.9)
        runner(d, x, y, h, rng.random(), rng.choice(shirts))
    return finish(img, rng, grain=7)


def scene_river_bridge(rng: random.Random) -> Image.Image:
    """Upright scene (2400 × 1600); ``main`` stores it rotated with EXIF Orientation 6."""
    W, H = 2400, 1600
    horizon = int(H * 0.56)
    img = gradient((W, horizon), [(0.0, (28, 36, 86)), (0.45, (120, 70, 110)), (0.80, (232, 120, 78)),
                                  (1.0, (255, 196, 112))])
    img = img.crop((0, 0, W, H))                                                       # room for water
    glow(img, (1400, horizon - 320, 1900, horizon + 120), (255, 220, 150), 80, 200)
    glow(img, (1580, horizon - 130, 1720, horizon + 10), (255, 244, 210), 5)
    clouds(img, rng, 4, (120, 420), colour=(210, 110, 120), strength=110)
    d = ImageDraw.Draw(img)
    for k in range(6):                                                                 # birds
        bx, by = 500 + k * 70 + rng.randint(-20, 20), 260 + rng.randint(-40, 40)
        d.line([(bx - 18, by - 6), (bx, by + 4), (bx + 18, by - 6)], fill=(40, 30, 50), width=4)
    sil = (36, 28, 44)
    x = 0
    while x < W:                                                                       # skyline on the banks
        bw = rng.randint(60, 150)
        bh = rng.randint(40, 210) if (x < 500 or x > 1900) else rng.randint(10, 40)
        d.rectangle([x, horizon - bh, x + bw, horizon], fill=sil)
        x += bw
    deck = horizon - 70
    d.rectangle([0, deck, W, deck + 26], fill=(30, 24, 40))                            # bridge deck
    for px in range(80, W, 160):
        d.rectangle([px - 8, deck + 26, px + 8, horizon], fill=(30, 24, 40))          # piers
    ax0, ax1, atop = 520, 1880, horizon - 560                                          # the arch
    d.arc([ax0, atop, ax1, deck + (deck - atop)], 180, 360, fill=(236, 236, 240), width=26)
    cx, rx, ry = (ax0 + ax1) / 2, (ax1 - ax0) / 2, deck - atop
    for hx in range(ax0 + 80, ax1 - 40, 70):                                           # hangers
        u = (hx - cx) / rx
        if abs(u) < 1:
            y = deck - ry * math.sqrt(1 - u * u)
            d.line([(hx, int(y) + 10), (hx, deck)], fill=(220, 220, 226), width=5)
    for lx in range(40, W, 120):                                                       # lamps
        d.ellipse([lx - 7, deck - 26, lx + 7, deck - 12], fill=(255, 236, 170))
        d.line([(lx, deck - 12), (lx, deck)], fill=(60, 50, 60), width=3)
    sky = img.crop((0, 0, W, horizon)).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    water = Image.blend(sky, Image.new("RGB", sky.size, (24, 40, 64)), 0.45)
    water = water.filter(ImageFilter.GaussianBlur(4)).crop((0, 0, W, H - horizon))
    img.paste(water, (0, horizon))
    d = ImageDraw.Draw(img)
    for _ in range(520):                                                               # ripples
        y = rng.randint(horizon + 4, H)
        x = rng.randint(-100, W)
        ln = rng.randint(30, 160 + (y - horizon) // 2)
        dark = rng.random() < 0.5
        d.line([(x, y), (x + ln, y)], fill=(20, 26, 44) if dark else (250, 200, 140),
               width=2 + (y - horizon) // 240)
    d.rectangle([0, horizon - 2, W, horizon + 3], fill=(30, 24, 40))
    return finish(img, rng, grain=7)


def scene_desert_shelterbelt(rng: random.Random) -> Image.Image:
    W, H = 2400, 1600
    horizon = int(H * 0.44)
    img = gradient((W, H), [(0.0, (120, 168, 216)), (0.44, (232, 228, 214)), (0.441, (222, 198, 154)),
                            (1.0, (206, 172, 120))])
    clouds(img, rng, 3, (80, 360), strength=140)
    d = ImageDraw.Draw(img)
    for layer, (col, amp, base) in enumerate((((214, 188, 146), 40, horizon - 10), ((226, 200, 158), 26, horizon + 16))):
        pts = [(x, base - int(amp * (0.6 + 0.4 * math.sin(x / (210.0 + 80 * layer) + layer)))) for x in range(0, W + 30, 30)]
        d.polygon([(0, base + 40)] + pts + [(W, base + 40)], fill=col)                # dunes
    for _ in range(60):                                                                # wind ripples
        y = rng.randint(horizon + 60, H)
        x = rng.randint(-200, W)
        ln = rng.randint(80, 300)
        d.arc([x, y - 14, x + ln, y + 14], 200, 340, fill=(196, 164, 116), width=3)
    vx, vy = int(W * 0.56), horizon + 8
    greens = [(74, 112, 58), (92, 128, 64), (60, 98, 54), (112, 140, 80)]
    rows = [-2.6, -1.7, -1.05, -0.55, 0.55, 1.05, 1.7, 2.6]                             # row directions
    items = []
    for slope in rows:
        for k in range(1, 24):
            t = (k / 23.0) ** 1.8                                                      # depth 0 far .. 1 near
            y = vy + t * (H + 200 - vy)
            x = vx + slope * (y - vy) * 0.95
            if -120 < x < W + 120 and y < H + 60:
                items.append((y, x, t))
    for slope in rows:                                                                 # drip lines
        d.line([(vx, vy), (vx + slope * (H + 200 - vy) * 0.95, H + 200)], fill=(60, 52, 46), width=3)
    for y, x, t in sorted(items):
        h = int(26 + 330 * t)
        tree(d, rng, int(x), int(y), h, greens, trunk=(110, 84, 60))
        d.ellipse([int(x) - h // 3, int(y) - h // 20, int(x) + h // 3, int(y) + h // 20], fill=(190, 156, 108))
    return finish(img, rng, grain=7)


def scene_heritage_fair(rng: random.Random) -> Image.Image:
    W, H = 2400, 1600
    img = gradient((W, H), [(0.0, (30, 38, 88)), (0.30, (104, 70, 120)), (0.46, (226, 128, 92)),
                            (0.461, (90, 70, 66)), (1.0, (62, 48, 46))])
    d = ImageDraw.Draw(img)
    sky_line = int(H * 0.46)
    x = 0
    while x < W:                                                                       # town behind
        bw, bh = rng.randint(120, 260), rng.randint(120, 380)
        d.rectangle([x, sky_line - bh, x + bw, sky_line], fill=(44, 36, 60))
        for wy in range(sky_line - bh + 20, sky_line - 20, 40):
            for wx in range(x + 14, x + bw - 24, 36):
                if rng.random() < 0.45:
                    d.rectangle([wx, wy, wx + 16, wy + 20], fill=(250, 210, 120))
        x += bw + rng.randint(0, 40)
    stalls = list(range(-60, W, 300))
    for k, sx in enumerate(stalls):                                                    # stalls
        top, eave, floor = sky_line + 40, sky_line + 150, sky_line + 420
        d.rectangle([sx + 10, eave, sx + 290, floor], fill=(120, 86, 62))
        d.rectangle([sx + 20, eave + 10, sx + 280, floor - 120], fill=(250, 196, 120))  # lit interior
        stripe = 40
        for j in range(7):
            col = (200, 40, 44) if (j + k) % 2 == 0 else (244, 236, 222)
            x0 = sx + j * stripe
            d.polygon([(x0 + 10, top), (x0 + 10 + stripe, top), (x0 + 14 + stripe, eave), (x0 + 6, eave)], fill=col)
        d.rectangle([sx, floor - 120, sx + 300, floor - 90], fill=(150, 100, 60))      # counter
        for _ in range(7):                                                             # goods
            gx = sx + rng.randint(20, 260)
            gcol = rng.choice([(170, 80, 50), (40, 110, 170), (230, 200, 60), (200, 60, 90), (70, 150, 90)])
            d.ellipse([gx, floor - 160, gx + 34, floor - 120], fill=gcol)
    glow_layer = Image.new("L", (W, H), 0)
    gd = ImageDraw.Draw(glow_layer)
    for row, (y0, sag) in enumerate(((250, 120), (380, 90))):                          # lantern strings
        pts = [(x, int(y0 + sag * math.sin(math.pi * (x % 800) / 800))) for x in range(0, W + 20, 20)]
        d.line(pts, fill=(30, 24, 30), width=3)
        for x in range(40 + row * 60, W, 120):
            y = int(y0 + sag * math.sin(math.pi * (x % 800) / 800))
            gd.ellipse([x - 60, y - 40, x + 60, y + 90], fill=170)
            d.line([(x, y), (x, y + 12)], fill=(40, 30, 30), width=3)
            d.ellipse([x - 24, y + 12, x + 24, y + 62], fill=(226, 36, 30))
            d.rectangle([x - 10, y + 60, x + 10, y + 68], fill=(230, 190, 60))
            d.line([(x, y + 68), (x, y + 96)], fill=(230, 190, 60), width=3)
    img.paste((255, 150, 80), (0, 0, W, H), glow_layer.filter(ImageFilter.GaussianBlur(30)))
    d = ImageDraw.Draw(img)
    for x in range(40 + 0, W, 120):                                                    # redraw lanterns over glow
        y = int(250 + 120 * math.sin(math.pi * (x % 800) / 800))
        d.ellipse([x - 24, y + 12, x + 24, y + 62], fill=(236, 44, 34))
        d.ellipse([x - 10, y + 22, x + 2, y + 40], fill=(255, 150, 100))
    crowd = [(rng.randint(-40, W), rng.randint(int(H * 0.82), H - 20)) for _ in range(22)]
    for px, py in sorted(crowd, key=lambda p: p[1]):
        h = int(170 + (py - H * 0.82) * 0.9)
        body = shade(rng.choice([(120, 60, 60), (60, 70, 110), (140, 120, 70), (70, 100, 80)]), 0.6)
        person(d, px, py, h, body, (24, 20, 26), skin=(120, 84, 66), hair=(20, 16, 18))
    return finish(img, rng, grain=8)


def scene_zisha_workshop(rng: random.Random) -> Image.Image:
    W, H = 2400, 1600
    table = int(H * 0.62)
    img = gradient((W, H), [(0.0, (96, 66, 50)), (0.61, (150, 108, 78)), (0.62, (120, 78, 46)),
                            (1.0, (84, 54, 32))])
    glow(img, (300, -200, 1500, 700), (214, 170, 120), 160, 120)                      # window light
    d = ImageDraw.Draw(img)
    for sy in (330, 560):                                                              # shelves with pots
        d.rectangle([1500, sy, 2400, sy + 22], fill=(78, 50, 34))
        for px in range(1540, 2380, 150):
            pw = rng.randint(70, 100)
            col = shade(rng.choice([(120, 58, 40), (96, 70, 50), (140, 90, 50)]), 0.9)
            d.ellipse([px, sy - pw * 0.8, px + pw, sy + 4], fill=col)
            d.ellipse([px + pw * 0.35, sy - pw * 0.95, px + pw * 0.65, sy - pw * 0.7], fill=shade(col, 0.8))
    for _ in range(70):                                                                # wood grain
        y = rng.randint(table + 10, H)
        x = rng.randint(-300, W)
        d.arc([x, y - 10, x + rng.randint(300, 900), y + 10], 180, 360,
              fill=shade((120, 78, 46), rng.uniform(0.7, 0.9)), width=3)
    clay = (150, 72, 48)
    cx, cy, rx, ry = 1060, 870, 330, 230                                                # teapot body
    d.ellipse([cx - rx - 30, cy + ry - 40, cx + rx + 30, cy + ry + 40], fill=(60, 38, 24))  # shadow
    d.polygon([(cx + rx - 40, cy - 20), (cx + rx + 220, cy - 170), (cx + rx + 250, cy - 150),
               (cx + rx + 40, cy + 90)], fill=shade(clay, 0.9))                        # spout
    d.ellipse([cx - rx - 170, cy - 150, cx - rx + 80, cy + 130], outline=shade(clay, 0.85), width=44)
    for k in range(36):                                                                # shaded body
        t = k / 35
        col = shade(clay, 0.65 + 0.55 * (1 - t) ** 1.5)
        shrink = t * 0.92
        d.ellipse([cx - rx + int(rx * shrink * 0.8) - int(rx * 0.2 * shrink),
                   cy - ry + int(ry * shrink * 0.4),
                   cx + rx - int(rx * shrink * 1.0), cy + ry - int(ry * shrink * 1.1)], fill=col)
    d.ellipse([cx - 150, cy - ry - 40, cx + 150, cy - ry + 40], fill=shade(clay, 0.95))   # lid
    d.ellipse([cx - 40, cy - ry - 80, cx + 40, cy - ry - 10], fill=shade(clay, 1.1))     # knob
    d.ellipse([cx - 120, cy - ry - 20, cx - 40, cy - ry + 10], fill=shade(clay, 1.3))
    for tx, ty, tw, th, col in ((1700, 1050, 360, 40, (170, 130, 90)), (1760, 1130, 300, 30, (190, 150, 100)),
                                (300, 1080, 420, 150, (170, 86, 58))):                 # tools and clay slab
        d.rounded_rectangle([tx, ty, tx + tw, ty + th], radius=12, fill=col)
    d.ellipse([560, 1180, 760, 1260], fill=(60, 60, 64))                                # banding wheel
    d.ellipse([560, 1160, 760, 1240], fill=(110, 110, 116))
    return finish(img, rng, grain=6)


# ---------------------------------------------------------------- main

PHOTOS = [
    # file name, scene, seed, EXIF orientation (None: stored upright)
    ("pumpjack-dawn.jpg", scene_pumpjack_dawn, 20240701, None),
    ("ccus-station.jpg", scene_ccus_station, 20240702, None),
    ("service-centre.jpg", scene_service_centre, 20240703, None),
    ("river-run.jpg", scene_river_run, 20240704, None),
    ("river-bridge.jpg", scene_river_bridge, 20240705, 6),
    ("desert-shelterbelt.jpg", scene_desert_shelterbelt, 20240706, None),
    ("heritage-fair.jpg", scene_heritage_fair, 20240707, None),
    ("zisha-workshop.jpg", scene_zisha_workshop, 20240708, None),
]


def save_photo(img: Image.Image, path: Path, orientation: int | None) -> None:
    options = dict(JPEG_OPTIONS)
    if orientation == 6:
        img = img.transpose(Image.Transpose.ROTATE_90)     # stored 90° counter-clockwise
        exif = Image.Exif()
        exif[EXIF_ORIENTATION] = 6
        options["exif"] = exif.tobytes()
    elif orientation is not None:
        raise ValueError(f"orientation {orientation} not supported here")
    tmp = path.with_name(path.name + ".tmp")
    img.convert("RGB").save(tmp, "JPEG", **options)
    tmp.replace(path)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    for name, scene, seed, orientation in PHOTOS:
        img = scene(random.Random(seed))
        save_photo(img, out / name, orientation)
        print(f"{out / name}  {(out / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
