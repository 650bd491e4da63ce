"""No lone character on a paragraph's last line (孤字).

A paragraph whose last line would hold one character, alone or with the marks
that close it (`场。`, `贝”……`), reads as a mistake. When WeasyPrint breaks a line
and what is left of the text would be such a line, the line is broken again a
little earlier, so that at least two characters go over; the line before stays
justified with slightly wider gaps. The render layer does this in its wrapper
of WeasyPrint's `split_first_line` (`justify.install`), where the computed
style has `--kmy-lone-character: avoid` (inherited; set on the root of every
kmyreport document; a layout turns it off with `--kmy-lone-character: none`).
"""

from __future__ import annotations

from ..cjk import NEVER_SPLIT, is_closing

PROPERTY = "__kmy_lone_character"
OPT_IN_DECLARATION = "--kmy-lone-character: avoid"
MIN_LINE_CHARACTERS = 10  # in lines narrower than this many em, nothing is moved: the line would be spaced out


def opted_in(style: object) -> bool:
    tokens = style[PROPERTY]  # type: ignore[index]
    return bool(tokens) and getattr(tokens[0], "lower_value", None) == "avoid"


def is_lone(rest: str) -> bool:
    """True if `rest`, the text left for the last line, is one character and the marks after it."""
    count = 0
    for char in rest.strip():
        if not (is_closing(char) or char in NEVER_SPLIT):
            count += 1
            if count > 1:
                return False
    return count == 1
