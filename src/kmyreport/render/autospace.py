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
or between two Han characters then opens by 0. (The values are worked out for
the gaps as WeasyPrint draws them; see `OFFSET_SCALE`.)

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

from ..cjk import IDEOGRAPH_CLASS

#: The custom property, as WeasyPrint names it in a computed style.
PROPERTY = "__kmy_autospace"
#: What the render layer sets on the root of every kmyreport document.
OPT_IN_DECLARATION = "--kmy-autospace: ideograph-alpha"
SPACE_EM = 0.25

_LATIN = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"  # as cjk.is_latin_alnum
_HAN = f"{IDEOGRAPH_CLASS}\u3040-\u30ff\uac00-\ud7af\u3007"  # as cjk.is_han
_BOUNDARY = re.compile(f"(?<=[{_HAN}])(?=[{_LATIN}])|(?<=[{_LATIN}])(?=[{_HAN}])")


def opted_in(style: object) -> bool:
    """True where the document asks for Han–Latin spacing (`--kmy-autospace: ideograph-alpha`)."""
    tokens = style[PROPERTY]  # type: ignore[index]
    return bool(tokens) and getattr(tokens[0], "lower_value", None) == "ideograph-alpha"


def boundaries(text: str) -> list[int]:
    """The gaps of `text` that take the space: gap k lies between characters k and k+1."""
    return [match.start() - 1 for match in _BOUNDARY.finditer(text)]


#: WeasyPrint 70 writes a glyph's Pango x-offset into the PDF 1.024 times too large (it divides Pango
#: units, 1024 to the pixel, by the font size in pixels, where the PDF wants thousandths of the size).
#: A glyph with letter-spacing v is therefore drawn (1.024 − 1) · v/2 out of place, and the gap after
#: character k is drawn as (1 − s/2)·vₖ + (s/2)·vₖ₊₁ with s = 1.024. The values are worked out for
#: the drawn gaps, so that a reader's (and a test's) measure of them is exact.
OFFSET_SCALE = 1.024
_BEFORE, _AFTER = 1 - OFFSET_SCALE / 2, OFFSET_SCALE / 2


def alternating_spacing(text: str, openings: dict[int, int], centred: bool = False) -> list[int]:
    """Per-character letter-spacing (Pango units, even) that opens gap k of `text` by `openings[k]` and
    every other gap by nothing, where each character's spacing goes half before it and half after it.

    A space starts afresh: it takes back what its neighbours give it, so the space is as wide as
    before, and the stretch after it starts with a free value like the text's first. A dash (`——`)
    is one glyph in the font, so its characters share one value (another would split the glyph).

    The first value of each stretch is free (Pango drops its outer half at a line's start; a space
    takes it back). It is chosen to leave the stretch's first Latin word (or number) unspaced, when
    that takes a first value no larger than two openings (a word far on would take a large one): a
    word whose letters have different spacing is shaped letter by letter, without kerning or
    ligatures, and the choice must be the same whether the text is measured while lines are broken
    or drawn line by line. Where a stretch has no such word, the first value is 0 while Pango breaks
    lines (it counts the outer half until the line is made), or, with `centred` (the text is not
    being broken), is chosen to keep the values small."""
    result = [0] * len(text)
    if not openings:
        return result
    limit = 2 * max(openings.values())
    for stretch in _STRETCH.finditer(text):
        first, end = stretch.span()
        if any(first <= gap < end - 1 for gap in openings):
            result[first:end] = _stretch_values(text, first, end, openings, limit, centred)
    for index, char in enumerate(text):
        if char in _SPACES:  # the space takes back what its neighbours give it: it stays as wide
            before = result[index - 1] if index and text[index - 1] not in _SPACES else 0
            after = result[index + 1] if index + 1 < len(text) and text[index + 1] not in _SPACES else 0
            result[index] = -2 * round((_BEFORE * before + _AFTER * after) / 2)
    return result


def _stretch_values(text: str, first: int, end: int, openings: dict[int, int], limit: int,
                    centred: bool) -> list[int]:
    particular = [0.0] * (end - first)
    homogeneous = [1.0] * (end - first)  # how each value moves when the first of the stretch moves by 1
    for offset in range(end - first - 1):
        index = first + offset
        if text[index] in _JOINED and text[index + 1] == text[index]:
            particular[offset + 1], homogeneous[offset + 1] = particular[offset], homogeneous[offset]
        else:
            particular[offset + 1] = (openings.get(index, 0) - _BEFORE * particular[offset]) / _AFTER
            homogeneous[offset + 1] = -_BEFORE * homogeneous[offset] / _AFTER
    word = _WORD.search(text, first, end)
    shift = -particular[word.start() - first] / homogeneous[word.start() - first] if word else None
    if shift is None or abs(shift) > limit:
        # no word to leave unspaced near enough: 0 while lines are broken, else centre the values
        shift = _centre(particular, homogeneous) if centred else 0.0
    return [2 * round((value + shift * move) / 2) for value, move in zip(particular, homogeneous)]


def _centre(values: list[float], moves: list[float]) -> float:
    """A shift c that keeps max |values[i] + c · moves[i]| small: the one that centres values[i] / moves[i]
    (exact when the moves are all ±1; they shrink slowly along a line)."""
    ratios = [value / move for value, move in zip(values, moves)]
    return -(max(ratios) + min(ratios)) / 2


_JOINED = "\u2014\u2e3a\u2e3b"  # dashes drawn as one glyph
_SPACES = " \u00a0\u3000"
_STRETCH = re.compile(f"[^{_SPACES}]+")
_WORD = re.compile(f"[{_LATIN}]{{2,}}")  # a Latin word or a number
