"""The photo pipeline: orientation, colour modes, resampling to the placed size, the cache."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageCms

from kmyreport.build import compile_issue
from kmyreport.photos import Placement, placed_size, prepare_photo

from .conftest import Scratch

PLACEMENT = Placement(max_width_mm=160.0, max_height_mm=110.0, ppi=300)
TARGET_W = round(160 / 25.4 * 300)


def save(image: Image.Image, path: Path, fmt: str = "JPEG", **options) -> Path:
    image.save(path, fmt, **options)
    return path


def sky_over_ground(width: int, height: int) -> Image.Image:
    """Blue top half, brown bottom half: 'upright' is easy to check."""
    image = Image.new("RGB", (width, height), (30, 60, 200))
    image.paste((140, 90, 40), (0, height // 2, width, height))
    return image


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    upright = sky_over_ground(2400, 1600)
    stored = upright.rotate(90, expand=True)  # what a camera held sideways writes ...
    exif = Image.Exif()
    exif[0x0112] = 6                           # ... with "rotate 90° clockwise to view"
    source = save(stored, tmp_path / "sideways.jpg", exif=exif.tobytes(), quality=95)
    photo, _ = prepare_photo(source, PLACEMENT, tmp_path / "cache")
    placed = Image.open(photo.path)
    assert placed.width > placed.height
    top, bottom = placed.getpixel((placed.width // 2, 10)), placed.getpixel((placed.width // 2, placed.height - 10))
    assert top[2] > 150 and bottom[0] > 100 and bottom[2] < 90, (top, bottom)
    assert 0x0112 not in placed.getexif()


def test_resampled_to_the_placed_width_at_the_target_resolution(tmp_path: Path) -> None:
    source = save(sky_over_ground(3000, 2000), tmp_path / "big.jpg")
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    photo, warnings = prepare_photo(source, PLACEMENT, tmp_path / "cache")
    assert (photo.width_px, photo.height_px) == Image.open(photo.path).size
    assert photo.width_px == TARGET_W and abs(photo.effective_ppi - 300) < 1
    assert not warnings
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before, "the original is never modified"


def test_tall_photo_is_placed_narrower(tmp_path: Path) -> None:
    width_mm, height_mm = placed_size(1600, 2400, PLACEMENT)
    assert height_mm == pytest.approx(110) and width_mm == pytest.approx(110 * 1600 / 2400, abs=0.01)
    source = save(sky_over_ground(1600, 2400), tmp_path / "tall.jpg")
    photo, _ = prepare_photo(source, PLACEMENT, tmp_path / "cache")
    assert abs(photo.effective_ppi - 300) < 2


def test_small_photo_is_kept_and_warned_about(tmp_path: Path) -> None:
    source = save(sky_over_ground(800, 600), tmp_path / "small.jpg")
    photo, warnings = prepare_photo(source, PLACEMENT, tmp_path / "cache", where=(tmp_path / "a.md", 7))
    assert photo.width_px == 800
    assert len(warnings) == 1 and "a.md:7" in warnings[0] and "ppi" in warnings[0]


def test_cmyk_with_profile_palette_alpha_and_16_bit_become_rgb(tmp_path: Path) -> None:
    cmyk = Image.new("CMYK", (2000, 1000), (0, 255, 255, 0))  # pure red ink
    rgba = Image.new("RGBA", (2000, 1000), (0, 0, 0, 0))      # fully transparent → white
    palette = Image.new("RGB", (2000, 1000), (0, 160, 0)).convert("P", palette=Image.Palette.ADAPTIVE)
    grey16 = Image.new("I;16", (2000, 1000), 65535)
    cases = {
        "cmyk.jpg": (save(cmyk, tmp_path / "cmyk.jpg"), lambda p: p[0] > 200 and p[1] < 80 and p[2] < 80),
        "alpha.png": (save(rgba, tmp_path / "alpha.png", "PNG"), lambda p: min(p) > 245),
        "palette.png": (save(palette, tmp_path / "palette.png", "PNG"), lambda p: p[1] > 130 and p[0] < 30),
        "grey16.png": (save(grey16, tmp_path / "grey16.png", "PNG"), lambda p: p > 245),
    }
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    cases["srgb-profile.jpg"] = (save(Image.new("RGB", (2000, 1000), (10, 20, 200)), tmp_path / "p.jpg",
                                      icc_profile=srgb), lambda p: p[2] > 180 and p[0] < 40)
    for name, (source, looks_right) in cases.items():
        photo, _ = prepare_photo(source, PLACEMENT, tmp_path / "cache")
        placed = Image.open(photo.path)
        assert placed.format == "JPEG" and placed.mode in ("RGB", "L"), name
        assert looks_right(placed.getpixel((100, 100))), (name, placed.getpixel((100, 100)))


def test_cache_is_reused_and_keyed_by_content(tmp_path: Path) -> None:
    source = save(sky_over_ground(2400, 1600), tmp_path / "p.jpg")
    first, _ = prepare_photo(source, PLACEMENT, tmp_path / "cache")
    stamp = first.path.stat().st_mtime_ns
    again, _ = prepare_photo(source, PLACEMENT, tmp_path / "cache")
    assert again.path == first.path and again.path.stat().st_mtime_ns == stamp
    other_ppi, _ = prepare_photo(source, Placement(160, 110, 150), tmp_path / "cache")
    assert other_ppi.path != first.path
    save(sky_over_ground(2400, 1600).transpose(Image.Transpose.FLIP_TOP_BOTTOM), source)
    changed, _ = prepare_photo(source, PLACEMENT, tmp_path / "cache")
    assert changed.path != first.path


def test_compiled_pdf_has_no_interpolation_and_target_ppi(small_issue: Scratch) -> None:
    result = compile_issue(small_issue.manifest())
    with pikepdf.open(result.output) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert len(images) == 1
        assert images[0].get("/Interpolate") in (None, False)
        assert images[0].get("/Filter") == "/DCTDecode"
        assert Image.open(io.BytesIO(images[0].read_raw_bytes())).size == (int(images[0].Width),
                                                                            int(images[0].Height))
    # 300 ppi where it is placed: its pixels over the width it takes on the page (2400 px photo, column
    # narrower than 2400 / 300 inch, so it is resampled down to exactly 300 ppi)
    import pdfplumber
    with pdfplumber.open(result.output) as doc:
        placed = [image for page in doc.pages for image in page.images]
    assert len(placed) == 1
    width_px, height_px = placed[0]["srcsize"]
    assert width_px < 2400
    assert abs(width_px / ((placed[0]["x1"] - placed[0]["x0"]) / 72) - 300) < 1.5
    assert abs(height_px / ((placed[0]["bottom"] - placed[0]["top"]) / 72) - 300) < 1.5


def test_camera_size_sideways_original_is_reduced_and_upright(tmp_path: Path) -> None:
    upright = sky_over_ground(6000, 4000)
    exif = Image.Exif()
    exif[0x0112] = 6
    source = save(upright.rotate(90, expand=True), tmp_path / "camera.jpg", exif=exif.tobytes(), quality=90)
    photo, warnings = prepare_photo(source, PLACEMENT, tmp_path / "cache")
    placed = Image.open(photo.path)
    assert (photo.source_width_px, photo.source_height_px) == (6000, 4000)
    assert placed.size == (photo.width_px, photo.height_px)
    assert abs(photo.effective_ppi - 300) < 2 and not warnings
    assert placed.getpixel((placed.width // 2, 10))[2] > 150, "sky on top"
    assert placed.getpixel((placed.width // 2, placed.height - 10))[0] > 100, "ground below"


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def test_pass_through_strips_exactly_the_metadata_segments() -> None:
    """EXIF/XMP (APP1), IPTC (APP13) and comments go; fill bytes go; everything else is kept byte for byte."""
    from kmyreport.photos import _without_metadata

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 90, 160)).save(buffer, "JPEG", quality=80)
    plain = buffer.getvalue()
    assert plain[:2] == b"\xff\xd8" and plain[2:4] != b"\xff\xe1"
    icc = _segment(0xE2, b"ICC_PROFILE\0\x01\x01" + b"p" * 40)   # APP2: kept
    dirty = (plain[:2] + b"\xff" + _segment(0xE1, b"Exif\0\0" + b"e" * 300) + icc
             + _segment(0xED, b"Photoshop 3.0\0" + b"i" * 20) + _segment(0xFE, "摄影 张三".encode()) + plain[2:])
    assert _without_metadata(dirty) == plain[:2] + icc + plain[2:]
    assert _without_metadata(plain) == plain
    cut = plain[:2] + _segment(0xE1, b"Exif\0\0" + b"e" * 300)[:40]       # a segment longer than the file
    assert _without_metadata(cut) is None
    assert _without_metadata(plain[:2] + _segment(0xFE, b"x")) is None     # no picture data at all
    assert _without_metadata(plain[:2] + b"\xff\xd0" + plain[2:]) is None  # a restart marker before the scan
    assert _without_metadata(plain[:2] + b"\xff\x01" + plain[2:]) is None
    assert _without_metadata(plain[:2] + b"\x00\x00" + plain[2:]) is None  # not a marker
    assert _without_metadata(plain[:2] + _segment(0xDB, b"")[:4]) is None
    for marker in (0xD0, 0xD5, 0xD9, 0x01):  # restart, end of image, TEM: no segment may stand here
        assert _without_metadata(plain[:2] + bytes([0xFF, marker, 0x00, 0x02]) + plain[2:]) is None, marker
    assert _without_metadata(b"\xff\xd8\xff\xda\x00\x08") == b"\xff\xd8\xff\xda\x00\x08"  # the scan starts last


@pytest.mark.parametrize(("size", "expected"), [
    ((1890, 1000), (1890, 1000)),   # exactly the target width: kept
    ((1891, 1000), (1890, 999)),    # one pixel more: resampled
    ((1000, 600), (1000, 600)),     # smaller: never upscaled
    ((40000, 10), (1890, 1)),       # a sliver keeps one row
])
def test_target_pixels(size: tuple[int, int], expected: tuple[int, int]) -> None:
    from kmyreport.photos import _target_pixels
    assert _target_pixels(*size, 160.0, PLACEMENT) == expected


def test_an_empty_photo_is_an_error_at_its_article_line(tmp_path: Path) -> None:
    from kmyreport.errors import KmyError
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(KmyError) as caught:
        prepare_photo(empty, PLACEMENT, tmp_path / "cache", where=(tmp_path / "a.md", 9))
    assert (caught.value.file, caught.value.line) == (tmp_path / "a.md", 9)
    assert caught.value.message.endswith("empty.jpg: the file is empty (0 bytes); copy the photo again")


def test_pixel_counts_are_checked_from_the_header(tmp_path: Path) -> None:
    from kmyreport.errors import KmyError
    from kmyreport.photos import MAX_PHOTO_PIXELS, _check_pixels

    source = tmp_path / "p.jpg"
    _check_pixels(1, 1, source, None)
    _check_pixels(MAX_PHOTO_PIXELS, 1, source, None)
    for width, height in [(0, 5), (5, 0), (-1, 5)]:
        with pytest.raises(KmyError) as caught:
            _check_pixels(width, height, source, None)
        assert caught.value.message == (f"the image says it is {width} × {height} pixels; the file is damaged: "
                                        "export it again as JPEG or PNG")
        assert caught.value.file == source and caught.value.line is None
    with pytest.raises(KmyError) as caught:
        _check_pixels(MAX_PHOTO_PIXELS + 1, 1, source, (tmp_path / "a.md", 4))
    megapixels = MAX_PHOTO_PIXELS // 1_000_000
    assert caught.value.message == (
        f"photo {source}: the image is {MAX_PHOTO_PIXELS + 1} × 1 pixels ({(MAX_PHOTO_PIXELS + 1) / 1e6:.0f} "
        f"megapixels), more than the {megapixels} allowed; export a smaller copy")
    assert (caught.value.file, caught.value.line) == (tmp_path / "a.md", 4)


@pytest.mark.parametrize(("image", "mode", "pixel"), [
    (Image.new("LA", (4, 4), (100, 0)), "RGB", (255, 255, 255)),           # transparent grey → white
    (Image.new("LA", (4, 4), (100, 255)), "RGB", (100, 100, 100)),
    (Image.new("RGBA", (4, 4), (200, 20, 20, 255)), "RGB", (200, 20, 20)),
    (Image.new("I;16B", (4, 4), 65535), "L", 255),
    (Image.new("I", (4, 4), 256 * 128), "L", 128),
    (Image.new("1", (4, 4), 1), "L", 255),
    (Image.new("L", (4, 4), 77), "L", 77),
    (Image.new("CMYK", (4, 4), (0, 0, 0, 0)), "RGB", (255, 255, 255)),
])
def test_output_modes(image: Image.Image, mode: str, pixel) -> None:
    from kmyreport.photos import _to_output_mode
    out = _to_output_mode(image)
    assert out.mode == mode and out.getpixel((1, 1)) == pixel


def test_transparent_palette_and_keyed_rgb_are_flattened_on_white() -> None:
    from kmyreport.photos import _to_output_mode
    palette = Image.new("P", (4, 4), 0)
    palette.putpalette([10, 200, 10] + [0, 0, 0] * 255)
    palette.info["transparency"] = 0
    assert _to_output_mode(palette).getpixel((1, 1)) == (255, 255, 255)
    keyed = Image.new("RGB", (4, 4), (10, 200, 10))
    keyed.info["transparency"] = (10, 200, 10)
    assert _to_output_mode(keyed).getpixel((1, 1)) == (255, 255, 255)


def test_a_big_endian_16_bit_tiff_is_prepared(tmp_path: Path) -> None:
    source = tmp_path / "grey16be.tif"
    Image.new("I;16B", (600, 400), 65535).save(source)
    assert Image.open(source).mode == "I;16B"
    photo, _ = prepare_photo(source, PLACEMENT, tmp_path / "cache")
    assert Image.open(photo.path).getpixel((10, 10)) == 255


@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 7, 8])
def test_every_exif_orientation_comes_out_upright(tmp_path: Path, orientation: int) -> None:
    """The stored pixels are the upright picture turned the way the EXIF tag says to undo."""
    upright = sky_over_ground(1200, 800)
    upright.paste((220, 20, 20), (0, 0, 200, 200))  # a red corner: top left when upright
    undo = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
            5: Image.Transpose.TRANSPOSE, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}
    exif = Image.Exif()
    exif[0x0112] = orientation
    source = save(upright.transpose(undo[orientation]), tmp_path / f"o{orientation}.jpg", exif=exif.tobytes(),
                  quality=95)
    photo, _ = prepare_photo(source, Placement(40.0, 40.0, 150), tmp_path / "cache")
    placed = Image.open(photo.path)
    assert placed.size == (photo.width_px, photo.height_px) == (236, 157)
    assert (photo.source_width_px, photo.source_height_px) == (1200, 800)
    w, h = placed.size
    red, sky, ground = placed.getpixel((5, 5)), placed.getpixel((w - 5, 5)), placed.getpixel((w - 5, h - 5))
    assert red[0] > 180 and red[2] < 80, red
    assert sky[2] > 150 and ground[0] > 100 and ground[2] < 90, (sky, ground)


def _scan(data: bytes) -> bytes:
    """The picture data of a JPEG: everything from its start-of-scan marker on."""
    return data[data.index(b"\xff\xda"):]


def test_a_jpeg_already_fit_for_its_place_is_passed_through(tmp_path: Path) -> None:
    """Baseline sRGB JPEG, upright, within 1.5 times the target resolution: its picture data is placed as
    it is (metadata dropped); one beyond the band, or asked for in CMYK, is made again."""
    small = Placement(40.0, 40.0, 150)                       # 236 px wide at 150 ppi
    exif = Image.Exif()
    exif[0x010E] = "晨光"                                      # a description, not a rotation
    fit = save(sky_over_ground(354, 236), tmp_path / "fit.jpg", exif=exif.tobytes(), quality=80)  # 1.5 × 236
    photo, _ = prepare_photo(fit, small, tmp_path / "cache")
    placed = photo.path.read_bytes()
    assert _scan(placed) == _scan(fit.read_bytes()) and b"Exif" not in placed
    assert (photo.width_px, photo.height_px) == (354, 236)

    beyond = save(sky_over_ground(355, 237), tmp_path / "beyond.jpg", quality=80)
    photo, _ = prepare_photo(beyond, small, tmp_path / "cache")
    assert photo.width_px == 236 and _scan(photo.path.read_bytes()) != _scan(beyond.read_bytes())

    press = iso_coated_target()
    photo, _ = prepare_photo(fit, small, tmp_path / "cache", colour=press)
    assert Image.open(photo.path).mode == "CMYK"
    cmyk = tmp_path / "cmyk.jpg"
    Image.open(photo.path).save(cmyk, "JPEG", quality=80, icc_profile=press.profile.read_bytes())
    again, _ = prepare_photo(cmyk, small, tmp_path / "cache", colour=press)
    assert _scan(again.path.read_bytes()) == _scan(cmyk.read_bytes()), "CMYK in the press profile: as it is"


def iso_coated_target():
    from kmyreport.colour import CMYK, ColourTarget

    from .conftest import REPO
    profile = REPO / "layouts" / "bulletin" / "profiles" / "ISOcoated_v2_300_bas.icc"
    return ColourTarget(CMYK, profile, 300, hashlib.sha256(profile.read_bytes()).hexdigest())
