"""Space between Han characters and Latin letters or digits (clreq: a quarter em), without inserting any.

Where a Han character meets a Latin letter or a European digit (`5G专网`,
`截至7月`, `CCUS示范`), a quarter em is opened between them. No character is
inserted, so the text copied out of the PDF is the source text. Beside a
space, at a line's ends, or beside punctuation, nothing is added.

The space is Pango letter-spacing, set in `Layout.set_text` so that the widths
used to break lines are those drawn. Pango gives a character's letter-spacing
half before it and half after it (and drops the outer halves at the ends of a
line), so spacing cannot be put on one side of one character. Instead the
characters get alternating values whose halves cancel in every gap but the
boundary ones: for per-character values x₀…xₙ, the gap between characters k
and k+1 opens by xₖ/2 + xₖ₊₁/2. Given the wanted openings aₖ (a quarter em at a
boundary, 0 elsewhere), x₀ = 0 and xₖ₊₁ = 2aₖ − xₖ. Every gap inside a Latin word
or between two Han characters then opens by exactly 0.

While Pango breaks a line it still counts the outer half of the line's last
character, which it drops afterwards, so a line may come out up to that half
too wide (or too narrow). The render layer lays such a line out again a
little narrower (`justify.install` wraps WeasyPrint's `split_first_line`).

The rule applies where the computed style has `--kmy-autospace: ideograph-alpha`
(inherited; the render layer sets it on the root, a layout turns it off with
`--kmy-autospace: none`).
"""

from __future__ import annotations

import re

from ..cjk import IDEOGRAPH_CLASS, is_han, is_latin_alnum

#: The custom property, as WeasyPrint names it in a computed style.
PROPERTY = "__kmy_autospace"
#: What the render layer sets on the root of every kmyreport document.
OPT_IN_DECLARATION = "--kmy-autospace: ideograph-alpha"
SPACE_EM = 0.25

_LATIN = "A-Za-z0-9\u00c0-\u024f"
_BOUNDARY = re.compile(f"(?<=[{IDEOGRAPH_CLASS}\u3040-\u30ff\u3007])(?=[{_LATIN}])"
                       f"|(?<=[{_LATIN}])(?=[{IDEOGRAPH_CLASS}\u3040-\u30ff\u3007])")


def opted_in(style: object) -> bool:
    """True where the document asks for Han–Latin spacing (`--kmy-autospace: ideograph-alpha`)."""
    tokens = style[PROPERTY]  # type: ignore[index]
    return bool(tokens) and getattr(tokens[0], "lower_value", None) == "ideograph-alpha"


def boundaries(text: str) -> list[int]:
    """The gaps of `text` that take the space: gap k lies between characters k and k+1."""
    return [match.start() - 1 for match in _BOUNDARY.finditer(text)
            if 0 < match.start() < len(text) and _is_boundary(text[match.start() - 1], text[match.start()])]


def _is_boundary(before: str, after: str) -> bool:
    return (is_han(before) and is_latin_alnum(after)) or (is_latin_alnum(before) and is_han(after))


def alternating_spacing(text: str, openings: dict[int, int], centred: bool = False) -> list[int]:
    """Per-character letter-spacing (Pango units, even) that opens gap k of `text` by `openings[k]` and
    every other gap by nothing, counting half of each character's spacing on each side of it.

    A space starts afresh: it takes back the half its left neighbour gives it, so the space is as wide
    as before and its right neighbour starts again from 0. A dash (`——`) is one glyph in the font, so
    its characters share one value (another would split the glyph); the two dots of `……` are two
    glyphs and alternate like any other characters. `centred`: the text is not being broken into
    lines, so the first value is free (Pango drops its outer half) and is chosen to keep the values
    small, or to leave the dots of an ellipsis unspaced (WeasyPrint draws a glyph 2.4% of its
    offset out of place)."""
    values = [0] * len(text)  # the first is 0: Pango counts its outer half while it breaks lines
    signs = [1] * len(text)  # how each value moves when the first of its stretch moves
    for index in range(len(text) - 1):
        char, following = text[index], text[index + 1]
        if char in _SPACES:
            values[index + 1], signs[index + 1] = 0, 0
        elif char in _JOINED and following == char:
            values[index + 1], signs[index + 1] = values[index], signs[index]
        else:
            values[index + 1] = 2 * openings.get(index, 0) - values[index]
            signs[index + 1] = -signs[index] if signs[index] else 1
    if centred:
        stretch: list[int] = []
        for index in range(len(text) + 1):
            if index == len(text) or (signs[index] == 0 or index == 0) and stretch:
                # the values of a stretch may all move by ±c: pick c to centre them on zero
                signed = [values[i] * signs[i] for i in stretch]
                dots = [i for i in stretch if text[i] == "\u2026"]
                # the dots of an ellipsis are two glyphs: keep them still if there are any
                shift = signed[stretch.index(dots[0])] if dots else (max(signed) + min(signed)) // 2
                shift -= shift % 2
                for i in stretch:
                    values[i] -= shift * signs[i]
                stretch = []
            if index < len(text) and text[index] not in _SPACES:
                stretch.append(index)
    for index, char in enumerate(text):
        if char in _SPACES:  # the space takes back the half its left neighbour gives it
            values[index] = -values[index - 1] // 2 if index and text[index - 1] not in _SPACES else 0
    return values


_JOINED = "\u2014\u2e3a\u2e3b"  # dashes drawn as one glyph
_SPACES = " \u00a0\u3000"
