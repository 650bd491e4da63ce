"""Space between Han characters and Latin letters or digits (clreq: a quarter em), without inserting any.

Where a Han character meets a Latin letter or a European digit (`5G专网`,
`截至7月`, `CCUS示范`), a quarter em is opened between them. No character is
inserted, so the text copied out of the PDF is the source text. Beside a
space, at a line's ends, or beside punctuation, nothing is added.

The space is Pango letter-spacing on the Han character beside the boundary,
set in `Layout.set_text` so that the widths used to break lines are the widths
drawn. Pango gives a character's letter-spacing half before it and half after
it (and drops the outer halves at the ends of a line), so the text is as wide
as it should be but the opening is split between the character's two sides.
When the line is drawn, the glyph is moved by half the opening towards its
other side (`justify` wraps WeasyPrint's `draw_first_line`), which puts the whole
opening at the boundary; moving a glyph does not change any advance, so the
drawn line is exactly as wide as the measured one. Latin letters and digits
never get spacing: words are shaped whole, with their kerning and ligatures.

While Pango breaks a line it still counts the outer half of the line's last
character, which it drops afterwards; the values are never negative, so a
line is at worst broken a little early, never too wide.

The rule applies where the computed style has `--kmy-autospace: ideograph-alpha`
(inherited; the render layer sets it on the root, a layout turns it off with
`--kmy-autospace: none`).
"""

from __future__ import annotations

import re

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


def han_side_spacing(text: str, gaps: list[int], opening: int) -> tuple[dict[int, int], dict[int, int]]:
    """For the boundary gaps of `text`, the letter-spacing to add to the Han character beside each one
    (Pango units) and how far to move that character's glyph (`shifts`, Pango units) once the line is
    made, so that each boundary opens by `opening` and no other gap opens.

    Pango puts half of a character's letter-spacing before it and half after it. The Han character
    beside one boundary takes `opening`: the text is as wide as it should be, and moving the glyph by
    half the opening, towards the other side, puts the whole opening at the boundary. A character
    between two boundaries (`年` in `2024年7月`) takes twice the opening and stays where it is. At the
    ends of the text, Pango drops the outer half: the character there takes twice the opening and is
    not moved. Latin letters and digits are never spaced, so words keep their kerning and ligatures."""
    extra: dict[int, int] = {}
    shifts: dict[int, int] = {}
    half = opening // 2
    last = len(text) - 1
    for gap in gaps:
        after = _IS_HAN(text[gap])  # the Han character is before the boundary
        index = gap if after else gap + 1
        extra[index] = extra.get(index, 0) + opening
        shifts[index] = shifts.get(index, 0) + (-half if after else half)
    for index in (0, last):
        if index in extra and extra[index] == opening:
            extra[index] += opening  # the outer half is dropped
            shifts[index] = 0
    return extra, {index: shift for index, shift in shifts.items() if shift}


_IS_HAN = re.compile(f"[{_HAN}]").match
