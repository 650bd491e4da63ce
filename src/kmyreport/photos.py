"""Photos: orientation, colour, resampling to the placed size, and a content-keyed cache.

Each photo is prepared once for the box it is placed in: EXIF orientation
applied, converted to RGB (or kept grey), resampled to the placed width at the
target resolution and written as a JPEG under `out/.cache/photos/`. The cache
key covers the source bytes and every parameter, so a changed photo or layout
gives a new file and an unchanged one is reused. Originals are never modified.

A JPEG that is already what the placement needs (upright, in the edition's colour, at most
`PASS_THROUGH_BAND` times the target resolution) is passed through: its bytes are copied
into the cache without the metadata segments (EXIF, XMP, IPTC, comments), never decoded to
full size or encoded again (`_pass_through`).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from .colour import RGB, SRGB, ColourTarget, max_ink, to_target
from .errors import KmyError, display_path
from .files import write_bytes_atomic
from .i18n import _

PIPELINE_VERSION = "4"  # bump when the output of `prepare_photo` changes for the same inputs
JPEG_QUALITY = 90
MM_PER_INCH = 25.4
#: A JPEG at most this many times the target resolution at its placed size is placed as it is
#: (when upright and in the edition's colour): resampling it would save little and cost a re-encoding.
PASS_THROUGH_BAND = 1.5


@dataclass(frozen=True)
class Placement:
    """The box a photo may occupy on the page."""

    max_width_mm: float
    max_height_mm: float
    ppi: int


@dataclass
class PreparedPhoto:
    path: Path               # the cached JPEG to place
    width_px: int
    height_px: int
    width_mm: float          # placed size on the page
    height_mm: float
    source_width_px: int
    source_height_px: int

    @property
    def effective_ppi(self) -> float:
        return self.width_px / (self.width_mm / MM_PER_INCH)


def placed_size(width_px: int, height_px: int, placement: Placement) -> tuple[float, float]:
    """Width and height in mm: the full column width unless that makes the photo too tall."""
    width_mm = placement.max_width_mm
    height_mm = width_mm * height_px / width_px
    if height_mm > placement.max_height_mm:
        height_mm = placement.max_height_mm
        width_mm = height_mm * width_px / height_px
    return round(width_mm, 3), round(height_mm, 3)


def _cached_path(data: bytes, placement: Placement, cache_dir: Path, colour: ColourTarget) -> Path:
    """Where the photo of these bytes, prepared for this placement and colour, is cached."""
    key = hashlib.sha256(b"\0".join([
        PIPELINE_VERSION.encode(), hashlib.sha256(data).digest(),
        f"{placement.max_width_mm}:{placement.max_height_mm}:{placement.ppi}:{JPEG_QUALITY}".encode(),
        colour.key.encode(),
    ])).hexdigest()[:32]
    return cache_dir / "photos" / f"{key}.jpg"


def cached_photo(source: Path, placement: Placement, cache_dir: Path, *, where: tuple[Path, int] | None = None,
                 colour: ColourTarget = SRGB) -> tuple[PreparedPhoto, list[str]] | None:
    """What `prepare_photo` gives when the photo is in the cache, else None (nothing decoded; an
    unreadable source too: `prepare_photo` says why)."""
    try:
        data = source.read_bytes()
    except OSError:
        return None
    return _from_cache(source, _cached_path(data, placement, cache_dir, colour), placement, where)


def _from_cache(source: Path, cached: Path, placement: Placement,
                where: tuple[Path, int] | None) -> tuple[PreparedPhoto, list[str]] | None:
    facts_path = cached.with_suffix(".json")
    if not (cached.is_file() and facts_path.is_file()):
        return None
    photo = PreparedPhoto(path=cached, **json.loads(facts_path.read_text(encoding="utf-8")))
    return photo, _resolution_warnings(source, where, photo, placement)


def prepare_photo(source: Path, placement: Placement, cache_dir: Path,
                  *, where: tuple[Path, int] | None = None,
                  colour: ColourTarget = SRGB) -> tuple[PreparedPhoto, list[str]]:
    """Prepare `source` for `placement`; returns the photo and any warnings (low resolution).

    The cache key covers the source bytes and the placement, so a cached photo is reused
    without decoding the original again. `where` is the (article file, line) that placed the
    photo, for messages. `colour` is the colour space to prepare it in: sRGB, or CMYK through a press
    profile (the profile's checksum and the ink limit are part of the cache key).
    """
    data = source.read_bytes()
    cached = _cached_path(data, placement, cache_dir, colour)
    found = _from_cache(source, cached, placement, where)
    if found is not None:
        return found
    facts_path = cached.with_suffix(".json")
    passed = _pass_through(data, placement, colour)
    if passed is not None:
        jpeg, (src_w, src_h) = passed
        width_mm, height_mm = placed_size(src_w, src_h, placement)
        write_bytes_atomic(cached, jpeg)
        facts = {"width_px": src_w, "height_px": src_h, "width_mm": width_mm, "height_mm": height_mm,
                 "source_width_px": src_w, "source_height_px": src_h}
        write_bytes_atomic(facts_path, json.dumps(facts).encode())
        photo = PreparedPhoto(path=cached, **facts)
        return photo, _resolution_warnings(source, where, photo, placement)
    image, (src_w, src_h) = _open(data, source, where, placement)
    width_mm, height_mm = placed_size(src_w, src_h, placement)
    target_w, target_h = _target_pixels(src_w, src_h, width_mm, placement)
    image = _to_output_mode(ImageOps.exif_transpose(image))
    if image.size != (target_w, target_h):
        image = image.resize((target_w, target_h), Image.Resampling.LANCZOS, reducing_gap=3.0)
    image = to_target(image, colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False)
    write_bytes_atomic(cached, buffer.getvalue())
    facts = {"width_px": target_w, "height_px": target_h, "width_mm": width_mm, "height_mm": height_mm,
             "source_width_px": src_w, "source_height_px": src_h}
    write_bytes_atomic(facts_path, json.dumps(facts).encode())
    photo = PreparedPhoto(path=cached, **facts)
    return photo, _resolution_warnings(source, where, photo, placement)


def _pass_through(data: bytes, placement: Placement, colour: ColourTarget) -> tuple[bytes, tuple[int, int]] | None:
    """The bytes to place for a JPEG that needs no processing, and its size; None when it needs some.

    It needs none when it is a baseline or progressive JPEG (not MPO) with no EXIF rotation, at
    most `PASS_THROUGH_BAND` times the target resolution at its placed size, and already in the
    colour the edition wants: RGB in sRGB (no profile, or an sRGB one) or grey for an RGB
    edition; for a CMYK edition, CMYK with exactly the press profile and within the ink limit.
    The picture data is checked whole (decoded at 1/8 scale, which reads every coded block but
    skips the full inverse transform), so a photo cut short is still refused by `_open`. The
    metadata segments (EXIF, XMP, IPTC, comments) are dropped; the engine would otherwise see the
    EXIF and encode the photo again. Anything unusual goes the ordinary way (None).
    """
    if not data.startswith(b"\xff\xd8\xff"):
        return None
    try:
        with warnings.catch_warnings(), _complete_data_only():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if image.format != "JPEG" or width < 1 or height < 1 or width * height > MAX_PHOTO_PIXELS:
                return None
            if image.getexif().get(0x0112, 1) != 1:
                return None
            width_mm = placed_size(width, height, placement)[0]
            if width / (width_mm / MM_PER_INCH) > placement.ppi * PASS_THROUGH_BAND:
                return None
            icc = image.info.get("icc_profile")
            if colour.mode == RGB:
                if image.mode == "RGB" and icc and not _is_srgb(icc):
                    return None
                if image.mode not in ("RGB", "L"):
                    return None
            elif image.mode != "CMYK" or not icc or hashlib.sha256(icc).hexdigest() != colour.digest:
                return None
            image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()  # every coded block is read: a cut or damaged file raises here
            if colour.mode != RGB and max_ink(image) > colour.ink_limit:
                return None
    except Exception:  # noqa: BLE001 - any doubt: the ordinary path decodes it and explains
        return None
    stripped = _without_metadata(data)
    return (stripped, (width, height)) if stripped is not None else None


#: JPEG segments dropped when a photo is passed through: APP1 (EXIF, XMP), APP13 (IPTC), COM.
_DROPPED_SEGMENTS = {0xE1, 0xED, 0xFE}


def _without_metadata(data: bytes) -> bytes | None:
    """The JPEG without its metadata segments, the picture data untouched; None if the markers
    before the scan do not parse."""
    out = bytearray(data[:2])
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is picture data
            out += data[at:]
            return bytes(out)
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:
            return None
        end = at + 2 + int.from_bytes(data[at + 2:at + 4], "big")
        if end > len(data):
            return None
        if marker not in _DROPPED_SEGMENTS:
            out += data[at:end]
        at = end
    return None


@functools.lru_cache(maxsize=16)
def _is_srgb(icc: bytes) -> bool:
    """True for an sRGB ICC profile (by its description), which needs no conversion."""
    try:
        description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except (ImageCms.PyCMSError, OSError, ValueError):
        return False
    return description.strip().lower().startswith("srgb")


def _resolution_warnings(source: Path, where: tuple[Path, int] | None, photo: PreparedPhoto,
                         placement: Placement) -> list[str]:
    ppi = photo.effective_ppi
    if ppi >= placement.ppi * 0.9:
        return []
    return [_("{where}: photo is {width} px wide; placed {width_mm} mm wide it prints at {ppi} ppi (target "
              "{target}); use a larger original").format(where=_where_text(source, where),
                                                         width=photo.source_width_px, width_mm=f"{photo.width_mm:.0f}",
                                                         ppi=f"{ppi:.0f}", target=placement.ppi)]


def _target_pixels(src_w: int, src_h: int, width_mm: float, placement: Placement) -> tuple[int, int]:
    """Pixel size of the prepared photo: the placed size at the target resolution, never upscaled."""
    target_w = round(width_mm / MM_PER_INCH * placement.ppi)
    if src_w <= target_w:
        return src_w, src_h
    return target_w, max(1, round(src_h * target_w / src_w))


def _open(data: bytes, source: Path, where: tuple[Path, int] | None,
          placement: Placement) -> tuple[Image.Image, tuple[int, int]]:
    """Decode a photo; returns the image (stored orientation) and its upright full size.

    The pixel size is checked from the header before anything is decoded, and only complete
    image data is decoded (`_complete_data_only`): a photo cut short is an error, never a
    partly grey picture. A JPEG much larger than its place is decoded at a reduced scale
    (1/2, 1/4 or 1/8, never below the target size), which makes camera originals several
    times faster to prepare.
    """
    if not data:
        raise _photo_error(source, where, _("the file is empty (0 bytes); copy the photo again"))
    try:
        with warnings.catch_warnings(), _complete_data_only():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            stored_w, stored_h = image.size
            _check_pixels(stored_w, stored_h, source, where)
            sideways = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
            upright = (stored_h, stored_w) if sideways else (stored_w, stored_h)
            if image.format == "JPEG":
                width_mm = placed_size(*upright, placement)[0]
                target_w, target_h = _target_pixels(*upright, width_mm, placement)
                image.draft(None, (target_h, target_w) if sideways else (target_w, target_h))
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _photo_error(source, where, _("the image is too large to decode safely ({problem}); export a "
                                            "smaller copy (at most {limit} megapixels)").format(
            problem=exc, limit=MAX_PHOTO_PIXELS // 1_000_000)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _photo_error(source, where, _("cannot read the image ({problem}); the file is damaged, cut short "
                                            "or not a photo: export it again as JPEG or PNG").format(
            problem=exc)) from None
    return image, upright


#: The most pixels a photo may have (Pillow's own bound for decompression bombs, ~89 MP).
MAX_PHOTO_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
_strict = threading.Lock()
_strict_users = 0
_strict_saved = False


def _check_pixels(width: int, height: int, source: Path, where: tuple[Path, int] | None) -> None:
    """Refuse, from the header alone, a photo with no pixels or too many to decode safely."""
    if width < 1 or height < 1:
        raise _photo_error(source, where, _("the image says it is {width} × {height} pixels; the file is "
                                            "damaged: export it again as JPEG or PNG").format(width=width,
                                                                                             height=height))
    if width * height > MAX_PHOTO_PIXELS:
        raise _photo_error(source, where, _("the image is {width} × {height} pixels ({megapixels} megapixels), "
                                            "more than the {limit} allowed; export a smaller copy").format(
            width=width, height=height, megapixels=f"{width * height / 1e6:.0f}",
            limit=MAX_PHOTO_PIXELS // 1_000_000))


@contextmanager
def _complete_data_only() -> Iterator[None]:
    """Pillow refuses incomplete image data while photos are decoded here.

    WeasyPrint, once imported, sets `ImageFile.LOAD_TRUNCATED_IMAGES` for the whole process
    (as in --watch, a batch of issues or the preview server), and a truncated photo then
    decodes as a grey box. The flag is off while any photo is being decoded and restored after
    the last one.
    """
    global _strict_users, _strict_saved
    with _strict:
        if _strict_users == 0:
            _strict_saved = ImageFile.LOAD_TRUNCATED_IMAGES
            ImageFile.LOAD_TRUNCATED_IMAGES = False
        _strict_users += 1
    try:
        yield
    finally:
        with _strict:
            _strict_users -= 1
            if _strict_users == 0:
                ImageFile.LOAD_TRUNCATED_IMAGES = _strict_saved


def _to_output_mode(image: Image.Image) -> Image.Image:
    """RGB (or L for greyscale) in sRGB, with transparency flattened onto white."""
    icc = image.info.get("icc_profile")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode in ("RGB", "L") and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.convert("I").point(lambda v: v / 256).convert("L")  # point() takes no I;16B
    if image.mode == "1":
        image = image.convert("L")
    if icc and image.mode in ("RGB", "CMYK"):
        converted = _icc_to_srgb(image, icc)
        if converted is not None:
            return converted
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    return image


def _icc_to_srgb(image: Image.Image, icc: bytes) -> Image.Image | None:
    """Convert through the embedded ICC profile to sRGB; None when the profile is unusable."""
    try:
        source_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(image, source_profile, srgb, outputMode="RGB",
                                         renderingIntent=ImageCms.Intent.PERCEPTUAL)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None


def _where_text(source: Path, where: tuple[Path, int] | None) -> str:
    if where:
        return f"{display_path(where[0])}:{where[1]}: {source.name}"
    return display_path(source)


def _photo_error(source: Path, where: tuple[Path, int] | None, message: str) -> KmyError:
    if where:
        return KmyError(_("photo {path}: {message}").format(path=display_path(source), message=message),
                        where[0], where[1])
    return KmyError(message, source)
