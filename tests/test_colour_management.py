"""Colour management with real profiled photos (#14).

The photos carry embedded ICC profiles: ISO Coated v2 (the bulletin's press profile, CMYK), an
Adobe RGB (1998)-compatible profile written here byte by byte from the published primaries, and
broken profiles. Colours are compared in CIELAB (ΔE*ab, CIE76), the placed sRGB pixel read back
through LittleCMS's own sRGB → Lab. The expected values never go through kmyreport: Adobe RGB is
worked out by hand from its matrix and gamma below, and the CMYK patches from the profile's own
colorimetric table (LittleCMS, relative colorimetric), plus a few hand-written properties.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from kmyreport.colour import CMYK, ColourTarget
from kmyreport.photos import Placement, prepare_photo

from .conftest import REPO

PLACEMENT = Placement(max_width_mm=40.0, max_height_mm=40.0, ppi=150)  # small: cheap to prepare
ISO_COATED = REPO / "layouts" / "bulletin" / "profiles" / "ISOcoated_v2_300_bas.icc"
D50 = (0.9642, 1.0, 0.8249)

# Adobe RGB (1998): D50-adapted colorants (the ICC's rXYZ/gXYZ/bXYZ) and gamma 563/256.
ADOBE_PRIMARIES = ((0.60974, 0.31111, 0.01947), (0.20528, 0.62567, 0.06087), (0.14919, 0.06322, 0.74457))
ADOBE_GAMMA = 563 / 256


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)


def _desc(text: str) -> bytes:
    ascii_ = text.encode("ascii") + b"\0"
    return (b"desc\0\0\0\0" + struct.pack(">I", len(ascii_)) + ascii_
            + b"\0" * 8      # Unicode language code and count
            + b"\0" * 70)    # ScriptCode code, count and 67 bytes


def matrix_trc_profile(description: str, primaries=ADOBE_PRIMARIES, gamma: float = ADOBE_GAMMA) -> bytes:
    """An ICC v2 RGB display profile (matrix + gamma curves), byte by byte."""
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256))
    tags = [(b"desc", _desc(description)), (b"cprt", b"text\0\0\0\0none\0"), (b"wtpt", _xyz(*D50)),
            (b"rXYZ", _xyz(*primaries[0])), (b"gXYZ", _xyz(*primaries[1])), (b"bXYZ", _xyz(*primaries[2])),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    body = struct.pack(">I", len(tags)) + table + data
    header = (struct.pack(">I", 128 + len(body)) + b"none" + bytes([2, 0x20, 0, 0]) + b"mntrRGB XYZ "
              + b"\0" * 12 + b"acsp" + b"\0" * 24 + b"\0" * 4 + _s15(D50[0]) + _s15(D50[1]) + _s15(D50[2])
              + b"\0" * 48)
    assert len(header) == 128
    return header + body


def adobe_rgb_lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """CIELAB (D50) of an Adobe RGB colour, by hand: gamma, matrix, then the CIE formulas."""
    linear = [(c / 255) ** ADOBE_GAMMA for c in rgb]
    x, y, z = (sum(linear[i] * ADOBE_PRIMARIES[i][axis] for i in range(3)) for axis in range(3))

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x / D50[0]), f(y / D50[1]), f(z / D50[2])
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def lab_of(image: Image.Image, profile) -> tuple[float, float, float]:
    """CIELAB of the image's top-left pixel through `profile` (relative colorimetric)."""
    pixel = image.crop((0, 0, 1, 1))
    lab = ImageCms.profileToProfile(pixel, profile, ImageCms.createProfile("LAB"), outputMode="LAB",
                                    renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    lightness, a, b = lab.getpixel((0, 0))
    return lightness * 100 / 255, a - 128, b - 128


def srgb_lab(image: Image.Image) -> tuple[float, float, float]:
    return lab_of(image.convert("RGB"), ImageCms.createProfile("sRGB"))


def delta_e(p, q) -> float:
    return math.dist(p, q)


def placed(tmp_path: Path, image: Image.Image, icc: bytes | None, colour: ColourTarget | None = None) -> Image.Image:
    source = tmp_path / f"{hashlib.sha256(image.tobytes() + (icc or b'')).hexdigest()[:12]}.jpg"
    options = {"icc_profile": icc} if icc is not None else {}
    image.save(source, "JPEG", quality=95, **options)
    kwargs = {"colour": colour} if colour is not None else {}
    photo, _ = prepare_photo(source, PLACEMENT, tmp_path / "cache", **kwargs)
    return Image.open(photo.path)


# In-gamut for sRGB, and far enough from "the numbers read as sRGB" (ΔE 5 to 15) to tell them apart.
ADOBE_COLOURS = [(150, 100, 80), (200, 60, 50), (90, 120, 200)]


def test_adobe_rgb_photo_is_converted_through_its_profile(tmp_path: Path) -> None:
    icc = matrix_trc_profile("Adobe RGB (1998) compatible")
    assert ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).startswith("Adobe RGB")
    for rgb in ADOBE_COLOURS:
        expected = adobe_rgb_lab(rgb)
        got = srgb_lab(placed(tmp_path, Image.new("RGB", (600, 400), rgb), icc))
        assert delta_e(got, expected) < 3, (rgb, got, expected)
        # the same numbers read as sRGB are visibly off: the test can tell a skipped conversion
        assert delta_e(srgb_lab(Image.new("RGB", (1, 1), rgb)), expected) > 4


