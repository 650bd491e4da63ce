"""Printer's marks outside the bleed, in the registration colour (`--kmy-marks`).

WeasyPrint's own `marks: crop cross` draws in RGB and inside the bleed, which a PDF/X file must
not have. A page whose `@page` style says `--kmy-marks: crop registration` (the print edition's
stylesheet sets it from the layout's `press.marks`) gets instead, when its PDF is finished:

- a **slug**: the MediaBox grows by `SLUG_MM` beyond the area the page paints (its bleed); the
  TrimBox and BleedBox keep their place, so the MediaBox reaches to negative coordinates;
- **crop marks** (`crop`): two 0.25 pt lines at each trim corner, on the lines of the trim edges,
  `LENGTH_MM` long, starting `OFFSET_MM` from the trim but never inside the bleed;
- **registration targets** (`registration`): a circle with a cross, centred on each side of
  the page in the slug, just beyond the crop marks' start;

all stroked in `/Separation /All` (the registration colour: every plate, tint 1; alternate
DeviceCMYK 100/100/100/100), in a content stream appended to the page's own and wrapped so
that nothing of the page's graphics state reaches it. Nothing here is RGB.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pydyf

PT_PER_MM = 72 / 25.4
OFFSET_MM = 3.0       # crop marks start this far from the trim (or at the bleed's edge, if further)
LENGTH_MM = 5.0       # and are this long
SLUG_MM = 10.0        # the MediaBox reaches this far beyond the bleed
TARGET_RADIUS_MM = 2.0   # registration target: a circle…
TARGET_CROSS_MM = 2.75   # …and a cross this far either side of its centre
LINE_WIDTH_PT = 0.25
KINDS = ("crop", "registration")
COLOUR_SPACE = "KmyRegistration"   # the page resource's name for /Separation /All
_BEZIER = 0.5523              # a quarter circle as one cubic Bézier: control points at this × radius


def requested(tokens: Iterable[Any]) -> tuple[str, ...]:
    """The marks a page's `--kmy-marks` tokens ask for, in `KINDS` order (unknown words ignored)."""
    words = {getattr(token, "lower_value", None) for token in tokens or ()}
    return tuple(kind for kind in KINDS if kind in words)


Box = tuple[float, float, float, float]   # llx, lly, urx, ury in PDF points
Line = tuple[float, float, float, float]  # x0, y0, x1, y1


def mark_edge(trim: Box, painted: Box) -> tuple[float, float, float, float]:
    """How far from the trim each side's marks begin (left, bottom, right, top): `OFFSET_MM`, or
    further where the page paints further (its bleed)."""
    offset = OFFSET_MM * PT_PER_MM
    return (max(offset, trim[0] - painted[0]), max(offset, trim[1] - painted[1]),
            max(offset, painted[2] - trim[2]), max(offset, painted[3] - trim[3]))


def crop_lines(trim: Box, painted: Box) -> list[Line]:
    """Eight lines: at each trim corner one on the line of each trim edge that meets there."""
    left, bottom, right, top = mark_edge(trim, painted)
    length = LENGTH_MM * PT_PER_MM
    x0, y0, x1, y1 = trim
    lines = []
    for x, y, dx, dy in ((x0, y0, -left, -bottom), (x1, y0, right, -bottom),
                         (x0, y1, -left, top), (x1, y1, right, top)):
        sx, sy = (1 if dx > 0 else -1), (1 if dy > 0 else -1)
        lines.append((x + dx, y, x + dx + sx * length, y))   # horizontal, on the edge y
        lines.append((x, y + dy, x, y + dy + sy * length))   # vertical, on the edge x
    return lines


def target_centres(trim: Box, painted: Box) -> list[tuple[float, float]]:
    """The registration targets' centres: the middle of each side, in the slug."""
    left, bottom, right, top = mark_edge(trim, painted)
    reach = TARGET_CROSS_MM * PT_PER_MM
    x0, y0, x1, y1 = trim
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    return [(x0 - left - reach, my), (mx, y0 - bottom - reach), (x1 + right + reach, my), (mx, y1 + top + reach)]


def slug_box(painted: Box) -> Box:
    slug = SLUG_MM * PT_PER_MM
    return (painted[0] - slug, painted[1] - slug, painted[2] + slug, painted[3] + slug)


