"""Press colour: the layout's printing condition, CMYK photos through its ICC profile, CMYK tokens.

A layout that can go to press names its printing condition in `layout.yaml`:

```yaml
press:
  profile: profiles/ISOcoated_v2_300_bas.icc   # relative to the layout folder
  condition: FOGRA39                           # the output intent's identifier
  paper: coated offset paper (ISO 12647-2 paper types 1 and 2)
  ink_limit: 300                               # total area coverage, per cent
  bleed_mm: 3
  safety_mm: 5                                 # no text nearer the trim than this
  colours: {ink: [0, 0, 0, 100], accent: [0, 100, 90, 15]}   # tokens in CMYK, per cent
  marks: [crop, registration]                  # optional: printer's marks in the slug (render/marks.py)
```

An edition whose photo policy asks for CMYK gets its photos converted from sRGB
through that profile (Pillow's ImageCms, perceptual intent) with the total ink
held to the limit, and its stylesheet gets the tokens listed under `colours`
as `device-cmyk()` values. Nothing here knows about PDF or WeasyPrint.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from PIL import Image, ImageChops, ImageCms, ImageMath
from pydantic import Field

from .errors import KmyError
from .yamlfile import StrictModel

if TYPE_CHECKING:
    from .layouts import Layout, LayoutConfig

RGB, CMYK = "rgb", "cmyk"


class PressSettings(StrictModel):
    """`press:` in layout.yaml: the printing condition a print edition is made for."""

    profile: str = Field(description="The CMYK ICC profile of the printing condition, relative to the layout")
    condition: str = Field("Custom", description="Output condition identifier, e.g. FOGRA39")
    registry: str = Field("http://www.color.org", description="Where the condition is registered")
    paper: str = Field("", description="The paper the condition is for, in words")
    ink_limit: int = Field(300, ge=100, le=400, description="Total area coverage limit, per cent")
    bleed_mm: float = Field(3, ge=0, le=10, description="Bleed beyond the trim on every side")
    safety_mm: float = Field(5, ge=0, description="Text keeps at least this far inside the trim")
    colours: dict[str, list[float]] = Field(default_factory=dict,
                                            description="Design tokens in CMYK, per cent (C, M, Y, K)")
    marks: list[Literal["crop", "registration"]] = Field(
        default_factory=list, description="Printer's marks outside the bleed, in the registration colour: "
        "crop (at the trim corners) and registration (targets centred on each side); none by default")


@dataclass(frozen=True)
class ColourTarget:
    """The colour space placed photos are prepared in (and what the cache key needs of it)."""

    mode: str = RGB                 # rgb or cmyk
    profile: Path | None = None     # the CMYK profile (cmyk only)
    ink_limit: int = 400            # per cent
    digest: str = ""                # SHA-256 of the profile: part of the photo cache key

    @property
    def key(self) -> str:
        return f"{self.mode}:{self.digest}:{self.ink_limit}"


SRGB = ColourTarget()  # photos as they are for screens: sRGB (or grey)


def press_settings(layout: Layout) -> PressSettings:
    """The layout's press section, or a `KmyError` saying how to add one."""
    press = layout.config.press
    if press is None:
        raise KmyError("this edition prints in CMYK, but the layout has no press: section; add press: "
                       "with profile: (a CMYK ICC profile in the layout folder), condition: and ink_limit:",
                       layout.yaml_path)
    return press


def profile_path(layout: Layout) -> Path:
    press = press_settings(layout)
    path = (layout.folder / press.profile).resolve()
    if not path.is_file() or not layout.workspace.contains(path):
        raise KmyError(f"press.profile: ICC profile not found in the layout folder: {press.profile}",
                       layout.yaml_path)
    return path


def target_for(colour: str, layout: Layout) -> ColourTarget:
    """The colour target for an edition's photo colour (`PhotoPolicy.colour`) in this layout."""
    if colour == RGB:
        return ColourTarget()
    if colour != CMYK:
        raise KmyError(f"unknown photo colour '{colour}'; editions ask for rgb or cmyk")
    path = profile_path(layout)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    _check_profile(path, digest, layout)
    return ColourTarget(CMYK, path, press_settings(layout).ink_limit, digest)