# CMYK patches in per cent, chosen inside sRGB's gamut and far from Pillow's naive CMYK → RGB.
CMYK_PATCHES = [(60, 20, 0, 0), (40, 0, 60, 10), (0, 0, 0, 50), (70, 50, 10, 0), (10, 70, 70, 0)]


def _cmyk(percent: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(round(v * 2.55) for v in percent)


def test_cmyk_photo_with_iso_coated_profile_matches_the_profile(tmp_path: Path) -> None:
    icc = ISO_COATED.read_bytes()
    press = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    for percent in CMYK_PATCHES:
        patch = Image.new("CMYK", (600, 400), _cmyk(percent))
        expected = lab_of(patch, press)  # the profile's own colorimetry of the patch
        got = srgb_lab(placed(tmp_path, patch, icc))
        assert delta_e(got, expected) < 6, (percent, got, expected)
        assert delta_e(srgb_lab(patch.convert("RGB")), expected) > 11, "the naive conversion must be far off"


def test_cmyk_primaries_through_the_profile_look_like_printed_ink(tmp_path: Path) -> None:
    """Hand-written properties of ISO Coated's inks (FOGRA39: C100 ≈ L*55, M100 ≈ L*48, K100 ≈ L*16):
    printed cyan and magenta are far darker than the RGB screen primaries a naive conversion gives,
    and solid black is not the screen's 0/0/0 (paper and ink have a black point)."""
    icc = ISO_COATED.read_bytes()
    cyan = srgb_lab(placed(tmp_path, Image.new("CMYK", (600, 400), (255, 0, 0, 0)), icc))
    magenta = srgb_lab(placed(tmp_path, Image.new("CMYK", (600, 400), (0, 255, 0, 0)), icc))
    black = placed(tmp_path, Image.new("CMYK", (600, 400), (0, 0, 0, 255)), icc).getpixel((0, 0))
    white = placed(tmp_path, Image.new("CMYK", (600, 400), (0, 0, 0, 0)), icc).getpixel((0, 0))
    assert 50 < cyan[0] < 70 and cyan[1] < -5 and cyan[2] < -30, cyan      # naive: L* 91, a* -48
    assert 40 < magenta[0] < 60 and magenta[1] > 60 and abs(magenta[2]) < 15, magenta  # naive: L* 60, b* -60
    assert 10 < min(black) < 40, black
    assert min(white) > 250, white


def test_adobe_rgb_photo_for_the_press_lands_on_the_same_colour(tmp_path: Path) -> None:
    """Adobe RGB → sRGB → ISO Coated CMYK: read back through the press profile, still the colour."""
    target = ColourTarget(CMYK, ISO_COATED, 300, hashlib.sha256(ISO_COATED.read_bytes()).hexdigest())
    press = ImageCms.ImageCmsProfile(io.BytesIO(ISO_COATED.read_bytes()))
    icc = matrix_trc_profile("Adobe RGB (1998) compatible")
    for rgb in [(150, 100, 80), (100, 140, 90)]:  # well inside the press's gamut
        image = placed(tmp_path, Image.new("RGB", (600, 400), rgb), icc, target)
        assert image.mode == "CMYK"
        # perceptual rendering moves colours a little (ΔE 3 to 4 here); the profile skipped: ΔE 10 to 12
        assert delta_e(lab_of(image, press), adobe_rgb_lab(rgb)) < 6, rgb


@pytest.mark.parametrize("broken", [b"not an ICC profile at all",
                                    ISO_COATED.read_bytes()[:400],  # a real profile cut short
                                    b"\0" * 132])
def test_a_broken_profile_is_not_fatal_and_leaves_rgb_as_it_is(tmp_path: Path, broken: bytes) -> None:
    rgb = (200, 60, 50)
    got = placed(tmp_path, Image.new("RGB", (600, 400), rgb), broken).getpixel((0, 0))
    assert all(abs(g - e) <= 4 for g, e in zip(got, rgb)), got
    cmyk = placed(tmp_path, Image.new("CMYK", (600, 400), (0, 0, 0, 0)), broken)
    assert cmyk.mode == "RGB" and min(cmyk.getpixel((0, 0))) > 250
