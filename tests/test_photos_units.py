"""photos.py's pieces against values written by hand (#14): the placed size and pixel size, the
cache key, the resolution warning, the JPEG pass-through (what passes, what is refused), the
reduced-scale decoding, the decoder's errors and the conversions to the output colour. Photos are
made with Pillow in tmp_path. Fast: no render."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageFile

from kmyreport.colour import CMYK, ColourTarget
from kmyreport.errors import KmyError
from kmyreport.photos import (
    Placement,
    PreparedPhoto,
    _check_pixels,
    _complete_data_only,
    _is_srgb,
    _open,
    _pass_through,
    _to_output_mode,
    placed_size,
    prepare_photo,
)

from .conftest import REPO

SMALL = Placement(25.4, 100.0, 100)  # one inch wide: the pixel width is the resolution
ISO_COATED = REPO / "layouts" / "bulletin" / "profiles" / "ISOcoated_v2_300_bas.icc"


def jpeg(width: int, height: int, colour=(40, 90, 160), mode: str = "RGB", **options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), colour).save(buffer, "JPEG", quality=85, **options)
    return buffer.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _scan(data: bytes) -> bytes:
    return data[data.index(b"\xff\xda"):]


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def lab_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()


def press(ink_limit: int = 300) -> ColourTarget:
    return ColourTarget(CMYK, ISO_COATED, ink_limit, hashlib.sha256(ISO_COATED.read_bytes()).hexdigest())


# --- sizes ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("size", "expected"), [
    ((2000, 1000), (80.0, 40.0)),
    ((1000, 2000), (50.0, 100.0)),
    ((800, 1000), (80.0, 100.0)),     # exactly as tall as the box: full width
    ((799, 1000), (79.9, 100.0)),     # a little taller: narrower
    ((3000, 1000), (80.0, 26.667)),
    ((1000, 3001), (33.322, 100.0)),
])
def test_placed_size(size: tuple[int, int], expected: tuple[float, float]) -> None:
    assert placed_size(*size, Placement(80, 100, 300)) == expected


def test_effective_ppi() -> None:
    photo = PreparedPhoto(Path("p.jpg"), 300, 200, 50.8, 33.867, 600, 400)
    assert photo.effective_ppi == 150.0


# --- prepare_photo: the cache and the warning -------------------------------------------------------------

def test_prepared_photo_facts_and_cache_file(tmp_path: Path) -> None:
    source = write(tmp_path / "p.png", b"")
    Image.new("RGB", (400, 200), (200, 10, 10)).save(source)
    photo, warnings = prepare_photo(source, Placement(25.4, 100.0, 100), tmp_path / "cache")
    assert (photo.width_px, photo.height_px, photo.width_mm, photo.height_mm) == (100, 50, 25.4, 12.7)
    assert (photo.source_width_px, photo.source_height_px) == (400, 200)
    assert warnings == []
    assert photo.path.parent == tmp_path / "cache" / "photos"
    assert photo.path.suffix == ".jpg" and len(photo.path.stem) == 32
    assert all(c in "0123456789abcdef" for c in photo.path.stem)
    assert json.loads(photo.path.with_suffix(".json").read_text(encoding="utf-8")) == {
        "width_px": 100, "height_px": 50, "width_mm": 25.4, "height_mm": 12.7,
        "source_width_px": 400, "source_height_px": 200}
    placed = Image.open(photo.path)
    assert placed.format == "JPEG" and placed.mode == "RGB" and placed.size == (100, 50)
    # quality 90: libjpeg scales the standard tables by 20%, the first entries (16 and 17) to 3
    assert placed.quantization[0][0] == 3 and placed.quantization[1][0] == 3
    assert "progressive" not in placed.info and "progression" not in placed.info  # baseline
    red = placed.getpixel((50, 25))
    assert red[0] > 180 and red[1] < 40 and red[2] < 40


def test_the_cache_key_covers_the_placement_and_the_colour(tmp_path: Path) -> None:
    source = tmp_path / "p.png"
    Image.new("RGB", (400, 200), (200, 10, 10)).save(source)
    cache = tmp_path / "cache"
    first, _ = prepare_photo(source, Placement(25.4, 100.0, 100), cache)
    paths = {first.path}
    for placement in (Placement(50.8, 100.0, 100), Placement(25.4, 10.0, 100), Placement(25.4, 100.0, 50)):
        photo, _ = prepare_photo(source, placement, cache)
        assert photo.path not in paths, placement
        paths.add(photo.path)
    assert prepare_photo(source, Placement(50.8, 100.0, 100), cache)[0].width_px == 200
    assert prepare_photo(source, Placement(25.4, 10.0, 100), cache)[0].height_mm == 10.0
    assert prepare_photo(source, Placement(25.4, 100.0, 50), cache)[0].width_px == 50
    cmyk, _ = prepare_photo(source, Placement(25.4, 100.0, 100), cache, colour=press())
    assert cmyk.path not in paths and Image.open(cmyk.path).mode == "CMYK"
    lower, _ = prepare_photo(source, Placement(25.4, 100.0, 100), cache, colour=press(250))
    assert lower.path != cmyk.path
    # the same inputs again: the same file, the facts read back
    again, _ = prepare_photo(source, Placement(25.4, 100.0, 100), cache)
    assert again == first
    # changed bytes: a new file
    Image.new("RGB", (400, 200), (10, 200, 10)).save(source)
    assert prepare_photo(source, Placement(25.4, 100.0, 100), cache)[0].path not in paths | {cmyk.path, lower.path}


def test_a_cached_photo_is_not_decoded_again(tmp_path: Path) -> None:
    source = tmp_path / "p.png"
    Image.new("RGB", (400, 200), (200, 10, 10)).save(source)
    photo, _ = prepare_photo(source, SMALL, tmp_path / "cache")
    facts = photo.path.with_suffix(".json")
    facts.write_text(json.dumps({"width_px": 7, "height_px": 5, "width_mm": 25.4, "height_mm": 12.7,
                                 "source_width_px": 9, "source_height_px": 6}), encoding="utf-8")
    again, warnings = prepare_photo(source, SMALL, tmp_path / "cache")
    assert (again.path, again.width_px, again.source_width_px) == (photo.path, 7, 9)
    assert warnings == [f"{source}: photo is 9 px wide; placed 25 mm wide it prints at 7 ppi (target 100); use a "
                        "larger original"]
    facts.unlink()  # the facts gone: prepared again
    again, _ = prepare_photo(source, SMALL, tmp_path / "cache")
    assert (again.width_px, again.source_width_px) == (100, 400) and facts.is_file()
    photo.path.unlink()  # the picture gone: prepared again
    again, _ = prepare_photo(source, SMALL, tmp_path / "cache")
    assert again.path.is_file() and again.width_px == 100


@pytest.mark.parametrize(("width", "warned"), [(90, False), (89, True), (100, False)])
def test_resolution_warning_below_nine_tenths(tmp_path: Path, width: int, warned: bool) -> None:
    source = tmp_path / "p.png"
    Image.new("RGB", (width, width), (200, 10, 10)).save(source)
    photo, warnings = prepare_photo(source, SMALL, tmp_path / "cache", where=(tmp_path / "a.md", 12))
    assert (photo.width_px, photo.width_mm) == (width, 25.4)
    expected = [f"{tmp_path / 'a.md'}:12: p.png: photo is 89 px wide; placed 25 mm wide it prints at 89 ppi "
                "(target 100); use a larger original"]
    assert warnings == (expected if warned else [])
    cached, again = prepare_photo(source, SMALL, tmp_path / "cache", where=(tmp_path / "a.md", 12))
    assert cached == photo and again == warnings  # from the cache: the same warning, at the same place


def test_resolution_warning_of_a_passed_through_jpeg(tmp_path: Path) -> None:
    source = write(tmp_path / "p.jpg", jpeg(60, 30))
    photo, warnings = prepare_photo(source, Placement(50.8, 100.0, 100), tmp_path / "cache")
    assert (photo.width_px, photo.height_px, photo.width_mm, photo.height_mm) == (60, 30, 50.8, 25.4)
    assert (photo.source_width_px, photo.source_height_px) == (60, 30)
    assert _scan(photo.path.read_bytes()) == _scan(source.read_bytes())
    assert json.loads(photo.path.with_suffix(".json").read_text(encoding="utf-8")) == {
        "width_px": 60, "height_px": 30, "width_mm": 50.8, "height_mm": 25.4,
        "source_width_px": 60, "source_height_px": 30}
    assert warnings == [f"{source}: photo is 60 px wide; placed 51 mm wide it prints at 30 ppi (target 100); use "
                        "a larger original"]
    again, _ = prepare_photo(source, Placement(50.8, 100.0, 100), tmp_path / "cache")
    assert again == photo


# --- the pass-through ---------------------------------------------------------------------------------------

def passes(data: bytes, placement: Placement = SMALL, colour: ColourTarget | None = None) -> bool:
    result = _pass_through(data, placement, colour or ColourTarget())
    if result is None:
        return False
    stripped, size = result
    assert _scan(stripped) == _scan(data)
    assert size == Image.open(io.BytesIO(data)).size
    return True


def test_pass_through_size_and_bounds() -> None:
    data = jpeg(150, 40)  # 150 ppi placed one inch wide at 100 ppi: 1.5 times, the band's edge
    stripped, size = _pass_through(data, SMALL, ColourTarget())
    assert size == (150, 40) and _scan(stripped) == _scan(data)
    assert not passes(jpeg(151, 40))
    assert passes(jpeg(1, 1))
    # a tall photo is placed narrower: its resolution is the width over the placed width
    assert passes(jpeg(150, 4000), Placement(25.4, 25.4, 3990))  # placed 0.95 in wide: 158 ppi of 5985
    assert not passes(jpeg(150, 100), Placement(25.4, 25.4 * 100 / 150, 66))  # 150 ppi, 99 allowed
    assert passes(jpeg(99, 66), Placement(25.4, 25.4 * 66 / 99, 66))


@pytest.mark.parametrize(("data", "expected"), [
    (b"", False),
    (b"\xff\xd8", False),
    (b"\xff\xd8\xff", False),
    (b"\x89PNG\r\n\x1a\n", False),
])
def test_pass_through_refuses_what_is_not_a_jpeg(data: bytes, expected: bool) -> None:
    assert passes(data) is expected


def test_pass_through_refuses_a_png_and_an_mpo() -> None:
    png = io.BytesIO()
    Image.new("RGB", (50, 50)).save(png, "PNG")
    assert not passes(png.getvalue())
    mpo = io.BytesIO()
    frame = Image.new("RGB", (50, 50), (9, 9, 9))
    frame.save(mpo, "MPO", save_all=True, append_images=[frame])
    assert mpo.getvalue()[:3] == b"\xff\xd8\xff" and not passes(mpo.getvalue())


@pytest.mark.parametrize(("orientation", "expected"), [(None, True), (1, True), (2, False), (6, False), (8, False)])
def test_pass_through_only_upright(orientation: int | None, expected: bool) -> None:
    options = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    assert passes(jpeg(60, 40, **options)) is expected


def test_pass_through_colour() -> None:
    assert passes(jpeg(60, 40))
    assert passes(jpeg(60, 40, icc_profile=srgb_icc()))
    assert not passes(jpeg(60, 40, icc_profile=lab_icc()))
    assert not passes(jpeg(60, 40, icc_profile=b"not a profile"))
    assert passes(jpeg(60, 40, 128, mode="L"))
    assert passes(jpeg(60, 40, 128, mode="L", icc_profile=lab_icc()))  # grey: placed as it is
    assert not passes(jpeg(60, 40, (0, 0, 0, 0), mode="CMYK"))
    icc = ISO_COATED.read_bytes()
    light = jpeg(60, 40, (50, 50, 50, 50), mode="CMYK", icc_profile=icc)  # 78% ink
    assert not passes(light)  # a CMYK photo for an RGB edition
    assert passes(light, colour=press())
    assert not passes(jpeg(60, 40, (50, 50, 50, 50), mode="CMYK"), colour=press())  # no profile
    assert not passes(jpeg(60, 40, (50, 50, 50, 50), mode="CMYK", icc_profile=lab_icc()), colour=press())
    assert not passes(jpeg(60, 40, icc_profile=srgb_icc()), colour=press())  # RGB for the press
    assert not passes(jpeg(60, 40, icc_profile=icc), colour=press())  # RGB, though with the press profile
    assert not passes(jpeg(60, 40, 128, mode="L", icc_profile=icc), colour=press())
    full = jpeg(60, 40, (255, 255, 255, 255), mode="CMYK", icc_profile=icc)  # 400%: at a limit of 400, within
    assert passes(full, colour=press(400)) and not passes(full, colour=press(399))
    heavy = jpeg(60, 40, (230, 230, 230, 230), mode="CMYK", icc_profile=icc)  # about 360% ink
    assert not passes(heavy, colour=press())
    assert passes(heavy, colour=press(400))


def test_pass_through_refuses_a_jpeg_cut_short() -> None:
    data = jpeg(120, 80, (200, 100, 50))
    noisy = io.BytesIO()
    Image.effect_noise((120, 80), 60).convert("RGB").save(noisy, "JPEG", quality=95)
    data = noisy.getvalue()
    assert passes(data)
    assert not passes(data[:len(data) // 2])
    assert not passes(data[:len(data) // 2], colour=press(400))


def test_pass_through_refuses_markers_it_cannot_strip(tmp_path: Path) -> None:
    plain = jpeg(60, 40)
    odd = plain[:2] + b"\xff\xd0" + plain[2:]  # a restart marker before the frame: Pillow reads it
    assert Image.open(io.BytesIO(odd)).size == (60, 40)
    assert _pass_through(odd, SMALL, ColourTarget()) is None
    photo, _ = prepare_photo(write(tmp_path / "odd.jpg", odd), SMALL, tmp_path / "cache")  # made again instead
    assert Image.open(photo.path).size == (60, 40) and photo.path.read_bytes()[:4] == b"\xff\xd8\xff\xe0"


def test_pass_through_refuses_an_image_too_large() -> None:
    data = bytearray(jpeg(64, 48))
    at = data.index(b"\xff\xc0") + 5  # the frame header: height and width
    data[at:at + 4] = (10_000).to_bytes(2, "big") + (10_000).to_bytes(2, "big")
    assert _pass_through(bytes(data), Placement(25.4, 25.4, 100_000), ColourTarget()) is None


def test_is_srgb() -> None:
    assert _is_srgb(srgb_icc()) is True
    assert _is_srgb(lab_icc()) is False
    assert _is_srgb(ISO_COATED.read_bytes()) is False
    assert _is_srgb(b"junk") is False


# --- decoding ---------------------------------------------------------------------------------------------------

def test_open_decodes_a_large_jpeg_at_a_reduced_scale(tmp_path: Path) -> None:
    source = tmp_path / "p.jpg"
    placement = Placement(40.0, 40.0, 150)  # 236 px wide at 150 ppi
    image, upright = _open(jpeg(4000, 3000), source, None, placement)
    assert upright == (4000, 3000) and image.size == (500, 375)  # 1/8: still wider than 236
    image, upright = _open(jpeg(1000, 750), source, None, placement)
    assert upright == (1000, 750) and image.size == (250, 188)  # 1/4: 1000 // 236 and 750 // 177 are 4
    image, upright = _open(jpeg(472, 300), source, None, placement)
    assert image.size == (236, 150)  # 1/2: exactly the target, 236 × 150
    image, upright = _open(jpeg(471, 300), source, None, placement)
    assert image.size == (471, 300)  # less than twice the target: decoded whole
    image, upright = _open(jpeg(473, 400), source, None, placement)
    assert image.size == (237, 200)  # 1/2


@pytest.mark.parametrize("orientation", [5, 6, 7, 8])
def test_open_a_sideways_jpeg(tmp_path: Path, orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    # stored 2000 × 1000, upright 1000 × 2000: placed 40 mm wide, 236 × 472 px at 150 ppi
    image, upright = _open(jpeg(2000, 1000, exif=exif.tobytes()), tmp_path / "p.jpg", None,
                           Placement(40.0, 200.0, 150))
    assert upright == (1000, 2000)
    assert image.size == (500, 250)  # 1/4 of the stored size: 472 × 236 or more


@pytest.mark.parametrize("orientation", [1, 2, 3, 4])
def test_open_an_upright_or_flipped_jpeg(tmp_path: Path, orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    image, upright = _open(jpeg(2000, 1000, exif=exif.tobytes()), tmp_path / "p.jpg", None,
                           Placement(40.0, 200.0, 150))
    assert upright == (2000, 1000) and image.size == (250, 125)


def test_open_a_png_whole(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1000)).save(buffer, "PNG")
    image, upright = _open(buffer.getvalue(), tmp_path / "p.png", None, Placement(40.0, 200.0, 150))
    assert upright == (2000, 1000) and image.size == (2000, 1000)


DAMAGED = "; the file is damaged, cut short or not a photo: export it again as JPEG or PNG"


def test_what_cannot_be_decoded(tmp_path: Path) -> None:
    source = write(tmp_path / "p.jpg", b"not an image")
    with pytest.raises(KmyError) as caught:
        prepare_photo(source, SMALL, tmp_path / "cache")
    assert caught.value.message.startswith("cannot read the image (cannot identify image file ")
    assert caught.value.message.endswith(DAMAGED)
    assert (caught.value.file, caught.value.line, caught.value.column) == (source, None, None)
    with pytest.raises(KmyError) as caught:
        prepare_photo(source, SMALL, tmp_path / "cache", where=(tmp_path / "a.md", 3))
    assert caught.value.message.startswith(f"photo {source}: cannot read the image (")
    assert (caught.value.file, caught.value.line) == (tmp_path / "a.md", 3)


def test_a_photo_cut_short_is_an_error_even_when_pillow_is_lenient(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    noisy = io.BytesIO()
    Image.effect_noise((300, 200), 60).convert("RGB").save(noisy, "JPEG", quality=95)
    source = write(tmp_path / "cut.jpg", noisy.getvalue()[:len(noisy.getvalue()) // 2])
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as WeasyPrint leaves it
    with pytest.raises(KmyError) as caught:
        prepare_photo(source, Placement(25.4, 100.0, 300), tmp_path / "cache")
    assert caught.value.message.startswith("cannot read the image (image file is truncated")
    assert caught.value.message.endswith(DAMAGED)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored


def test_an_image_too_large_to_decode(tmp_path: Path) -> None:
    data = bytearray(jpeg(64, 48))
    at = data.index(b"\xff\xc0") + 5
    data[at:at + 4] = (10_000).to_bytes(2, "big") + (10_000).to_bytes(2, "big")  # 100 megapixels
    source = write(tmp_path / "big.jpg", bytes(data))
    with pytest.raises(KmyError) as caught:
        prepare_photo(source, SMALL, tmp_path / "cache", where=(tmp_path / "a.md", 7))
    assert caught.value.message.startswith(f"photo {source}: the image is too large to decode safely (Image size "
                                           "(100000000 pixels) exceeds limit of 89478485 pixels")
    assert caught.value.message.endswith("); export a smaller copy (at most 89 megapixels)")
    assert (caught.value.file, caught.value.line) == (tmp_path / "a.md", 7)
    data[at:at + 4] = (20_000).to_bytes(2, "big") + (20_000).to_bytes(2, "big")  # 400: Pillow refuses outright
    with pytest.raises(KmyError) as caught:
        _open(bytes(data), source, None, SMALL)
    assert caught.value.message.startswith("the image is too large to decode safely (")
    assert caught.value.message.endswith("); export a smaller copy (at most 89 megapixels)")


def test_strict_decoding_nests_and_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with _complete_data_only():
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False
        with _complete_data_only():
            assert ImageFile.LOAD_TRUNCATED_IMAGES is False
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    with pytest.raises(RuntimeError), _complete_data_only():
        raise RuntimeError
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)
    with _complete_data_only():
        pass
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# --- output modes -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("image", "mode", "pixel"), [
    (Image.new("I;16", (4, 4), 256 * 100), "L", 100),
    (Image.new("I;16L", (4, 4), 256 * 30 + 255), "L", 30),
    (Image.new("I;16B", (4, 4), 0), "L", 0),
    (Image.new("PA", (4, 4), (0, 0)), "RGB", (255, 255, 255)),
    (Image.new("RGBA", (4, 4), (200, 20, 20, 0)), "RGB", (255, 255, 255)),
    (Image.new("YCbCr", (4, 4), (255, 128, 128)), "RGB", (255, 255, 255)),
    (Image.new("RGB", (4, 4), (1, 2, 3)), "RGB", (1, 2, 3)),
    (Image.new("1", (4, 4), 0), "L", 0),
    (Image.new("L", (4, 4), 60), "L", 60),
])
def test_output_modes(image: Image.Image, mode: str, pixel) -> None:
    out = _to_output_mode(image)
    assert out.mode == mode and out.getpixel((1, 1)) == pixel


def test_a_transparent_grey_is_flattened_on_white() -> None:
    keyed = Image.new("L", (4, 4), 0)
    keyed.putpixel((0, 0), 50)
    keyed.info["transparency"] = 0  # black is transparent
    out = _to_output_mode(keyed)
    assert out.mode == "RGB" and out.getpixel((1, 1)) == (255, 255, 255) and out.getpixel((0, 0)) == (50, 50, 50)


def test_output_mode_of_a_palette() -> None:
    palette = Image.new("P", (4, 4), 1)
    palette.putpalette([0, 0, 0, 10, 200, 30] + [0, 0, 0] * 254)
    out = _to_output_mode(palette)
    assert out.mode == "RGB" and out.getpixel((1, 1)) == (10, 200, 30)
    half = Image.new("LA", (4, 4), (0, 128))  # black, half transparent, on white
    assert _to_output_mode(half).getpixel((0, 0)) in ((127, 127, 127), (128, 128, 128))


def test_output_mode_through_an_embedded_profile() -> None:
    grey = Image.new("L", (4, 4), 90)
    grey.info["icc_profile"] = lab_icc()
    out = _to_output_mode(grey)
    assert out.mode == "L" and out.getpixel((0, 0)) == 90  # grey is never converted
    cmyk = Image.new("CMYK", (4, 4), (0, 0, 0, 0))
    cmyk.info["icc_profile"] = ISO_COATED.read_bytes()
    out = _to_output_mode(cmyk)
    assert out.mode == "RGB" and min(out.getpixel((0, 0))) > 240
    dark = Image.new("CMYK", (4, 4), (0, 0, 0, 255))
    dark.info["icc_profile"] = ISO_COATED.read_bytes()
    black = _to_output_mode(dark).getpixel((0, 0))
    assert 10 < min(black) < 60  # printed black, not the naive 0/0/0
    srgb = Image.new("RGB", (4, 4), (200, 60, 50))
    srgb.info["icc_profile"] = srgb_icc()
    out = _to_output_mode(srgb)
    assert out.mode == "RGB" and all(abs(a - b) <= 2 for a, b in zip(out.getpixel((0, 0)), (200, 60, 50)))
    broken = Image.new("CMYK", (4, 4), (0, 0, 0, 255))
    broken.info["icc_profile"] = b"junk"
    assert _to_output_mode(broken).getpixel((0, 0)) == (0, 0, 0)  # the naive conversion


def test_pixel_counts_from_the_header(tmp_path: Path) -> None:
    source = tmp_path / "p.jpg"
    with pytest.raises(KmyError) as caught:
        _check_pixels(0, 10, source, (tmp_path / "a.md", 5))
    assert (caught.value.message, caught.value.file, caught.value.line) == (
        f"photo {source}: the image says it is 0 × 10 pixels; the file is damaged: export it again as JPEG or PNG",
        tmp_path / "a.md", 5)
    with pytest.raises(KmyError) as caught:
        _check_pixels(44_739_243, 2, source, None)  # 89,478,486 pixels: one more than allowed
    assert caught.value.message == ("the image is 44739243 × 2 pixels (89 megapixels), more than the 89 allowed; "
                                    "export a smaller copy")
    with pytest.raises(KmyError) as caught:
        _check_pixels(99_500_000, 1, source, None)
    assert caught.value.message == ("the image is 99500000 × 1 pixels (100 megapixels), more than the 89 allowed; "
                                    "export a smaller copy")
    _check_pixels(44_739_242, 2, source, None)  # 89,478,484: allowed


def test_cached_photo(tmp_path: Path) -> None:
    from kmyreport.photos import cached_photo

    source = tmp_path / "p.png"
    Image.new("RGB", (400, 200), (200, 10, 10)).save(source)
    cache = tmp_path / "cache"
    assert cached_photo(source, SMALL, cache) is None
    photo, _ = prepare_photo(source, SMALL, cache)
    assert photo.path.parent == cache / "photos" and len(photo.path.stem) == 32
    assert cached_photo(source, SMALL, cache) == (photo, [])
    assert cached_photo(source, SMALL, cache, colour=ColourTarget()) == (photo, [])
    assert cached_photo(source, Placement(25.4, 100.0, 50), cache) is None  # another placement
    assert cached_photo(source, SMALL, cache, colour=press()) is None       # another colour
    assert cached_photo(source, SMALL, tmp_path / "elsewhere") is None
    assert cached_photo(tmp_path / "missing.png", SMALL, cache) is None     # unreadable: prepare_photo says why
    photo.path.with_suffix(".json").unlink()                                # the facts gone: no
    assert cached_photo(source, SMALL, cache) is None
    prepare_photo(source, SMALL, cache)
    photo.path.unlink()                                                     # the picture gone: no
    assert cached_photo(source, SMALL, cache) is None


def grey_icc(gamma: float = 1.8) -> bytes:
    """A minimal ICC v2 display profile for grey, written by hand: a D50 white point and one gamma
    curve (Pillow makes no grey profiles). LittleCMS takes it: grey 100 through it is sRGB 119."""
    import struct

    def s15f16(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))
    d50 = s15f16(0.9642) + s15f16(1.0) + s15f16(0.8249)
    text = b"kmyreport test grey\x00"
    tags = [(b"desc", b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(8 + 2 + 1 + 67)),
            (b"wtpt", b"XYZ " + bytes(4) + d50),
            (b"kTRC", b"curv" + bytes(4) + struct.pack(">IH", 1, round(gamma * 256)) + bytes(2)),
            (b"cprt", b"text" + bytes(4) + b"no copyright\x00" + bytes(3))]
    start = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        data += bytes(-(start + len(data)) % 4)
        table += signature + struct.pack(">II", start + len(data), len(body))
        data += body
    body = struct.pack(">I", len(tags)) + table + data
    header = (struct.pack(">I", 128 + len(body)) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrGRAYXYZ "
              + bytes(12) + b"acspAPPL" + bytes(24) + d50 + bytes(48))
    assert len(header) == 128
    return header + body


def test_a_grey_photo_with_a_grey_profile_stays_one_grey_channel() -> None:
    """Only RGB and CMYK photos go through their profile to sRGB: a grey one is placed as its grey
    (one channel; through the profile it would become RGB 119 from grey 100)."""
    profile = ImageCms.ImageCmsProfile(io.BytesIO(grey_icc()))
    assert ImageCms.profileToProfile(Image.new("L", (1, 1), 100), profile, ImageCms.createProfile("sRGB"),
                                     outputMode="RGB").getpixel((0, 0)) == (119, 119, 119)
    with Image.open(io.BytesIO(jpeg(16, 16, 100, mode="L", icc_profile=grey_icc()))) as grey:
        assert grey.info["icc_profile"] == grey_icc()
        out = _to_output_mode(grey)
        assert out.mode == "L" and out.getpixel((8, 8)) == 100