@functools.lru_cache(maxsize=8)
def _profile(path: str, digest: str) -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(io.BytesIO(Path(path).read_bytes()))


def _check_profile(path: Path, digest: str, layout: Layout) -> None:
    try:
        profile = _profile(str(path), digest)
    except (ImageCms.PyCMSError, OSError) as exc:
        raise KmyError(f"press.profile: cannot read the ICC profile {path.name} ({exc})", layout.yaml_path) from None
    if profile.profile.xcolor_space.strip() != "CMYK":
        raise KmyError(f"press.profile: {path.name} is a {profile.profile.xcolor_space.strip()} profile; "
                       "the press needs a CMYK output profile", layout.yaml_path)


def profile_description(path: Path) -> str:
    """The profile's own description, e.g. `ISO Coated v2 300% (basICColor)`."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return ImageCms.getProfileDescription(_profile(str(path), digest)).strip()


@functools.lru_cache(maxsize=8)
def _transform(path: str, digest: str) -> ImageCms.ImageCmsTransform:
    """sRGB → the profile's CMYK, perceptual: built once per process, applied from many threads."""
    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), _profile(path, digest), "RGB", "CMYK",
                                   renderingIntent=ImageCms.Intent.PERCEPTUAL)


def to_target(image: Image.Image, target: ColourTarget) -> Image.Image:
    """An sRGB (or grey) image in the target's colour space, its total ink within the limit."""
    if target.mode == RGB:
        return image
    assert target.profile is not None
    if image.mode != "RGB":
        image = image.convert("RGB")
    cmyk = ImageCms.applyTransform(image, _transform(str(target.profile), target.digest))
    return limit_ink(cmyk, target.ink_limit)


def max_ink(image: Image.Image) -> float:
    """The largest total area coverage of a CMYK image, in per cent (to within half a per cent:
    the four channels are summed as quarters, which keeps it to fast 8-bit operations)."""
    c, m, y, k = image.split()
    quarter = ImageChops.add(ImageChops.add(c, m, scale=2), ImageChops.add(y, k, scale=2), scale=2)
    return quarter.getextrema()[1] * 4 * 100 / 255


def limit_ink(image: Image.Image, limit: int) -> Image.Image:
    """Hold total ink to `limit` per cent: where it is over, cyan, magenta and yellow are reduced
    in proportion and black is kept (the profile's own separation normally stays within it)."""
    if max_ink(image) <= limit:
        return image
    ceiling = limit * 255 // 100
    c, m, y, k = (channel.convert("I") for channel in image.split())
    cmy = ImageMath.lambda_eval(lambda v: v["c"] + v["m"] + v["y"], c=c, m=m, y=y)
    room = ImageMath.lambda_eval(lambda v: v["max"](ceiling - v["k"], 0), k=k)
    reduced = [ImageMath.lambda_eval(lambda v: v["min"](v["ch"], v["ch"] * v["room"] / v["max"](v["cmy"], 1)),
                                     ch=channel, room=room, cmy=cmy).convert("L")
               for channel in (c, m, y)]
    return Image.merge("CMYK", (*reduced, k.convert("L")))


def cmyk_css(values: list[float]) -> str:
    """[0, 100, 90, 15] (per cent) → `device-cmyk(0 1 0.9 0.15)`."""
    if len(values) != 4 or not all(0 <= v <= 100 for v in values):
        raise ValueError(f"a CMYK colour is four percentages from 0 to 100, not {values}")
    return "device-cmyk(" + " ".join(f"{v / 100:g}" for v in values) + ")"


def tokens_for(config: LayoutConfig, colour_space: str) -> dict[str, Any]:
    """The layout's design tokens for an edition's colour space: in CMYK, the tokens the press
    section lists under `colours` become `device-cmyk()` values; every other token is unchanged."""
    tokens = dict(config.tokens)
    if colour_space == CMYK and config.press is not None:
        for name, values in config.press.colours.items():
            tokens[name] = cmyk_css(values)
    return tokens