def _n(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def marks_content(kinds: tuple[str, ...], trim: Box, painted: Box) -> bytes:
    """The drawing operators of the marks (after a `Q` that ends the page's own graphics state)."""
    ops = ["Q", "q", f"/{COLOUR_SPACE} CS 1 SCN", f"{_n(LINE_WIDTH_PT)} w 0 J 0 j [] 0 d"]
    segments: list[Line] = []
    if "crop" in kinds:
        segments += crop_lines(trim, painted)
    if "registration" in kinds:
        reach, radius = TARGET_CROSS_MM * PT_PER_MM, TARGET_RADIUS_MM * PT_PER_MM
        for cx, cy in target_centres(trim, painted):
            segments += [(cx - reach, cy, cx + reach, cy), (cx, cy - reach, cx, cy + reach)]
            k = radius * _BEZIER
            ops.append(f"{_n(cx + radius)} {_n(cy)} m "
                       f"{_n(cx + radius)} {_n(cy + k)} {_n(cx + k)} {_n(cy + radius)} {_n(cx)} {_n(cy + radius)} c "
                       f"{_n(cx - k)} {_n(cy + radius)} {_n(cx - radius)} {_n(cy + k)} {_n(cx - radius)} {_n(cy)} c "
                       f"{_n(cx - radius)} {_n(cy - k)} {_n(cx - k)} {_n(cy - radius)} {_n(cx)} {_n(cy - radius)} c "
                       f"{_n(cx + k)} {_n(cy - radius)} {_n(cx + radius)} {_n(cy - k)} {_n(cx + radius)} {_n(cy)} c S")
    ops += [f"{_n(a)} {_n(b)} m {_n(c)} {_n(d)} l S" for a, b, c, d in segments]
    ops.append("Q")
    # a leading newline: some readers join a page's streams without one, and the page's own may
    # end in an operator (`Q` + `Q` would read as `QQ`)
    return b"\n" + "\n".join(ops).encode() + b"\n"


_REFERENCE = re.compile(rb"^(\d+) 0 R$")


def _resolve(pdf: pydyf.PDF, value: Any) -> Any:
    """A pydyf indirect reference (`b"12 0 R"`) → the object; anything else as it is."""
    raw = value.encode() if isinstance(value, str) else value
    match = _REFERENCE.match(raw) if isinstance(raw, bytes) else None
    return pdf.objects[int(match.group(1))] if match else value


def _box(value: Any) -> Box:
    return tuple(float(v) for v in value)  # type: ignore[return-value]


def add_marks(document: Any, pdf: pydyf.PDF) -> int:
    """Draw the marks every page's `--kmy-marks` asks for; returns how many pages got marks."""
    wanted = [requested(page._page_box.style["__kmy_marks"]) for page in document.pages]
    if not any(wanted):
        return 0
    registration = pydyf.Dictionary({"FunctionType": 2, "Domain": pydyf.Array([0, 1]),
                                     "C0": pydyf.Array([0, 0, 0, 0]), "C1": pydyf.Array([1, 1, 1, 1]), "N": 1})
    pdf.add_object(registration)
    colour_space = pydyf.Array(["/Separation", "/All", "/DeviceCMYK", registration.reference])
    opening = pydyf.Stream([b"q\n"])
    pdf.add_object(opening)
    streams: dict[tuple, bytes] = {}   # pages of one size share one marks stream
    marked = 0
    for number, kinds in zip(pdf.pages["Kids"][::3], wanted):
        if not kinds:
            continue
        page = pdf.objects[number]
        trim = _box(page.get("TrimBox") or page["MediaBox"])
        media = _box(page["MediaBox"])
        bleed = _box(page.get("BleedBox") or media)
        painted = (min(media[0], bleed[0]), min(media[1], bleed[1]), max(media[2], bleed[2]), max(media[3], bleed[3]))
        key = (kinds, trim, painted)
        if key not in streams:
            stream = pydyf.Stream([marks_content(kinds, trim, painted)], compress=True)
            pdf.add_object(stream)
            streams[key] = stream.reference
        resources = _resolve(pdf, page["Resources"])
        spaces = _resolve(pdf, resources.get("ColorSpace"))
        if spaces is None:
            spaces = resources["ColorSpace"] = pydyf.Dictionary()
        spaces[COLOUR_SPACE] = colour_space
        contents = page["Contents"]
        own = list(contents) if isinstance(contents, (list, pydyf.Array)) else [contents]
        page["Contents"] = pydyf.Array([opening.reference, *own, streams[key]])
        page["MediaBox"] = pydyf.Array(slug_box(painted))
        marked += 1
    return marked
