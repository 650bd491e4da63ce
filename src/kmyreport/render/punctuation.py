"""Punctuation compression, GB style: two full-width marks side by side take 1.5 em together.

A full-width mark is drawn in one half of its em box and leaves the other half
blank: an opening bracket or quotation mark has its blank before it, a closing
one or a stop or pause mark (。，、；：？！) after it. Where two marks meet
(`。”` `”，` `）、` `“《` `》（` `：“`), one blank half between them is removed by
setting one of the pair half-width with the font's `halt` feature (Noto CJK
has it):

- after a closing mark or a stop mark that another mark follows, the closing
  mark is set half-width (its blank half is the one between the two);
- otherwise, an opening mark that follows another mark is set half-width.

So `。”）` takes 2 em instead of 3, and `”，“` 2 em. Inside a paragraph, an opening mark that starts a line
is also set half-width (`justify` knows where lines start), so the line's text
starts half an em from the margin. The feature is set as a Pango
attribute on the marks' byte ranges in `Layout.set_text`, so that the widths
used to break lines are the widths that are drawn. Marks that meet across an
inline element's edge (`**“重点”**，`) are compressed too (`justify` passes the
character across the edge).

The rule applies where the computed style has `--kmy-punctuation: compress`
(inherited; the render layer sets it on the root, a layout turns it off with
`--kmy-punctuation: none`).
"""

from __future__ import annotations

import re

from ..cjk import CLOSING_PUNCTUATION, OPENING_PUNCTUATION, STOP_PUNCTUATION, is_closing, is_opening

#: The custom property, as WeasyPrint names it in a computed style.
PROPERTY = "__kmy_punctuation"
#: What the render layer sets on the root of every kmyreport document.
OPT_IN_DECLARATION = "--kmy-punctuation: compress"
FEATURE = b"halt"

_MARKS = "".join(sorted(OPENING_PUNCTUATION | CLOSING_PUNCTUATION | STOP_PUNCTUATION))
_PAIR = re.compile(f"[{re.escape(_MARKS)}]{{2,}}")


def opted_in(style: object) -> bool:
    """True where the document asks for punctuation compression (`--kmy-punctuation: compress`)."""
    tokens = style[PROPERTY]  # type: ignore[index]
    return bool(tokens) and getattr(tokens[0], "lower_value", None) == "compress"


def half_width_marks(text: str) -> list[int]:
    """The indices of the characters of `text` to set half-width, in order."""
    indices = []
    for match in _PAIR.finditer(text):
        start, run = match.start(), match.group()
        for offset, (first, second) in enumerate(zip(run, run[1:])):
            if is_closing(first):
                indices.append(start + offset)
            elif is_opening(second):
                indices.append(start + offset + 1)
    return sorted(set(indices))
