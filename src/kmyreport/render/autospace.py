"""Space between Han characters and Latin letters or digits (clreq: a quarter em), without inserting any.

Where a Han character meets a Latin letter or a European digit (`5G专网`,
`截至7月`, `CCUS示范`), a quarter em is opened between them. No character is
inserted, so the text copied out of the PDF is the source text. Beside a
space, at a line's ends, or beside punctuation, nothing is added.

While lines are broken and measured, the space is Pango letter-spacing on the
Han character beside the boundary (`han_side_spacing`), set in `Layout.set_text`,
so that Pango breaks lines with the widths they will have. Pango gives a
character's letter-spacing half before it and half after it (and drops the outer
halves at the ends of a line), so the widths are right but the opening is split
between the character's two sides. Where a line is drawn, no spacing is set for
the boundaries: the glyph beside each one is widened by the opening and, if the
boundary is before it, moved by it (`drawn_moves`; `justify` wraps WeasyPrint's
`draw_first_line`). The advances add up to the width measured, so justified
lines end flush. Latin letters and digits never get spacing: words are shaped
whole, with their kerning and ligatures.

While Pango breaks a line it still counts the outer half of the line's last
character, which it drops afterwards; the values are never negative, so a
line is at worst broken a little early, never too wide.

The rule applies where the computed style has `--kmy-autospace: ideograph-alpha`
(inherited; the render layer sets it on the root, a layout turns it off with
`--kmy-autospace: none`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..cjk import IDEOGRAPH_CLASS

#: The custom property, as WeasyPrint names it in a computed style.
PROPERTY = "__kmy_autospace"
#: What the render layer sets on the root of every kmyreport document.
OPT_IN_DECLARATION = "--kmy-autospace: ideograph-alpha"
SPACE_EM = 0.25

_LATIN = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"  # as cjk.is_latin_alnum
_HAN = f"{IDEOGRAPH_CLASS}\u3040-\u30ff\uac00-\ud7af\u3007"  # as cjk.is_han
_BOUNDARY = re.compile(f"[{_HAN}](?=[{_LATIN}])|[{_LATIN}](?=[{_HAN}])")  # the character before a boundary


def opted_in(style: object) -> bool:
    """True where the document asks for Han–Latin spacing (`--kmy-autospace: ideograph-alpha`)."""
    tokens = style[PROPERTY]  # type: ignore[index]
    return bool(tokens) and getattr(tokens[0], "lower_value", None) == "ideograph-alpha"


def boundaries(text: str) -> list[int]:
    """The gaps of `text` that take the space: gap k lies between characters k and k+1."""
    return [match.start() for match in _BOUNDARY.finditer(text)]


def has_boundary(text: str) -> bool:
    return _BOUNDARY.search(text) is not None


def han_side_spacing(text: str, gaps: list[int], opening: int, before: str = "", after: str = "") -> dict[int, int]:
    """While lines are broken and measured: the letter-spacing (Pango units) to add to the Han character
    beside each boundary gap of `text`, so that the text is as wide as it will be drawn. Gap -1 lies
    between `before` (the last character of the text box before, across an element's edge) and the text,
    gap len(text) - 1 between the text and `after`; a Han character in the other box is spaced there.

    Pango puts half of a character's letter-spacing before it and half after it, and drops the outer
    half at the ends of the text. The Han character beside one boundary takes `opening`, one between two
    boundaries (`年` in `2024年7月`) twice that; at an end of the text, twice as much again (half is dropped).
    Latin letters and digits are never spaced, so words keep their kerning and ligatures."""
    extra: dict[int, int] = {}
    for index, _ in _han_sides(text, gaps, before, after):
        extra[index] = extra.get(index, 0) + opening
    for index in {0, len(text) - 1}:
        if index in extra:
            extra[index] *= 2  # the outer half is dropped
    return extra


def drawn_moves(text: str, gaps: list[int], opening: int, before: str = "",
                after: str = "") -> dict[int, tuple[int, int]]:
    """Where a line is drawn: for the Han character beside each boundary gap of `text` (as for
    `han_side_spacing`), how far to move its glyph and how much to widen its advance (Pango units), so
    that each boundary opens by `opening` and no other gap opens. No letter-spacing is set for the
    boundaries: a line keeps the Pango items (and shaping) it would have without them, and the advances
    add up to the width measured."""
    moves: dict[int, tuple[int, int]] = {}
    move = round(opening / OFFSET_SCALE)
    for index, boundary_before in _han_sides(text, gaps, before, after):
        shift, width = moves.get(index, (0, 0))
        moves[index] = (shift + move if boundary_before else shift, width + opening)
    return moves


def _han_sides(text: str, gaps: list[int], before: str, after: str) -> Iterator[tuple[int, bool]]:
    """For each gap, the index of the Han character beside it in `text` and whether the gap is before it
    (gaps whose Han character is in the box before or after are left out)."""
    last = len(text) - 1
    for gap in gaps:
        if _IS_HAN(before if gap < 0 else text[gap]):
            if gap >= 0:
                yield gap, False
        elif gap < last:
            yield gap + 1, True


#: WeasyPrint 70 writes a glyph's Pango x-offset into the PDF 1.024 times too large (it divides Pango
#: units, 1024 to the pixel, by the font size in pixels, where the PDF wants thousandths of the size);
#: the advances are right. A glyph is therefore moved by the opening divided by this.
OFFSET_SCALE = 1.024


_IS_HAN = re.compile(f"[{_HAN}]").match
